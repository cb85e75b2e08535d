// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

// The Settings page: gateway and application preferences.
class SettingsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsPage)

public:
    explicit SettingsPage(gateway::DesktopService &service, QWidget *parent = nullptr);
    ~SettingsPage() override;

private:
    gateway::DesktopService &m_service;
};

} // namespace tarn::ui
