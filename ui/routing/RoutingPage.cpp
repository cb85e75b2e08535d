// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/routing/RoutingPage.h"

#include "gateway/desktop/DesktopService.h"

#include "ui/PageLayout.h"

#include <QVBoxLayout>

namespace tarn::ui {

RoutingPage::RoutingPage(gateway::DesktopService &service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
{
    setObjectName(QStringLiteral("routingPage"));
    QVBoxLayout *layout = createPageLayout(
        this, tr("Routing"),
        tr("Rules that map requested models to channels, with priorities, retries and cooldowns, will be configured here."));
    layout->addStretch(1);
}

RoutingPage::~RoutingPage() = default;

} // namespace tarn::ui
