// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/settings/SettingsPage.h"

#include "gateway/desktop/DesktopService.h"

#include "ui/PageLayout.h"

#include <QVBoxLayout>

namespace tarn::ui {

SettingsPage::SettingsPage(gateway::DesktopService &service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
{
    setObjectName(QStringLiteral("settingsPage"));
    QVBoxLayout *layout = createPageLayout(
        this, tr("Settings"),
        tr("Listen addresses, client keys, startup and tray behaviour will be set here."));
    layout->addStretch(1);
}

SettingsPage::~SettingsPage() = default;

} // namespace tarn::ui
