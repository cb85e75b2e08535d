// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/about/AboutDialog.h"

#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QUrl>
#include <QVBoxLayout>

namespace tarn::ui {

AboutDialog::AboutDialog(const QString &dataDir, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About Tarn"));

    auto *icon = new QLabel(this);
    icon->setPixmap(QIcon(QStringLiteral(":/tarn/icons/tarn.svg")).pixmap(64, 64));
    icon->setAlignment(Qt::AlignTop);

    auto *title = new QLabel(QStringLiteral("<h2>Tarn</h2>"), this);
    auto *summary = new QLabel(tr("Personal LLM API gateway"), this);
    m_version = new QLabel(tr("Version %1").arg(QCoreApplication::applicationVersion()), this);
    m_version->setObjectName(QStringLiteral("versionLabel"));
    m_version->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *licence = new QLabel(
        tr("Free software under the <a href=\"https://www.gnu.org/licenses/gpl-3.0.html\">GNU General Public "
           "License</a>, version 3 or later (GPL-3.0-or-later)."),
        this);
    licence->setObjectName(QStringLiteral("licenceLabel"));
    licence->setWordWrap(true);
    licence->setOpenExternalLinks(true);

    // The Qt the module was built with and the one it runs on can differ (a distribution update).
    const QString runtimeQt = QString::fromLatin1(qVersion());
    const QString builtQt = QStringLiteral(QT_VERSION_STR);
    auto *qt = new QLabel(runtimeQt == builtQt ? runtimeQt : tr("%1 (built with %2)").arg(runtimeQt, builtQt), this);
    qt->setObjectName(QStringLiteral("qtLabel"));

    const QString nativeDir = QDir::toNativeSeparators(dataDir);
    m_dataDir = new QLabel(QStringLiteral("<a href=\"%1\">%2</a>")
                               .arg(QUrl::fromLocalFile(dataDir).toString(QUrl::FullyEncoded).toHtmlEscaped(),
                                    nativeDir.toHtmlEscaped()),
                           this);
    m_dataDir->setObjectName(QStringLiteral("dataDirLabel"));
    m_dataDir->setToolTip(tr("Open the data folder"));
    m_dataDir->setOpenExternalLinks(true);
    m_dataDir->setTextInteractionFlags(Qt::TextBrowserInteraction);

    auto *details = new QFormLayout;
    details->addRow(tr("Qt:"), qt);
    details->addRow(tr("Data folder:"), m_dataDir);

    auto *text = new QVBoxLayout;
    text->addWidget(title);
    text->addWidget(summary);
    text->addWidget(m_version);
    text->addSpacing(8);
    text->addWidget(licence);
    text->addLayout(details);

    auto *top = new QHBoxLayout;
    top->addWidget(icon);
    top->addLayout(text, 1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(buttons);
    setMinimumWidth(420);
}

AboutDialog::~AboutDialog() = default;

QString AboutDialog::versionText() const
{
    return m_version->text();
}

QString AboutDialog::dataDirText() const
{
    return m_dataDir->text();
}

} // namespace tarn::ui
