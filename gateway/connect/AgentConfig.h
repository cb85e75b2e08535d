// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace tarn::gateway::connect {

// Where Tarn is and what to use it with.
struct ConnectTarget
{
    QString rootUrl; // "http://127.0.0.1:8276": no trailing slash and no /v1
    QString key;     // a client key; empty sends none (Tarn lets loopback clients omit it)
    QString model;   // empty leaves the agent's own model choice alone
};

// What an agent's configuration points at now, as far as Tarn is concerned.
struct AgentConnection
{
    QString rootUrl; // normalised like ConnectTarget::rootUrl; empty when it does not use a gateway
    QString key;     // the key it sends, empty when none
    QString model;
};

// The bytes of each of an agent's config files (AgentConfig::configFiles order); nullopt when the
// file does not exist.
using FileContents = QList<std::optional<QByteArray>>;

// Larger config files are refused rather than parsed: no agent writes settings this big.
inline constexpr qint64 kMaxConfigFileBytes = 4 * 1024 * 1024;

// Where the agents keep their configuration: a home directory, and the agents' own overrides of it.
struct AgentHome
{
    QString home;       // the user's home directory
    QString codexHome;  // $CODEX_HOME; empty: <home>/.codex
    QString geminiHome; // $GEMINI_CLI_HOME (the folder holding .gemini); empty: <home>
};

// One coding agent's configuration, read and rewritten as pure functions over file contents so
// every edit is testable without a filesystem; ConfigWriter does the reading, backup and writing.
class AgentConfig
{
public:
    virtual ~AgentConfig() = default;

    virtual QString id() const = 0;          // "claude-code", as the command line names it
    virtual QString displayName() const = 0; // "Claude Code"
    // Absolute paths of the files Tarn edits, in a fixed order.
    virtual QStringList configFiles() const = 0;
    // The agent will not start (or not authenticate) without some key, even against loopback.
    virtual bool needsKey() const = 0;
    // The new contents of every file in configFiles(); a file whose contents stay equal is left
    // alone. Fails (InvalidArgument) on a file it cannot read safely; nothing is written then.
    virtual Result<QList<QByteArray>> plan(const FileContents &current, const ConnectTarget &target) const = 0;
    // What the files configure now; fails like plan on a file it cannot read.
    virtual Result<AgentConnection> inspect(const FileContents &current) const = 0;
    // What to write by hand, for people who would rather: the keys and values, with the key.
    virtual QString snippet(const ConnectTarget &target) const = 0;
    // Things to tell the user after writing (where the file must be read from, what overrides it).
    virtual QStringList notes() const { return {}; }
};

// The four agents Tarn knows, in a fixed order.
std::vector<std::unique_ptr<AgentConfig>> createAgentConfigs(const AgentHome &home);
// One of them by id; nullptr when the id is unknown.
std::unique_ptr<AgentConfig> createAgentConfig(const QString &id, const AgentHome &home);
QStringList agentIds();

// The agents' homes from the environment ($HOME, $CODEX_HOME, $GEMINI_CLI_HOME), or, when
// homeOverride is set, everything under it and the environment's overrides ignored.
AgentHome agentHomeFromEnvironment(const QString &homeOverride = {});

// "http://HOST:PORT" with any trailing slash and "/v1" removed.
QString normaliseRootUrl(const QString &url);
// Checks a URL the user gave for Tarn: http(s), a host, no query or fragment.
Status validateRootUrl(const QString &url);
// The host is 127.0.0.0/8, ::1 or localhost: Tarn accepts a client there without a key.
bool isLoopbackUrl(const QString &url);

} // namespace tarn::gateway::connect
