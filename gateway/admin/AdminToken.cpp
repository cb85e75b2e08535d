// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/admin/AdminToken.h"

#include "gateway/core/Logging.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>

#include <array>
#include <cctype>

namespace tarn::gateway {

namespace {

constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr qsizetype kMinimumTokenLength = 32;

QByteArray newToken()
{
    std::array<quint32, 8> words{};
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    return QByteArray(reinterpret_cast<const char *>(words.data()), qsizetype(sizeof(words)))
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

Error ioError(const QString &message)
{
    return {ErrorCode::Io, message};
}

bool usable(const QByteArray &token)
{
    if (token.size() < kMinimumTokenLength)
        return false;
    for (const char c : token) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
            return false;
    }
    return true;
}

} // namespace

QString adminTokenPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("admin-token"));
}

Result<QByteArray> loadOrCreateAdminToken(const QString &dataDir)
{
    const QString path = adminTokenPath(dataDir);
    QFile file(path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly))
            return ioError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
        const QByteArray token = file.read(4096).trimmed();
        file.close();
        if (usable(token)) {
#ifdef Q_OS_UNIX
            if ((file.permissions() & ~(kOwnerOnly | QFileDevice::ReadUser | QFileDevice::WriteUser)) != 0) {
                qCWarning(lcGateway) << "tightening the permissions of" << path << "to 0600";
                if (!file.setPermissions(kOwnerOnly))
                    return ioError(QStringLiteral("cannot make %1 private: %2").arg(path, file.errorString()));
            }
#endif
            return token;
        }
        qCWarning(lcGateway) << path << "holds no usable admin token: writing a new one";
        if (!file.remove())
            return ioError(QStringLiteral("cannot replace %1: %2").arg(path, file.errorString()));
    }
    if (!QDir().mkpath(dataDir))
        return ioError(QStringLiteral("cannot create %1").arg(dataDir));
    // NewOnly with the mode given: the file never exists with the umask's permissions, and two
    // processes starting at once cannot both write one (the loser reads the winner's).
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, kOwnerOnly)) {
        if (file.exists())
            return loadOrCreateAdminToken(dataDir);
        return ioError(QStringLiteral("cannot create %1: %2").arg(path, file.errorString()));
    }
    const QByteArray token = newToken();
    if (file.write(token + '\n') != token.size() + 1 || !file.flush())
        return ioError(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return token;
}

bool adminTokenMatches(const QByteArray &presented, const QByteArray &token)
{
    if (presented.size() != token.size() || token.isEmpty())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < token.size(); ++i)
        difference |= static_cast<unsigned char>(presented[i] ^ token[i]);
    return difference == 0;
}

} // namespace tarn::gateway
