// SPDX-License-Identifier: GPL-3.0-or-later
// The encoders' JSON writer: commas, nesting deeper than its inline stack, and string escaping
// that appends clean runs whole.
#include "gateway/formats/JsonWriter.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <gtest/gtest.h>

using namespace tarn::gateway;

namespace {

TEST(JsonWriter, PlacesCommasAndKeys)
{
    std::string out;
    JsonWriter json(out);
    json.beginObject().member("a", 1).member("b", "x").key("c").beginArray();
    json.number(qint64(1)).string("two").null().boolean(false).raw("{}").endArray();
    json.key("d").beginObject().endObject().endObject();
    EXPECT_EQ(out, R"({"a":1,"b":"x","c":[1,"two",null,false,{}],"d":{}})");
}

TEST(JsonWriter, NestsDeeperThanItsInlineStack)
{
    std::string out;
    JsonWriter json(out);
    constexpr int kDepth = 100;
    for (int i = 0; i < kDepth; ++i)
        json.beginArray().number(qint64(i));
    for (int i = 0; i < kDepth; ++i)
        json.endArray();
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(out));
    ASSERT_TRUE(doc.isArray()) << out;
    EXPECT_EQ(out.substr(0, 9), "[0,[1,[2,");
    EXPECT_EQ(out.substr(out.size() - 3), "]]]");
}

TEST(AppendJsonString, EscapesWhatJsonRequiresAndKeepsTheRest)
{
    std::string out;
    appendJsonString(out, "plain");
    EXPECT_EQ(out, "\"plain\"");
    out.clear();
    appendJsonString(out, std::string_view("a\"b\\c\nd\re\tf\bg\fh\x01i\x1f" "ü中", 23));
    EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0001i\\u001fü中\"");
    out = "prefix:";
    appendJsonString(out, "");
    EXPECT_EQ(out, "prefix:\"\"");
}

TEST(AppendJsonString, EveryByteRoundTripsThroughAJsonParser)
{
    // Each ASCII byte at the start, the middle and the end of a string.
    for (int c = 0; c < 0x80; ++c) {
        // Built from initialiser lists: GCC 12 at -O3 warns (-Wrestrict, a false positive) on "x" + std::string.
        const char byte = char(c);
        for (const std::string &text : {std::string{byte, 'x', 'y'}, std::string{'x', byte, 'y'}, std::string{'x', 'y', byte}}) {
            std::string out = "{\"v\":";
            appendJsonString(out, text);
            out += '}';
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(out), &error);
            ASSERT_EQ(error.error, QJsonParseError::NoError) << "byte " << c;
            EXPECT_EQ(doc.object().value(u"v").toString().toStdString(), text) << "byte " << c;
        }
    }
}

} // namespace
