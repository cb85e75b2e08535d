// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/PageLayout.h"

#include <QLabel>
#include <QString>
#include <QVBoxLayout>
#include <QWidget>

namespace tarn::ui {

QVBoxLayout *createPageLayout(QWidget *page, const QString &title, const QString &summary)
{
    auto *layout = new QVBoxLayout(page);

    auto *titleLabel = new QLabel(title, page);
    titleLabel->setObjectName(QStringLiteral("pageTitle"));
    QFont titleFont = titleLabel->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.5);
    titleFont.setBold(true);
    titleLabel->setFont(titleFont);
    layout->addWidget(titleLabel);

    auto *summaryLabel = new QLabel(summary, page);
    summaryLabel->setObjectName(QStringLiteral("pageSummary"));
    summaryLabel->setWordWrap(true);
    summaryLabel->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(summaryLabel);

    return layout;
}

} // namespace tarn::ui
