// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/overview/OverviewPage.h"

#include "gateway/desktop/DesktopService.h"

#include "ui/PageLayout.h"

#include <QVBoxLayout>

namespace tarn::ui {

OverviewPage::OverviewPage(gateway::DesktopService &service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
{
    setObjectName(QStringLiteral("overviewPage"));
    QVBoxLayout *layout = createPageLayout(
        this, tr("Overview"),
        tr("Requests, tokens, cost and success rate for today and the last 7 days, and the health of every pool."));
    layout->addStretch(1);
}

OverviewPage::~OverviewPage() = default;

} // namespace tarn::ui
