// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

// The Logs page: recent gateway requests and events.
class LogsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogsPage)

public:
    explicit LogsPage(gateway::DesktopService &service, QWidget *parent = nullptr);
    ~LogsPage() override;

private:
    gateway::DesktopService &m_service;
};

} // namespace tarn::ui
