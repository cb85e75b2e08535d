// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

// The Usage page: token and cost usage over time.
class UsagePage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsagePage)

public:
    explicit UsagePage(gateway::DesktopService &service, QWidget *parent = nullptr);
    ~UsagePage() override;

private:
    gateway::DesktopService &m_service;
};

} // namespace tarn::ui
