// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/usage/UsagePage.h"

#include "gateway/desktop/DesktopService.h"

#include "ui/PageLayout.h"

#include <QVBoxLayout>

namespace tarn::ui {

UsagePage::UsagePage(gateway::DesktopService &service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
{
    setObjectName(QStringLiteral("usagePage"));
    QVBoxLayout *layout = createPageLayout(
        this, tr("Usage"),
        tr("Charts and tables of requests, tokens and cost per key, model and channel will appear here."));
    layout->addStretch(1);
}

UsagePage::~UsagePage() = default;

} // namespace tarn::ui
