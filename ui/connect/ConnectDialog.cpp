// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/connect/ConnectDialog.h"

#include "gateway/Gateway.h"
#include "gateway/connect/ConfigWriter.h"
#include "gateway/connect/ConnectSetup.h"
#include "gateway/core/ClientKey.h"
#include "gateway/desktop/DesktopService.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"
#include "ui/connect/QrCode.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace tarn::ui {

using namespace tarn::gateway;

namespace {

enum AgentColumn { AgentName, AgentState, AgentSetUp, AgentUndo, AgentColumnCount };

// The outcome of a set-up or an undo, carried back from the service's thread.
struct AgentResult
{
    bool ok = false;
    QString message;
};

bool isLoopback(const QUrl &url)
{
    const QHostAddress address(url.host());
    return address.isLoopback() || url.host() == u"localhost";
}

QString rootOf(const QUrl &url)
{
    return connect::normaliseRootUrl(url.toString());
}

} // namespace

ConnectDialog::ConnectDialog(DesktopService &service, connect::AgentHome home, QWidget *parent)
    : QDialog(parent)
    , m_service(service)
    , m_home(std::move(home))
{
    setObjectName(QStringLiteral("connectDialog"));
    setWindowTitle(tr("Connect a client"));
    const QList<QUrl> urls = m_service.gateway().urls();
    for (const QUrl &url : urls) {
        if (isLoopback(url)) {
            m_localUrl = rootOf(url);
            break;
        }
    }
    if (m_localUrl.isEmpty() && !urls.isEmpty())
        m_localUrl = rootOf(urls.first());

    auto *tabs = new QTabWidget(this);
    tabs->setObjectName(QStringLiteral("connectTabs"));
    tabs->addTab(createLocalTab(), tr("This machine"));
    tabs->addTab(createRemoteTab(), tr("Other devices"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(tabs);
    layout->addWidget(buttons);
    resize(720, 520);
    refreshAgents();
}

ConnectDialog::~ConnectDialog() = default;

QWidget *ConnectDialog::createLocalTab()
{
    auto *tab = new QWidget(this);
    auto *layout = new QVBoxLayout(tab);
    auto *intro = new QLabel(tr("Point a coding agent on this machine at Tarn (%1). Tarn keeps a copy of each file it "
                                "changes; Undo puts it back.")
                                 .arg(m_localUrl),
                             tab);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_agents = new QTableWidget(0, AgentColumnCount, tab);
    m_agents->setObjectName(QStringLiteral("connectAgents"));
    m_agents->setHorizontalHeaderLabels({tr("Agent"), tr("Now"), QString(), QString()});
    m_agents->verticalHeader()->hide();
    m_agents->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_agents->setSelectionMode(QAbstractItemView::NoSelection);
    m_agents->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_agents->horizontalHeader()->setSectionResizeMode(AgentState, QHeaderView::Stretch);
    const auto agents = connect::createAgentConfigs(m_home);
    m_agents->setRowCount(int(agents.size()));
    for (int row = 0; row < int(agents.size()); ++row) {
        const QString id = agents[size_t(row)]->id();
        auto *name = new QTableWidgetItem(agents[size_t(row)]->displayName());
        name->setData(Qt::UserRole, id);
        name->setToolTip(agents[size_t(row)]->configFiles().join(u'\n'));
        m_agents->setItem(row, AgentName, name);
        m_agents->setItem(row, AgentState, new QTableWidgetItem);
        auto *setUp = new QPushButton(tr("Set up"), m_agents);
        setUp->setObjectName(QStringLiteral("setUp:") + id);
        connect(setUp, &QPushButton::clicked, this, [this, id] { setUpAgent(id); });
        m_agents->setCellWidget(row, AgentSetUp, setUp);
        auto *undo = new QPushButton(tr("Undo"), m_agents);
        undo->setObjectName(QStringLiteral("undo:") + id);
        connect(undo, &QPushButton::clicked, this, [this, id] { undoAgent(id); });
        m_agents->setCellWidget(row, AgentUndo, undo);
    }
    layout->addWidget(m_agents, 1);
    m_localMessage = new QLabel(tab);
    m_localMessage->setObjectName(QStringLiteral("connectLocalMessage"));
    m_localMessage->setWordWrap(true);
    m_localMessage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_localMessage);
    return tab;
}

QWidget *ConnectDialog::createRemoteTab()
{
    auto *tab = new QWidget(this);
    auto *columns = new QHBoxLayout(tab);
    auto *left = new QVBoxLayout;
    auto *form = new QFormLayout;
    m_address = new QComboBox(tab);
    m_address->setObjectName(QStringLiteral("connectAddress"));
    // Addresses other devices can reach first (the tailnet's), this machine's last.
    QStringList remote;
    QStringList local;
    const std::optional<gateway::TailscaleStatus> node = m_service.gateway().tailnetNode();
    for (const QUrl &url : m_service.gateway().urls()) {
        (isLoopback(url) ? local : remote).append(rootOf(url));
        // The node's MagicDNS name, which stays when its 100.x address changes, leads.
        if (node && node->running() && !node->dnsName.isEmpty() && gateway::isTailnetAddress(QHostAddress(url.host()))) {
            QUrl named = url;
            named.setHost(node->dnsName);
            if (const QString root = rootOf(named); !remote.contains(root))
                remote.prepend(root);
        }
    }
    for (const QString &url : remote + local)
        m_address->addItem(url, url);
    form->addRow(tr("Address"), m_address);
    auto *keyRow = new QHBoxLayout;
    m_keyName = new QLineEdit(QStringLiteral("phone"), tab);
    m_keyName->setObjectName(QStringLiteral("connectKeyName"));
    m_createKey = new QPushButton(tr("Create key"), tab);
    m_createKey->setObjectName(QStringLiteral("connectCreateKey"));
    connect(m_createKey, &QPushButton::clicked, this, &ConnectDialog::createKey);
    keyRow->addWidget(m_keyName, 1);
    keyRow->addWidget(m_createKey);
    form->addRow(tr("Key name"), keyRow);
    auto *shownKey = new QHBoxLayout;
    m_keyField = new QLineEdit(tab);
    m_keyField->setObjectName(QStringLiteral("connectKey"));
    m_keyField->setReadOnly(true);
    m_keyField->setPlaceholderText(tr("create a key for the device"));
    auto *copyKey = new QPushButton(tr("Copy"), tab);
    connect(copyKey, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_key); });
    shownKey->addWidget(m_keyField, 1);
    shownKey->addWidget(copyKey);
    form->addRow(tr("Key"), shownKey);
    m_client = new QComboBox(tab);
    m_client->setObjectName(QStringLiteral("connectClient"));
    for (const auto &agent : connect::createAgentConfigs(m_home))
        m_client->addItem(agent->displayName(), QString(QStringLiteral("agent:") + agent->id()));
    for (const connect::ClientSnippet &client : connect::otherClientSnippets({}, {}))
        m_client->addItem(client.name, QString(QStringLiteral("other:") + client.id));
    form->addRow(tr("Client"), m_client);
    left->addLayout(form);
    m_snippet = new QPlainTextEdit(tab);
    m_snippet->setObjectName(QStringLiteral("connectSnippet"));
    m_snippet->setReadOnly(true);
    m_snippet->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    left->addWidget(m_snippet, 1);
    auto *copySnippet = new QPushButton(tr("Copy snippet"), tab);
    connect(copySnippet, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(snippetText()); });
    left->addWidget(copySnippet, 0, Qt::AlignLeft);
    m_remoteMessage = new QLabel(tab);
    m_remoteMessage->setObjectName(QStringLiteral("connectRemoteMessage"));
    m_remoteMessage->setWordWrap(true);
    if (remote.isEmpty()) {
        m_remoteMessage->setText(tr("Tarn listens on this machine only. To reach it from your other devices, start it "
                                    "with --expose tailscale (or add an address in Settings)."));
    }
    left->addWidget(m_remoteMessage);
    columns->addLayout(left, 1);
    m_qrLabel = new QLabel(tab);
    m_qrLabel->setObjectName(QStringLiteral("connectQr"));
    m_qrLabel->setAlignment(Qt::AlignCenter);
    m_qrLabel->setMinimumSize(220, 220);
    m_qrLabel->setText(tr("The phone's QR code\nappears with its key"));
    m_qrLabel->setAccessibleName(tr("QR code of the address and key"));
    columns->addWidget(m_qrLabel, 0, Qt::AlignTop);
    connect(m_address, &QComboBox::currentIndexChanged, this, &ConnectDialog::showSnippet);
    connect(m_client, &QComboBox::currentIndexChanged, this, &ConnectDialog::showSnippet);
    showSnippet();
    return tab;
}

QString ConnectDialog::agentStatus(const QString &id) const
{
    for (int row = 0; row < m_agents->rowCount(); ++row) {
        if (m_agents->item(row, AgentName)->data(Qt::UserRole).toString() == id)
            return m_agents->item(row, AgentState)->text();
    }
    return {};
}

QString ConnectDialog::snippetText() const
{
    return m_snippet->toPlainText();
}

QString ConnectDialog::chosenUrl() const
{
    return m_address->currentData().toString();
}

QString ConnectDialog::backupRoot() const
{
    return QDir(m_service.gateway().options().dataDir).filePath(QStringLiteral("connect-backups"));
}

void ConnectDialog::refreshAgents()
{
    const connect::ConfigWriter writer(backupRoot());
    for (int row = 0; row < m_agents->rowCount(); ++row) {
        const QString id = m_agents->item(row, AgentName)->data(Qt::UserRole).toString();
        const auto agent = connect::createAgentConfig(id, m_home);
        m_agents->item(row, AgentState)->setText(connect::describeConnection(*agent, m_localUrl));
        if (auto *undo = qobject_cast<QPushButton *>(m_agents->cellWidget(row, AgentUndo)))
            undo->setEnabled(writer.canUndo(*agent));
    }
}

void ConnectDialog::showResult(const QString &id, const QString &message, bool ok)
{
    m_localMessage->setText(message);
    refreshAgents();
    if (!ok)
        Q_EMIT failed(message);
    Q_EMIT agentChanged(id);
}

void ConnectDialog::setUpAgent(const QString &id)
{
    m_localMessage->setText(tr("Setting up…"));
    const QString url = m_localUrl;
    const QString root = backupRoot();
    const connect::AgentHome home = m_home;
    m_service.run<AgentResult>(
        this,
        [id, url, root, home](Database &database) {
            const auto agent = connect::createAgentConfig(id, home);
            const Result<connect::SetupOutcome> outcome =
                connect::setUpAgent(database, *agent, connect::ConnectTarget{url, {}, {}}, {}, root);
            if (!outcome)
                return AgentResult{false, outcome.error().message};
            QString text = outcome->written.changedFiles.isEmpty()
                ? tr("%1 already uses Tarn.").arg(agent->displayName())
                : tr("%1 now uses Tarn. Wrote %2.").arg(agent->displayName(), outcome->written.changedFiles.join(tr(", ")));
            if (!outcome->createdKeyName.isEmpty())
                text += u' ' + tr("Made the client key '%1' for it.").arg(outcome->createdKeyName);
            const QStringList notes = agent->notes();
            if (!notes.isEmpty())
                text += u' ' + notes.join(u' ');
            return AgentResult{true, text};
        },
        [this, id](AgentResult result) {
            if (result.ok)
                m_service.applyConfiguration(); // a key made for the agent works at once
            showResult(id, result.message, result.ok);
        });
}

void ConnectDialog::undoAgent(const QString &id)
{
    const QString root = backupRoot();
    const connect::AgentHome home = m_home;
    m_service.run<AgentResult>(
        this,
        [id, root, home](Database &) {
            const auto agent = connect::createAgentConfig(id, home);
            const Result<connect::UndoOutcome> outcome = connect::ConfigWriter(root).undo(*agent);
            if (!outcome)
                return AgentResult{false, outcome.error().message};
            return AgentResult{true, tr("Put %1's configuration back as it was.").arg(agent->displayName())};
        },
        [this, id](AgentResult result) { showResult(id, result.message, result.ok); });
}

void ConnectDialog::createKey()
{
    const QString name = m_keyName->text().trimmed();
    if (name.isEmpty()) {
        m_remoteMessage->setText(tr("Name the key first (the device it is for)."));
        return;
    }
    m_createKey->setEnabled(false);
    m_service.run<Result<std::pair<QString, QString>>>(
        this,
        [name](Database &database) -> Result<std::pair<QString, QString>> {
            ClientKeyRepository keys(database);
            ClientKey key;
            key.name = connect::freeKeyName(keys, name);
            Result<QString> plaintext = keys.create(key);
            if (!plaintext)
                return plaintext.error();
            return std::pair{key.name, *plaintext};
        },
        [this](Result<std::pair<QString, QString>> made) {
            m_createKey->setEnabled(true);
            if (!made) {
                m_remoteMessage->setText(tr("Could not make the key: %1").arg(made.error().message));
                Q_EMIT failed(made.error().message);
                return;
            }
            m_service.applyConfiguration();
            m_key = made->second;
            m_keyField->setText(m_key);
            m_remoteMessage->setText(tr("Made the key '%1'. It is shown here once: copy it now, or scan the code.")
                                         .arg(made->first));
            showSnippet();
            Q_EMIT keyCreated(made->first);
        });
}

void ConnectDialog::showSnippet()
{
    const QString url = chosenUrl();
    const QString choice = m_client->currentData().toString();
    QString text;
    if (choice.startsWith(u"agent:")) {
        if (const auto agent = connect::createAgentConfig(choice.mid(6), m_home))
            text = agent->snippet(connect::ConnectTarget{url, m_key, {}});
    } else {
        for (const connect::ClientSnippet &client : connect::otherClientSnippets(url, m_key)) {
            if (QStringLiteral("other:") + client.id == choice)
                text = client.text;
        }
    }
    m_snippet->setPlainText(text);
    if (m_key.isEmpty())
        return;
    m_qr = qrCodeImage(connect::connectionQrPayload(url, m_key), 5);
    m_qrLabel->setPixmap(QPixmap::fromImage(m_qr));
}

} // namespace tarn::ui
