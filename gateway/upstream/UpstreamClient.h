// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/upstream/UpstreamRequest.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

namespace tarn::gateway {

struct UpstreamCall;
struct UpstreamSocketWatch;

// One per thread: a pooled HTTP client, a libcurl multi handle driven by that thread's Qt event loop.
//
// Observer callbacks run on this thread, never synchronously inside start(). start(), cancel() and
// pause() may be called from inside observer callbacks. Deleting the client from inside an observer
// callback is not supported.
class UpstreamClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamClient)

public:
    explicit UpstreamClient(QObject *parent = nullptr);
    ~UpstreamClient() override; // aborts every call silently

    // Starts a call; the observer must stay alive until onUpstreamFinished or cancel(). Never 0.
    quint64 start(UpstreamRequest request, UpstreamObserver *observer);
    // Aborts at once (closing the upstream connection or HTTP/2 stream); no callback follows.
    void cancel(quint64 callId);
    // Back-pressure: stop (or resume) reading the response; while paused the idle timeout is off.
    void pause(quint64 callId, bool paused);
    int activeCalls() const;

    // curl_global_init: call once from main() before any thread starts.
    static void globalInit();

private:
    friend struct UpstreamCallbacks;

    UpstreamCall *takeFreeCall();
    void releaseCall(UpstreamCall *call);
    bool addToMulti(UpstreamCall *call);
    void removeFromMulti(UpstreamCall *call);

    void drive(qintptr socket, int events);
    void settle();
    void drainMessages();
    void finishCall(UpstreamCall *call, UpstreamFailure failure, const QString &detail);
    void trimPool();
    void dropIdleWatches();
    void sweep();
    void applyDeferred();
    void scheduleDeferred();

    void watchSocket(qintptr socket, int what, UpstreamSocketWatch *watch);
    void forgetSocket(qintptr socket);
    void onSocketReadable(UpstreamSocketWatch *watch, qintptr socket);
    void updateCurlTimer(long timeoutMs);
    void kickBeforeBlocking();

    void *m_multi = nullptr;
    QTimer m_curlTimer;     // curl's single timeout
    QTimer m_sweepTimer;    // coarse first-byte / idle timeouts over all calls
    QTimer m_deferTimer;    // zero-delay: work that must not run inside curl or the caller
    QElapsedTimer m_clock;
    qint64 m_now = 0;       // ms on m_clock, refreshed whenever curl is driven
    int m_curlDepth = 0;    // > 0 while inside a curl call that may invoke our callbacks
    bool m_settling = false;
    bool m_kickPending = false; // curl asked for a zero timeout: drive it before the loop waits
    bool m_destroying = false;
    quint64 m_nextId = 1;
    QByteArray m_envNoProxy; // loopback plus NO_PROXY/no_proxy, for calls using env proxies

    // A call as it was when queued: skipped if the call ended (or was reused) in the meantime.
    struct CallRef
    {
        UpstreamCall *call;
        quint64 id;
        int result = 0;
    };
    bool isCurrent(const CallRef &ref) const;

    UpstreamCall *m_inCallback = nullptr;                 // call whose curl callback is running
    QHash<quint64, UpstreamCall *> m_calls;               // live calls by id
    QHash<qintptr, UpstreamSocketWatch *> m_watches;      // by socket, kept for reuse while busy
    std::vector<std::unique_ptr<UpstreamCall>> m_owned;   // every call object (pool included)
    std::vector<UpstreamCall *> m_free;                   // reusable (easy handle kept)
    std::vector<UpstreamCall *> m_pendingAdd;             // started while inside curl
    std::vector<UpstreamCall *> m_pendingRemove;          // cancelled while inside curl
    std::vector<CallRef> m_pendingPause;                  // pause state to apply outside curl
    std::vector<CallRef> m_pendingStartFailure;           // could not be configured or added
    std::vector<CallRef> m_done;                          // scratch for drainMessages
    std::vector<CallRef> m_expired;                       // scratch for sweep
};

} // namespace tarn::gateway
