// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QCheckBox;
class QDateTimeEdit;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

// Creates a client key: name, allowed models, expiry. The secret exists only in this dialog, once,
// in a read-only field with a Copy button (only its hash is stored).
class CreateKeyDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CreateKeyDialog)

public:
    explicit CreateKeyDialog(gateway::DesktopService &service, QWidget *parent = nullptr);
    ~CreateKeyDialog() override;

    // The key shown after a successful create; empty before.
    [[nodiscard]] QString secret() const;

Q_SIGNALS:
    void keyCreated(const QString &name);

private:
    void create();
    void showSecret(const QString &name, const QString &secret);

    gateway::DesktopService &m_service;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_models = nullptr;
    QCheckBox *m_expires = nullptr;
    QDateTimeEdit *m_expiresAt = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_secretNote = nullptr;
    QLineEdit *m_secret = nullptr;
    QPushButton *m_copy = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_createButton = nullptr;
};

} // namespace tarn::ui
