// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

// The Overview page: the pool at a glance (requests, tokens, cost, success rate, health).
class OverviewPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OverviewPage)

public:
    explicit OverviewPage(gateway::DesktopService &service, QWidget *parent = nullptr);
    ~OverviewPage() override;

private:
    gateway::DesktopService &m_service;
};

} // namespace tarn::ui
