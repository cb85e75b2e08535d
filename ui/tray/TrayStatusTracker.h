// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/RouterStatus.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace tarn::ui {

// What the tray icon shows, most urgent last.
enum class TrayState { Serving, Degraded, Paused, Error };

// A desktop notification the tray should raise.
struct TrayNotification
{
    enum class Kind { ChannelDisabled, PoolCooling, Failover };
    Kind kind = Kind::Failover;
    QString subject; // the channel's name, or the pool's model name
    QString title;
    QString text;
};

// Compares successive router snapshots and says which changes deserve a desktop notification: a
// channel became disabled, every channel of a pool is cooling down, failover moved traffic off a
// healthy channel. One broken channel serving many models is one event, not one per pool: all the
// events of a snapshot are merged into a single notification, and after one is raised the next
// waits out a global minimum interval, the events meanwhile merged into it. The same kind for the
// same channel or pool also counts once per rate-limit window, so a flapping upstream does not
// flood the desktop. Plain logic, no Qt widgets, so tests feed it snapshots directly.
class TrayStatusTracker final
{
public:
    explicit TrayStatusTracker(std::chrono::seconds rateLimit = std::chrono::minutes(10),
                               std::chrono::seconds minInterval = std::chrono::seconds(60));

    // pools: model name -> names of the enabled channels serving it. The first snapshot only sets
    // the baseline (a channel already disabled at start was reported by an earlier run, if any).
    // At most one notification per call.
    std::optional<TrayNotification> update(const gateway::RouterStatus &status,
                                           const QHash<QString, QStringList> &pools, const QDateTime &now);

    // The state the router acts on: the channel's own, or Disabled/Cooling when none of its keys
    // can serve.
    static gateway::HealthState effectiveState(const gateway::ChannelStatus &channel);
    // Error when not listening or when no channel can serve; Paused; Degraded when some channel
    // is not healthy (or there is none); Serving otherwise.
    static TrayState overallState(const gateway::RouterStatus &status, bool paused, bool listening);
    // "healthy", "cooling until 14:05", "circuit open", "disabled: 401 Unauthorized".
    static QString describe(const gateway::ChannelStatus &channel);

private:
    // One change worth telling, waiting to be merged into the next notification.
    struct Event
    {
        TrayNotification::Kind kind;
        QString subject;
        QString title;  // when it is told alone
        QString text;   // when it is told alone
        QString clause; // when merged with others ("a disabled (401)", "traffic moved off b to c")
    };

    bool allow(TrayNotification::Kind kind, const QString &subject, const QDateTime &now);
    TrayNotification merge() const;

    std::chrono::seconds m_rateLimit;
    std::chrono::seconds m_minInterval;
    QList<Event> m_pending;
    QDateTime m_lastNotified;
    bool m_hasBaseline = false;
    QHash<QString, gateway::HealthState> m_states;    // channel name -> last effective state
    QHash<QString, bool> m_poolCooling;               // model -> every channel was unavailable
    QHash<QString, QDateTime> m_lastRaised;           // kind:subject -> when last raised
};

} // namespace tarn::ui
