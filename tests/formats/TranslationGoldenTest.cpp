// SPDX-License-Identifier: GPL-3.0-or-later
// Cross-format goldens: each tests/data/formats/pairs/*.json holds one body (or stream, or error)
// in one format as a provider's API reference shows it and, written by hand, what a client of
// another format must receive. The runner translates through the codecs (and StreamTranslator)
// and compares as JSON: "created" is ignored and an expected "<any>" matches any value (ids Tarn
// generates) and "<any>tail" any string ending in tail.
// A case: {"name", "kind": request|response|stream|error, "from", "to", "input", "expected"} and,
// optionally, "target_model" (requests), "status" (errors), "client_model", "include_usage" and
// "estimated_input_tokens" (streams: StreamTranslator options), "client_request" (answers to a
// Responses client: the request they answer, in the client's format), "reference" (where the input's
// shape comes from). Stream inputs and outputs are arrays of {"event"?: name, "data": JSON or "[DONE]"}.
#include "gateway/formats/Codec.h"
#include "gateway/formats/SseEvents.h"
#include "gateway/formats/StreamTranslator.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QStringList>

#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

using namespace tarn::gateway;

namespace {

QString pairsDir()
{
    return QStringLiteral(TARN_FIXTURES_DIR "/formats/pairs");
}

std::vector<std::string> caseFiles()
{
    std::vector<std::string> files;
    const QStringList names = QDir(pairsDir()).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QString &name : names)
        files.push_back(name.toStdString());
    return files;
}

bool formatOf(const QString &name, ApiFormat &format)
{
    if (name == QLatin1String("openai"))
        format = ApiFormat::OpenAI;
    else if (name == QLatin1String("anthropic"))
        format = ApiFormat::Anthropic;
    else if (name == QLatin1String("gemini"))
        format = ApiFormat::Gemini;
    else if (name == QLatin1String("responses"))
        format = ApiFormat::Responses;
    else
        return false;
    return true;
}

// JSON text of a value; a string is its text (for "[DONE]" and bodies that are not JSON).
std::string compact(const QJsonValue &value)
{
    if (value.isString())
        return value.toString().toStdString();
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact).toStdString();
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact).toStdString();
    if (value.isUndefined())
        return "(absent)";
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2).toStdString(); // [x] → x
}

QString pretty(const QJsonValue &value)
{
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented));
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented));
    return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact));
}

// JSON text as a value: an object or array, or the text itself as a string (for "[DONE]" and
// bodies that are not JSON).
QJsonValue parsed(std::string_view text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(text.data(), qsizetype(text.size())), &error);
    if (error.error != QJsonParseError::NoError)
        return QString::fromUtf8(text.data(), qsizetype(text.size()));
    return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
}

// Where `actual` differs from `expected` (empty when it does not): "<any>" matches anything and
// "created" is not compared.
void diff(const QJsonValue &expected, const QJsonValue &actual, const QString &path, QStringList &out)
{
    // "<any>" matches any value; "<any>tail" any string ending in tail (a generated id carrying a
    // known signature).
    if (expected.isString() && expected.toString().startsWith(QLatin1String("<any>"))) {
        const QString tail = expected.toString().mid(5);
        if (tail.isEmpty() ? actual.isUndefined() : !actual.toString().endsWith(tail))
            out.append(path + QStringLiteral(": ") + QString::fromStdString(compact(actual)) + QStringLiteral(", expected ")
                       + expected.toString());
        return;
    }
    if (expected.isObject() && actual.isObject()) {
        const QJsonObject e = expected.toObject();
        const QJsonObject a = actual.toObject();
        for (auto it = e.begin(); it != e.end(); ++it) {
            if (it.key() == QLatin1String("created"))
                continue;
            if (!a.contains(it.key()))
                out.append(path + QLatin1Char('.') + it.key() + QStringLiteral(": missing, expected ")
                           + QString::fromStdString(compact(it.value())));
            else
                diff(it.value(), a.value(it.key()), path + QLatin1Char('.') + it.key(), out);
        }
        for (auto it = a.begin(); it != a.end(); ++it)
            if (!e.contains(it.key()) && it.key() != QLatin1String("created"))
                out.append(path + QLatin1Char('.') + it.key() + QStringLiteral(": unexpected ")
                           + QString::fromStdString(compact(it.value())));
        return;
    }
    if (expected.isArray() && actual.isArray()) {
        const QJsonArray e = expected.toArray();
        const QJsonArray a = actual.toArray();
        if (e.size() != a.size())
            out.append(path + QStringLiteral(": %1 items, expected %2").arg(a.size()).arg(e.size()));
        for (qsizetype i = 0; i < std::min(e.size(), a.size()); ++i)
            diff(e[i], a[i], path + QStringLiteral("[%1]").arg(i), out);
        return;
    }
    if (expected != actual)
        out.append(path + QStringLiteral(": ") + QString::fromStdString(compact(actual)) + QStringLiteral(", expected ")
                   + QString::fromStdString(compact(expected)));
}

// A stream case's events as SSE bytes: "event: <name>\n" when named, "data: <json>\n\n".
QByteArray sseBytes(const QJsonArray &events)
{
    QByteArray out;
    for (const QJsonValue &value : events) {
        const QJsonObject event = value.toObject();
        if (event.contains(QLatin1String("event")))
            out += "event: " + event.value(QLatin1String("event")).toString().toUtf8() + '\n';
        out += "data: " + QByteArray::fromStdString(compact(event.value(QLatin1String("data")))) + "\n\n";
    }
    return out;
}

// A client's view of SSE bytes: each event's name (when it has one) and data parsed.
QJsonArray eventsOf(QByteArrayView bytes)
{
    QJsonArray out;
    SseEvents events;
    const auto take = [&] {
        QJsonObject event;
        if (!events.name().empty())
            event.insert(QLatin1String("event"), QString::fromUtf8(events.name().data(), qsizetype(events.name().size())));
        event.insert(QLatin1String("data"), parsed(events.data()));
        out.append(event);
    };
    events.feed(bytes);
    while (events.next())
        take();
    if (events.finish())
        take();
    return out;
}

struct Translated
{
    QJsonValue value;
    QString error; // the source decoder refused the input
};

Translated translate(const QJsonObject &testCase, ApiFormat from, ApiFormat to)
{
    const QString kind = testCase.value(QLatin1String("kind")).toString();
    // Answers to a Responses client echo its request: "client_request" is that request's body in
    // the client's format (`to`), decoded and handed to the encoder.
    std::optional<ir::Request> clientRequest;
    if (testCase.contains(QLatin1String("client_request"))) {
        Result<ir::Request> decoded = codecFor(to).decodeRequest(compact(testCase.value(QLatin1String("client_request"))));
        if (!decoded)
            return {{}, QStringLiteral("client_request: ") + decoded.error().message};
        clientRequest = std::move(*decoded);
    }
    const ir::Request *request = clientRequest ? &*clientRequest : nullptr;
    const QJsonValue input = testCase.value(QLatin1String("input"));
    const Codec &source = codecFor(from);
    const Codec &target = codecFor(to);
    if (kind == QLatin1String("request")) {
        const std::string body = compact(input);
        const Result<ir::Request> request = source.decodeRequest(body);
        if (!request)
            return {{}, request.error().message};
        RequestTarget requestTarget;
        requestTarget.model = testCase.value(QLatin1String("target_model")).toString(QStringLiteral("target-model")).toStdString();
        return {parsed(target.encodeRequest(*request, requestTarget)), {}};
    }
    if (kind == QLatin1String("response")) {
        const std::string body = compact(input);
        const Result<ir::Response> response = source.decodeResponse(body);
        if (!response)
            return {{}, response.error().message};
        return {parsed(target.encodeResponseFor(*response, request)), {}};
    }
    if (kind == QLatin1String("error")) {
        const std::string body = compact(input);
        const ir::ApiError error = source.decodeError(testCase.value(QLatin1String("status")).toInt(), body);
        return {parsed(target.encodeError(error)), {}};
    }
    StreamTranslator::Options options;
    options.from = from;
    options.to = to;
    options.includeUsage = testCase.value(QLatin1String("include_usage")).toBool(true);
    options.clientModel = testCase.value(QLatin1String("client_model")).toString().toStdString();
    options.estimatedInputTokens = testCase.value(QLatin1String("estimated_input_tokens")).toInteger();
    options.request = request;
    StreamTranslator translator(options);
    QByteArray out = translator.feed(sseBytes(input.toArray()));
    out += translator.finish();
    return {eventsOf(out), {}};
}

class TranslationGolden : public ::testing::TestWithParam<std::string>
{
};

TEST_P(TranslationGolden, MatchesExpected)
{
    QFile file(pairsDir() + QLatin1Char('/') + QString::fromStdString(GetParam()));
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    ASSERT_EQ(parseError.error, QJsonParseError::NoError) << parseError.errorString().toStdString();
    const QJsonObject testCase = doc.object();
    ApiFormat from;
    ApiFormat to;
    ASSERT_TRUE(formatOf(testCase.value(QLatin1String("from")).toString(), from));
    ASSERT_TRUE(formatOf(testCase.value(QLatin1String("to")).toString(), to));
    const QStringList kinds = {QStringLiteral("request"), QStringLiteral("response"), QStringLiteral("stream"),
                               QStringLiteral("error")};
    ASSERT_TRUE(kinds.contains(testCase.value(QLatin1String("kind")).toString()));
    ASSERT_TRUE(testCase.contains(QLatin1String("expected")));

    ir::setIdSeedForTests(1);
    const Translated translated = translate(testCase, from, to);
    ir::setIdSeedForTests(0);
    ASSERT_TRUE(translated.error.isEmpty()) << "the " << apiFormatName(from)
                                            << " decoder refused the input: " << translated.error.toStdString();
    QStringList differences;
    diff(testCase.value(QLatin1String("expected")), translated.value, QStringLiteral("$"), differences);
    EXPECT_TRUE(differences.isEmpty()) << testCase.value(QLatin1String("name")).toString().toStdString() << "\n"
                                       << differences.join(QLatin1Char('\n')).toStdString() << "\n--- actual:\n"
                                       << pretty(translated.value).toStdString();
}

std::string testName(const ::testing::TestParamInfo<std::string> &info)
{
    std::string name = info.param.substr(0, info.param.rfind('.'));
    for (char &c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)))
            c = '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(Pairs, TranslationGolden, ::testing::ValuesIn(caseFiles()), testName);

// Every ordered pair of formats has a case of every kind.
TEST(TranslationGoldenCoverage, EveryDirectionHasEveryKind)
{
    QSet<QString> seen;
    for (const std::string &name : caseFiles()) {
        QFile file(pairsDir() + QLatin1Char('/') + QString::fromStdString(name));
        ASSERT_TRUE(file.open(QIODevice::ReadOnly));
        const QJsonObject testCase = QJsonDocument::fromJson(file.readAll()).object();
        seen.insert(testCase.value(QLatin1String("from")).toString() + QLatin1Char('>')
                    + testCase.value(QLatin1String("to")).toString() + QLatin1Char(':')
                    + testCase.value(QLatin1String("kind")).toString());
    }
    for (const char *from : {"openai", "anthropic", "gemini", "responses"}) {
        for (const char *to : {"openai", "anthropic", "gemini", "responses"}) {
            for (const char *kind : {"request", "response", "stream", "error"}) {
                if (qstrcmp(from, to) == 0)
                    continue;
                EXPECT_TRUE(seen.contains(QLatin1String(from) + QLatin1Char('>') + QLatin1String(to) + QLatin1Char(':')
                                          + QLatin1String(kind)))
                    << from << " > " << to << " " << kind;
            }
        }
    }
    EXPECT_GE(caseFiles().size(), 40u);
}

} // namespace
