// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/settings/CreateKeyDialog.h"

#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "ui/settings/AllowedModelsField.h"
#include "ui/settings/ExpiryField.h"
#include "ui/settings/KeyLimitsField.h"

#include <QClipboard>
#include <QCloseEvent>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTimer>
#include <QVBoxLayout>

namespace tarn::ui {

CreateKeyDialog::CreateKeyDialog(gateway::DesktopService &service, QWidget *parent)
    : QDialog(parent)
    , m_service(service)
{
    setObjectName(QStringLiteral("createKeyDialog"));
    setWindowTitle(tr("Create client key"));

    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setPlaceholderText(tr("e.g. laptop-claude-code"));
    m_models = new AllowedModelsField(service, this);
    m_expiry = new ExpiryField(this);
    m_limits = new KeyLimitsField(this);
    m_expiry->refusePastDates();

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_error->setWordWrap(true);
    m_error->hide();

    m_secretNote = new QLabel(tr("This is the only time the key is shown: copy it now. Clients send it as "
                                 "<code>Authorization: Bearer &lt;key&gt;</code>."),
                              this);
    m_secretNote->setWordWrap(true);
    m_secretNote->hide();
    m_secret = new QLineEdit(this);
    m_secret->setObjectName(QStringLiteral("secretEdit"));
    m_secret->setReadOnly(true);
    m_secret->hide();
    m_copy = new QPushButton(tr("Copy"), this);
    m_copy->setObjectName(QStringLiteral("copyButton"));
    m_copy->hide();
    connect(m_copy, &QPushButton::clicked, this, &CreateKeyDialog::copySecret);
    auto *secretRow = new QHBoxLayout;
    secretRow->addWidget(m_secret, 1);
    secretRow->addWidget(m_copy);

    auto *form = new QFormLayout;
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Allowed models"), m_models);
    form->addRow(tr("Expiry"), m_expiry);
    form->addRow(tr("Limits"), m_limits);

    // Both are standard buttons so a style that puts icons on dialog buttons gives both one.
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_createButton = m_buttons->button(QDialogButtonBox::Ok);
    m_createButton->setText(tr("Create"));
    m_createButton->setObjectName(QStringLiteral("createButton"));
    m_createButton->setDefault(true);
    m_cancelButton = m_buttons->button(QDialogButtonBox::Cancel);
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    connect(m_createButton, &QPushButton::clicked, this, &CreateKeyDialog::create);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_creatingLabel = new QLabel(tr("Creating…"), this);
    m_creatingLabel->setObjectName(QStringLiteral("creatingLabel"));
    m_creatingLabel->hide();

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_creatingLabel);
    layout->addWidget(m_secretNote);
    layout->addLayout(secretRow);
    layout->addWidget(m_buttons);
    resize(480, sizeHint().height());
}

CreateKeyDialog::~CreateKeyDialog() = default;

namespace {
std::chrono::milliseconds g_clipboardClearDelay = std::chrono::seconds(60);
} // namespace

void CreateKeyDialog::setClipboardClearDelay(std::chrono::milliseconds delay)
{
    g_clipboardClearDelay = delay;
}

void CreateKeyDialog::reject()
{
    if (m_creating)
        return; // closing now would drop the only copy of the secret
    QDialog::reject();
}

void CreateKeyDialog::closeEvent(QCloseEvent *event)
{
    if (m_creating) {
        event->ignore();
        return;
    }
    QDialog::closeEvent(event);
}

void CreateKeyDialog::setCreating(bool creating)
{
    m_creating = creating;
    m_creatingLabel->setVisible(creating);
    m_createButton->setEnabled(!creating);
    m_cancelButton->setEnabled(!creating);
}

void CreateKeyDialog::copySecret()
{
    QClipboard *clipboard = QGuiApplication::clipboard();
    if (!clipboard)
        return;
    const QString secret = m_secret->text();
    clipboard->setText(secret);
    m_copy->setText(tr("Copied"));
    // A secret left on the clipboard ends up pasted where it should not be; it is cleared later,
    // by a timer the clipboard owns (the dialog may be long gone), unless something else was copied since.
    QTimer::singleShot(g_clipboardClearDelay, clipboard, [clipboard, secret] {
        if (clipboard->text() == secret)
            clipboard->clear();
    });
}

QString CreateKeyDialog::secret() const
{
    return m_secret->text();
}

void CreateKeyDialog::create()
{
    gateway::ClientKey key;
    key.name = m_name->text().trimmed();
    static const QRegularExpression validName(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    if (!validName.match(key.name).hasMatch()) {
        m_error->setText(tr("A name is 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit."));
        m_error->show();
        m_name->setFocus();
        return;
    }
    key.models = m_models->models();
    key.expiresAt = m_expiry->expiry();
    key.limits = m_limits->limits();
    m_error->hide();
    setCreating(true);
    const QString name = key.name;
    m_service.run<gateway::Result<QString>>(
        this, [key](gateway::Database &database) { return gateway::ClientKeyRepository(database).create(key); },
        [this, name](gateway::Result<QString> created) {
            setCreating(false);
            if (!created) {
                m_error->setText(created.error().message);
                m_error->show();
                return;
            }
            m_service.applyConfiguration();
            showSecret(name, created.value());
        });
}

void CreateKeyDialog::showSecret(const QString &name, const QString &secret)
{
    m_name->setReadOnly(true);
    m_models->setReadOnly(true);
    m_expiry->setReadOnly(true);
    m_secret->setText(secret);
    m_secretNote->show();
    m_secret->show();
    m_copy->show();
    // A standard Close button (its own icon) in place of Create and Cancel: nothing is left to
    // create or cancel. Added before the others are hidden: adding re-lays out (and shows) them.
    QPushButton *close = m_buttons->addButton(QDialogButtonBox::Close);
    close->setObjectName(QStringLiteral("closeButton"));
    close->setAutoDefault(false);
    m_createButton->setDefault(false);
    m_createButton->hide();
    m_cancelButton->hide();
    // Enter copies the key rather than closing the dialog on it; Close has to be chosen.
    m_copy->setAutoDefault(true);
    m_copy->setDefault(true);
    m_secret->selectAll();
    m_secret->setFocus();
    Q_EMIT keyCreated(name);
}

} // namespace tarn::ui
