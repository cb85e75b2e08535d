// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

namespace tarn::ui {

// The Routing page: how requests choose a channel.
class RoutingPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoutingPage)

public:
    explicit RoutingPage(QWidget *parent = nullptr);
    ~RoutingPage() override;
};

} // namespace tarn::ui
