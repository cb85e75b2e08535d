// SPDX-License-Identifier: GPL-3.0-or-later
// The four agents. File locations and keys, and where they come from:
// - Claude Code: ~/.claude/settings.json "env" (ANTHROPIC_BASE_URL, ANTHROPIC_AUTH_TOKEN sent as
//   Bearer, ANTHROPIC_MODEL and ANTHROPIC_DEFAULT_{OPUS,SONNET,HAIKU}_MODEL): Claude Code's
//   settings and model-configuration docs, and shared/CLIENTS.md.
// - Codex CLI: $CODEX_HOME/config.toml (default ~/.codex), model_provider and
//   [model_providers.<id>] with base_url, wire_api = "responses", experimental_bearer_token:
//   developers.openai.com/codex config reference and sample.
// - Gemini CLI: ~/.gemini/.env (GOOGLE_GEMINI_BASE_URL, GEMINI_API_KEY; GEMINI_CLI_HOME moves the
//   folder) and ~/.gemini/settings.json security.auth.selectedType = "gemini-api-key", model.name:
//   gemini-cli docs/reference/configuration.md.
// - Qwen Code: ~/.qwen/.env (OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL) and
//   ~/.qwen/settings.json security.auth.selectedType = "openai", model.name: Qwen Code's
//   authentication and settings docs.
#include "gateway/connect/AgentConfig.h"
#include "gateway/connect/CodexToml.h"
#include "gateway/connect/EnvFile.h"
#include "gateway/connect/JsonSettings.h"

#include <QDir>
#include <QJsonDocument>

namespace tarn::gateway::connect {

namespace {

QString keyOrPlaceholder(const ConnectTarget &target)
{
    return target.key.isEmpty() ? QStringLiteral("<a Tarn client key>") : target.key;
}

class ClaudeCodeConfig final : public AgentConfig
{
public:
    explicit ClaudeCodeConfig(const AgentHome &home) : m_path(QDir(home.home).filePath(QStringLiteral(".claude/settings.json"))) {}

    QString id() const override { return QStringLiteral("claude-code"); }
    QString displayName() const override { return QStringLiteral("Claude Code"); }
    QStringList configFiles() const override { return {m_path}; }
    bool needsKey() const override { return true; }

    Result<QList<QByteArray>> plan(const FileContents &current, const ConnectTarget &target) const override
    {
        Result<JsonSettings> settings = JsonSettings::parse(current.value(0), m_path);
        if (!settings)
            return settings.error();
        for (const auto &[name, value] : variables(target)) {
            if (Status s = settings->set({QStringLiteral("env"), name}, value); !s)
                return s.error();
        }
        return QList<QByteArray>{settings->serialise()};
    }

    Result<AgentConnection> inspect(const FileContents &current) const override
    {
        Result<JsonSettings> settings = JsonSettings::parse(current.value(0), m_path);
        if (!settings)
            return settings.error();
        const auto env = [&](const char *name) { return settings->get({QStringLiteral("env"), QString::fromLatin1(name)}).toString(); };
        AgentConnection connection;
        connection.rootUrl = normaliseRootUrl(env("ANTHROPIC_BASE_URL"));
        connection.key = env("ANTHROPIC_AUTH_TOKEN");
        if (connection.key.isEmpty())
            connection.key = env("ANTHROPIC_API_KEY");
        connection.model = env("ANTHROPIC_MODEL");
        return connection;
    }

    QString snippet(const ConnectTarget &target) const override
    {
        QJsonObject env;
        for (const auto &[name, value] : variables(target))
            env.insert(name, value);
        if (target.key.isEmpty())
            env.insert(QStringLiteral("ANTHROPIC_AUTH_TOKEN"), keyOrPlaceholder(target));
        return QStringLiteral("%1, merged into \"env\":\n").arg(m_path)
               + QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("env"), env}}).toJson(QJsonDocument::Indented));
    }

private:
    static QList<std::pair<QString, QString>> variables(const ConnectTarget &target)
    {
        // The root URL: Claude Code appends /v1/messages itself.
        QList<std::pair<QString, QString>> vars{{QStringLiteral("ANTHROPIC_BASE_URL"), target.rootUrl}};
        // AUTH_TOKEN goes out as "Authorization: Bearer", which Tarn reads first.
        if (!target.key.isEmpty())
            vars.append({QStringLiteral("ANTHROPIC_AUTH_TOKEN"), target.key});
        if (!target.model.isEmpty()) {
            // Every tier: Claude Code's background calls go to the Haiku tier, which a gateway
            // without that model would refuse.
            for (const char *name : {"ANTHROPIC_MODEL", "ANTHROPIC_DEFAULT_OPUS_MODEL", "ANTHROPIC_DEFAULT_SONNET_MODEL",
                                     "ANTHROPIC_DEFAULT_HAIKU_MODEL"})
                vars.append({QString::fromLatin1(name), target.model});
        }
        return vars;
    }

    QString m_path;
};

class CodexConfig final : public AgentConfig
{
public:
    explicit CodexConfig(const AgentHome &home)
        : m_path(QDir(home.codexHome.isEmpty() ? QDir(home.home).filePath(QStringLiteral(".codex")) : home.codexHome)
                     .filePath(QStringLiteral("config.toml")))
    {
    }

    QString id() const override { return QStringLiteral("codex"); }
    QString displayName() const override { return QStringLiteral("Codex CLI"); }
    QStringList configFiles() const override { return {m_path}; }
    bool needsKey() const override { return false; } // no env_key: Codex sends no Authorization header

    Result<QList<QByteArray>> plan(const FileContents &current, const ConnectTarget &target) const override
    {
        Result<QByteArray> text = codex::plan(current.value(0), target, m_path);
        if (!text)
            return text.error();
        return QList<QByteArray>{*text};
    }

    Result<AgentConnection> inspect(const FileContents &current) const override
    {
        Result<AgentConnection> connection = codex::inspect(current.value(0), m_path);
        if (connection && !current.value(0))
            connection->rootUrl.clear();
        return connection;
    }

    QString snippet(const ConnectTarget &target) const override
    {
        QString text = QStringLiteral("%1 (the root keys go above the first table):\n").arg(m_path);
        text += QStringLiteral("model_provider = \"tarn\"\n");
        if (!target.model.isEmpty())
            text += QStringLiteral("model = %1\n").arg(codex::tomlString(target.model));
        return text + u'\n' + codex::providerTable(target);
    }

    QStringList notes() const override
    {
        return {QStringLiteral("Codex reads config.toml when it starts: restart running sessions.")};
    }

private:
    QString m_path;
};

// Gemini CLI and Qwen Code (a fork of it) share the shape: a .env beside a settings.json.
class DotEnvAgentConfig : public AgentConfig
{
public:
    DotEnvAgentConfig(const QString &folder, QString authType) : m_folder(folder), m_authType(std::move(authType)) {}

private:
    using Files = std::pair<EnvFile, JsonSettings>; // .env and settings.json
    Result<Files> parse(const FileContents &current) const
    {
        const QStringList files = configFiles();
        Result<EnvFile> env = EnvFile::parse(current.value(0), files.at(0));
        if (!env)
            return env.error();
        Result<JsonSettings> settings = JsonSettings::parse(current.value(1), files.at(1));
        if (!settings)
            return settings.error();
        return Files{std::move(*env), std::move(*settings)};
    }

public:

    QStringList configFiles() const override
    {
        return {QDir(m_folder).filePath(QStringLiteral(".env")), QDir(m_folder).filePath(QStringLiteral("settings.json"))};
    }
    bool needsKey() const override { return true; }

    Result<QList<QByteArray>> plan(const FileContents &current, const ConnectTarget &target) const override
    {
        Result<Files> parsed = parse(current);
        if (!parsed)
            return parsed.error();
        auto &[env, settings] = *parsed;
        for (const auto &[name, value] : variables(target))
            env.set(name, value);
        if (Status s = settings.set({QStringLiteral("security"), QStringLiteral("auth"), QStringLiteral("selectedType")}, m_authType); !s)
            return s.error();
        if (!target.model.isEmpty()) {
            if (Status s = settings.set({QStringLiteral("model"), QStringLiteral("name")}, target.model); !s)
                return s.error();
        }
        return QList<QByteArray>{env.serialise(), settings.serialise()};
    }

    Result<AgentConnection> inspect(const FileContents &current) const override
    {
        Result<Files> parsed = parse(current);
        if (!parsed)
            return parsed.error();
        const auto &[env, settings] = *parsed;
        AgentConnection connection;
        connection.rootUrl = normaliseRootUrl(env.value(baseUrlVariable()));
        connection.key = env.value(keyVariable());
        connection.model = settings.get({QStringLiteral("model"), QStringLiteral("name")}).toString();
        return connection;
    }

    QString snippet(const ConnectTarget &target) const override
    {
        const QStringList files = configFiles();
        QString text = files.at(0) + QStringLiteral(":\n");
        for (const auto &[name, value] : variables(target))
            text += name + u'=' + value + u'\n';
        if (target.key.isEmpty())
            text += keyVariable() + u'=' + keyOrPlaceholder(target) + u'\n';
        QJsonObject settings{{QStringLiteral("security"),
                              QJsonObject{{QStringLiteral("auth"), QJsonObject{{QStringLiteral("selectedType"), m_authType}}}}}};
        if (!target.model.isEmpty())
            settings.insert(QStringLiteral("model"), QJsonObject{{QStringLiteral("name"), target.model}});
        return text + u'\n' + files.at(1) + QStringLiteral(", merged in:\n")
               + QString::fromUtf8(QJsonDocument(settings).toJson(QJsonDocument::Indented));
    }

    QStringList notes() const override
    {
        return {QStringLiteral("%1 loads only the first .env it finds, starting from the working directory: in a project "
                               "with its own .env, put these variables there too or export them.")
                    .arg(displayName())};
    }

protected:
    virtual QString baseUrlVariable() const = 0;
    virtual QString keyVariable() const = 0;
    virtual QList<std::pair<QString, QString>> variables(const ConnectTarget &target) const = 0;

private:
    QString m_folder;
    QString m_authType;
};

class GeminiCliConfig final : public DotEnvAgentConfig
{
public:
    explicit GeminiCliConfig(const AgentHome &home)
        : DotEnvAgentConfig(QDir(home.geminiHome.isEmpty() ? home.home : home.geminiHome).filePath(QStringLiteral(".gemini")),
                            QStringLiteral("gemini-api-key"))
    {
    }

    QString id() const override { return QStringLiteral("gemini-cli"); }
    QString displayName() const override { return QStringLiteral("Gemini CLI"); }

protected:
    QString baseUrlVariable() const override { return QStringLiteral("GOOGLE_GEMINI_BASE_URL"); }
    QString keyVariable() const override { return QStringLiteral("GEMINI_API_KEY"); }
    QList<std::pair<QString, QString>> variables(const ConnectTarget &target) const override
    {
        // The root URL: the Gemini SDK appends /v1beta/models/… itself. The key goes out as
        // x-goog-api-key, which Tarn reads.
        QList<std::pair<QString, QString>> vars{{baseUrlVariable(), target.rootUrl}};
        if (!target.key.isEmpty())
            vars.append({keyVariable(), target.key});
        return vars;
    }
};

class QwenCodeConfig final : public DotEnvAgentConfig
{
public:
    explicit QwenCodeConfig(const AgentHome &home)
        : DotEnvAgentConfig(QDir(home.home).filePath(QStringLiteral(".qwen")), QStringLiteral("openai"))
    {
    }

    QString id() const override { return QStringLiteral("qwen-code"); }
    QString displayName() const override { return QStringLiteral("Qwen Code"); }

protected:
    QString baseUrlVariable() const override { return QStringLiteral("OPENAI_BASE_URL"); }
    QString keyVariable() const override { return QStringLiteral("OPENAI_API_KEY"); }
    QList<std::pair<QString, QString>> variables(const ConnectTarget &target) const override
    {
        // The OpenAI SDK wants the base with /v1 and appends /chat/completions.
        QList<std::pair<QString, QString>> vars{{baseUrlVariable(), target.rootUrl + QStringLiteral("/v1")}};
        if (!target.key.isEmpty())
            vars.append({keyVariable(), target.key});
        if (!target.model.isEmpty())
            vars.append({QStringLiteral("OPENAI_MODEL"), target.model});
        return vars;
    }
};

} // namespace

std::unique_ptr<AgentConfig> createAgentConfig(const QString &id, const AgentHome &home)
{
    if (id == u"claude-code")
        return std::make_unique<ClaudeCodeConfig>(home);
    if (id == u"codex")
        return std::make_unique<CodexConfig>(home);
    if (id == u"gemini-cli")
        return std::make_unique<GeminiCliConfig>(home);
    if (id == u"qwen-code")
        return std::make_unique<QwenCodeConfig>(home);
    return nullptr;
}

} // namespace tarn::gateway::connect
