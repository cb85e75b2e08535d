// SPDX-License-Identifier: GPL-3.0-or-later
// The DOM-free JSON helpers the request path uses to rewrite bodies in place.
#include "gateway/formats/JsonMembers.h"

#include "tests/support/GTestQtPrinters.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <gtest/gtest.h>

using namespace tarn::gateway;

namespace {

QByteArray valueOf(QByteArrayView json, QByteArrayView key)
{
    const JsonSpan span = findTopLevelMember(json, key);
    if (!span.found())
        return "<absent>";
    return json.sliced(span.begin, span.end - span.begin).toByteArray();
}

TEST(FindTopLevelMember, FindsEachKindOfValue)
{
    const QByteArray json = R"({"s":"text","n":-12.5e3,"t":true,"f":false,"z":null,"o":{"a":[1,2]},"a":[{"b":"}"}]})";
    EXPECT_EQ(valueOf(json, "s"), R"("text")");
    EXPECT_EQ(valueOf(json, "n"), "-12.5e3");
    EXPECT_EQ(valueOf(json, "t"), "true");
    EXPECT_EQ(valueOf(json, "f"), "false");
    EXPECT_EQ(valueOf(json, "z"), "null");
    EXPECT_EQ(valueOf(json, "o"), R"({"a":[1,2]})");
    EXPECT_EQ(valueOf(json, "a"), R"([{"b":"}"}])");
    EXPECT_EQ(valueOf(json, "missing"), "<absent>");
}

TEST(FindTopLevelMember, IgnoresKeysInsideNestedValues)
{
    const QByteArray json = R"({"messages":[{"model":"inner","content":"x"}],"meta":{"model":"deep"},"model":"outer"})";
    EXPECT_EQ(valueOf(json, "model"), R"("outer")");
    EXPECT_EQ(valueOf(R"({"meta":{"model":"deep"}})", "model"), "<absent>");
    EXPECT_EQ(valueOf(R"({"list":["model","model"]})", "model"), "<absent>");
}

TEST(FindTopLevelMember, SkipsEscapesInsideStrings)
{
    // Quotes, backslashes and brackets inside strings must not end them or change the depth.
    const QByteArray json = R"({"a\"model":1,"content":"say \"}\" and \\","x":"[{","model":"m"})";
    EXPECT_EQ(valueOf(json, "model"), R"("m")");
    EXPECT_EQ(valueOf(json, R"(a"model)"), "1"); // names are compared as they decode
    EXPECT_EQ(valueOf(R"({"s":"ends with backslash \\","k":2})", "k"), "2");
}

TEST(FindTopLevelMember, ComparesKeysAsTheyDecode)
{
    // `mod\u0065l` is "model" to every JSON parser (simdjson, the upstream's), so to Tarn too:
    // matched as written, a request could carry one model for Tarn and another for the upstream.
    EXPECT_EQ(valueOf(R"({"mod\u0065l":"x"})", "model"), R"("x")");
    EXPECT_EQ(valueOf(R"({"\u006d\u006f\u0064\u0065\u006c":"y"})", "model"), R"("y")");
    EXPECT_EQ(valueOf(R"({"Model":"x"})", "model"), "<absent>");
    EXPECT_EQ(valueOf(R"({"models":"x","mode":"y"})", "model"), "<absent>");
}

TEST(FindTopLevelMember, ToleratesWhitespaceEverywhere)
{
    const QByteArray json = " \r\n\t{ \"a\" :\t[ 1 , 2 ] ,\n \"model\"\r\n:\t \"x\"  ,\"n\" : 7 \n}\n ";
    EXPECT_EQ(valueOf(json, "model"), R"("x")");
    EXPECT_EQ(valueOf(json, "a"), "[ 1 , 2 ]");
    EXPECT_EQ(valueOf(json, "n"), "7");
}

TEST(FindTopLevelMember, FindsTheFirstOfDuplicateKeys)
{
    const QByteArray json = R"({"model":"first","model":"second"})";
    EXPECT_EQ(valueOf(json, "model"), R"("first")");
}

TEST(FindTopLevelMember, InvalidOrNonObjectInputFindsNothing)
{
    const QList<QByteArray> inputs = {
        "", "   ", "[1,2]", R"("model")", "42", "{", R"({"model")", R"({"model":)", R"({"model" "x"})",
        R"({"model":"unterminated)", R"({"a":[1,2,"model":"x")", R"({"a":{"b":1,"model":"x")",
        R"({model:"x"})",
    };
    for (const QByteArray &json : inputs)
        EXPECT_EQ(valueOf(json, "model"), "<absent>") << json.toStdString();
}

TEST(FindTopLevelMember, EmptyObject)
{
    EXPECT_FALSE(findTopLevelMember("{}", "model").found());
    EXPECT_FALSE(findTopLevelMember("{ }", "").found());
}

TEST(SkipString, EndsAtTheFirstUnescapedQuote)
{
    // Runs of backslashes before a quote: odd escapes it, even ends the string.
    const QByteArray json = R"("a\"b\\"tail)";
    EXPECT_EQ(jsonscan::skipString(json, 0), json.indexOf("tail"));
    const QByteArray three = R"("x\\\"y"z)";
    EXPECT_EQ(jsonscan::skipString(three, 0), three.size() - 1);
    EXPECT_EQ(jsonscan::skipString(QByteArrayView(R"("never ends\")"), 0), -1);
    EXPECT_EQ(jsonscan::skipString(QByteArrayView(R"("")"), 0), 2);
}

TEST(FindQuoted, SaysWhereEachNameFirstOccursQuoted)
{
    static constexpr std::array<std::string_view, 4> kNames{"error", "usage", "content", "absent"};
    const QByteArray json = R"({"choices":[{"delta":{"content":"usage"}}],"usage":{"error":1},"error":2})";
    const std::array<qsizetype, 4> at = jsonscan::findQuoted(json, kNames);
    EXPECT_EQ(at[0], json.indexOf("\"error\""));
    EXPECT_EQ(at[1], json.indexOf("\"usage\"")); // inside a value counts: it is a filter
    EXPECT_EQ(at[2], json.indexOf("\"content\""));
    EXPECT_EQ(at[3], -1);
    // A name without its closing quote, a prefix, or at the very end is no match.
    static constexpr std::array<std::string_view, 1> kError{"error"};
    EXPECT_EQ(jsonscan::findQuoted(QByteArrayView(R"({"errors":1})"), kError)[0], -1);
    EXPECT_EQ(jsonscan::findQuoted(QByteArrayView(R"({"x":"error)"), kError)[0], -1);
    EXPECT_EQ(jsonscan::findQuoted(QByteArrayView(R"("error")"), kError)[0], 0);
    EXPECT_EQ(jsonscan::findQuoted(QByteArrayView(), kError)[0], -1);
}

TEST(FindQuoted, AgreesWithIndexOfOnEveryPrefix)
{
    static constexpr std::array<std::string_view, 3> kNames{"a", "ab", "b\\"};
    const QByteArray json = R"({"a":"ab","b\":["a","ab"],"x":"\"ab\""})";
    for (qsizetype n = 0; n <= json.size(); ++n) {
        const QByteArrayView text = QByteArrayView(json).first(n);
        const std::array<qsizetype, 3> at = jsonscan::findQuoted(text, kNames);
        for (std::size_t k = 0; k < kNames.size(); ++k) {
            const QByteArray quoted = '"' + QByteArray(kNames[k].data(), qsizetype(kNames[k].size())) + '"';
            EXPECT_EQ(at[k], text.indexOf(quoted)) << "prefix " << n << " name " << kNames[k];
        }
    }
}

TEST(Spliced, ReplacesExactlyTheSpan)
{
    const QByteArray json = R"({"model":"alias","messages":[]})";
    const JsonSpan span = findTopLevelMember(json, "model");
    ASSERT_TRUE(span.found());
    EXPECT_EQ(spliced(json, span, R"("real-model")"), R"({"model":"real-model","messages":[]})");
    EXPECT_EQ(json, R"({"model":"alias","messages":[]})"); // the input is untouched
}

TEST(Spliced, AtTheEdges)
{
    EXPECT_EQ(spliced("abcdef", JsonSpan{0, 2}, "X"), "Xcdef");
    EXPECT_EQ(spliced("abcdef", JsonSpan{4, 6}, "XYZ"), "abcdXYZ");
    EXPECT_EQ(spliced("abcdef", JsonSpan{3, 3}, "-"), "abc-def");
    EXPECT_EQ(spliced("abcdef", JsonSpan{1, 5}, ""), "af");
}

TEST(JsonQuoted, PlainText)
{
    EXPECT_EQ(jsonQuoted(QStringLiteral("gpt-4o")), R"("gpt-4o")");
    EXPECT_EQ(jsonQuoted(QString()), R"("")");
}

TEST(JsonQuoted, EscapesQuotesBackslashesAndControlCharacters)
{
    EXPECT_EQ(jsonQuoted(QStringLiteral("a\"b\\c")), R"("a\"b\\c")");
    EXPECT_EQ(jsonQuoted(QStringLiteral("l1\nl2\r\tx")), R"("l1\nl2\r\tx")");
    EXPECT_EQ(jsonQuoted(QString(QChar(0x01))), R"("\u0001")");
    EXPECT_EQ(jsonQuoted(QString(QChar(0x1f))), R"("\u001f")");
    EXPECT_EQ(jsonQuoted(QString(QChar(0x00))), R"("\u0000")");
    EXPECT_EQ(jsonQuoted(QString(QChar(0x08))), R"("\u0008")");
    EXPECT_EQ(jsonQuoted(QStringLiteral("/")), R"("/")");
    EXPECT_EQ(jsonQuoted(QString(QChar(0x7f))), "\"\x7f\""); // DEL needs no escape
}

TEST(JsonQuoted, KeepsNonAsciiAsUtf8)
{
    const QString text = QString::fromUtf8("模型-é-\xF0\x9F\xA6\x8A");
    EXPECT_EQ(jsonQuoted(text), "\"" + text.toUtf8() + "\"");
}

TEST(JsonQuoted, EveryControlCharacterRoundTripsThroughAJsonParser)
{
    QString text;
    for (char16_t c = 0; c < 0x20; ++c)
        text.append(QChar(c));
    text += QString::fromUtf8("\"\\ ü 中 \xF0\x9F\x98\x80 end");
    const QByteArray json = "{\"v\":" + jsonQuoted(text) + "}";
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    ASSERT_EQ(error.error, QJsonParseError::NoError) << json.toStdString();
    EXPECT_EQ(doc.object().value(u"v").toString(), text);
}

} // namespace
