// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/net/Tailnet.h"

#include <QObject>

#include <optional>

namespace tarn::gateway {

// What `tailscale status --json` says about this node (its MagicDNS name, whether it is online),
// read without blocking the thread it lives on: the CLI runs as an asynchronous QProcess, at most
// one at a time and for at most timeoutMs. The CLI is optional: absent, failing or answering
// something unreadable, node() is empty and discovery stays with the interface list.
class TailscaleNodeWatch final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TailscaleNodeWatch)

public:
    explicit TailscaleNodeWatch(int timeoutMs = 10'000, QObject *parent = nullptr);
    ~TailscaleNodeWatch() override;

    // Asks the CLI again, unless a question is still out.
    void refresh();
    [[nodiscard]] const std::optional<TailscaleStatus> &node() const { return m_node; }

Q_SIGNALS:
    // node() changed (the name, the state, being online, the addresses, or its absence).
    void changed();
    // A refresh ended, changed or not (tests wait on it).
    void refreshed();

private:
    void finish(std::optional<TailscaleStatus> node);

    int m_timeoutMs;
    bool m_asking = false; // a question is out
    std::optional<TailscaleStatus> m_node;
};

} // namespace tarn::gateway
