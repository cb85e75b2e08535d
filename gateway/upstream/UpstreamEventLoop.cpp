// SPDX-License-Identifier: GPL-3.0-or-later
// UpstreamClient's bridge between curl and the thread's Qt event loop: the sockets curl asks to
// watch become QSocketNotifiers, and curl's single timeout a QTimer.
#include "gateway/upstream/UpstreamCall.h"
#include "gateway/upstream/UpstreamClient.h"

#include <QSocketNotifier>

#include <algorithm>
#include <climits>

namespace tarn::gateway {

// A socket curl asked us to watch; the write notifier is enabled only while curl wants to write.
// curl stops watching a pooled connection between requests, but its read notifier stays armed:
// every (de)registration wakes the event loop (glib signals its eventfd), which cost two wakeups
// per keep-alive request. A readable socket curl is not watching (the upstream closed an idle
// connection) disarms it; curl's close-socket callback disarms it before the descriptor is closed.
struct UpstreamSocketWatch
{
    QSocketNotifier *read = nullptr;
    QSocketNotifier *write = nullptr;
    bool inUse = false; // curl is watching this socket
};

void UpstreamClient::watchSocket(qintptr socket, int what, UpstreamSocketWatch *watch)
{
    if (!watch)
        watch = m_watches.value(socket);
    if (what == CURL_POLL_REMOVE) {
        // May run inside this very notifier's activated(): only disable here. The read notifier
        // stays armed (see UpstreamSocketWatch).
        if (watch) {
            if (watch->write && watch->write->isEnabled())
                watch->write->setEnabled(false);
            watch->inUse = false;
        }
        return;
    }
    if (!watch) {
        watch = new UpstreamSocketWatch;
        m_watches.insert(socket, watch);
    }
    if (!watch->inUse) {
        watch->inUse = true;
        curl_multi_assign(static_cast<CURLM *>(m_multi), static_cast<curl_socket_t>(socket), watch);
    }
    const bool wantRead = what == CURL_POLL_IN || what == CURL_POLL_INOUT;
    const bool wantWrite = what == CURL_POLL_OUT || what == CURL_POLL_INOUT;
    if (wantRead && !watch->read) {
        watch->read = new QSocketNotifier(socket, QSocketNotifier::Read, this);
        connect(watch->read, &QSocketNotifier::activated, this,
                [this, watch, socket] { onSocketReadable(watch, socket); });
    }
    if (wantWrite && !watch->write) {
        watch->write = new QSocketNotifier(socket, QSocketNotifier::Write, this);
        connect(watch->write, &QSocketNotifier::activated, this,
                [this, socket] { drive(socket, CURL_CSELECT_OUT); });
    }
    if (watch->read && watch->read->isEnabled() != wantRead)
        watch->read->setEnabled(wantRead);
    if (watch->write && watch->write->isEnabled() != wantWrite)
        watch->write->setEnabled(wantWrite);
}

void UpstreamClient::onSocketReadable(UpstreamSocketWatch *watch, qintptr socket)
{
    if (!watch->inUse) {
        watch->read->setEnabled(false); // an idle pooled connection: curl checks it before reuse
        return;
    }
    drive(socket, CURL_CSELECT_IN);
}

// Runs inside curl, just before it closes `socket`.
void UpstreamClient::forgetSocket(qintptr socket)
{
    UpstreamSocketWatch *watch = m_watches.value(socket);
    if (!watch)
        return;
    for (QSocketNotifier *notifier : {watch->read, watch->write}) {
        if (notifier && notifier->isEnabled())
            notifier->setEnabled(false);
    }
    watch->inUse = false;
}

// Frees the notifiers of sockets curl no longer watches (called from timer slots only).
void UpstreamClient::dropIdleWatches()
{
    for (auto it = m_watches.begin(); it != m_watches.end();) {
        UpstreamSocketWatch *watch = it.value();
        if (watch->inUse && !m_destroying) {
            ++it;
            continue;
        }
        delete watch->read;
        delete watch->write;
        delete watch;
        it = m_watches.erase(it);
    }
}

void UpstreamClient::kickBeforeBlocking()
{
    if (!m_kickPending || m_curlDepth > 0)
        return;
    m_kickPending = false;
    drive(CURL_SOCKET_TIMEOUT, 0);
}

void UpstreamClient::updateCurlTimer(long timeoutMs)
{
    if (m_destroying)
        return;
    m_kickPending = timeoutMs == 0;
    if (timeoutMs < 0)
        m_curlTimer.stop();
    else // never drive curl from inside its own callback: a zero timeout fires on the next loop pass
        m_curlTimer.start(int(std::min<long>(timeoutMs, INT_MAX)));
}

} // namespace tarn::gateway
