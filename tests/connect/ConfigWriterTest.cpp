// SPDX-License-Identifier: GPL-3.0-or-later
// Each agent's files written into a temporary home, read back, and undone.
#include "ConnectTestSupport.h"

#include <QJsonArray>

#include <toml++/toml.h>

using namespace tarn::gateway;
using namespace tarn::gateway::connect;
using namespace tarn::gateway::test;

namespace {

toml::table parseToml(const QByteArray &bytes)
{
    try {
        return toml::parse(std::string_view(bytes.constData(), size_t(bytes.size())));
    } catch (const toml::parse_error &error) {
        ADD_FAILURE() << "not TOML: " << error.description();
        return {};
    }
}

using ConfigWriterTest = ConnectTest;

const QByteArray kClaudeSettings = R"json({
  "theme": "dark",
  "env": {"FOO": "bar", "ANTHROPIC_BASE_URL": "https://api.anthropic.com"},
  "permissions": {"allow": ["Bash(ls:*)"], "deny": []},
  "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "echo hi"}]}]}
}
)json";

TEST_F(ConfigWriterTest, ClaudeCodeWritesEnvKeepsTheRestAndUndoRestoresTheBytes)
{
    const QString path = inHome(s(".claude/settings.json"));
    writeBytes(path, kClaudeSettings);
    QFile::setPermissions(path, kOwnerOnly | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    const auto claude = agent("claude-code");
    ASSERT_EQ(claude->configFiles(), QStringList{path});

    const Result<ApplyOutcome> applied = writer().apply(*claude, target(s("tarn-abc"), s("glm-4.6")));
    ASSERT_TRUE(applied.ok()) << applied.error().message.toStdString();
    EXPECT_EQ(applied->changedFiles, QStringList{path});
    const QJsonObject settings = readJson(path);
    const QJsonObject env = settings.value(s("env")).toObject();
    EXPECT_EQ(env.value(s("ANTHROPIC_BASE_URL")).toString(), s("http://127.0.0.1:8276"));
    EXPECT_EQ(env.value(s("ANTHROPIC_AUTH_TOKEN")).toString(), s("tarn-abc"));
    for (const char *name : {"ANTHROPIC_MODEL", "ANTHROPIC_DEFAULT_OPUS_MODEL", "ANTHROPIC_DEFAULT_SONNET_MODEL", "ANTHROPIC_DEFAULT_HAIKU_MODEL"})
        EXPECT_EQ(env.value(QString::fromLatin1(name)).toString(), s("glm-4.6")) << name;
    EXPECT_EQ(env.value(s("FOO")).toString(), s("bar"));
    const QJsonObject original = QJsonDocument::fromJson(kClaudeSettings).object();
    for (const char *key : {"theme", "permissions", "hooks"})
        EXPECT_EQ(settings.value(QString::fromLatin1(key)), original.value(QString::fromLatin1(key))) << key;
    EXPECT_EQ(settings.size(), original.size());
    EXPECT_EQ(unixPermissions(path), kOwnerOnly); // it holds the key now

    const Result<FileContents> now = ConfigWriter::read(*claude);
    const Result<AgentConnection> connection = claude->inspect(*now);
    EXPECT_EQ(connection->rootUrl, s("http://127.0.0.1:8276"));
    EXPECT_EQ(connection->key, s("tarn-abc"));
    EXPECT_EQ(connection->model, s("glm-4.6"));

    const Result<UndoOutcome> undone = writer().undo(*claude);
    ASSERT_TRUE(undone.ok()) << undone.error().message.toStdString();
    EXPECT_EQ(undone->restoredFiles, QStringList{path});
    EXPECT_EQ(readBytes(path), kClaudeSettings);
    EXPECT_EQ(unixPermissions(path), kOwnerOnly | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    EXPECT_FALSE(writer().canUndo(*claude));
    EXPECT_EQ(writer().undo(*claude).error().code, ErrorCode::NotFound);
}

TEST_F(ConfigWriterTest, CodexKeepsCommentsAndTablesAndUndoRestoresTheBytes)
{
    const QByteArray config = "# mine\nmodel = \"gpt-5.5\"\n\n[features]\nplugins = false # no GitHub look-ups\n\n"
                              "[model_providers.azure]\nbase_url = \"https://x.openai.azure.com/openai\"\nenv_key = \"AZURE\"\n";
    const QString path = inHome(s(".codex/config.toml"));
    writeBytes(path, config);
    QFile::setPermissions(path, kOwnerOnly | QFileDevice::ReadGroup);
    const auto codex = agent("codex");
    ASSERT_EQ(codex->configFiles(), QStringList{path});

    // Without a key the file holds no secret and keeps its permissions.
    ASSERT_TRUE(writer().apply(*codex, target({})).ok());
    EXPECT_EQ(unixPermissions(path), kOwnerOnly | QFileDevice::ReadGroup);
    ASSERT_TRUE(writer().apply(*codex, target(s("tarn-k1"))).ok());
    const QByteArray written = readBytes(path).value();
    const toml::table table = parseToml(written);
    EXPECT_EQ(table["model_provider"].value_or(std::string()), "tarn");
    EXPECT_EQ(table["model"].value_or(std::string()), "gpt-5.5");
    EXPECT_EQ(table["model_providers"]["tarn"]["base_url"].value_or(std::string()), "http://127.0.0.1:8276/v1");
    EXPECT_EQ(table["model_providers"]["tarn"]["experimental_bearer_token"].value_or(std::string()), "tarn-k1");
    EXPECT_EQ(table["model_providers"]["azure"]["env_key"].value_or(std::string()), "AZURE");
    EXPECT_EQ(table["features"]["plugins"].value_or(true), false);
    EXPECT_TRUE(written.contains("# mine\n"));
    EXPECT_TRUE(written.contains("# no GitHub look-ups"));
    EXPECT_EQ(unixPermissions(path), kOwnerOnly);

    ASSERT_TRUE(writer().undo(*codex).ok());
    EXPECT_EQ(readBytes(path), config); // the first backup, from before the keyless apply
    EXPECT_EQ(unixPermissions(path), kOwnerOnly | QFileDevice::ReadGroup);
}

TEST_F(ConfigWriterTest, CodexHonoursCodexHome)
{
    const QString codexHome = m_dir.filePath(s("elsewhere/codex"));
    const auto codex = createAgentConfig(s("codex"), AgentHome{home(), codexHome, {}});
    EXPECT_EQ(codex->configFiles(), QStringList{codexHome + s("/config.toml")});
    ASSERT_TRUE(writer().apply(*codex, target()).ok());
    EXPECT_TRUE(QFileInfo::exists(codexHome + s("/config.toml")));
    EXPECT_FALSE(QFileInfo::exists(inHome(s(".codex"))));
}

TEST_F(ConfigWriterTest, GeminiCliWritesEnvAndSettingsKeepingOtherLines)
{
    const QByteArray envFile = "# personal\nGOOGLE_CLOUD_PROJECT=mine\nGEMINI_API_KEY=AIza-old\n";
    const QByteArray settingsFile = R"({"ui": {"theme": "GitHub"}, "security": {"folderTrust": {"enabled": true}, "auth": {"selectedType": "oauth-personal"}}})";
    writeBytes(inHome(s(".gemini/.env")), envFile);
    writeBytes(inHome(s(".gemini/settings.json")), settingsFile);
    const auto gemini = agent("gemini-cli");
    ASSERT_TRUE(writer().apply(*gemini, target(s("tarn-g"), s("gemini-2.5-flash"))).ok());

    EXPECT_EQ(readBytes(inHome(s(".gemini/.env"))).value(),
              QByteArray("# personal\nGOOGLE_CLOUD_PROJECT=mine\nGEMINI_API_KEY=tarn-g\nGOOGLE_GEMINI_BASE_URL=http://127.0.0.1:8276\n"));
    EXPECT_EQ(unixPermissions(inHome(s(".gemini/.env"))), kOwnerOnly);
    const QJsonObject settings = readJson(inHome(s(".gemini/settings.json")));
    const QJsonObject security = settings.value(s("security")).toObject();
    EXPECT_EQ(security.value(s("auth")).toObject().value(s("selectedType")).toString(), s("gemini-api-key"));
    EXPECT_TRUE(security.value(s("folderTrust")).toObject().value(s("enabled")).toBool());
    EXPECT_EQ(settings.value(s("ui")).toObject().value(s("theme")).toString(), s("GitHub"));
    EXPECT_EQ(settings.value(s("model")).toObject().value(s("name")).toString(), s("gemini-2.5-flash"));

    const Result<AgentConnection> now = gemini->inspect(*ConfigWriter::read(*gemini));
    EXPECT_EQ(now->rootUrl, s("http://127.0.0.1:8276"));
    EXPECT_EQ(now->key, s("tarn-g"));

    ASSERT_TRUE(writer().undo(*gemini).ok());
    EXPECT_EQ(readBytes(inHome(s(".gemini/.env"))), envFile);
    EXPECT_EQ(readBytes(inHome(s(".gemini/settings.json"))), settingsFile);
}

TEST_F(ConfigWriterTest, QwenCodeInAFreshHomeCreatesPrivateFilesAndUndoRemovesThem)
{
    ASSERT_TRUE(QDir().mkpath(home()));
    const auto qwen = agent("qwen-code");
    const Result<ApplyOutcome> applied = writer().apply(*qwen, target(s("tarn-q"), s("qwen3-coder")));
    ASSERT_TRUE(applied.ok()) << applied.error().message.toStdString();
    EXPECT_EQ(applied->changedFiles.size(), 2);
    EXPECT_EQ(readBytes(inHome(s(".qwen/.env"))).value(),
              QByteArray("OPENAI_BASE_URL=http://127.0.0.1:8276/v1\nOPENAI_API_KEY=tarn-q\nOPENAI_MODEL=qwen3-coder\n"));
    const QJsonObject settings = readJson(inHome(s(".qwen/settings.json")));
    EXPECT_EQ(settings.value(s("security")).toObject().value(s("auth")).toObject().value(s("selectedType")).toString(), s("openai"));
    EXPECT_EQ(settings.value(s("model")).toObject().value(s("name")).toString(), s("qwen3-coder"));
    EXPECT_EQ(unixPermissions(inHome(s(".qwen"))), kOwnerOnly | QFileDevice::ExeOwner);
    EXPECT_EQ(unixPermissions(inHome(s(".qwen/.env"))), kOwnerOnly);

    const Result<UndoOutcome> undone = writer().undo(*qwen);
    ASSERT_TRUE(undone.ok()) << undone.error().message.toStdString();
    EXPECT_EQ(undone->removedFiles.size(), 2);
    EXPECT_FALSE(QFileInfo::exists(inHome(s(".qwen/.env"))));
    EXPECT_FALSE(QFileInfo::exists(inHome(s(".qwen/settings.json"))));
    EXPECT_FALSE(QFileInfo::exists(inHome(s(".qwen")))); // Tarn made the folder: gone again
    EXPECT_TRUE(QFileInfo::exists(home()));
}

TEST_F(ConfigWriterTest, ApplyingTwiceChangesNothingAndUndoStillGoesBackToTheStart)
{
    const QString path = inHome(s(".claude/settings.json"));
    writeBytes(path, kClaudeSettings);
    const auto claude = agent("claude-code");
    const Result<ApplyOutcome> first = writer().apply(*claude, target());
    ASSERT_TRUE(first.ok());
    const QByteArray afterFirst = readBytes(path).value();
    const Result<ApplyOutcome> second = writer().apply(*claude, target());
    ASSERT_TRUE(second.ok());
    EXPECT_TRUE(second->changedFiles.isEmpty());
    EXPECT_EQ(second->backupDir, first->backupDir);
    EXPECT_EQ(readBytes(path), afterFirst);
    // A different model changes the file but keeps the first backup.
    const Result<ApplyOutcome> third = writer().apply(*claude, target(s("tarn-testkey-0123456789"), s("m")));
    ASSERT_TRUE(third.ok());
    EXPECT_EQ(third->changedFiles, QStringList{path});
    EXPECT_EQ(third->backupDir, first->backupDir);
    EXPECT_EQ(QDir(backupRoot() + s("/claude-code")).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(), 1);
    ASSERT_TRUE(writer().undo(*claude).ok());
    EXPECT_EQ(readBytes(path), kClaudeSettings);
    // After an undo the next apply starts a fresh backup.
    ASSERT_TRUE(writer().apply(*claude, target()).ok());
    EXPECT_EQ(QDir(backupRoot() + s("/claude-code")).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(), 2);
    ASSERT_TRUE(writer().undo(*claude).ok());
    EXPECT_EQ(readBytes(path), kClaudeSettings);
}

TEST_F(ConfigWriterTest, UndoRefusesToLoseChangesMadeSinceUnlessForced)
{
    const QString path = inHome(s(".claude/settings.json"));
    const auto claude = agent("claude-code");
    ASSERT_TRUE(writer().apply(*claude, target()).ok());
    writeBytes(path, "{\"edited\": true}\n");
    const Result<UndoOutcome> refused = writer().undo(*claude);
    ASSERT_FALSE(refused.ok());
    EXPECT_TRUE(refused.error().message.contains(s("changed since"))) << refused.error().message.toStdString();
    EXPECT_EQ(readBytes(path), QByteArray("{\"edited\": true}\n"));
    ASSERT_TRUE(writer().undo(*claude, true).ok());
    EXPECT_FALSE(QFileInfo::exists(path));
}

TEST_F(ConfigWriterTest, MalformedFilesAreRefusedAndLeftUntouched)
{
    struct Case
    {
        const char *agent;
        const char *file;
        QByteArray bytes;
    };
    const QList<Case> cases = {
        {"claude-code", ".claude/settings.json", "{\"env\": {\"A\": 1},"},
        {"claude-code", ".claude/settings.json", "[{\"env\": {}}]"},
        {"claude-code", ".claude/settings.json", "{\"env\": \"ANTHROPIC_BASE_URL=x\"}"},
        {"codex", ".codex/config.toml", "model = \"x\"\n[features\n"},
        {"codex", ".codex/config.toml", "model_providers.tarn.base_url = \"x\"\n"},
        {"gemini-cli", ".gemini/settings.json", "{\n  // comment\n  \"ui\": {}\n}\n"},
        {"qwen-code", ".qwen/settings.json", "{\"model\": \"qwen3-coder\", \"security\": 1}"},
    };
    for (const Case &c : cases) {
        QTemporaryDir dir;
        const QString file = dir.filePath(s("home/") + QString::fromLatin1(c.file));
        writeBytes(file, c.bytes);
        const auto config = createAgentConfig(QString::fromLatin1(c.agent), AgentHome{dir.filePath(s("home")), {}, {}});
        const ConfigWriter writer(dir.filePath(s("backups")));
        const Result<ApplyOutcome> applied = writer.apply(*config, target());
        ASSERT_FALSE(applied.ok()) << c.agent << ": " << c.bytes.toStdString();
        EXPECT_TRUE(applied.error().message.contains(file)) << applied.error().message.toStdString();
        EXPECT_EQ(readBytes(file), c.bytes);
        EXPECT_FALSE(QFileInfo::exists(dir.filePath(s("backups")))) << c.agent;
        // The other file of a two-file agent is not created either.
        for (const QString &other : config->configFiles())
            EXPECT_TRUE(other == file || !QFileInfo::exists(other)) << other.toStdString();
    }
}

TEST_F(ConfigWriterTest, AHugeFileIsRefused)
{
    const QString path = inHome(s(".claude/settings.json"));
    QByteArray huge = "{\"padding\": \"" + QByteArray(int(kMaxConfigFileBytes), 'x') + "\"}";
    writeBytes(path, huge);
    const Result<ApplyOutcome> applied = writer().apply(*agent("claude-code"), target());
    ASSERT_FALSE(applied.ok());
    EXPECT_TRUE(applied.error().message.contains(s("larger than"))) << applied.error().message.toStdString();
    EXPECT_EQ(readBytes(path)->size(), huge.size());
}

TEST_F(ConfigWriterTest, ASymlinkedConfigIsWrittenThroughTheLink)
{
    // Dotfile managers (stow, chezmoi's symlink mode) link the settings into a repository.
    const QString real = m_dir.filePath(s("dotfiles/claude-settings.json"));
    writeBytes(real, kClaudeSettings);
    const QString link = inHome(s(".claude/settings.json"));
    ASSERT_TRUE(QDir().mkpath(QFileInfo(link).absolutePath()));
    ASSERT_TRUE(QFile::link(real, link));
    const auto claude = agent("claude-code");
    ASSERT_TRUE(writer().apply(*claude, target()).ok());
    EXPECT_TRUE(QFileInfo(link).isSymLink());
    EXPECT_EQ(readJson(real).value(s("env")).toObject().value(s("ANTHROPIC_BASE_URL")).toString(), s("http://127.0.0.1:8276"));
    ASSERT_TRUE(writer().undo(*claude).ok());
    EXPECT_TRUE(QFileInfo(link).isSymLink());
    EXPECT_EQ(readBytes(real), kClaudeSettings);

    // A link to nothing is refused: Tarn would not know where the settings are meant to live.
    QFile::remove(real);
    const Result<ApplyOutcome> dangling = writer().apply(*claude, target());
    ASSERT_FALSE(dangling.ok());
    EXPECT_TRUE(dangling.error().message.contains(s("does not exist"))) << dangling.error().message.toStdString();
    EXPECT_FALSE(QFileInfo::exists(real));
}

TEST_F(ConfigWriterTest, ADirectoryWhereTheFileShouldBeIsRefused)
{
    ASSERT_TRUE(QDir().mkpath(inHome(s(".claude/settings.json"))));
    const Result<ApplyOutcome> applied = writer().apply(*agent("claude-code"), target());
    ASSERT_FALSE(applied.ok());
    EXPECT_TRUE(applied.error().message.contains(s("not a regular file")));
}

TEST_F(ConfigWriterTest, SnippetsCarryTheValues)
{
    for (const auto &config : createAgentConfigs(agentHome())) {
        const QString snippet = config->snippet(target(s("tarn-snip"), s("m1")));
        EXPECT_TRUE(snippet.contains(s("127.0.0.1:8276"))) << snippet.toStdString();
        EXPECT_TRUE(snippet.contains(s("tarn-snip"))) << snippet.toStdString();
        EXPECT_TRUE(snippet.contains(s("m1"))) << snippet.toStdString();
        EXPECT_TRUE(config->snippet(target({})).contains(config->id() == u"codex" ? s("model_provider") : s("<a Tarn client key>")));
    }
}

} // namespace
