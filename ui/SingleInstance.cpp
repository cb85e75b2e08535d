// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/SingleInstance.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLoggingCategory>

namespace tarn::ui {

namespace {

Q_LOGGING_CATEGORY(lcSingleInstance, "tarn.ui.singleinstance")

constexpr int ConnectTimeoutMs = 500;
constexpr int WriteTimeoutMs = 1000;
constexpr qint64 MaxMessageBytes = 256;
const QByteArray ActivateMessage = QByteArrayLiteral("activate\n");

QString userName()
{
    QString name = qEnvironmentVariable("USER");
    if (name.isEmpty())
        name = qEnvironmentVariable("USERNAME");
    return name;
}

} // namespace

SingleInstance::SingleInstance(const QString &key, QObject *parent)
    : QObject(parent)
    , m_key(key)
{
}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::keyForDataDir(const QString &dataDir)
{
    const QFileInfo info(dataDir);
    // The canonical path folds symlinks into one key; it is empty while the dir does not exist.
    QString path = info.canonicalFilePath();
    if (path.isEmpty())
        path = QDir::cleanPath(info.absoluteFilePath());
#ifdef Q_OS_WIN
    path = path.toLower();
#endif
    const QByteArray hash = QCryptographicHash::hash(
        (path + QLatin1Char('\n') + userName()).toUtf8(), QCryptographicHash::Sha256);
    // Unix socket paths are limited to ~100 bytes, so keep the name short.
    return QStringLiteral("tarn-") + QString::fromLatin1(hash.toHex().left(16));
}

bool SingleInstance::tryBecomePrimary()
{
    if (isPrimary())
        return true;
    // Two rounds cover the race where another instance starts listening between our
    // failed connect and our listen.
    for (int round = 0; round < 2; ++round) {
        if (activateRunningInstance())
            return false;
        if (listen())
            return true;
    }
    // Nobody answers and we cannot listen either: run anyway rather than refuse to start.
    qCWarning(lcSingleInstance) << "Could not guard against a second instance on" << m_key;
    return true;
}

bool SingleInstance::isPrimary() const
{
    return m_server != nullptr && m_server->isListening();
}

QString SingleInstance::key() const
{
    return m_key;
}

bool SingleInstance::activateRunningInstance()
{
    QLocalSocket socket;
    socket.connectToServer(m_key);
    if (!socket.waitForConnected(ConnectTimeoutMs)) {
        const QLocalSocket::LocalSocketError error = socket.error();
        if (error == QLocalSocket::ConnectionRefusedError
            || error == QLocalSocket::ServerNotFoundError) {
            // Nobody listens: a socket file still there was left by a crashed instance.
            QLocalServer::removeServer(m_key);
        }
        return false;
    }
    // No reply is awaited: the primary may be busy, and it is enough that it is alive.
    socket.write(ActivateMessage);
    socket.waitForBytesWritten(WriteTimeoutMs);
    socket.disconnectFromServer();
    if (socket.state() != QLocalSocket::UnconnectedState)
        socket.waitForDisconnected(WriteTimeoutMs);
    return true;
}

bool SingleInstance::listen()
{
    if (m_server == nullptr) {
        m_server = new QLocalServer(this);
        m_server->setSocketOptions(QLocalServer::UserAccessOption);
        connect(m_server, &QLocalServer::newConnection, this, &SingleInstance::onNewConnection);
    }
    if (m_server->listen(m_key))
        return true;
    qCWarning(lcSingleInstance) << "Listening on" << m_key << "failed:" << m_server->errorString();
    return false;
}

void SingleInstance::onNewConnection()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] { readMessages(socket); });
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        // The secondary may have written and gone before we got here.
        readMessages(socket);
    }
}

void SingleInstance::readMessages(QLocalSocket *socket)
{
    while (socket->canReadLine()) {
        if (socket->readLine(MaxMessageBytes) == ActivateMessage)
            emit activationRequested();
    }
    if (socket->bytesAvailable() > MaxMessageBytes)
        socket->abort();
}

} // namespace tarn::ui
