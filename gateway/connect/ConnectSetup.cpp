// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/connect/ConnectSetup.h"

#include "gateway/core/ClientKey.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace tarn::gateway::connect {

QString freeKeyName(ClientKeyRepository &keys, const QString &base)
{
    QString name = base;
    for (int n = 2; keys.findByName(name).ok(); ++n)
        name = QStringLiteral("%1-%2").arg(base).arg(n);
    return name;
}

Result<SetupOutcome> setUpAgent(Database &db, const AgentConfig &agent, ConnectTarget target, const QString &keyName,
                                const QString &backupRoot)
{
    const Result<FileContents> files = ConfigWriter::read(agent);
    if (!files)
        return files.error();
    // A dry run with a stand-in key: a config Tarn cannot edit must not cost the user a new key.
    ConnectTarget trial = target;
    trial.key = QStringLiteral("tarn-trial");
    if (Result<QList<QByteArray>> plan = agent.plan(*files, trial); !plan)
        return plan.error();

    SetupOutcome outcome;
    outcome.rootUrl = target.rootUrl;
    ClientKeyRepository keys(db);
    const bool needsKey = agent.needsKey() || !isLoopbackUrl(target.rootUrl);
    if (!keyName.isEmpty() || needsKey) {
        const Result<AgentConnection> now = agent.inspect(*files);
        if (keyName.isEmpty() && now && now->rootUrl == target.rootUrl && now->key.startsWith(QStringLiteral("tarn-"))) {
            target.key = now->key; // already set up with a Tarn key: keep it rather than make another
        } else {
            ClientKey key;
            key.name = keyName.isEmpty() ? freeKeyName(keys, agent.id()) : keyName;
            Result<QString> plaintext = keys.create(key);
            if (!plaintext)
                return plaintext.error();
            target.key = *plaintext;
            outcome.createdKeyName = key.name;
        }
    }
    const Result<ApplyOutcome> written = ConfigWriter(backupRoot).apply(agent, target);
    if (!written) {
        if (!outcome.createdKeyName.isEmpty())
            (void)keys.revoke(outcome.createdKeyName); // unused: do not leave a live key behind
        return written.error();
    }
    outcome.written = *written;
    return outcome;
}

QString describeConnection(const AgentConfig &agent, const QString &rootUrl)
{
    const Result<FileContents> files = ConfigWriter::read(agent);
    if (!files)
        return QStringLiteral("cannot tell: %1").arg(files.error().message);
    const Result<AgentConnection> now = agent.inspect(*files);
    if (!now)
        return QStringLiteral("cannot tell: %1").arg(now.error().message);
    if (now->rootUrl.isEmpty())
        return QStringLiteral("not using Tarn");
    QString text = now->rootUrl == rootUrl ? QStringLiteral("uses Tarn at %1").arg(now->rootUrl)
                                           : QStringLiteral("uses another gateway, %1").arg(now->rootUrl);
    if (!now->key.isEmpty()) // the prefix 'tarn key list' shows, enough to tell which key it is
        text += QStringLiteral(", key %1…").arg(now->key.left(9));
    if (!now->model.isEmpty())
        text += QStringLiteral(", model %1").arg(now->model);
    return text;
}

QList<ClientSnippet> otherClientSnippets(const QString &rootUrl, const QString &key)
{
    const QString base = rootUrl + QStringLiteral("/v1");
    const QString shownKey = key.isEmpty() ? QStringLiteral("<a Tarn client key>") : key;
    QList<ClientSnippet> snippets;
    snippets.append({QStringLiteral("cline"), QStringLiteral("Cline / Roo Code"),
                     QStringLiteral("API Provider: OpenAI Compatible\nBase URL: %1\nAPI Key: %2\nModel ID: a model Tarn serves "
                                    "(GET %1/models)")
                         .arg(base, shownKey)});
    snippets.append({QStringLiteral("cherry-studio"), QStringLiteral("Cherry Studio"),
                     QStringLiteral("Settings → Model Provider → Add: type OpenAI\nAPI Host: %1/\nAPI Key: %2\n"
                                    "Manage → fetch the model list")
                         .arg(rootUrl, shownKey)});
    snippets.append({QStringLiteral("cursor"), QStringLiteral("Cursor"),
                     QStringLiteral("Settings → Models → OpenAI API Key: %2\nOverride OpenAI Base URL: %1\n"
                                    "Cursor calls from its own servers: the URL must be reachable from the internet "
                                    "(tailscale funnel), never a tailnet or loopback address.")
                         .arg(base, shownKey)});
    QString curl = QStringLiteral("curl %1/chat/completions \\\n  -H 'Content-Type: application/json' \\\n").arg(base);
    if (!key.isEmpty())
        curl += QStringLiteral("  -H 'Authorization: Bearer %1' \\\n").arg(key);
    curl += QStringLiteral("  -d '{\"model\": \"MODEL\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}'");
    snippets.append({QStringLiteral("curl"), QStringLiteral("curl"), curl});
    return snippets;
}

QByteArray connectionQrPayload(const QString &rootUrl, const QString &key)
{
    QJsonObject payload;
    payload.insert(QStringLiteral("base_url"), QString(rootUrl + QStringLiteral("/v1")));
    payload.insert(QStringLiteral("api_key"), key);
    return QJsonDocument(payload).toJson(QJsonDocument::Compact);
}

} // namespace tarn::gateway::connect
