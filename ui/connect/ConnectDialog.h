// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/connect/AgentConfig.h"

#include <QDialog>
#include <QImage>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

// "Connect a client": on this machine, sets a coding agent (Claude Code, Codex, Gemini CLI, Qwen
// Code) up to use Tarn in one click, with the backup and undo `tarn connect` makes; for other
// devices, the address to use, a fresh client key, the snippet for each client and a QR code of
// the base URL and key for the phone. Files and keys are written on the desktop service's thread.
class ConnectDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectDialog)

public:
    // home: where the agents keep their configuration (tests give a temporary one).
    explicit ConnectDialog(gateway::DesktopService &service,
                           gateway::connect::AgentHome home = gateway::connect::agentHomeFromEnvironment(),
                           QWidget *parent = nullptr);
    ~ConnectDialog() override;

    // The root URL this machine's agents are pointed at (Tarn's loopback address).
    QString localUrl() const { return m_localUrl; }
    // What the agents' row says now ("uses Tarn at …"), by agent id.
    QString agentStatus(const QString &id) const;
    // The key the Other devices tab made last; empty before.
    QString createdKey() const { return m_key; }
    // The QR code shown for the phone (null before a key is made).
    QImage qrImage() const { return m_qr; }
    QString snippetText() const;

public Q_SLOTS:
    void setUpAgent(const QString &id);
    void undoAgent(const QString &id);
    // Makes a client key named as the key-name field says, for the address chosen.
    void createKey();

Q_SIGNALS:
    // An agent's row was refreshed after a set-up, an undo or a failure.
    void agentChanged(const QString &id);
    void keyCreated(const QString &name);
    void failed(const QString &message);

private:
    QWidget *createLocalTab();
    QWidget *createRemoteTab();
    void refreshAgents();
    void showSnippet();
    void showResult(const QString &id, const QString &message, bool ok);
    QString chosenUrl() const;
    QString backupRoot() const;

    gateway::DesktopService &m_service;
    gateway::connect::AgentHome m_home;
    QString m_localUrl;
    QTableWidget *m_agents = nullptr;
    QLabel *m_localMessage = nullptr;
    QComboBox *m_address = nullptr;
    QLineEdit *m_keyName = nullptr;
    QPushButton *m_createKey = nullptr;
    QLineEdit *m_keyField = nullptr;
    QComboBox *m_client = nullptr;
    QPlainTextEdit *m_snippet = nullptr;
    QLabel *m_qrLabel = nullptr;
    QLabel *m_remoteMessage = nullptr;
    QString m_key;
    QImage m_qr;
};

} // namespace tarn::ui
