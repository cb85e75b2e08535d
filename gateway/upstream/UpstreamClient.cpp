// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/upstream/UpstreamClient.h"

#include "gateway/core/Logging.h"
#include "gateway/upstream/UpstreamCall.h"

#include <QAbstractEventDispatcher>

#include <algorithm>
#include <utility>

namespace tarn::gateway {

namespace {

constexpr int kSweepIntervalMs = 100;
constexpr long kMaxConnections = 512;
constexpr size_t kPoolKeep = 16; // idle easy handles kept once the client goes quiet

CURLM *multiHandle(void *multi)
{
    return static_cast<CURLM *>(multi);
}

bool setMultiLong(CURLM *multi, CURLMoption option, long value)
{
    return curl_multi_setopt(multi, option, value) == CURLM_OK;
}

bool setMultiPointer(CURLM *multi, CURLMoption option, void *value)
{
    return curl_multi_setopt(multi, option, value) == CURLM_OK;
}

bool setMultiSocketCallback(CURLM *multi, curl_socket_callback callback)
{
    return curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, callback) == CURLM_OK;
}

bool setMultiTimerCallback(CURLM *multi, curl_multi_timer_callback callback)
{
    return curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, callback) == CURLM_OK;
}

// curl honours http_proxy even for 127.0.0.1: loopback upstreams always go direct.
QByteArray environmentNoProxy()
{
    QByteArray fromEnv = qgetenv("no_proxy");
    if (fromEnv.isEmpty())
        fromEnv = qgetenv("NO_PROXY");
    fromEnv = fromEnv.trimmed();
    if (fromEnv == "*")
        return fromEnv;
    QByteArray noProxy = "127.0.0.1,localhost,::1";
    if (!fromEnv.isEmpty())
        noProxy += ',' + fromEnv;
    return noProxy;
}

// Counts nesting into curl calls that may run our callbacks.
class CurlScope
{
public:
    explicit CurlScope(int &depth) : m_depth(depth) { ++m_depth; }
    ~CurlScope() { --m_depth; }
    CurlScope(const CurlScope &) = delete;
    CurlScope &operator=(const CurlScope &) = delete;

private:
    int &m_depth;
};

} // namespace

UpstreamClient::UpstreamClient(QObject *parent)
    : QObject(parent)
    , m_curlTimer(this)
    , m_sweepTimer(this)
    , m_deferTimer(this)
    , m_envNoProxy(environmentNoProxy())
{
    m_clock.start();
    CURLM *multi = curl_multi_init();
    m_multi = multi;
    bool ok = multi != nullptr;
    ok = ok && setMultiSocketCallback(multi, &UpstreamCallbacks::onSocket);
    ok = ok && setMultiPointer(multi, CURLMOPT_SOCKETDATA, this);
    ok = ok && setMultiTimerCallback(multi, &UpstreamCallbacks::onTimer);
    ok = ok && setMultiPointer(multi, CURLMOPT_TIMERDATA, this);
    ok = ok && setMultiLong(multi, CURLMOPT_MAXCONNECTS, kMaxConnections);
    ok = ok && setMultiLong(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0);
    ok = ok && setMultiLong(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0);
    ok = ok && setMultiLong(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    if (!ok)
        qCCritical(lcUpstream) << "could not set up the libcurl multi handle";

    m_curlTimer.setSingleShot(true);
    m_curlTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_curlTimer, &QTimer::timeout, this, [this] {
        m_kickPending = false;
        drive(CURL_SOCKET_TIMEOUT, 0);
    });
    m_sweepTimer.setInterval(kSweepIntervalMs);
    m_sweepTimer.setTimerType(Qt::CoarseTimer);
    connect(&m_sweepTimer, &QTimer::timeout, this, &UpstreamClient::sweep);
    m_deferTimer.setSingleShot(true);
    m_deferTimer.setInterval(0);
    connect(&m_deferTimer, &QTimer::timeout, this, &UpstreamClient::applyDeferred);
    // A new transfer asks curl for a zero timeout. Served by a zero timer alone, the loop would
    // poll once more (without blocking) just to fire it; driving curl when the loop is about to
    // wait sends the request one poll sooner. The zero timer stays as the fallback for loops that
    // never block (processEvents() without WaitForMoreEvents).
    if (QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance(thread()))
        connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock, this, &UpstreamClient::kickBeforeBlocking);
}

UpstreamClient::~UpstreamClient()
{
    m_destroying = true;
    m_curlTimer.stop();
    m_sweepTimer.stop();
    m_deferTimer.stop();
    m_calls.clear();
    for (const auto &call : m_owned) {
        call->observer = nullptr; // silently: no callback from here on
        if (call->inMulti) {
            CurlScope scope(m_curlDepth);
            curl_multi_remove_handle(multiHandle(m_multi), call->easy);
            call->inMulti = false;
        }
    }
    if (m_multi) {
        CurlScope scope(m_curlDepth);
        curl_multi_cleanup(multiHandle(m_multi)); // closes pooled connections
    }
    m_multi = nullptr;
    m_owned.clear();
    dropIdleWatches();
}

void UpstreamClient::globalInit()
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

quint64 UpstreamClient::start(UpstreamRequest request, UpstreamObserver *observer)
{
    UpstreamCall *call = takeFreeCall();
    call->id = m_nextId++;
    call->observer = observer;
    call->request = std::move(request);
    call->state = UpstreamCallState::PendingAdd;
    m_calls.insert(call->id, call);
    if (!m_sweepTimer.isActive())
        m_sweepTimer.start();

    if (!call->configure(m_envNoProxy)) {
        m_pendingStartFailure.push_back({call, call->id});
        scheduleDeferred();
    } else if (m_curlDepth > 0) {
        m_pendingAdd.push_back(call); // curl refuses handles added from its own callbacks
        scheduleDeferred();
    } else if (!addToMulti(call)) {
        m_pendingStartFailure.push_back({call, call->id});
        scheduleDeferred();
    }
    return call->id;
}

void UpstreamClient::cancel(quint64 callId)
{
    UpstreamCall *call = m_calls.take(callId);
    if (!call)
        return;
    call->observer = nullptr;
    if (call->inMulti && m_curlDepth > 0) {
        // The write/header callback returns 0 for it now; the handle leaves curl on settle.
        call->state = UpstreamCallState::Cancelled;
        m_pendingRemove.push_back(call);
        scheduleDeferred();
        return;
    }
    removeFromMulti(call); // an unfinished transfer closes its connection (or HTTP/2 stream)
    releaseCall(call);
}

void UpstreamClient::pause(quint64 callId, bool paused)
{
    UpstreamCall *call = m_calls.value(callId);
    if (!call || call->paused == paused)
        return;
    call->paused = paused;
    if (paused && call->inMulti && (m_curlDepth == 0 || m_inCallback == call)) {
        CurlScope scope(m_curlDepth);
        curl_easy_pause(call->easy, CURLPAUSE_RECV);
        call->pauseApplied = true;
        return;
    }
    // Resuming delivers buffered data synchronously: never inside curl, nor inside the caller.
    m_pendingPause.push_back({call, callId});
    scheduleDeferred();
}

int UpstreamClient::activeCalls() const
{
    return int(m_calls.size());
}

UpstreamCall *UpstreamClient::takeFreeCall()
{
    if (!m_free.empty()) {
        UpstreamCall *call = m_free.back();
        m_free.pop_back();
        return call;
    }
    m_owned.push_back(std::make_unique<UpstreamCall>(this));
    return m_owned.back().get();
}

void UpstreamClient::releaseCall(UpstreamCall *call)
{
    call->clear();
    m_free.push_back(call);
}

bool UpstreamClient::addToMulti(UpstreamCall *call)
{
    CurlScope scope(m_curlDepth);
    if (curl_multi_add_handle(multiHandle(m_multi), call->easy) != CURLM_OK)
        return false;
    call->inMulti = true;
    call->state = UpstreamCallState::Active;
    return true;
}

void UpstreamClient::removeFromMulti(UpstreamCall *call)
{
    if (!call->inMulti)
        return;
    CurlScope scope(m_curlDepth);
    curl_multi_remove_handle(multiHandle(m_multi), call->easy);
    call->inMulti = false;
}

bool UpstreamClient::isCurrent(const CallRef &ref) const
{
    return ref.call->id == ref.id && ref.id != 0 && ref.call->state != UpstreamCallState::Free;
}

void UpstreamClient::drive(qintptr socket, int events)
{
    if (m_curlDepth > 0 || !m_multi)
        return; // a nested event loop inside an observer: curl must not be re-entered
    m_now = m_clock.elapsed();
    int running = 0;
    {
        CurlScope scope(m_curlDepth);
        curl_multi_socket_action(multiHandle(m_multi), static_cast<curl_socket_t>(socket), events,
                                 &running);
    }
    settle();
}

// Runs what had to wait until curl returned: removals, finished transfers, additions.
void UpstreamClient::settle()
{
    if (m_settling || m_curlDepth > 0)
        return;
    m_settling = true;
    for (UpstreamCall *call : std::exchange(m_pendingRemove, {})) {
        removeFromMulti(call);
        releaseCall(call);
    }
    drainMessages();
    for (UpstreamCall *call : std::exchange(m_pendingAdd, {})) {
        if (call->state != UpstreamCallState::PendingAdd || call->inMulti)
            continue; // cancelled (and maybe reused) meanwhile
        if (!addToMulti(call)) {
            m_pendingStartFailure.push_back({call, call->id});
            scheduleDeferred();
        }
    }
    m_settling = false;
}

void UpstreamClient::drainMessages()
{
    m_done.clear();
    int left = 0;
    while (CURLMsg *message = curl_multi_info_read(multiHandle(m_multi), &left)) {
        if (message->msg != CURLMSG_DONE)
            continue;
        void *callPtr = nullptr;
        curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &callPtr);
        if (auto *call = static_cast<UpstreamCall *>(callPtr))
            m_done.push_back({call, call->id, int(message->data.result)});
    }
    // Observers may start or cancel calls from onUpstreamFinished: re-check each entry.
    for (size_t i = 0; i < m_done.size(); ++i) {
        const CallRef ref = m_done[i];
        if (!isCurrent(ref) || ref.call->state != UpstreamCallState::Active)
            continue;
        const auto code = static_cast<CURLcode>(ref.result);
        UpstreamFailure failure = failureForCurlCode(code, ref.call->connected());
        QString detail;
        if (failure != UpstreamFailure::None) {
            detail = failureDetail(code, ref.call->errorBuffer);
        } else if (!ref.call->headDelivered) {
            failure = UpstreamFailure::Protocol;
            detail = QStringLiteral("the upstream sent no HTTP response head");
        }
        finishCall(ref.call, failure, detail);
    }
    m_done.clear();
}

void UpstreamClient::finishCall(UpstreamCall *call, UpstreamFailure failure, const QString &detail)
{
    UpstreamObserver *observer = call->observer;
    if (failure != UpstreamFailure::None)
        qCDebug(lcUpstream) << "call" << call->id << upstreamFailureName(failure) << detail;
    removeFromMulti(call);
    m_calls.remove(call->id);
    releaseCall(call); // before the callback, so a retry started from it can reuse the handle
    if (observer)
        observer->onUpstreamFinished(failure, detail);
}

void UpstreamClient::sweep()
{
    m_now = m_clock.elapsed();
    if (m_calls.isEmpty()) {
        m_sweepTimer.stop();
        trimPool();
        if (m_watches.size() > 64)
            dropIdleWatches();
        return;
    }
    m_expired.clear();
    for (UpstreamCall *call : std::as_const(m_calls)) {
        if (call->state != UpstreamCallState::Active)
            continue;
        const UpstreamTimeouts &timeouts = call->request.timeouts;
        if (!call->headDelivered) {
            if (call->sentAt < 0) {
                if (call->requestSent())
                    call->sentAt = m_now;
            } else if (m_now - call->sentAt >= timeouts.firstByteMs) {
                m_expired.push_back({call, call->id, int(UpstreamFailure::FirstByteTimeout)});
            }
        } else if (!call->paused && !call->pauseApplied && m_now - call->lastDataAt >= timeouts.idleMs) {
            // Not while curl is still paused: a resume waiting for applyDeferred restarts the idle
            // clock there, and a sweep in between must not count the pause as silence.
            m_expired.push_back({call, call->id, int(UpstreamFailure::IdleTimeout)});
        }
    }
    for (const CallRef &ref : m_expired) {
        if (!isCurrent(ref) || ref.call->state != UpstreamCallState::Active)
            continue;
        const auto failure = static_cast<UpstreamFailure>(ref.result);
        const QString detail = failure == UpstreamFailure::FirstByteTimeout
            ? QStringLiteral("no response head within %1 ms of sending the request")
                  .arg(ref.call->request.timeouts.firstByteMs)
            : QStringLiteral("no response data for %1 ms").arg(ref.call->request.timeouts.idleMs);
        finishCall(ref.call, failure, detail);
    }
    m_expired.clear();
}

void UpstreamClient::trimPool()
{
    if (!m_pendingPause.empty() || !m_pendingStartFailure.empty() || m_free.size() <= kPoolKeep)
        return;
    while (m_free.size() > kPoolKeep) {
        UpstreamCall *call = m_free.back();
        m_free.pop_back();
        std::erase_if(m_owned, [call](const auto &owned) { return owned.get() == call; });
    }
}

void UpstreamClient::scheduleDeferred()
{
    if (!m_deferTimer.isActive())
        m_deferTimer.start();
}

void UpstreamClient::applyDeferred()
{
    if (m_curlDepth > 0)
        return;
    m_now = m_clock.elapsed();
    for (const CallRef &ref : std::exchange(m_pendingStartFailure, {})) {
        if (isCurrent(ref) && m_calls.value(ref.id) == ref.call)
            finishCall(ref.call, UpstreamFailure::Other,
                       QStringLiteral("the transfer could not be set up (bad URL or option)"));
    }
    for (const CallRef &ref : std::exchange(m_pendingPause, {})) {
        UpstreamCall *call = ref.call;
        if (!isCurrent(ref) || !call->inMulti || call->state != UpstreamCallState::Active
            || call->paused == call->pauseApplied)
            continue;
        call->pauseApplied = call->paused;
        if (!call->paused)
            call->lastDataAt = m_now; // the idle clock restarts when reading resumes
        CurlScope scope(m_curlDepth);
        curl_easy_pause(call->easy, call->paused ? CURLPAUSE_RECV : CURLPAUSE_CONT);
    }
    settle();
}

} // namespace tarn::gateway
