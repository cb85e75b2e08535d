// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Setting an agent up the way `tarn connect --apply` and the desktop's "Connect a client" window
// both do it: a key when one is needed, the config written with its backup, the key taken back
// when the write fails. And the snippets for clients Tarn does not configure itself.
#include "gateway/connect/AgentConfig.h"
#include "gateway/connect/ConfigWriter.h"

namespace tarn::gateway {
class Database;
class ClientKeyRepository;
}

namespace tarn::gateway::connect {

struct SetupOutcome
{
    ApplyOutcome written;
    QString rootUrl;
    QString createdKeyName; // empty when no key was made (none needed, or the agent's was kept)
};

// A name for a key made for base: base itself, or base-2, base-3… when taken.
QString freeKeyName(ClientKeyRepository &keys, const QString &base);

// Points agent at target.rootUrl. With keyName, or when the agent or a non-loopback URL needs a
// key, a client key is made (named keyName, else after the agent), unless the agent already sends
// a Tarn key to that URL and no keyName was given. A config Tarn cannot edit is refused before any
// key is made; a key made for a write that then fails is revoked.
Result<SetupOutcome> setUpAgent(Database &db, const AgentConfig &agent, ConnectTarget target, const QString &keyName,
                                const QString &backupRoot);

// What the agent's files say now, in a line: "uses Tarn at http://…, key tarn-ab12…", "not using
// Tarn", "uses another gateway, …", or "cannot tell: <why>".
QString describeConnection(const AgentConfig &agent, const QString &rootUrl);

// A client Tarn does not configure itself: what to type where.
struct ClientSnippet
{
    QString id;   // "cline", "cherry-studio", "cursor", "curl"
    QString name; // "Cline / Roo Code"
    QString text;
};
// Cline / Roo Code, Cherry Studio, Cursor and curl, for a Tarn at rootUrl with key (may be empty).
QList<ClientSnippet> otherClientSnippets(const QString &rootUrl, const QString &key);

// What the phone's QR code holds: {"base_url": "<root>/v1", "api_key": "<key>"}, compact JSON.
QByteArray connectionQrPayload(const QString &rootUrl, const QString &key);

} // namespace tarn::gateway::connect
