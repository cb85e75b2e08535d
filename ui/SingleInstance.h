// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>

class QLocalServer;
class QLocalSocket;

namespace tarn::ui {

// Keeps one Tarn per data directory: later starts ask the running (primary) instance to show itself.
class SingleInstance final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SingleInstance)

public:
    explicit SingleInstance(const QString &key, QObject *parent = nullptr);
    ~SingleInstance() override;

    // A short QLocalServer name from the absolute data dir and the user name, e.g. "tarn-3f9a…".
    [[nodiscard]] static QString keyForDataDir(const QString &dataDir);

    // False if another instance already listens on the key (it has been asked to activate);
    // otherwise starts listening, replacing a stale socket left by a crashed instance, and
    // returns true. Calling it again once primary returns true.
    [[nodiscard]] bool tryBecomePrimary();
    [[nodiscard]] bool isPrimary() const;
    [[nodiscard]] QString key() const;

signals:
    // A secondary instance started and asked us to show the window.
    void activationRequested();

private:
    // Pings a listening primary; when nobody listens, clears a stale socket file instead.
    bool activateRunningInstance();
    bool listen();
    void onNewConnection();
    void readMessages(QLocalSocket *socket);

    QString m_key;
    QLocalServer *m_server = nullptr;
};

} // namespace tarn::ui
