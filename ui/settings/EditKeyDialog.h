// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/ClientKey.h"

#include <QDialog>

class QLabel;
class QPushButton;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

class AllowedModelsField;
class ExpiryField;
class KeyLimitsField;

// Changes what an existing client key may do: its allowed models and expiry. The key itself (and
// its name) stay as they are; only ClientKeyRepository::update is called.
class EditKeyDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EditKeyDialog)

public:
    EditKeyDialog(gateway::DesktopService &service, const gateway::ClientKey &key, QWidget *parent = nullptr);
    ~EditKeyDialog() override;

Q_SIGNALS:
    void keySaved(const QString &name);

private:
    void save();

    gateway::DesktopService &m_service;
    QString m_name;
    AllowedModelsField *m_models = nullptr;
    ExpiryField *m_expiry = nullptr;
    KeyLimitsField *m_limits = nullptr;
    QLabel *m_error = nullptr;
    QPushButton *m_saveButton = nullptr;
};

} // namespace tarn::ui
