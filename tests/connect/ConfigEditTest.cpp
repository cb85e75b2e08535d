// SPDX-License-Identifier: GPL-3.0-or-later
// The pure edits: JSON settings objects and dotenv files.
#include "ConnectTestSupport.h"

#include "gateway/connect/EnvFile.h"
#include "gateway/connect/JsonSettings.h"

#include <QJsonArray>

using namespace tarn::gateway;
using namespace tarn::gateway::connect;
using tarn::gateway::test::s;

namespace {

TEST(JsonSettingsTest, SetsNestedKeysAndKeepsEverythingElse)
{
    const QByteArray original = R"({"theme": "dark", "env": {"FOO": "1"}, "hooks": {"a": [1, 2, {"b": null}]}})";
    Result<JsonSettings> settings = JsonSettings::parse(original, s("settings.json"));
    ASSERT_TRUE(settings.ok());
    ASSERT_TRUE(settings->set({s("env"), s("BAR")}, s("2")).ok());
    ASSERT_TRUE(settings->set({s("security"), s("auth"), s("selectedType")}, s("x")).ok());
    const QJsonObject out = QJsonDocument::fromJson(settings->serialise()).object();
    EXPECT_EQ(out.value(s("theme")).toString(), s("dark"));
    EXPECT_EQ(out.value(s("env")).toObject().value(s("FOO")).toString(), s("1"));
    EXPECT_EQ(out.value(s("env")).toObject().value(s("BAR")).toString(), s("2"));
    EXPECT_EQ(out.value(s("security")).toObject().value(s("auth")).toObject().value(s("selectedType")).toString(), s("x"));
    EXPECT_EQ(out.value(s("hooks")), QJsonDocument::fromJson(original).object().value(s("hooks")));
}

TEST(JsonSettingsTest, UnchangedKeepsTheOriginalBytes)
{
    const QByteArray original = "{ \"env\" : { \"A\" : \"1\" } }  \n";
    Result<JsonSettings> settings = JsonSettings::parse(original, s("f"));
    ASSERT_TRUE(settings.ok());
    ASSERT_TRUE(settings->set({s("env"), s("A")}, s("1")).ok());
    EXPECT_EQ(settings->serialise(), original);
}

TEST(JsonSettingsTest, MissingOrBlankIsAnEmptyObject)
{
    for (const std::optional<QByteArray> &bytes : {std::optional<QByteArray>(), std::optional<QByteArray>("  \n")}) {
        Result<JsonSettings> settings = JsonSettings::parse(bytes, s("f"));
        ASSERT_TRUE(settings.ok());
        EXPECT_TRUE(settings->object().isEmpty());
    }
}

TEST(JsonSettingsTest, RefusesWhatItCannotKeep)
{
    for (const char *bad : {"[1, 2]", "\"text\"", "{\"a\": 1,}", "{\"a\": 1} // comment", "{\n // comment\n \"a\": 1}", "{\"a\": "}) {
        const Result<JsonSettings> settings = JsonSettings::parse(QByteArray(bad), s("settings.json"));
        ASSERT_FALSE(settings.ok()) << bad;
        EXPECT_EQ(settings.error().code, ErrorCode::InvalidArgument);
        EXPECT_TRUE(settings.error().message.contains(s("settings.json"))) << settings.error().message.toStdString();
    }
    // Something on the path that is not an object would have to be dropped.
    Result<JsonSettings> settings = JsonSettings::parse(QByteArray(R"({"env": "FOO=1", "model": ["x"]})"), s("f"));
    ASSERT_TRUE(settings.ok());
    EXPECT_FALSE(settings->set({s("env"), s("A")}, s("1")).ok());
    EXPECT_FALSE(settings->set({s("model"), s("name")}, s("m")).ok());
}

TEST(JsonSettingsTest, DuplicateKeysKeepTheLastLikeJavaScript)
{
    // Node's JSON.parse, which the agents use, keeps the last duplicate: so does the rewrite.
    Result<JsonSettings> settings = JsonSettings::parse(QByteArray(R"({"a": 1, "env": {"X": "first"}, "a": 2, "env": {"X": "last"}})"), s("f"));
    ASSERT_TRUE(settings.ok());
    EXPECT_EQ(settings->get({s("a")}).toInt(), 2);
    EXPECT_EQ(settings->get({s("env"), s("X")}).toString(), s("last"));
    ASSERT_TRUE(settings->set({s("env"), s("Y")}, s("y")).ok());
    const QJsonObject out = QJsonDocument::fromJson(settings->serialise()).object();
    EXPECT_EQ(out.value(s("a")).toInt(), 2);
    EXPECT_EQ(out.value(s("env")).toObject().value(s("X")).toString(), s("last"));
}

TEST(EnvFileTest, ReplacesInPlaceKeepsCommentsAndAppends)
{
    const QByteArray original = "# my env\nFOO=bar\nexport GEMINI_API_KEY=\"old\"   \n\n# tail\nGEMINI_API_KEY=older\nOTHER='x y'\n";
    Result<EnvFile> env = EnvFile::parse(original, s(".env"));
    ASSERT_TRUE(env.ok());
    EXPECT_EQ(env->value(s("GEMINI_API_KEY")), s("older"));
    EXPECT_EQ(env->value(s("OTHER")), s("x y"));
    env->set(s("GEMINI_API_KEY"), s("tarn-new"));
    env->set(s("GOOGLE_GEMINI_BASE_URL"), s("http://127.0.0.1:8276"));
    EXPECT_EQ(env->serialise(), QByteArray("# my env\nFOO=bar\nexport GEMINI_API_KEY=tarn-new\n\n# tail\nOTHER='x y'\n"
                                           "GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:8276\n"));
}

TEST(EnvFileTest, UnchangedKeepsBytesAndQuotesOddValues)
{
    const QByteArray original = "A=1\r\nB=2";
    Result<EnvFile> env = EnvFile::parse(original, s(".env"));
    ASSERT_TRUE(env.ok());
    env->set(s("A"), s("1"));
    EXPECT_EQ(env->serialise(), original);
    env->set(s("C"), s("a b#c"));
    EXPECT_EQ(env->serialise(), QByteArray("A=1\r\nB=2\r\nC='a b#c'\r\n"));
    Result<EnvFile> reread = EnvFile::parse(env->serialise(), s(".env"));
    EXPECT_EQ(reread->value(s("C")), s("a b#c"));
    EXPECT_EQ(reread->value(s("B")), s("2"));

    Result<EnvFile> empty = EnvFile::parse(std::nullopt, s(".env"));
    empty->set(s("X"), s("y"));
    EXPECT_EQ(empty->serialise(), QByteArray("X=y\n"));
}

// Found by fuzz_agent_config: a value with both quote characters was written with backslash
// escapes but read back up to the first escaped quote, so every edit wrote it again. Values with
// line breaks must not break the file.
TEST(EnvFileTest, ValuesWithQuotesBackslashesAndLineBreaksReadBackAsWritten)
{
    for (const QString &value : {s("gpt \"x\" = 'y' #z"), s("a\\b'c"), s("two\nlines\r"), s("it's"), s("say \"hi\"")}) {
        Result<EnvFile> env = EnvFile::parse(QByteArray("A=1\n"), s(".env"));
        ASSERT_TRUE(env.ok());
        env->set(s("OPENAI_MODEL"), value);
        const QByteArray written = env->serialise();
        EXPECT_EQ(written.count('\n'), 2) << written.constData();
        Result<EnvFile> reread = EnvFile::parse(written, s(".env"));
        ASSERT_TRUE(reread.ok());
        EXPECT_EQ(reread->value(s("OPENAI_MODEL")), value) << written.constData();
        reread->set(s("OPENAI_MODEL"), value);
        EXPECT_EQ(reread->serialise(), written); // a second edit changes nothing
    }
}

TEST(EnvFileTest, RefusesBinary)
{
    EXPECT_FALSE(EnvFile::parse(QByteArray("A=1\0B", 5), s(".env")).ok());
}

TEST(RootUrlTest, NormalisesValidatesAndKnowsLoopback)
{
    EXPECT_EQ(normaliseRootUrl(s("http://127.0.0.1:8276/v1/")), s("http://127.0.0.1:8276"));
    EXPECT_EQ(normaliseRootUrl(s(" http://h:1/ ")), s("http://h:1"));
    EXPECT_TRUE(validateRootUrl(s("http://127.0.0.1:8276")).ok());
    EXPECT_TRUE(validateRootUrl(s("https://node.tail1234.ts.net")).ok());
    EXPECT_FALSE(validateRootUrl(s("ftp://x")).ok());
    EXPECT_FALSE(validateRootUrl(s("127.0.0.1:8276")).ok());
    EXPECT_FALSE(validateRootUrl(s("http://h:1?x=1")).ok());
    EXPECT_TRUE(isLoopbackUrl(s("http://127.0.0.1:8276")));
    EXPECT_TRUE(isLoopbackUrl(s("http://127.1.2.3:1")));
    EXPECT_TRUE(isLoopbackUrl(s("http://[::1]:8276")));
    EXPECT_TRUE(isLoopbackUrl(s("http://localhost:8276")));
    EXPECT_FALSE(isLoopbackUrl(s("http://100.64.0.1:8276")));
    EXPECT_FALSE(isLoopbackUrl(s("http://127.0.0.1.evil.com:8276")));
}

} // namespace
