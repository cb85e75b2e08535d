// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/net/Tailnet.h"

#include <QGroupBox>

#include <functional>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

// Settings' "Listen addresses": who can reach Tarn. An exposure (only this machine; this machine and
// the tailnet, followed as Tailscale addresses come and go; every network) or custom addresses, on
// one port. Save binds first and stores only what bound, so the next start is never unreachable;
// the note says where Tarn listens now, whoever changed it.
class ListenGroup final : public QGroupBox
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ListenGroup)

public:
    // confirm asks the user a yes/no question (every network is asked about first).
    ListenGroup(gateway::DesktopService &service, std::function<bool(const QString &)> confirm, QWidget *parent = nullptr);
    ~ListenGroup() override;

    // What Settings holds ("host:port,…" and the exposure's name): the command line's --listen or
    // --expose may have overridden them at this start.
    void showSaved(const QString &listen, const QString &expose);
    // The exposure chosen in the combo; nullopt for custom addresses.
    [[nodiscard]] std::optional<gateway::ExposeMode> chosenMode() const;

Q_SIGNALS:
    // The listen settings reached the store (key: gateway.listen).
    void saved(const QString &key);

private:
    void save();
    void showChoice();
    void showState(const QString &text, bool failed);
    QString urlsText() const;

    gateway::DesktopService &m_service;
    std::function<bool(const QString &)> m_confirm;
    QComboBox *m_mode = nullptr;
    QLineEdit *m_hosts = nullptr;
    QSpinBox *m_port = nullptr;
    QLabel *m_note = nullptr;
    QString m_customHosts; // what the field held before an exposure filled it
};

} // namespace tarn::ui
