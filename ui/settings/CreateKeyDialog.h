// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

#include <chrono>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

class AllowedModelsField;
class ExpiryField;
class KeyLimitsField;

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
    // Whether a create is queued on the service thread: the dialog cannot be closed until it
    // answers, or the key would be stored with its secret never shown.
    [[nodiscard]] bool isCreating() const { return m_creating; }
    // How long a copied secret stays on the clipboard (if it is still the clipboard's content).
    static void setClipboardClearDelay(std::chrono::milliseconds delay);

    void reject() override;

Q_SIGNALS:
    void keyCreated(const QString &name);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void create();
    void setCreating(bool creating);
    void copySecret();
    void showSecret(const QString &name, const QString &secret);

    gateway::DesktopService &m_service;
    QLineEdit *m_name = nullptr;
    AllowedModelsField *m_models = nullptr;
    ExpiryField *m_expiry = nullptr;
    KeyLimitsField *m_limits = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_secretNote = nullptr;
    QLineEdit *m_secret = nullptr;
    QPushButton *m_copy = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_createButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QLabel *m_creatingLabel = nullptr;
    bool m_creating = false;
};

} // namespace tarn::ui
