// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/cli/SavedListen.h"

#include "gateway/cli/CommandLine.h"
#include "gateway/core/Logging.h"
#include "gateway/core/SettingKeys.h"
#include "gateway/storage/SettingsRepository.h"

namespace tarn::gateway {

QList<ListenAddress> savedListenAddresses(Database &db)
{
    const QList<ListenAddress> fallback = {{QStringLiteral("127.0.0.1"), kDefaultPort}};
    const Result<QString> saved = SettingsRepository(db).value(QString::fromLatin1(SettingKeys::Listen));
    if (!saved || saved->trimmed().isEmpty())
        return fallback;
    QList<ListenAddress> addresses;
    for (const QString &entry : saved->split(u',', Qt::SkipEmptyParts)) {
        const Result<ListenAddress> address = parseListenAddress(entry.trimmed());
        if (!address) {
            qCWarning(lcGateway) << "ignoring the saved listen addresses:" << address.error().message;
            return fallback;
        }
        addresses.append(*address);
    }
    return addresses.isEmpty() ? fallback : addresses;
}

ListenAddress savedLocalAddress(Database &db)
{
    for (ListenAddress address : savedListenAddresses(db)) {
        if (address.port == 0)
            continue;
        if (address.host == u"0.0.0.0" || address.host == u"*")
            address.host = QStringLiteral("127.0.0.1");
        else if (address.host == u"::")
            address.host = QStringLiteral("::1");
        return address;
    }
    return {QStringLiteral("127.0.0.1"), kDefaultPort};
}

QString rootUrl(const ListenAddress &address)
{
    const QString host = address.host.contains(u':') ? u'[' + address.host + u']' : address.host;
    return QStringLiteral("http://%1:%2").arg(host).arg(address.port);
}

} // namespace tarn::gateway
