// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

// The Channels page: upstream provider accounts.
class ChannelsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChannelsPage)

public:
    explicit ChannelsPage(gateway::DesktopService &service, QWidget *parent = nullptr);
    ~ChannelsPage() override;

private:
    gateway::DesktopService &m_service;
};

} // namespace tarn::ui
