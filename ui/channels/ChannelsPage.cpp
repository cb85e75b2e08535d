// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/channels/ChannelsPage.h"

#include "ui/PageLayout.h"

#include <QVBoxLayout>

namespace tarn::ui {

ChannelsPage::ChannelsPage(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("channelsPage"));
    QVBoxLayout *layout = createPageLayout(
        this, tr("Channels"),
        tr("Upstream provider accounts (OpenAI, Anthropic, Gemini and compatible APIs) will be listed here, with their keys, models, weights and health."));
    layout->addStretch(1);
}

ChannelsPage::~ChannelsPage() = default;

} // namespace tarn::ui
