// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/ListenAddress.h"
#include "gateway/core/Result.h"

#include <QByteArrayView>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace tarn::gateway {

// Where Tarn's API may be reached from. The interfaces are told apart by address, never by name:
// Tailscale's is tailscale0 on Linux, any free utunN on macOS and an adapter named "Tailscale" on
// Windows.
enum class ExposeMode {
    Loopback,  // 127.0.0.1 and ::1 only (the default)
    Tailscale, // loopback plus this node's Tailscale addresses; other peers are refused
    All,       // every interface (an explicit choice; the user is warned)
};

[[nodiscard]] std::optional<ExposeMode> exposeModeFromString(QStringView text); // "loopback", …
[[nodiscard]] QString exposeModeName(ExposeMode mode);

// One address of one network interface, as the OS lists it.
struct InterfaceAddress
{
    QString interfaceName;
    QHostAddress address;
    bool up = true; // the interface is up and running
};

// An address Tailscale hands to a node: 100.64.0.0/10 (the CGNAT range) except 100.115.92.0/23
// (ChromeOS's own) and 100.100.100.100 (Tailscale's DNS service), or fd7a:115c:a1e0::/48. An
// IPv4-mapped IPv6 address (::ffff:100.64.0.1, how a dual-stack socket reports an IPv4 peer)
// counts as its IPv4 address.
[[nodiscard]] bool isTailnetAddress(const QHostAddress &address);
// 127.0.0.0/8 and ::1, IPv4-mapped ones included.
[[nodiscard]] bool isLoopbackAddress(const QHostAddress &address);

struct TailnetAddresses
{
    QList<QHostAddress> ipv4;
    QList<QHostAddress> ipv6;
    QString interfaceName; // of the first address found; empty when none

    [[nodiscard]] bool isEmpty() const { return ipv4.isEmpty() && ipv6.isEmpty(); }
    [[nodiscard]] QList<QHostAddress> all() const { return ipv4 + ipv6; }
    friend bool operator==(const TailnetAddresses &, const TailnetAddresses &) = default;
};

// This node's Tailscale addresses among an interface list: up interfaces only, each address once,
// IPv4 then IPv6, each in the order listed. Pure, so every OS's shape is unit-tested.
[[nodiscard]] TailnetAddresses findTailnetAddresses(const QList<InterfaceAddress> &interfaces);

// The machine's interface addresses now (QNetworkInterface), for findTailnetAddresses.
[[nodiscard]] QList<InterfaceAddress> systemInterfaceAddresses();

// What `tailscale status --json` says about this node. The CLI is optional: its absence, or an
// answer this cannot read, leaves discovery to the interface list.
struct TailscaleStatus
{
    QString backendState;       // "Running", "Stopped", "NeedsLogin", "Starting", …
    QList<QHostAddress> addresses; // Self.TailscaleIPs (TailscaleIPs when Self lacks them)
    QString dnsName;            // Self.DNSName without its trailing dot: "gateway.tail1234.ts.net"
    QString magicDnsSuffix;     // CurrentTailnet.MagicDNSSuffix (MagicDNSSuffix in older CLIs)
    bool online = false;        // Self.Online

    [[nodiscard]] bool running() const { return backendState == u"Running"; }
};
[[nodiscard]] Result<TailscaleStatus> parseTailscaleStatus(QByteArrayView json);

// The addresses a mode listens on, all on one port: loopback is 127.0.0.1, and ::1 when the
// machine lists it (a host without IPv6 must still start); Tailscale adds this node's tailnet
// addresses as they are now; All is every interface of both families ("*"). Pure: the gateway
// re-plans whenever the interface list changes and re-binds what differs.
[[nodiscard]] QList<ListenAddress> exposeAddresses(ExposeMode mode, quint16 port, const QList<InterfaceAddress> &interfaces);

// Whether a connection from peer may be served in mode: loopback always; tailnet addresses in
// Tailscale mode; anyone in All. Decided on the peer address the socket reports, so a packet
// routed to the tailnet address from elsewhere is still refused.
[[nodiscard]] bool peerAllowed(ExposeMode mode, const QHostAddress &peer);

} // namespace tarn::gateway
