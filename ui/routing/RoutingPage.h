// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

// The Routing page: how requests choose a channel.
class RoutingPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoutingPage)

public:
    explicit RoutingPage(gateway::DesktopService &service, QWidget *parent = nullptr);
    ~RoutingPage() override;

private:
    gateway::DesktopService &m_service;
};

} // namespace tarn::ui
