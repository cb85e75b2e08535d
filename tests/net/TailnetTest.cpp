// SPDX-License-Identifier: GPL-3.0-or-later
// Finding this node's Tailscale addresses among the interfaces each OS lists, reading
// `tailscale status --json`, and which peers each exposure mode lets in.
#include "gateway/net/Tailnet.h"

#include <gtest/gtest.h>

using namespace tarn::gateway;

namespace {

QHostAddress a(const char *text)
{
    return QHostAddress(QString::fromLatin1(text));
}

InterfaceAddress entry(const char *name, const char *address, bool up = true)
{
    return {QString::fromLatin1(name), a(address), up};
}

TEST(TailnetAddress, RangesAndTheirEdges)
{
    for (const char *inside : {"100.64.0.0", "100.64.0.1", "100.101.102.103", "100.127.255.255", "100.115.91.255",
                               "100.115.94.0", "100.100.100.99", "fd7a:115c:a1e0::1", "fd7a:115c:a1e0:ab12:4843:cd96:6258:b240",
                               "::ffff:100.101.102.103"}) {
        EXPECT_TRUE(isTailnetAddress(a(inside))) << inside;
    }
    for (const char *outside : {"100.63.255.255", "100.128.0.0", "100.115.92.0", "100.115.93.255", "100.100.100.100",
                                "10.0.0.1", "192.168.1.10", "127.0.0.1", "0.0.0.0", "fd7a:115c:a1e1::1",
                                "fd7a:115c:a0e0::1", "fe80::1", "::1", "::", "::ffff:192.168.1.10", "::ffff:100.100.100.100"}) {
        EXPECT_FALSE(isTailnetAddress(a(outside))) << outside;
    }
    EXPECT_FALSE(isTailnetAddress(QHostAddress()));
}

TEST(TailnetAddress, LoopbackIncludesTheWhole127RangeAndMappedForms)
{
    for (const char *loopback : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"})
        EXPECT_TRUE(isLoopbackAddress(a(loopback))) << loopback;
    for (const char *other : {"128.0.0.1", "100.64.0.1", "::2", "::ffff:10.0.0.1", "0.0.0.0"})
        EXPECT_FALSE(isLoopbackAddress(a(other))) << other;
}

TEST(TailnetDiscovery, LinuxTailscale0)
{
    const TailnetAddresses found = findTailnetAddresses({
        entry("lo", "127.0.0.1"), entry("lo", "::1"), entry("eth0", "192.168.1.20"), entry("eth0", "fe80::1"),
        entry("docker0", "172.17.0.1"), entry("tailscale0", "100.101.102.103"),
        entry("tailscale0", "fd7a:115c:a1e0:ab12:4843:cd96:6265:6667"), entry("tailscale0", "fe80::2"),
    });
    EXPECT_EQ(found.interfaceName, QStringLiteral("tailscale0"));
    EXPECT_EQ(found.ipv4, QList<QHostAddress>{a("100.101.102.103")});
    EXPECT_EQ(found.ipv6, QList<QHostAddress>{a("fd7a:115c:a1e0:ab12:4843:cd96:6265:6667")});
    EXPECT_EQ(found.all().size(), 2);
}

TEST(TailnetDiscovery, MacOsUsesAnyUtunAndIsFoundByAddress)
{
    // utun0..3 belong to the system (iCloud Private Relay, Back to My Mac): only their addresses say which.
    const TailnetAddresses found = findTailnetAddresses({
        entry("lo0", "127.0.0.1"), entry("en0", "192.168.0.12"), entry("utun0", "fe80::aa"),
        entry("utun1", "fe80::bb"), entry("utun4", "fd7a:115c:a1e0::9a01:3b2c"), entry("utun4", "100.88.1.7"),
    });
    EXPECT_EQ(found.interfaceName, QStringLiteral("utun4"));
    EXPECT_EQ(found.ipv4, QList<QHostAddress>{a("100.88.1.7")});
    EXPECT_EQ(found.ipv6, QList<QHostAddress>{a("fd7a:115c:a1e0::9a01:3b2c")});
}

TEST(TailnetDiscovery, WindowsAdapterNamedTailscale)
{
    const TailnetAddresses found = findTailnetAddresses({
        entry("Ethernet", "10.0.0.5"), entry("Loopback Pseudo-Interface 1", "::1"),
        entry("Tailscale", "100.70.8.9"), entry("Tailscale", "fd7a:115c:a1e0::1234"),
    });
    EXPECT_EQ(found.interfaceName, QStringLiteral("Tailscale"));
    EXPECT_EQ(found.all(), (QList<QHostAddress>{a("100.70.8.9"), a("fd7a:115c:a1e0::1234")}));
}

TEST(TailnetDiscovery, NothingUntilTheAddressAppearsAndDownInterfacesDoNotCount)
{
    // At boot tailscaled can be "ready" with the interface present but no 100.x address yet.
    EXPECT_TRUE(findTailnetAddresses({entry("lo", "127.0.0.1"), entry("tailscale0", "fe80::3")}).isEmpty());
    EXPECT_TRUE(findTailnetAddresses({entry("tailscale0", "100.101.102.103", false)}).isEmpty());
    EXPECT_TRUE(findTailnetAddresses({}).isEmpty());
    // A CGNAT address from a carrier on another interface is in the range too: found by address,
    // like the real one (the status from the CLI, when present, says which is Tailscale's).
    const TailnetAddresses twice = findTailnetAddresses({entry("tailscale0", "100.101.102.103"),
                                                         entry("tailscale0", "100.101.102.103")});
    EXPECT_EQ(twice.ipv4.size(), 1);
}

TEST(TailscaleStatusJson, ReadsTheFieldsTarnUses)
{
    const QByteArray json = R"({
      "Version": "1.76.6-t1234", "TUN": true, "BackendState": "Running",
      "TailscaleIPs": ["100.101.102.103", "fd7a:115c:a1e0:ab12:4843:cd96:6265:6667"],
      "Self": {"ID": "nABC", "HostName": "gateway", "DNSName": "gateway.tail1234.ts.net.",
               "OS": "linux", "TailscaleIPs": ["100.101.102.103", "fd7a:115c:a1e0:ab12:4843:cd96:6265:6667"],
               "Online": true},
      "MagicDNSSuffix": "tail1234.ts.net",
      "CurrentTailnet": {"Name": "user@example.com", "MagicDNSSuffix": "tail1234.ts.net", "MagicDNSEnabled": true},
      "Peer": {}
    })";
    const auto status = parseTailscaleStatus(json);
    ASSERT_TRUE(status.ok()) << status.error().message.toStdString();
    EXPECT_TRUE(status->running());
    EXPECT_TRUE(status->online);
    EXPECT_EQ(status->dnsName, QStringLiteral("gateway.tail1234.ts.net"));
    EXPECT_EQ(status->magicDnsSuffix, QStringLiteral("tail1234.ts.net"));
    EXPECT_EQ(status->addresses, (QList<QHostAddress>{a("100.101.102.103"), a("fd7a:115c:a1e0:ab12:4843:cd96:6265:6667")}));
}

TEST(TailscaleStatusJson, StoppedOrLoggedOutNodesAndGarbage)
{
    const auto stopped = parseTailscaleStatus(R"({"BackendState":"Stopped","TailscaleIPs":null,"Self":{"DNSName":"","Online":false}})");
    ASSERT_TRUE(stopped.ok());
    EXPECT_FALSE(stopped->running());
    EXPECT_TRUE(stopped->addresses.isEmpty());
    EXPECT_TRUE(stopped->dnsName.isEmpty());

    const auto older = parseTailscaleStatus(R"({"BackendState":"NeedsLogin","MagicDNSSuffix":"x.ts.net","TailscaleIPs":["100.64.0.9","nonsense"]})");
    ASSERT_TRUE(older.ok());
    EXPECT_EQ(older->magicDnsSuffix, QStringLiteral("x.ts.net"));
    EXPECT_EQ(older->addresses, QList<QHostAddress>{a("100.64.0.9")});

    for (const char *bad : {"", "not json", "[]", "{}", R"({"BackendState": 3})", "{\"BackendState\":\"Running\""})
        EXPECT_FALSE(parseTailscaleStatus(QByteArray(bad)).ok()) << bad;
}

TEST(PeerFilter, EachModeLetsInWhomItSays)
{
    const QHostAddress loopback4 = a("127.0.0.1"), loopback6 = a("::1"), mapped = a("::ffff:127.0.0.1");
    const QHostAddress tailnet = a("100.101.102.103"), tailnet6 = a("fd7a:115c:a1e0::5"), tailnetMapped = a("::ffff:100.90.1.1");
    const QHostAddress lan = a("192.168.1.30"), lanMapped = a("::ffff:192.168.1.30"), chromeOs = a("100.115.92.5");

    for (const QHostAddress &peer : {loopback4, loopback6, mapped}) {
        EXPECT_TRUE(peerAllowed(ExposeMode::Loopback, peer)) << peer.toString().toStdString();
        EXPECT_TRUE(peerAllowed(ExposeMode::Tailscale, peer)) << peer.toString().toStdString();
        EXPECT_TRUE(peerAllowed(ExposeMode::All, peer)) << peer.toString().toStdString();
    }
    for (const QHostAddress &peer : {tailnet, tailnet6, tailnetMapped}) {
        EXPECT_FALSE(peerAllowed(ExposeMode::Loopback, peer)) << peer.toString().toStdString();
        EXPECT_TRUE(peerAllowed(ExposeMode::Tailscale, peer)) << peer.toString().toStdString();
        EXPECT_TRUE(peerAllowed(ExposeMode::All, peer)) << peer.toString().toStdString();
    }
    for (const QHostAddress &peer : {lan, lanMapped, chromeOs, QHostAddress()}) {
        EXPECT_FALSE(peerAllowed(ExposeMode::Loopback, peer)) << peer.toString().toStdString();
        EXPECT_FALSE(peerAllowed(ExposeMode::Tailscale, peer)) << peer.toString().toStdString();
    }
    EXPECT_TRUE(peerAllowed(ExposeMode::All, lan));
}

TEST(ExposePlan, EachModeListensWhereItSays)
{
    const QList<InterfaceAddress> linux = {entry("lo", "127.0.0.1"), entry("lo", "::1"), entry("eth0", "192.168.1.20"),
                                           entry("tailscale0", "100.101.102.103"), entry("tailscale0", "fd7a:115c:a1e0::7")};
    using L = QList<ListenAddress>;
    const auto at = [](const char *host) { return ListenAddress{QString::fromLatin1(host), 8276}; };
    EXPECT_EQ(exposeAddresses(ExposeMode::Loopback, 8276, linux), (L{at("127.0.0.1"), at("::1")}));
    EXPECT_EQ(exposeAddresses(ExposeMode::Tailscale, 8276, linux),
              (L{at("127.0.0.1"), at("::1"), at("100.101.102.103"), at("fd7a:115c:a1e0::7")}));
    EXPECT_EQ(exposeAddresses(ExposeMode::All, 8276, linux), L{at("*")});

    // No IPv6 on the host: loopback is 127.0.0.1 alone, so start-up does not fail on ::1.
    const QList<InterfaceAddress> v4only = {entry("lo", "127.0.0.1"), entry("tailscale0", "100.101.102.103")};
    EXPECT_EQ(exposeAddresses(ExposeMode::Loopback, 8276, v4only), L{at("127.0.0.1")});
    EXPECT_EQ(exposeAddresses(ExposeMode::Tailscale, 8276, v4only), (L{at("127.0.0.1"), at("100.101.102.103")}));
    // Tailscale not up yet: loopback only, and the port is kept for when it comes.
    EXPECT_EQ(exposeAddresses(ExposeMode::Tailscale, 8276, {entry("lo", "127.0.0.1")}), L{at("127.0.0.1")});
}

TEST(ExposeModeNames, RoundTripAndRejectOthers)
{
    for (const ExposeMode mode : {ExposeMode::Loopback, ExposeMode::Tailscale, ExposeMode::All})
        EXPECT_EQ(exposeModeFromString(exposeModeName(mode)), mode);
    for (const char *bad : {"", "Loopback", "tailnet", "all ", "lan"})
        EXPECT_FALSE(exposeModeFromString(QString::fromLatin1(bad)).has_value()) << bad;
}

} // namespace
