// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/settings/EditKeyDialog.h"

#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"
#include "ui/settings/AllowedModelsField.h"
#include "ui/settings/ExpiryField.h"
#include "ui/settings/KeyLimitsField.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace tarn::ui {

EditKeyDialog::EditKeyDialog(gateway::DesktopService &service, const gateway::ClientKey &key, QWidget *parent)
    : QDialog(parent)
    , m_service(service)
    , m_name(key.name)
{
    setObjectName(QStringLiteral("editKeyDialog"));
    setWindowTitle(tr("Edit client key %1").arg(key.name));

    auto *name = new QLabel(QStringLiteral("%1 (%2…)").arg(key.name, key.prefix), this);
    name->setObjectName(QStringLiteral("nameLabel"));
    m_models = new AllowedModelsField(service, this);
    m_models->setModels(key.models);
    m_expiry = new ExpiryField(this);
    m_expiry->setExpiry(key.expiresAt);
    m_limits = new KeyLimitsField(this);
    m_limits->setLimits(key.limits);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_error->setWordWrap(true);
    m_error->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("Name"), name);
    form->addRow(tr("Allowed models"), m_models);
    form->addRow(tr("Expiry"), m_expiry);
    form->addRow(tr("Limits"), m_limits);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    m_saveButton = buttons->button(QDialogButtonBox::Save);
    m_saveButton->setObjectName(QStringLiteral("saveButton"));
    buttons->button(QDialogButtonBox::Cancel)->setObjectName(QStringLiteral("cancelButton"));
    connect(m_saveButton, &QPushButton::clicked, this, &EditKeyDialog::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    resize(480, sizeHint().height());
}

EditKeyDialog::~EditKeyDialog() = default;

void EditKeyDialog::save()
{
    const QStringList models = m_models->models();
    const QDateTime expiresAt = m_expiry->expiry();
    const gateway::ClientKeyLimits limits = m_limits->limits();
    m_saveButton->setEnabled(false);
    m_error->hide();
    const QString name = m_name;
    m_service.run<gateway::Status>(
        this,
        [name, models, expiresAt, limits](gateway::Database &database) {
            return database.transaction([&] {
                gateway::ClientKeyRepository keys(database);
                if (gateway::Status updated = keys.update(name, models, expiresAt); !updated)
                    return updated;
                return keys.setLimits(name, limits);
            });
        },
        [this, name](gateway::Status status) {
            m_saveButton->setEnabled(true);
            if (!status) {
                m_error->setText(status.error().message);
                m_error->show();
                return;
            }
            m_service.applyConfiguration();
            Q_EMIT keySaved(name);
            accept();
        });
}

} // namespace tarn::ui
