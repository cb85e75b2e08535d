// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/channels/KeyListEditor.h"

#include "ui/channels/EditorRowButtons.h"

#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace tarn::ui {

KeyListEditor::KeyListEditor(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_rows = new QVBoxLayout;
    m_rows->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_rows);
    auto *add = new QPushButton(tr("Add key"), this);
    add->setObjectName(QStringLiteral("addKeyButton"));
    connect(add, &QPushButton::clicked, this, [this] {
        addRow({});
        Q_EMIT changed();
    });
    layout->addWidget(add, 0, Qt::AlignLeft);
    addRow({});
}

KeyListEditor::~KeyListEditor() = default;

void KeyListEditor::setKeys(const QStringList &keys)
{
    while (QLayoutItem *item = m_rows->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (const QString &key : keys)
        addRow(key);
    if (keys.isEmpty())
        addRow({});
    Q_EMIT changed();
}

QStringList KeyListEditor::keys() const
{
    QStringList out;
    for (QLineEdit *edit : findChildren<QLineEdit *>(QStringLiteral("keyEdit"))) {
        const QString key = edit->text().trimmed();
        if (!key.isEmpty())
            out << key;
    }
    return out;
}

void KeyListEditor::addRow(const QString &key)
{
    auto *row = new QWidget(this);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);

    auto *edit = new QLineEdit(key, row);
    edit->setObjectName(QStringLiteral("keyEdit"));
    edit->setEchoMode(QLineEdit::Password);
    edit->setPlaceholderText(tr("API key"));
    connect(edit, &QLineEdit::textChanged, this, &KeyListEditor::changed);
    layout->addWidget(edit, 1);

    addRevealButton(row, edit, QStringLiteral("revealKeyButton"), tr("Show or hide this key"));
    addRemoveButton(row, QStringLiteral("removeKeyButton"), this, [this] {
        if (m_rows->count() == 0)
            addRow({});
        Q_EMIT changed();
    });

    m_rows->addWidget(row);
}

} // namespace tarn::ui
