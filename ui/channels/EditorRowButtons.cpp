// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/channels/EditorRowButtons.h"

#include <QCoreApplication>
#include <QLayout>
#include <QLineEdit>
#include <QToolButton>

namespace tarn::ui {

namespace {

QString text(const char *source)
{
    return QCoreApplication::translate("EditorRowButtons", source);
}

} // namespace

void addRevealButton(QWidget *row, QLineEdit *edit, const QString &objectName, const QString &toolTip)
{
    auto *reveal = new QToolButton(row);
    reveal->setObjectName(objectName);
    reveal->setText(text("Show"));
    reveal->setToolTip(toolTip);
    reveal->setCheckable(true);
    QObject::connect(reveal, &QToolButton::toggled, edit, [edit, reveal](bool shown) {
        edit->setEchoMode(shown ? QLineEdit::Normal : QLineEdit::Password);
        reveal->setText(shown ? text("Hide") : text("Show"));
    });
    row->layout()->addWidget(reveal);
}

void addRemoveButton(QWidget *row, const QString &objectName, QObject *context, std::function<void()> removed)
{
    auto *remove = new QToolButton(row);
    remove->setObjectName(objectName);
    remove->setText(text("Remove"));
    QObject::connect(remove, &QToolButton::clicked, context, [row, removed = std::move(removed)] {
        // Deleted later: the click that asked for it is still being delivered to the button.
        row->hide();
        row->setParent(nullptr);
        row->deleteLater();
        removed();
    });
    row->layout()->addWidget(remove);
}

} // namespace tarn::ui
