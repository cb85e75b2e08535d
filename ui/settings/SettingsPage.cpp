// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/settings/SettingsPage.h"

#include "gateway/Gateway.h"
#include "gateway/cli/CommandLine.h"
#include "gateway/core/Paths.h"
#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/SettingsRepository.h"
#include "gateway/storage/UsageStatsRepository.h"
#include "ui/PageLayout.h"
#include "ui/settings/ClientKeyModel.h"
#include "ui/settings/CreateKeyDialog.h"
#include "ui/settings/EditKeyDialog.h"
#include "ui/settings/LaunchAtLogin.h"
#include "ui/settings/ListenGroup.h"

#include <QCheckBox>
#include <QCoreApplication>
#include <QDesktopServices>
#include <QDir>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTableView>
#include <QTimeZone>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <optional>

namespace tarn::ui {

namespace {

struct StoredSettings
{
    QString listen;
    QString expose;
    QString startHidden;
    QString retention;
};

// The data folder is passed on when it is not the default, so the login start opens the same one.
QStringList launchArguments(const QString &dataDir)
{
    if (dataDir.isEmpty() || dataDir == gateway::resolveDataDir({}))
        return {};
    return {QStringLiteral("--data-dir"), dataDir};
}

} // namespace

SettingsPage::SettingsPage(gateway::DesktopService &service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
    , m_launch(std::make_unique<LaunchAtLogin>(QCoreApplication::applicationFilePath(),
                                               launchArguments(service.gateway().options().dataDir)))
{
    setObjectName(QStringLiteral("settingsPage"));
    m_confirm = [this](const QString &question) {
        return QMessageBox::question(this, tr("Settings"), question) == QMessageBox::Yes;
    };
    QVBoxLayout *layout = createPageLayout(
        this, tr("Settings"), tr("Where Tarn listens, who may use it, and how it starts. The theme follows the OS."));
    m_listen = new ListenGroup(service, [this](const QString &question) { return m_confirm(question); }, this);
    connect(m_listen, &ListenGroup::saved, this, &SettingsPage::saved);
    layout->addWidget(m_listen);
    layout->addWidget(createKeysGroup(), 1);
    auto *row = new QHBoxLayout;
    row->addWidget(createStartupGroup(), 1);
    row->addWidget(createDataGroup(), 1);
    layout->addLayout(row);
    connect(&service, &gateway::DesktopService::configurationChanged, this, &SettingsPage::reloadKeys);
    // "Last used" moves while clients use their keys; re-read only while someone looks.
    m_keyRefresh = new QTimer(this);
    m_keyRefresh->setObjectName(QStringLiteral("keyRefreshTimer"));
    m_keyRefresh->setInterval(std::chrono::seconds(5));
    connect(m_keyRefresh, &QTimer::timeout, this, &SettingsPage::reloadKeys);
    reload();
}

SettingsPage::~SettingsPage() = default;

QWidget *SettingsPage::createKeysGroup()
{
    auto *group = new QGroupBox(tr("Client keys"), this);
    m_keyModel = new ClientKeyModel(this);
    m_keyTable = new QTableView(group);
    m_keyTable->setObjectName(QStringLiteral("keysTable"));
    m_keyTable->setModel(m_keyModel);
    m_keyTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_keyTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_keyTable->verticalHeader()->hide();
    m_keyTable->horizontalHeader()->setStretchLastSection(true);
    m_keyTable->horizontalHeader()->setSectionResizeMode(ClientKeyModel::Models, QHeaderView::Stretch);
    m_keyTable->setMinimumHeight(120);

    auto *create = new QPushButton(tr("Create…"), group);
    create->setObjectName(QStringLiteral("createKeyButton"));
    connect(create, &QPushButton::clicked, this, [this] { openCreateKeyDialog(); });
    m_editButton = new QPushButton(tr("Edit…"), group);
    m_editButton->setObjectName(QStringLiteral("editKeyButton"));
    m_editButton->setEnabled(false);
    connect(m_editButton, &QPushButton::clicked, this, [this] { openEditKeyDialog(); });
    connect(m_keyTable, &QTableView::doubleClicked, this, [this] { openEditKeyDialog(); });
    m_revokeButton = new QPushButton(tr("Revoke…"), group);
    m_revokeButton->setObjectName(QStringLiteral("revokeKeyButton"));
    m_revokeButton->setEnabled(false);
    connect(m_revokeButton, &QPushButton::clicked, this, &SettingsPage::revokeSelectedKey);
    connect(m_keyTable->selectionModel(), &QItemSelectionModel::selectionChanged, this, &SettingsPage::updateKeyButtons);

    auto *note = new QLabel(tr("Clients on this machine need no key; any other client must send one."), group);
    note->setWordWrap(true);
    auto *connectClient = new QPushButton(tr("Connect a client…"), group);
    connectClient->setObjectName(QStringLiteral("connectClientButton"));
    connectClient->setToolTip(tr("Set up a coding agent on this machine, or another device with a key and a QR code"));
    connect(connectClient, &QPushButton::clicked, this, &SettingsPage::connectRequested);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(note, 1);
    buttons->addWidget(connectClient);
    buttons->addWidget(create);
    buttons->addWidget(m_editButton);
    buttons->addWidget(m_revokeButton);
    auto *layout = new QVBoxLayout(group);
    layout->addWidget(m_keyTable, 1);
    layout->addLayout(buttons);
    return group;
}

QWidget *SettingsPage::createStartupGroup()
{
    auto *group = new QGroupBox(tr("Startup"), this);
    m_launchAtLogin = new QCheckBox(tr("Launch Tarn at login"), group);
    m_launchAtLogin->setObjectName(QStringLiteral("launchAtLoginCheck"));
    m_launchAtLogin->setChecked(m_launch->isEnabled());
    m_launchAtLogin->setToolTip(m_launch->location());
    connect(m_launchAtLogin, &QCheckBox::toggled, this, [this](bool enabled) {
        if (!m_launch->setEnabled(enabled)) {
            QMessageBox::warning(this, tr("Launch at login"), m_launch->errorString());
            const QSignalBlocker blocker(m_launchAtLogin);
            m_launchAtLogin->setChecked(m_launch->isEnabled());
        }
    });
    m_startHidden = new QCheckBox(tr("Start hidden in the tray when launched at login"), group);
    m_startHidden->setObjectName(QStringLiteral("startHiddenCheck"));
    m_startHidden->setToolTip(tr("Started by hand, Tarn always shows its window."));
    connect(m_startHidden, &QCheckBox::toggled, this, [this](bool hidden) {
        saveSetting(QString::fromLatin1(kStartHiddenKey), hidden ? QStringLiteral("true") : QStringLiteral("false"));
    });
    auto *layout = new QVBoxLayout(group);
    layout->addWidget(m_launchAtLogin);
    layout->addWidget(m_startHidden);
    layout->addStretch(1);
    return group;
}

QWidget *SettingsPage::createDataGroup()
{
    auto *group = new QGroupBox(tr("Data"), this);
    // One line that scrolls rather than a label that wraps a long path over two (selectable and
    // copyable all the same; the tooltip has it whole).
    const QString dataDir = QDir::toNativeSeparators(m_service.gateway().options().dataDir);
    auto *folder = new QLineEdit(dataDir, group);
    folder->setObjectName(QStringLiteral("dataDirLabel"));
    folder->setReadOnly(true);
    folder->setToolTip(dataDir);
    folder->setAccessibleName(tr("Data folder"));
    folder->setCursorPosition(0);
    auto *open = new QPushButton(tr("Open"), group);
    open->setObjectName(QStringLiteral("openDataDirButton"));
    open->setToolTip(tr("Show the data folder in the file manager"));
    connect(open, &QPushButton::clicked, this, [this] {
        QDesktopServices::openUrl(QUrl::fromLocalFile(m_service.gateway().options().dataDir));
    });
    auto *folderRow = new QHBoxLayout;
    folderRow->addWidget(folder, 1);
    folderRow->addWidget(open);
    m_retention = new QSpinBox(group);
    m_retention->setObjectName(QStringLiteral("retentionSpin"));
    m_retention->setRange(0, 3650);
    m_retention->setSuffix(tr(" days"));
    m_retention->setSpecialValueText(tr("keep everything"));
    m_retention->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    connect(m_retention, &QSpinBox::editingFinished, this, &SettingsPage::changeRetention);
    // Where provider keys are kept. Finding out may probe the keychain (seconds when its service
    // hangs), so it is asked on the database thread, not here.
    auto *secrets = new QLabel(tr("…"), group);
    secrets->setObjectName(QStringLiteral("secretsLabel"));
    secrets->setWordWrap(true);
    secrets->setTextInteractionFlags(Qt::TextSelectableByMouse);
    struct SecretsWhere
    {
        QString backend;
        QString status;
        bool fellBack = false;
    };
    m_service.run<SecretsWhere>(
        secrets,
        [gateway = &m_service.gateway()](gateway::Database &) {
            return SecretsWhere{gateway->secretBackend(), gateway->secretStatus(), gateway->secretsFellBack()};
        },
        [secrets](SecretsWhere where) {
            secrets->setToolTip(where.status);
            if (where.backend == u"keychain") {
                secrets->setText(tr("In the OS keychain"));
            } else if (where.backend == u"file") {
                secrets->setText(where.fellBack ? tr("In an encrypted file in the data folder: no OS keychain service "
                                                     "answered here")
                                                : tr("In an encrypted file in the data folder"));
                if (where.fellBack)
                    secrets->setStyleSheet(QStringLiteral("color: #b35c00;"));
            } else {
                secrets->setText(tr("In memory only: they are lost when Tarn stops"));
                secrets->setStyleSheet(QStringLiteral("color: #b35c00;"));
            }
        });
    auto *form = new QFormLayout(group);
    form->addRow(tr("Data folder"), folderRow);
    form->addRow(tr("Keep usage for"), m_retention);
    form->addRow(tr("Provider keys"), secrets);
    return group;
}

void SettingsPage::setConfirmation(std::function<bool(const QString &)> confirm)
{
    m_confirm = std::move(confirm);
}

void SettingsPage::reload()
{
    m_service.run<std::optional<StoredSettings>>(
        this,
        [](gateway::Database &database) -> std::optional<StoredSettings> {
            gateway::SettingsRepository settings(database);
            auto listen = settings.value(QString::fromLatin1(kListenKey));
            auto expose = settings.value(QString::fromLatin1(gateway::SettingKeys::Expose));
            auto hidden = settings.value(QString::fromLatin1(kStartHiddenKey), QStringLiteral("false"));
            auto retention = settings.value(QString::fromLatin1(kRetentionKey), QStringLiteral("0"));
            if (!listen || !expose || !hidden || !retention)
                return std::nullopt;
            return StoredSettings{*listen, *expose, *hidden, *retention};
        },
        [this](std::optional<StoredSettings> stored) {
            if (!stored)
                return;
            const QSignalBlocker hiddenBlocker(m_startHidden);
            m_startHidden->setChecked(stored->startHidden == u"true");
            const QSignalBlocker retentionBlocker(m_retention);
            m_storedRetention = stored->retention.toInt();
            m_retention->setValue(m_storedRetention);
            // The saved choice, which the command line's --listen or --expose may have overridden.
            m_listen->showSaved(stored->listen, stored->expose);
        });
    reloadKeys();
}

void SettingsPage::reloadKeys()
{
    // Also the 5 s "last used" poll: a reload still waiting makes another pointless.
    m_service.runLatest<gateway::Result<QList<gateway::ClientKey>>>(
        this, QStringLiteral("keys"), [](gateway::Database &database) { return gateway::ClientKeyRepository(database).list(); },
        [this](gateway::Result<QList<gateway::ClientKey>> keys) {
            if (!keys)
                return;
            // A reload (after a change anywhere in the configuration) keeps the user's selection:
            // dropping it mid-task made a Revoke click land on a disabled button.
            const QModelIndexList selected = m_keyTable->selectionModel()->selectedRows();
            const QString selectedName = selected.isEmpty() ? QString() : m_keyModel->keyAt(selected.first().row()).name;
            m_keyModel->setKeys(std::move(keys.value()));
            for (int column : {ClientKeyModel::Name, ClientKeyModel::Prefix, ClientKeyModel::Expires,
                               ClientKeyModel::LastUsed})
                m_keyTable->resizeColumnToContents(column);
            int reselect = -1;
            for (int row = 0; row < m_keyModel->rowCount() && !selectedName.isEmpty(); ++row) {
                if (m_keyModel->keyAt(row).name == selectedName) {
                    reselect = row;
                    break;
                }
            }
            if (reselect >= 0)
                m_keyTable->selectRow(reselect);
            updateKeyButtons();
            Q_EMIT keysReloaded();
        });
}

void SettingsPage::updateKeyButtons()
{
    const QModelIndexList rows = m_keyTable->selectionModel()->selectedRows();
    const bool active = !rows.isEmpty() && !m_keyModel->keyAt(rows.first().row()).revoked;
    m_revokeButton->setEnabled(active);
    m_editButton->setEnabled(active);
}

void SettingsPage::setKeyRefreshInterval(std::chrono::milliseconds interval)
{
    m_keyRefresh->setInterval(interval);
}

void SettingsPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_keyRefresh->start();
}

void SettingsPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_keyRefresh->stop();
}

void SettingsPage::changeRetention()
{
    const int days = m_retention->value();
    if (days == m_storedRetention)
        return;
    const auto save = [this, days] {
        m_storedRetention = days;
        saveSetting(QString::fromLatin1(kRetentionKey), QString::number(days));
    };
    // Raising it (or keeping everything) deletes nothing; lowering it deletes at the next pass.
    if (days == 0 || (m_storedRetention != 0 && days > m_storedRetention)) {
        save();
        return;
    }
    // The same cut as UsageRetention: rows before the UTC day that many days back.
    const QDateTime cutoff(QDateTime::currentDateTimeUtc().addDays(-days).date(), QTime(0, 0), QTimeZone::utc());
    m_service.run<gateway::Result<gateway::UsageTotals>>(
        this,
        [cutoff](gateway::Database &database) {
            return gateway::UsageStatsRepository(database).totals(gateway::UsageRange{{}, cutoff});
        },
        [this, days, save](gateway::Result<gateway::UsageTotals> older) {
            if (m_retention->value() != days)
                return; // changed again meanwhile; that edit asks for itself
            const qint64 rows = older ? older->requests : -1;
            const QString question =
                rows < 0 ? tr("Keep usage for %n day(s)? Older usage rows will be deleted.", nullptr, days)
                         : tr("Keep usage for %1 days? This deletes %2 usage rows older than that.")
                               .arg(days)
                               .arg(QLocale().toString(rows));
            if (rows == 0 || m_confirm(question)) {
                save();
                return;
            }
            const QSignalBlocker blocker(m_retention);
            m_retention->setValue(m_storedRetention);
            Q_EMIT retentionKept();
        });
}

void SettingsPage::saveSetting(const QString &key, const QString &value)
{
    m_service.run<gateway::Status>(
        this, [key, value](gateway::Database &database) { return gateway::SettingsRepository(database).setValue(key, value); },
        [this, key](gateway::Status status) {
            if (!status) {
                QMessageBox::warning(this, tr("Settings"), status.error().message);
                return;
            }
            Q_EMIT saved(key);
        });
}

CreateKeyDialog *SettingsPage::openCreateKeyDialog()
{
    auto *dialog = new CreateKeyDialog(m_service, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &CreateKeyDialog::keyCreated, this, &SettingsPage::reloadKeys);
    dialog->open();
    return dialog;
}

EditKeyDialog *SettingsPage::openEditKeyDialog()
{
    const QModelIndexList rows = m_keyTable->selectionModel()->selectedRows();
    if (rows.isEmpty() || m_keyModel->keyAt(rows.first().row()).revoked)
        return nullptr;
    auto *dialog = new EditKeyDialog(m_service, m_keyModel->keyAt(rows.first().row()), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &EditKeyDialog::keySaved, this, &SettingsPage::reloadKeys);
    dialog->open();
    return dialog;
}

void SettingsPage::revokeSelectedKey()
{
    const QModelIndexList rows = m_keyTable->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    const QString name = m_keyModel->keyAt(rows.first().row()).name;
    if (!m_confirm(tr("Revoke the key “%1”? Clients using it are refused from now on.").arg(name)))
        return;
    m_service.run<gateway::Status>(
        this, [name](gateway::Database &database) { return gateway::ClientKeyRepository(database).revoke(name); },
        [this](gateway::Status status) {
            if (!status)
                QMessageBox::warning(this, tr("Revoke key"), status.error().message);
            else
                m_service.applyConfiguration();
            reloadKeys();
        });
}

} // namespace tarn::ui
