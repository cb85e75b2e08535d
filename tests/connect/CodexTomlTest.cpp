// SPDX-License-Identifier: GPL-3.0-or-later
// Codex's config.toml: the text edit, read back with a TOML parser.
#include "ConnectTestSupport.h"

#include "gateway/connect/CodexToml.h"

#include <toml++/toml.h>

using namespace tarn::gateway;
using namespace tarn::gateway::connect;
using tarn::gateway::test::s;

namespace {

toml::table parse(const QByteArray &bytes)
{
    try {
        return toml::parse(std::string_view(bytes.constData(), size_t(bytes.size())));
    } catch (const toml::parse_error &error) {
        ADD_FAILURE() << "not TOML: " << error.description() << "\n" << bytes.toStdString();
        return {};
    }
}

ConnectTarget target(const QString &key = {}, const QString &model = {})
{
    return ConnectTarget{s("http://127.0.0.1:8276"), key, model};
}

const QByteArray kUserConfig = R"(# Codex settings, by hand
model = "gpt-5.5"   # the default model
approval_policy = "on-request"
notify = [
  "notify-send",
  "codex",
]

# keep this comment
[features]
plugins = false

[model_providers.other]
name = "Other"
base_url = "https://example.com/v1"
env_key = "OTHER_KEY"

[mcp_servers.docs]
command = "docs-server"
args = ["--port", "[not-a-header]"]
description = """
[model_providers.tarn]
looks like a header but is a string
"""
)";

TEST(CodexTomlTest, WritesProviderAndKeepsTheRestWithComments)
{
    const Result<QByteArray> out = codex::plan(kUserConfig, target(s("tarn-key-1")), s("config.toml"));
    ASSERT_TRUE(out.ok()) << out.error().message.toStdString();
    const toml::table table = parse(*out);
    EXPECT_EQ(table["model_provider"].value_or(std::string()), "tarn");
    EXPECT_EQ(table["model"].value_or(std::string()), "gpt-5.5"); // no --model: left alone
    EXPECT_EQ(table["model_providers"]["tarn"]["base_url"].value_or(std::string()), "http://127.0.0.1:8276/v1");
    EXPECT_EQ(table["model_providers"]["tarn"]["wire_api"].value_or(std::string()), "responses");
    EXPECT_EQ(table["model_providers"]["tarn"]["experimental_bearer_token"].value_or(std::string()), "tarn-key-1");
    EXPECT_FALSE(table["model_providers"]["tarn"]["env_key"]);
    EXPECT_EQ(table["model_providers"]["other"]["env_key"].value_or(std::string()), "OTHER_KEY");
    EXPECT_EQ(table["features"]["plugins"].value_or(true), false);
    EXPECT_EQ(table["notify"].as_array()->size(), 2u);
    EXPECT_TRUE(table["mcp_servers"]["docs"]["description"].value_or(std::string()).find("looks like a header") != std::string::npos);
    const QString text = QString::fromUtf8(*out);
    EXPECT_TRUE(text.contains(s("# Codex settings, by hand")));
    EXPECT_TRUE(text.contains(s("# the default model")));
    EXPECT_TRUE(text.contains(s("# keep this comment\n[features]")));
    // The original text is all still there, in order; Tarn's lines come in at the root's end and the file's.
    EXPECT_TRUE(text.startsWith(s("# Codex settings, by hand\nmodel = \"gpt-5.5\"   # the default model\n")));
    EXPECT_TRUE(text.contains(s("  \"codex\",\n]\nmodel_provider = \"tarn\"\n\n# keep this comment\n"))) << text.toStdString();
}

TEST(CodexTomlTest, ModelAndProviderLinesAreReplacedInPlace)
{
    const QByteArray config = "model_provider = \"openai\"\nmodel = 'o3' # old\n\n[tui]\nx = 1\n";
    const Result<QByteArray> out = codex::plan(config, target({}, s("gpt-5.5")), s("config.toml"));
    ASSERT_TRUE(out.ok()) << out.error().message.toStdString();
    EXPECT_EQ(*out, QByteArray("model_provider = \"tarn\"\nmodel = \"gpt-5.5\"\n\n[tui]\nx = 1\n\n[model_providers.tarn]\n"
                               "name = \"Tarn\"\nbase_url = \"http://127.0.0.1:8276/v1\"\nwire_api = \"responses\"\n"));
    // Without a key Codex sends no Authorization header: loopback needs none.
    EXPECT_FALSE(parse(*out)["model_providers"]["tarn"]["experimental_bearer_token"]);
}

TEST(CodexTomlTest, EmptyOrMissingFile)
{
    const QByteArray expected = "model_provider = \"tarn\"\n\n[model_providers.tarn]\nname = \"Tarn\"\n"
                                "base_url = \"http://127.0.0.1:8276/v1\"\nwire_api = \"responses\"\n";
    EXPECT_EQ(*codex::plan(std::nullopt, target(), s("c")), expected);
    EXPECT_EQ(*codex::plan(QByteArray(), target(), s("c")), expected);
    // A file of comments only keeps them on top.
    const QByteArray commented = *codex::plan(QByteArray("# only a comment\n"), target(), s("c"));
    EXPECT_TRUE(commented.startsWith("# only a comment\nmodel_provider = \"tarn\"\n")) << commented.toStdString();
}

TEST(CodexTomlTest, IdempotentAndReplacesAnOlderTarnTable)
{
    const QByteArray once = *codex::plan(kUserConfig, target(s("tarn-a"), s("m1")), s("c"));
    EXPECT_EQ(*codex::plan(once, target(s("tarn-a"), s("m1")), s("c")), once);
    const QByteArray changed = *codex::plan(once, target(s("tarn-b"), s("m2")), s("c"));
    const toml::table table = parse(changed);
    EXPECT_EQ(table["model_providers"]["tarn"]["experimental_bearer_token"].value_or(std::string()), "tarn-b");
    EXPECT_EQ(table["model"].value_or(std::string()), "m2");
    EXPECT_EQ(QString::fromUtf8(changed).count(s("[model_providers.tarn]")), 2); // its own, and the one in the string
    // A hand-written [model_providers.tarn] with a sub-table in the middle of the file.
    const QByteArray handWritten = "[model_providers.tarn]\nbase_url = \"http://old/v1\"\n[model_providers.tarn.http_headers]\n"
                                   "X = \"y\"\n\n[tui]\nx = 1\n";
    const Result<QByteArray> replaced = codex::plan(handWritten, target(), s("c"));
    ASSERT_TRUE(replaced.ok()) << replaced.error().message.toStdString();
    EXPECT_EQ(parse(*replaced)["tui"]["x"].value_or(0), 1);
    EXPECT_EQ(parse(*replaced)["model_providers"]["tarn"]["base_url"].value_or(std::string()), "http://127.0.0.1:8276/v1");
    EXPECT_FALSE(parse(*replaced)["model_providers"]["tarn"]["http_headers"]);
}

TEST(CodexTomlTest, RefusesInvalidTomlAndFormsItCannotEdit)
{
    for (const char *bad : {"model = \n", "[a]\nx = 1\n[a]\nx = 2\n", "model_provider = \"x\"\nmodel_provider = \"y\"\n"}) {
        const Result<QByteArray> out = codex::plan(QByteArray(bad), target(), s("config.toml"));
        ASSERT_FALSE(out.ok()) << bad;
        EXPECT_TRUE(out.error().message.contains(s("not valid TOML"))) << out.error().message.toStdString();
    }
    for (const char *uneditable : {"model_providers = { tarn = { base_url = \"x\" } }\n",
                                   "[model_providers]\ntarn = { base_url = \"x\" }\n",
                                   "model_providers.tarn.base_url = \"x\"\n",
                                   "model_provider = \"\"\"\nopenai\"\"\"\n"}) {
        const Result<QByteArray> out = codex::plan(QByteArray(uneditable), target(), s("config.toml"));
        ASSERT_FALSE(out.ok()) << uneditable;
        EXPECT_TRUE(out.error().message.contains(s("edit it by hand"))) << out.error().message.toStdString();
    }
}

TEST(CodexTomlTest, EscapesValuesAndKeepsCrLf)
{
    const QByteArray out = *codex::plan(QByteArray("a = 1\r\n"), target(s("k\"ey\\"), s("m\nx")), s("c"));
    EXPECT_TRUE(out.contains("a = 1\r\nmodel_provider = \"tarn\"\r\n"));
    EXPECT_FALSE(out.contains("\n\n")); // every newline is CRLF
    const toml::table table = parse(out);
    EXPECT_EQ(table["model_providers"]["tarn"]["experimental_bearer_token"].value_or(std::string()), "k\"ey\\");
    EXPECT_EQ(table["model"].value_or(std::string()), "m\nx");
}

TEST(CodexTomlTest, InspectReadsTheSelectedProvider)
{
    const QByteArray out = *codex::plan(kUserConfig, target(s("tarn-k"), s("gpt-5.5")), s("c"));
    const Result<AgentConnection> now = codex::inspect(out, s("c"));
    ASSERT_TRUE(now.ok());
    EXPECT_EQ(now->rootUrl, s("http://127.0.0.1:8276"));
    EXPECT_EQ(now->key, s("tarn-k"));
    EXPECT_EQ(now->model, s("gpt-5.5"));
    EXPECT_TRUE(codex::inspect(kUserConfig, s("c"))->rootUrl.isEmpty());
    EXPECT_FALSE(codex::inspect(QByteArray("x = "), s("c")).ok());
}

} // namespace

// Found by fuzz_agent_config: """ or ''' inside a one-line string or a comment opened a multi-line
// string in the editor's eyes, so the keys below it were not found and every edit added them again.
TEST(CodexTomlTest, TripleQuotesInsideOneLineStringsAndCommentsOpenNothing)
{
    for (const QByteArray &config : {QByteArray("profile = \"gp'''o-mini\" # it's '''odd\nmodel = \"old\"\n"),
                                     QByteArray("a = 'x\"\"\"y' # \"\"\"\nmodel = \"old\"\n[tui]\nx = 1\n"),
                                     QByteArray("b = \"q\\\"\\\"\\\"\" \nmodel = \"old\"\n"),
                                     QByteArray("c = \"\"\"\nmodel = \"in the string\"\n\\\"\"\" \"\"\"\nmodel = \"old\"\n")}) {
        const Result<QByteArray> once = codex::plan(config, target(s("tarn-a"), s("m1")), s("c"));
        ASSERT_TRUE(once.ok()) << once.error().message.toStdString() << "\n" << config.toStdString();
        const toml::table table = parse(*once);
        EXPECT_EQ(table["model"].value_or(std::string()), "m1") << once->toStdString();
        EXPECT_EQ(QString::fromUtf8(*once).count(s("model = \"m1\"")), 1) << once->toStdString();
        EXPECT_EQ(*codex::plan(*once, target(s("tarn-a"), s("m1")), s("c")), *once) << once->toStdString();
    }
}
