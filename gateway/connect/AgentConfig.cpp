// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/connect/AgentConfig.h"

#include <QDir>
#include <QRegularExpression>
#include <QProcessEnvironment>
#include <QUrl>

namespace tarn::gateway::connect {

QStringList agentIds()
{
    return {QStringLiteral("claude-code"), QStringLiteral("codex"), QStringLiteral("gemini-cli"), QStringLiteral("qwen-code")};
}

std::vector<std::unique_ptr<AgentConfig>> createAgentConfigs(const AgentHome &home)
{
    std::vector<std::unique_ptr<AgentConfig>> agents;
    for (const QString &id : agentIds())
        agents.push_back(createAgentConfig(id, home));
    return agents;
}

AgentHome agentHomeFromEnvironment(const QString &homeOverride)
{
    AgentHome home;
    if (!homeOverride.isEmpty()) {
        home.home = QDir(homeOverride).absolutePath();
        return home;
    }
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    home.home = QDir::homePath();
    home.codexHome = env.value(QStringLiteral("CODEX_HOME"));
    home.geminiHome = env.value(QStringLiteral("GEMINI_CLI_HOME"));
    return home;
}

QString normaliseRootUrl(const QString &url)
{
    QString root = url.trimmed();
    while (root.endsWith(u'/'))
        root.chop(1);
    if (root.endsWith(QStringLiteral("/v1")))
        root.chop(3);
    while (root.endsWith(u'/'))
        root.chop(1);
    return root;
}

Status validateRootUrl(const QString &url)
{
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid() || (parsed.scheme() != u"http" && parsed.scheme() != u"https") || parsed.host().isEmpty())
        return Error::invalid(QStringLiteral("bad URL '%1' (expected http://HOST:PORT)").arg(url));
    if (parsed.hasQuery() || parsed.hasFragment() || !parsed.userInfo().isEmpty())
        return Error::invalid(QStringLiteral("bad URL '%1': no user, query or fragment").arg(url));
    return {};
}

bool isLoopbackUrl(const QString &url)
{
    const QString host = QUrl(url).host();
    if (host.compare(QStringLiteral("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    // QtCore only (no QHostAddress): 127.0.0.0/8 written as four numbers, and ::1.
    static const QRegularExpression ipv4Loopback(QStringLiteral("^127(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$"));
    return host == u"::1" || ipv4Loopback.match(host).hasMatch();
}

} // namespace tarn::gateway::connect
