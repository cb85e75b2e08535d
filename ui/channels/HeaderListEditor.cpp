// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/channels/HeaderListEditor.h"

#include "gateway/core/ExtraHeaderRule.h"
#include "ui/channels/EditorRowButtons.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace tarn::ui {

namespace {

struct RowCheck
{
    QLineEdit *name = nullptr;
    QLineEdit *value = nullptr;
    QString error;           // empty when the row is fine
    bool valueAtFault = false; // else the name is
};

// Each row's verdict, in order, by the rule the command line and the import apply too; rows left
// wholly empty are skipped.
QList<RowCheck> checkRows(const QWidget *editor)
{
    QList<RowCheck> rows;
    QList<std::pair<QString, QString>> headers;
    for (QWidget *row : editor->findChildren<QWidget *>(QStringLiteral("headerRow"), Qt::FindDirectChildrenOnly)) {
        RowCheck check{row->findChild<QLineEdit *>(QStringLiteral("headerNameEdit")),
                       row->findChild<QLineEdit *>(QStringLiteral("headerValueEdit")), {}};
        const QString name = check.name->text().trimmed();
        const QString value = check.value->text().trimmed();
        if (name.isEmpty() && value.isEmpty())
            continue;
        headers.append({name, value});
        rows.append(check);
    }
    const QList<gateway::HeaderVerdict> verdicts = gateway::checkExtraHeaders(headers);
    for (qsizetype i = 0; i < rows.size(); ++i) {
        rows[i].error = verdicts.at(i).message;
        rows[i].valueAtFault = verdicts.at(i).valueAtFault();
    }
    return rows;
}

} // namespace

HeaderListEditor::HeaderListEditor(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_rows = new QVBoxLayout;
    m_rows->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_rows);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("headerErrorLabel"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_error->hide();
    layout->addWidget(m_error);
    auto *add = new QPushButton(tr("Add header"), this);
    add->setObjectName(QStringLiteral("addHeaderButton"));
    add->setToolTip(tr("Sent with every request to this provider, e.g. an organisation id"));
    connect(add, &QPushButton::clicked, this, [this] {
        addRow({}, {});
        revalidate();
    });
    layout->addWidget(add, 0, Qt::AlignLeft);
}

HeaderListEditor::~HeaderListEditor() = default;

void HeaderListEditor::setHeaders(const QMap<QString, QString> &headers)
{
    while (QLayoutItem *item = m_rows->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (auto it = headers.cbegin(); it != headers.cend(); ++it)
        addRow(it.key(), it.value());
    revalidate();
}

QMap<QString, QString> HeaderListEditor::headers() const
{
    QMap<QString, QString> out;
    for (const RowCheck &row : checkRows(this)) {
        if (row.error.isEmpty())
            out.insert(row.name->text().trimmed(), row.value->text().trimmed());
    }
    return out;
}

QString HeaderListEditor::error() const
{
    for (const RowCheck &row : checkRows(this)) {
        if (!row.error.isEmpty())
            return row.error;
    }
    return {};
}

void HeaderListEditor::revalidate()
{
    // The offending row is marked where it is, besides the dialog's own line.
    const QString invalid = QStringLiteral("QLineEdit { border: 1px solid #c62828; }");
    for (QLineEdit *edit : findChildren<QLineEdit *>())
        edit->setStyleSheet({});
    for (const RowCheck &row : checkRows(this)) {
        if (!row.error.isEmpty()) {
            (row.valueAtFault ? row.value : row.name)->setStyleSheet(invalid);
        }
    }
    const QString message = error();
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
    Q_EMIT changed();
}

void HeaderListEditor::addRow(const QString &name, const QString &value)
{
    // Parented to the editor itself so checkRows() finds the rows as direct children.
    auto *row = new QWidget(this);
    row->setObjectName(QStringLiteral("headerRow"));
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);

    auto *nameEdit = new QLineEdit(name, row);
    nameEdit->setObjectName(QStringLiteral("headerNameEdit"));
    nameEdit->setPlaceholderText(tr("Header name"));
    // Wide enough for the usual long names (OpenAI-Organization, anthropic-beta) unclipped.
    nameEdit->setMinimumWidth(nameEdit->fontMetrics().horizontalAdvance(QStringLiteral("OpenAI-Organization")) + 16);
    layout->addWidget(nameEdit, 1);

    auto *valueEdit = new QLineEdit(value, row);
    valueEdit->setObjectName(QStringLiteral("headerValueEdit"));
    valueEdit->setEchoMode(QLineEdit::Password);
    valueEdit->setPlaceholderText(tr("Value"));
    layout->addWidget(valueEdit, 1);
    for (QLineEdit *edit : {nameEdit, valueEdit})
        connect(edit, &QLineEdit::textChanged, this, &HeaderListEditor::revalidate);

    addRevealButton(row, valueEdit, QStringLiteral("revealHeaderButton"), tr("Show or hide this value"));
    addRemoveButton(row, QStringLiteral("removeHeaderButton"), this, [this] { revalidate(); });

    m_rows->addWidget(row);
}

} // namespace tarn::ui
