// SPDX-License-Identifier: GPL-3.0-or-later
// withParamOverrides: byte-exact splicing of a channel's forced and dropped request parameters.
#include "gateway/formats/ParamOverrides.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <gtest/gtest.h>

using namespace tarn::gateway;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

ParamOverrides setting(std::initializer_list<std::pair<const char *, const char *>> values,
                       std::initializer_list<const char *> drops = {})
{
    ParamOverrides o;
    for (const auto &[path, value] : values)
        o.set.insert(s(path), QByteArray(value));
    for (const char *path : drops)
        o.drop.append(s(path));
    return o;
}

ParamOverrides dropping(std::initializer_list<const char *> drops)
{
    return setting({}, drops);
}

// Applies and checks the result is still one valid JSON object.
QByteArray apply(const QByteArray &body, const ParamOverrides &o)
{
    const QByteArray out = withParamOverrides(body, o);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(out, &error);
    EXPECT_EQ(error.error, QJsonParseError::NoError) << out.toStdString();
    EXPECT_TRUE(doc.isObject()) << out.toStdString();
    return out;
}

TEST(ParamOverridesTest, EmptyOverridesReturnTheBodyItselfWithoutACopy)
{
    const QByteArray body = R"({"model":"m","temperature":0})";
    const QByteArray out = withParamOverrides(body, {});
    EXPECT_EQ(out, body);
    EXPECT_EQ(out.constData(), body.constData());
}

TEST(ParamOverridesTest, SetReplacesATopLevelValueInPlace)
{
    EXPECT_EQ(apply(R"({"model":"m","temperature":0,"n":1})", setting({{"temperature", "1"}})),
              QByteArray(R"({"model":"m","temperature":1,"n":1})"));
    EXPECT_EQ(apply(R"({"tool_choice":{"type":"function","function":{"name":"f"}},"n":1})", setting({{"tool_choice", "\"auto\""}})),
              QByteArray(R"({"tool_choice":"auto","n":1})"));
    EXPECT_EQ(apply(R"({"a" :  [1, 2] , "b":2})", setting({{"a", "{\"x\":null}"}})),
              QByteArray(R"({"a" :  {"x":null} , "b":2})"));
}

TEST(ParamOverridesTest, SetAppendsAMissingMember)
{
    EXPECT_EQ(apply(R"({"model":"m"})", setting({{"temperature", "1"}})), QByteArray(R"({"model":"m","temperature":1})"));
    EXPECT_EQ(apply("{\n  \"model\": \"m\"\n}\n", setting({{"seed", "7"}})), QByteArray("{\n  \"model\": \"m\",\"seed\":7\n}\n"));
}

TEST(ParamOverridesTest, SetInsertsIntoEmptyObjects)
{
    EXPECT_EQ(apply("{}", setting({{"temperature", "1"}})), QByteArray(R"({"temperature":1})"));
    EXPECT_EQ(apply(" { \n } ", setting({{"a", "true"}})), QByteArray(" {\"a\":true \n } "));
    EXPECT_EQ(apply(R"({"g":{}})", setting({{"g.topK", "3"}})), QByteArray(R"({"g":{"topK":3}})"));
    EXPECT_EQ(apply("{}", setting({{"a.b.c.d", "[]"}})), QByteArray(R"({"a":{"b":{"c":{"d":[]}}}})"));
}

TEST(ParamOverridesTest, NestedSetFollowsAndCreatesIntermediateObjects)
{
    const QByteArray body = R"({"contents":[],"generationConfig":{"topK":3,"temperature":0.5}})";
    EXPECT_EQ(apply(body, setting({{"generationConfig.topK", "40"}})),
              QByteArray(R"({"contents":[],"generationConfig":{"topK":40,"temperature":0.5}})"));
    EXPECT_EQ(apply(body, setting({{"generationConfig.seed", "1"}})),
              QByteArray(R"({"contents":[],"generationConfig":{"topK":3,"temperature":0.5,"seed":1}})"));
    EXPECT_EQ(apply(body, setting({{"generationConfig.thinkingConfig.thinkingBudget", "0"}})),
              QByteArray(R"({"contents":[],"generationConfig":{"topK":3,"temperature":0.5,"thinkingConfig":{"thinkingBudget":0}}})"));
    EXPECT_EQ(apply(R"({"a":1})", setting({{"x.y.z", "true"}})), QByteArray(R"({"a":1,"x":{"y":{"z":true}}})"));
}

TEST(ParamOverridesTest, SetThroughANonObjectLeavesThatPathAlone)
{
    for (const char *body : {R"({"x":5,"y":1})", R"({"x":[{"y":1}],"y":1})", R"({"x":null,"y":1})", R"({"x":"{}","y":1})"}) {
        const ParamOverrides o = setting({{"x.y", "1"}, {"y", "2"}});
        QByteArray expected(body);
        expected.replace(",\"y\":1}", ",\"y\":2}");
        EXPECT_EQ(apply(body, o), expected) << body;
    }
    // Paths apply in order: "a" is set before "a.b" finds a number where it needs an object.
    EXPECT_EQ(apply(R"({"n":0})", setting({{"a", "1"}, {"a.b", "2"}})), QByteArray(R"({"n":0,"a":1})"));
}

TEST(ParamOverridesTest, DropRemovesFirstMiddleLastAndOnlyMembers)
{
    const QByteArray body = R"({"a":1,"b":2,"c":3})";
    EXPECT_EQ(apply(body, dropping({"a"})), QByteArray(R"({"b":2,"c":3})"));
    EXPECT_EQ(apply(body, dropping({"b"})), QByteArray(R"({"a":1,"c":3})"));
    EXPECT_EQ(apply(body, dropping({"c"})), QByteArray(R"({"a":1,"b":2})"));
    EXPECT_EQ(apply(body, dropping({"a", "b", "c"})), QByteArray("{}"));
    EXPECT_EQ(apply(body, dropping({"c", "b"})), QByteArray(R"({"a":1})"));
    EXPECT_EQ(apply(R"({"only":{"x":[1,{"y":2}]}})", dropping({"only"})), QByteArray("{}"));
    EXPECT_EQ(apply(body, dropping({"missing", "a.b", "b.c"})), body);
}

TEST(ParamOverridesTest, DropIsWhitespaceTolerant)
{
    const QByteArray pretty = "{\n  \"a\" : 1 ,\n  \"b\":\t\"x\"  ,\r\n  \"c\": [ 3 ]\n}";
    EXPECT_EQ(apply(pretty, dropping({"a"})), QByteArray("{\n  \"b\":\t\"x\"  ,\r\n  \"c\": [ 3 ]\n}"));
    EXPECT_EQ(apply(pretty, dropping({"b"})), QByteArray("{\n  \"a\" : 1 ,\n  \"c\": [ 3 ]\n}"));
    EXPECT_EQ(apply(pretty, dropping({"c"})), QByteArray("{\n  \"a\" : 1 ,\n  \"b\":\t\"x\"\n}"));
    EXPECT_EQ(apply("  { \"a\" : 1 }  ", dropping({"a"})), QByteArray("  {}  "));
}

TEST(ParamOverridesTest, NestedDrop)
{
    const QByteArray body = R"({"generationConfig":{"topK":3,"topP":0.9},"topP":1})";
    EXPECT_EQ(apply(body, dropping({"generationConfig.topP"})), QByteArray(R"({"generationConfig":{"topK":3},"topP":1})"));
    EXPECT_EQ(apply(body, dropping({"generationConfig.topK", "generationConfig.topP"})),
              QByteArray(R"({"generationConfig":{},"topP":1})"));
    EXPECT_EQ(apply(body, dropping({"topP.x", "generationConfig.topP.x", "generationConfig.none"})), body);
}

TEST(ParamOverridesTest, EscapedKeysMatchWhatTheyDecodeTo)
{
    EXPECT_EQ(apply(R"({"top\u005fp":0.5,"a":1})", dropping({"top_p"})), QByteArray(R"({"a":1})"));
    EXPECT_EQ(apply(R"({"a":1,"te\u006dperature":0})", setting({{"temperature", "1"}})),
              QByteArray(R"({"a":1,"te\u006dperature":1})"));
    EXPECT_EQ(apply(R"({"\ud83d\ude00":1,"b\/c":2,"d\"e":3})", dropping({"\xF0\x9F\x98\x80", "b/c"})), QByteArray(R"({"d\"e":3})"));
    // Strings holding braces, quotes and commas are skipped whole; "a\"b" is not a member a.
    const QByteArray tricky = R"({"s":"},{\"t\":1,","t":"\\","u":{"t":"x"}})";
    EXPECT_EQ(apply(tricky, dropping({"t"})), QByteArray(R"({"s":"},{\"t\":1,","u":{"t":"x"}})"));
    EXPECT_EQ(apply(tricky, setting({{"u.t", "\"y\""}})), QByteArray(R"({"s":"},{\"t\":1,","t":"\\","u":{"t":"y"}})"));
}

TEST(ParamOverridesTest, DuplicateMembersAllGoOrBecomeOne)
{
    EXPECT_EQ(apply(R"({"t":1,"a":0,"t":2})", dropping({"t"})), QByteArray(R"({"a":0})"));
    EXPECT_EQ(apply(R"({"a":0,"t":1,"t":2})", dropping({"t"})), QByteArray(R"({"a":0})"));
    EXPECT_EQ(apply(R"({"t":1,"t":2})", dropping({"t"})), QByteArray("{}"));
    EXPECT_EQ(apply(R"({"t":1,"a":0,"t":2,"t":3})", setting({{"t", "9"}})), QByteArray(R"({"t":9,"a":0})"));
    EXPECT_EQ(apply(R"({"a":0,"t":1,"t":2})", setting({{"t", "9"}})), QByteArray(R"({"a":0,"t":9})"));
}

TEST(ParamOverridesTest, EverythingElseSurvivesByteForByte)
{
    const QByteArray head = R"({"seed":18446744073709551615,"neg":-0.0,"exp":1.5E+300,"s":"\u00e9\ud83d\ude00",)";
    const QByteArray body = head + R"("temperature":0.2,"top_p":0.1,"tail":[1.10,2.0e0]})";
    const QByteArray out = apply(body, setting({{"temperature", "1"}, {"n", "2"}}, {"top_p"}));
    EXPECT_EQ(out, head + R"("temperature":1,"tail":[1.10,2.0e0],"n":2})");
}

TEST(ParamOverridesTest, DropThenSetOfOnePathAppendsIt)
{
    EXPECT_EQ(apply(R"({"t":0,"a":1})", setting({{"t", "1"}}, {"t"})), QByteArray(R"({"a":1,"t":1})"));
}

TEST(ParamOverridesTest, NonObjectBodiesAndEmptyValuesAreLeftAlone)
{
    for (const QByteArray &body : {QByteArray("[1,2]"), QByteArray("\"x\""), QByteArray(""), QByteArray("  ")})
        EXPECT_EQ(withParamOverrides(body, setting({{"a", "1"}}, {"b"})), body);
    EXPECT_EQ(apply(R"({"a":1})", setting({{"a", ""}, {"b", "  "}})), QByteArray(R"({"a":1})"));
}

// --- randomized: random objects, random overrides, checked against a QJsonObject model ---

const char *const kKeys[] = {"a", "b", "c", "top_p", "x"};

class Random
{
public:
    explicit Random(quint32 seed) : m_rng(seed) {}
    int below(int n) { return int(m_rng.bounded(n)); }
    bool chance(int percent) { return below(100) < percent; }
    QString key() { return QString::fromLatin1(kKeys[below(std::size(kKeys))]); }

    QJsonValue value(int depth)
    {
        switch (below(depth > 0 ? 8 : 6)) {
        case 0: return QJsonValue(below(2000) - 1000);
        case 1: return QJsonValue(below(1000) / 8.0);
        case 2: return QJsonValue(QStringLiteral("s,\"}{") + QString::number(below(10)));
        case 3: return QJsonValue(chance(50));
        case 4: return QJsonValue(QJsonValue::Null);
        case 5: return QJsonValue(QStringLiteral("é😀"));
        case 6: return QJsonValue(QJsonArray{value(depth - 1), value(depth - 1)});
        default: return object(depth - 1);
        }
    }

    QJsonObject object(int depth)
    {
        QJsonObject o;
        const int n = below(5);
        for (int i = 0; i < n; ++i)
            o.insert(key(), value(depth));
        return o;
    }

    QString path()
    {
        QStringList segments;
        const int n = 1 + below(3);
        for (int i = 0; i < n; ++i)
            segments << key();
        return segments.join(u'.');
    }

    // JSON text with random whitespace and randomly \u-escaped key letters.
    QByteArray write(const QJsonValue &v)
    {
        if (v.isObject()) {
            const QJsonObject o = v.toObject();
            QByteArray text = "{" + space();
            bool first = true;
            for (auto it = o.begin(); it != o.end(); ++it) {
                if (!first)
                    text += space() + ',' + space();
                first = false;
                text += writtenKey(it.key()) + space() + ':' + space() + write(it.value());
            }
            return text + space() + '}';
        }
        if (v.isArray()) {
            QByteArray text = "[" + space();
            const QJsonArray a = v.toArray();
            for (qsizetype i = 0; i < a.size(); ++i)
                text += (i ? QByteArray(",") + space() : QByteArray()) + write(a.at(i));
            return text + space() + ']';
        }
        return compactJsonValue(v);
    }

private:
    QByteArray space()
    {
        static const char *const spaces[] = {"", "", "", " ", "\n  ", "\t", "\r\n"};
        return QByteArray(spaces[below(std::size(spaces))]);
    }

    QByteArray writtenKey(const QString &key)
    {
        QByteArray text = "\"";
        for (const QChar c : key) {
            if (chance(20))
                text += QByteArray("\\u") + QByteArray::number(c.unicode(), 16).rightJustified(4, '0');
            else
                text += char(c.unicode());
        }
        return text + '"';
    }

    QRandomGenerator m_rng;
};

void modelDrop(QJsonObject &o, const QStringList &segments)
{
    if (segments.size() == 1) {
        o.remove(segments.first());
        return;
    }
    if (!o.value(segments.first()).isObject())
        return;
    QJsonObject child = o.value(segments.first()).toObject();
    modelDrop(child, segments.mid(1));
    o.insert(segments.first(), child);
}

QJsonValue nested(const QStringList &segments, const QJsonValue &value)
{
    QJsonValue v = value;
    for (qsizetype i = segments.size() - 1; i >= 1; --i)
        v = QJsonObject{{segments.at(i), v}};
    return v;
}

void modelSet(QJsonObject &o, const QStringList &segments, const QJsonValue &value)
{
    const QString first = segments.first();
    if (segments.size() == 1 || !o.contains(first)) {
        o.insert(first, nested(segments, value));
        return;
    }
    if (!o.value(first).isObject())
        return;
    QJsonObject child = o.value(first).toObject();
    modelSet(child, segments.mid(1), value);
    o.insert(first, child);
}

TEST(ParamOverridesTest, RandomObjectsGetExactlyTheIntendedMembers)
{
    Random random(20240531);
    int changed = 0;
    int nestedChanged = 0;
    for (int round = 0; round < 500; ++round) {
        const QJsonObject original = random.object(3);
        const QByteArray body = random.write(original);
        ASSERT_EQ(QJsonDocument::fromJson(body).object(), original) << body.toStdString();

        ParamOverrides overrides;
        QJsonObject expected = original;
        for (int i = random.below(4); i > 0; --i) {
            const QString path = random.path();
            if (!overrides.drop.contains(path))
                overrides.drop.append(path);
        }
        for (int i = random.below(4); i > 0; --i)
            overrides.set.insert(random.path(), compactJsonValue(random.value(1)));
        for (const QString &path : overrides.drop)
            modelDrop(expected, path.split(u'.'));
        for (auto it = overrides.set.cbegin(); it != overrides.set.cend(); ++it)
            modelSet(expected, it.key().split(u'.'), QJsonDocument::fromJson('[' + it.value() + ']').array().at(0));

        const QByteArray out = withParamOverrides(body, overrides);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(out, &error);
        ASSERT_EQ(error.error, QJsonParseError::NoError)
            << "round " << round << "\nbody: " << body.toStdString() << "\nout: " << out.toStdString();
        ASSERT_EQ(doc.object(), expected)
            << "round " << round << "\nbody: " << body.toStdString() << "\nout: " << out.toStdString()
            << "\nexpected: " << QJsonDocument(expected).toJson(QJsonDocument::Compact).toStdString();
        changed += out != body;
        for (auto it = expected.begin(); it != expected.end(); ++it)
            nestedChanged += it.value().isObject() && it.value() != original.value(it.key());
    }
    // The overrides must actually hit members, nested ones included, for the rounds to prove much.
    EXPECT_GT(changed, 300);
    EXPECT_GT(nestedChanged, 100);
}

} // namespace
