// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/net/Tailnet.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QNetworkInterface>

#include <algorithm>

namespace tarn::gateway {

namespace {

// The IPv4 address an IPv4 or IPv4-mapped IPv6 address stands for, else nothing.
std::optional<quint32> ipv4Of(const QHostAddress &address)
{
    bool ok = false;
    const quint32 v4 = address.toIPv4Address(&ok); // also unwraps ::ffff:a.b.c.d
    return ok ? std::optional<quint32>(v4) : std::nullopt;
}

bool inPrefix(quint32 address, quint32 network, int bits)
{
    const quint32 mask = bits == 0 ? 0 : ~quint32(0) << (32 - bits);
    return (address & mask) == (network & mask);
}

constexpr quint32 ip(int a, int b, int c, int d)
{
    return quint32(a) << 24 | quint32(b) << 16 | quint32(c) << 8 | quint32(d);
}

QList<QHostAddress> addressesIn(const QJsonValue &value)
{
    QList<QHostAddress> addresses;
    for (const QJsonValue &entry : value.toArray()) {
        QHostAddress address;
        if (address.setAddress(entry.toString()))
            addresses.append(address);
    }
    return addresses;
}

} // namespace

std::optional<ExposeMode> exposeModeFromString(QStringView text)
{
    if (text == u"loopback")
        return ExposeMode::Loopback;
    if (text == u"tailscale")
        return ExposeMode::Tailscale;
    if (text == u"all")
        return ExposeMode::All;
    return std::nullopt;
}

QString exposeModeName(ExposeMode mode)
{
    switch (mode) {
    case ExposeMode::Loopback: return QStringLiteral("loopback");
    case ExposeMode::Tailscale: return QStringLiteral("tailscale");
    case ExposeMode::All: return QStringLiteral("all");
    }
    return {};
}

bool isTailnetAddress(const QHostAddress &address)
{
    if (const std::optional<quint32> v4 = ipv4Of(address)) {
        return inPrefix(*v4, ip(100, 64, 0, 0), 10) && !inPrefix(*v4, ip(100, 115, 92, 0), 23)
               && *v4 != ip(100, 100, 100, 100);
    }
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return false;
    const Q_IPV6ADDR v6 = address.toIPv6Address();
    static constexpr quint8 prefix[] = {0xfd, 0x7a, 0x11, 0x5c, 0xa1, 0xe0}; // fd7a:115c:a1e0::/48
    for (int i = 0; i < 6; ++i) {
        if (v6[i] != prefix[i])
            return false;
    }
    return true;
}

bool isLoopbackAddress(const QHostAddress &address)
{
    if (const std::optional<quint32> v4 = ipv4Of(address))
        return inPrefix(*v4, ip(127, 0, 0, 0), 8);
    return address.isLoopback();
}

TailnetAddresses findTailnetAddresses(const QList<InterfaceAddress> &interfaces)
{
    TailnetAddresses found;
    for (const InterfaceAddress &entry : interfaces) {
        if (!entry.up || !isTailnetAddress(entry.address))
            continue;
        // Scope ids (fe80::1%utun4) never apply here, but a listed address may carry one.
        QHostAddress address = entry.address;
        address.setScopeId(QString());
        QList<QHostAddress> &list = address.protocol() == QAbstractSocket::IPv4Protocol ? found.ipv4 : found.ipv6;
        if (list.contains(address))
            continue;
        list.append(address);
        if (found.interfaceName.isEmpty())
            found.interfaceName = entry.interfaceName;
    }
    return found;
}

QList<InterfaceAddress> systemInterfaceAddresses()
{
    QList<InterfaceAddress> addresses;
    const QList<QNetworkInterface> interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &interface : interfaces) {
        const bool up = interface.flags().testFlag(QNetworkInterface::IsUp)
                        && interface.flags().testFlag(QNetworkInterface::IsRunning);
        // Windows names adapters by GUID; the human name ("Tailscale") is the one worth showing.
        const QString name = interface.humanReadableName().isEmpty() ? interface.name() : interface.humanReadableName();
        for (const QNetworkAddressEntry &entry : interface.addressEntries())
            addresses.append({name, entry.ip(), up});
    }
    return addresses;
}

Result<TailscaleStatus> parseTailscaleStatus(QByteArrayView json)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return Error::invalid(QStringLiteral("tailscale status: not a JSON object (%1)").arg(error.errorString()));
    const QJsonObject root = document.object();
    const QJsonObject self = root.value(QLatin1String("Self")).toObject();
    TailscaleStatus status;
    status.backendState = root.value(QLatin1String("BackendState")).toString();
    status.addresses = addressesIn(self.value(QLatin1String("TailscaleIPs")));
    if (status.addresses.isEmpty())
        status.addresses = addressesIn(root.value(QLatin1String("TailscaleIPs")));
    status.dnsName = self.value(QLatin1String("DNSName")).toString();
    while (status.dnsName.endsWith(u'.'))
        status.dnsName.chop(1);
    status.online = self.value(QLatin1String("Online")).toBool();
    status.magicDnsSuffix = root.value(QLatin1String("CurrentTailnet")).toObject().value(QLatin1String("MagicDNSSuffix")).toString();
    if (status.magicDnsSuffix.isEmpty())
        status.magicDnsSuffix = root.value(QLatin1String("MagicDNSSuffix")).toString();
    if (status.backendState.isEmpty())
        return Error::invalid(QStringLiteral("tailscale status: no BackendState"));
    return status;
}

QList<ListenAddress> exposeAddresses(ExposeMode mode, quint16 port, const QList<InterfaceAddress> &interfaces)
{
    if (mode == ExposeMode::All)
        return {{QStringLiteral("*"), port}};
    QList<ListenAddress> addresses{{QStringLiteral("127.0.0.1"), port}};
    const bool hasIpv6Loopback = std::any_of(interfaces.cbegin(), interfaces.cend(), [](const InterfaceAddress &entry) {
        return entry.up && entry.address == QHostAddress(QHostAddress::LocalHostIPv6);
    });
    if (hasIpv6Loopback)
        addresses.append({QStringLiteral("::1"), port});
    if (mode == ExposeMode::Tailscale) {
        for (const QHostAddress &address : findTailnetAddresses(interfaces).all())
            addresses.append({address.toString(), port});
    }
    return addresses;
}

bool peerAllowed(ExposeMode mode, const QHostAddress &peer)
{
    if (isLoopbackAddress(peer))
        return true;
    switch (mode) {
    case ExposeMode::Loopback: return false;
    case ExposeMode::Tailscale: return isTailnetAddress(peer);
    case ExposeMode::All: return true;
    }
    return false;
}

} // namespace tarn::gateway
