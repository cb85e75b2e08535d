// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/channels/ChannelsPage.h"

#include "gateway/desktop/DesktopService.h"

#include "ui/PageLayout.h"

#include <QVBoxLayout>

namespace tarn::ui {

ChannelsPage::ChannelsPage(gateway::DesktopService &service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
{
    setObjectName(QStringLiteral("channelsPage"));
    QVBoxLayout *layout = createPageLayout(
        this, tr("Channels"),
        tr("Upstream provider accounts (OpenAI, Anthropic, Gemini and compatible APIs) will be listed here, with their keys, models, weights and health."));
    layout->addStretch(1);
}

ChannelsPage::~ChannelsPage() = default;

} // namespace tarn::ui
