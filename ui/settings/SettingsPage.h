// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/SettingKeys.h"

#include <QWidget>

#include <chrono>
#include <functional>
#include <memory>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableView;
class QTimer;

namespace tarn::gateway {
class DesktopService;
}

namespace tarn::ui {

class ClientKeyModel;
class CreateKeyDialog;
class ListenGroup;
class EditKeyDialog;
class LaunchAtLogin;

// The Settings page: listen addresses, client keys, startup and tray behaviour, usage retention.
// Every read and write of the store goes through DesktopService::run.
class SettingsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsPage)

public:
    // Settings keys this page writes (settings table).
    // The settings this page writes; the gateway reads them (gateway/core/SettingKeys.h).
    static constexpr const char *kListenKey = gateway::SettingKeys::Listen;
    static constexpr const char *kStartHiddenKey = gateway::SettingKeys::StartHidden;
    static constexpr const char *kRetentionKey = gateway::SettingKeys::RetentionDays;

    explicit SettingsPage(gateway::DesktopService &service, QWidget *parent = nullptr);
    ~SettingsPage() override;

    // Asked before revoking a key or deleting usage by a shorter retention; tests replace the
    // message box.
    void setConfirmation(std::function<bool(const QString &question)> confirm);
    // Opens the create dialog (non-modal; tests and screenshots reach it).
    CreateKeyDialog *openCreateKeyDialog();
    // Revokes the key in the selected row, after confirmation.
    void revokeSelectedKey();
    // Opens the editor of the selected key's allowed models and expiry (nullptr when none is).
    EditKeyDialog *openEditKeyDialog();
    // How often the key table (its "Last used") is re-read while the page is visible.
    void setKeyRefreshInterval(std::chrono::milliseconds interval);
    // Re-reads keys and settings from the store.
    void reload();

    [[nodiscard]] ClientKeyModel *keyModel() const { return m_keyModel; }
    [[nodiscard]] QTableView *keyTable() const { return m_keyTable; }
    [[nodiscard]] LaunchAtLogin &launchAtLogin() const { return *m_launch; }

Q_SIGNALS:
    // A write reached the store (tests wait on it).
    void saved(const QString &key);
    void keysReloaded();
    // A retention change was declined (the spin box is back at the kept value).
    void retentionKept();
    // "Connect a client…": the window opens the Connect dialog.
    void connectRequested();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    QWidget *createKeysGroup();
    QWidget *createStartupGroup();
    QWidget *createDataGroup();
    void saveSetting(const QString &key, const QString &value);
    // The line under the addresses: what Tarn listens on now, or why a change was refused.
    void reloadKeys();
    void updateKeyButtons();
    void changeRetention();

    gateway::DesktopService &m_service;
    std::unique_ptr<LaunchAtLogin> m_launch;
    std::function<bool(const QString &)> m_confirm;
    ListenGroup *m_listen = nullptr;
    ClientKeyModel *m_keyModel = nullptr;
    QTableView *m_keyTable = nullptr;
    QPushButton *m_revokeButton = nullptr;
    QPushButton *m_editButton = nullptr;
    QTimer *m_keyRefresh = nullptr;
    QCheckBox *m_launchAtLogin = nullptr;
    QCheckBox *m_startHidden = nullptr;
    QSpinBox *m_retention = nullptr;
    int m_storedRetention = 0; // what the store holds, to tell a lowering from a raising
};

} // namespace tarn::ui
