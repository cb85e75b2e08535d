// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/logs/LogsPage.h"

#include "gateway/desktop/DesktopService.h"

#include "ui/PageLayout.h"

#include <QVBoxLayout>

namespace tarn::ui {

LogsPage::LogsPage(gateway::DesktopService &service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
{
    setObjectName(QStringLiteral("logsPage"));
    QVBoxLayout *layout = createPageLayout(
        this, tr("Logs"),
        tr("Recent requests with their status, latency and chosen channel, and the gateway's own events, will be shown here."));
    layout->addStretch(1);
}

LogsPage::~LogsPage() = default;

} // namespace tarn::ui
