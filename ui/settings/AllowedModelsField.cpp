// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/settings/AllowedModelsField.h"

#include "gateway/Gateway.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/config/RuntimeConfig.h"
#include "gateway/desktop/DesktopService.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QLabel>
#include <QLineEdit>
#include <QStringListModel>
#include <QVBoxLayout>

namespace tarn::ui {

AllowedModelsField::AllowedModelsField(gateway::DesktopService &service, QWidget *parent)
    : QWidget(parent)
{
    // The live configuration is in memory: no store read needed on the GUI thread.
    if (const gateway::ConfigSnapshot config = service.gateway().config().snapshot()) {
        for (const gateway::Channel &channel : config->channels) {
            if (!channel.enabled)
                continue;
            for (const QString &model : channel.servedModels()) {
                if (!m_served.contains(model))
                    m_served.append(model);
            }
        }
    }
    m_served.sort();

    m_edit = new QLineEdit(this);
    m_edit->setObjectName(QStringLiteral("modelsEdit"));
    m_edit->setPlaceholderText(tr("all models (or a comma-separated list)"));
    m_completionModel = new QStringListModel(m_served, this);
    // Completes the entry being typed, not the whole comma-separated line, so the completer is
    // driven by hand rather than installed on the line edit.
    m_completer = new QCompleter(m_completionModel, this);
    m_completer->setObjectName(QStringLiteral("modelsCompleter"));
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setWidget(m_edit);
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this,
            &AllowedModelsField::insertCompletion);
    connect(m_edit, &QLineEdit::textEdited, this, &AllowedModelsField::completeLastEntry);
    connect(m_edit, &QLineEdit::textChanged, this, &AllowedModelsField::updateWarning);

    m_warning = new QLabel(this);
    m_warning->setObjectName(QStringLiteral("modelsWarning"));
    m_warning->setStyleSheet(QStringLiteral("color: #b9770e"));
    m_warning->setWordWrap(true);
    m_warning->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_edit);
    layout->addWidget(m_warning);
}

AllowedModelsField::~AllowedModelsField() = default;

QStringList AllowedModelsField::models() const
{
    QStringList models;
    for (const QString &entry : m_edit->text().split(u',', Qt::SkipEmptyParts)) {
        if (const QString model = entry.trimmed(); !model.isEmpty() && !models.contains(model))
            models.append(model);
    }
    return models;
}

void AllowedModelsField::setModels(const QStringList &models)
{
    m_edit->setText(models.join(QStringLiteral(", ")));
}

void AllowedModelsField::setReadOnly(bool readOnly)
{
    m_edit->setReadOnly(readOnly);
}

void AllowedModelsField::completeLastEntry()
{
    const QString text = m_edit->text().left(m_edit->cursorPosition());
    const QString entry = text.mid(text.lastIndexOf(u',') + 1).trimmed();
    if (entry.isEmpty()) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->setCompletionPrefix(entry);
    m_completer->complete();
}

void AllowedModelsField::insertCompletion(const QString &model)
{
    const QString text = m_edit->text();
    const qsizetype cursor = m_edit->cursorPosition();
    const qsizetype start = text.left(cursor).lastIndexOf(u',') + 1;
    qsizetype end = text.indexOf(u',', cursor);
    if (end < 0)
        end = text.size();
    const QString before = text.left(start);
    const QString replaced = (start > 0 ? before + u' ' : before) + model;
    m_edit->setText(replaced + text.mid(end));
    m_edit->setCursorPosition(int(replaced.size()));
}

void AllowedModelsField::updateWarning()
{
    QStringList unknown;
    for (const QString &model : models()) {
        if (!m_served.contains(model))
            unknown.append(model);
    }
    m_warning->setVisible(!unknown.isEmpty());
    if (!unknown.isEmpty()) {
        m_warning->setText(tr("No channel serves %1: requests for it will fail until one does.")
                               .arg(unknown.join(QStringLiteral(", "))));
    }
}

} // namespace tarn::ui
