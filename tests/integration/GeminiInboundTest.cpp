// SPDX-License-Identifier: GPL-3.0-or-later
// Gemini's inbound API end to end, as a hostile client sees it: the array stream form of
// :streamGenerateContent (exact framing, read a byte at a time and by a reader that pauses, the
// upstream split at every byte, errors mid-stream), :embedContent and :batchEmbedContents through
// OpenAI and Gemini channels (bad bodies, restricted keys, usage rows), and model lists in each
// client's own shape.
#include "tests/integration/TranslationTestSupport.h"
#include "tests/support/RawClient.h"

#include <QJsonArray>
#include <QThread>

using namespace tarn::gateway;
using namespace tarn::test;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QJsonObject geminiRequest(const QString &text)
{
    return QJsonObject{{s("contents"),
                        QJsonArray{QJsonObject{{s("role"), s("user")},
                                               {s("parts"), QJsonArray{QJsonObject{{s("text"), text}}}}}}}};
}

QJsonObject embedRequest(const QString &text)
{
    return QJsonObject{{s("content"), QJsonObject{{s("parts"), QJsonArray{QJsonObject{{s("text"), text}}}}}}};
}

QJsonArray parsedArray(const QByteArray &body)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    EXPECT_EQ(error.error, QJsonParseError::NoError) << body.toStdString();
    EXPECT_TRUE(document.isArray()) << body.toStdString();
    return document.array();
}

QString streamedText(const QJsonArray &elements)
{
    QString text;
    for (const QJsonValue &element : elements) {
        const QJsonObject candidate = element.toObject().value(u"candidates").toArray().at(0).toObject();
        for (const QJsonValue &part : candidate.value(u"content").toObject().value(u"parts").toArray())
            text += part.toObject().value(u"text").toString();
    }
    return text;
}

const QByteArray kChunk1 = R"({"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":7},"modelVersion":"ge-up"})";
const QByteArray kChunk2 = R"({"candidates":[{"content":{"parts":[{"text":"lo"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":7,"candidatesTokenCount":2,"totalTokenCount":9},"modelVersion":"ge-up"})";

class GeminiInboundTest : public TranslationTest
{
protected:
    HttpHeaders googleKey() const { return {{"x-goog-api-key", m_key.toUtf8()}}; }
    HttpResult get(const QString &path, HttpHeaders headers)
    {
        return m_client.request("GET", m_tarn.url(path), {}, std::move(headers), 15000);
    }
    // The raw request bytes of a Gemini call with the client's key.
    QByteArray rawPost(const QString &path, const QJsonObject &body) const
    {
        const QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);
        return "POST " + path.toUtf8() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nx-goog-api-key: " + m_key.toUtf8()
            + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(json.size()) + "\r\n\r\n"
            + json;
    }

    QString m_key;
};

} // namespace

TEST_F(GeminiInboundTest, ArrayStreamFromAnOpenAiChannelIsOneGrowingJsonArray)
{
    addChannel(ChannelType::OpenAI, s("flash"), s("gpt-up"));
    m_key = m_tarn.createKey(s("gemini-cli"));
    startGateway();

    const HttpStreamResult r = postStream(s("/v1beta/models/flash:streamGenerateContent"), geminiRequest(s("hi")), googleKey());
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    EXPECT_TRUE(r.header("content-type").startsWith("application/json")) << r.header("content-type").toStdString();
    // Google's framing exactly: `[` then the first object, `,\r\n` before each next, `]` at the end.
    ASSERT_TRUE(r.body.startsWith("[{\"candidates\"")) << r.body.toStdString();
    ASSERT_TRUE(r.body.endsWith("}]")) << r.body.toStdString();
    const QJsonArray elements = parsedArray(r.body);
    ASSERT_GE(elements.size(), 2);
    EXPECT_EQ(r.body.count(",\r\n{"), elements.size() - 1);
    EXPECT_FALSE(r.body.contains("data:"));
    EXPECT_FALSE(streamedText(elements).isEmpty());
    EXPECT_EQ(elements.last().toObject().value(u"candidates").toArray().at(0).toObject().value(u"finishReason").toString(),
              s("STOP"));
    EXPECT_TRUE(m_mock.lastRequest().json().value(u"stream").toBool()) << "upstream calls stay SSE";

    // The same answer as alt=sse, framed differently.
    const HttpStreamResult sse = postStream(s("/v1beta/models/flash:streamGenerateContent?alt=sse"), geminiRequest(s("hi")),
                                            googleKey());
    QJsonArray sseElements;
    for (const SseEvent &event : sseEvents(sse.body))
        sseElements.append(event.json());
    EXPECT_EQ(streamedText(sseElements), streamedText(elements));

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 2);
    EXPECT_EQ(rows[0].endpoint, s("/v1beta/models/{model}:streamGenerateContent"));
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_TRUE(rows[0].stream);
    EXPECT_GT(rows[0].promptTokens, 0);
    EXPECT_GT(rows[0].completionTokens, 0);
}

TEST_F(GeminiInboundTest, ArrayStreamFromAGeminiChannelReframesItsEventsByteForByte)
{
    addChannel(ChannelType::Gemini, s("ge"), s("ge-up"));
    m_key = m_tarn.createKey(s("gemini-cli"));
    MockBehaviour b;
    // The upstream's SSE split at every byte, each byte its own write.
    const QByteArray sse = "data: " + kChunk1 + "\r\n\r\n: keep-alive\r\n\r\ndata: " + kChunk2 + "\r\n\r\n";
    for (qsizetype i = 0; i < sse.size(); ++i)
        b.rawEvents.append(sse.sliced(i, 1));
    m_mock.pushBehaviour(b);
    startGateway();

    const HttpStreamResult r = postStream(s("/v1beta/models/ge:streamGenerateContent?key=") + m_key, geminiRequest(s("hi")));
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    EXPECT_EQ(r.body, "[" + kChunk1 + ",\r\n" + kChunk2 + "]");
    EXPECT_EQ(m_mock.lastRequest().path, QByteArrayLiteral("/v1beta/models/ge-up:streamGenerateContent?alt=sse"));
    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_EQ(rows[0].promptTokens, 7);
    EXPECT_EQ(rows[0].completionTokens, 2);
}

TEST_F(GeminiInboundTest, ArrayStreamReadOneByteAtATimeAndByAPausedReader)
{
    addChannel(ChannelType::OpenAI, s("flash"), s("gpt-up"));
    m_key = m_tarn.createKey(s("gemini-cli"));
    MockBehaviour many;
    many.chunks = 400; // a long answer: the paused reader's window fills
    m_mock.setDefaultBehaviour(many);
    startGateway();

    const QByteArray request = rawPost(s("/v1beta/models/flash:streamGenerateContent"), geminiRequest(s("hi")));
    QByteArray reference;
    {
        // A byte at a time.
        RawClient client(m_tarn.port());
        ASSERT_TRUE(client.send(request));
        QByteArray bytes;
        while (!client.peerClosed()) {
            bytes = client.received();
            QByteArray copy = bytes;
            const QList<RawResponse> responses = takeResponses(copy, false);
            if (!responses.isEmpty() && responses.first().complete)
                break;
            if (client.readSome(5000, 1).isEmpty() && !client.peerClosed())
                break;
        }
        QByteArray all = client.received();
        const QList<RawResponse> responses = takeResponses(all, client.peerClosed());
        ASSERT_EQ(responses.size(), 1);
        ASSERT_TRUE(responses.first().complete);
        EXPECT_EQ(responses.first().status, 200);
        reference = responses.first().body;
    }
    const QJsonArray elements = parsedArray(reference);
    EXPECT_GT(elements.size(), 100);
    {
        // A reader with a small window that stops reading for a while, then reads it all.
        RawClient client(m_tarn.port(), 4096);
        ASSERT_TRUE(client.send(request));
        QThread::msleep(800);
        ASSERT_TRUE(client.readWhileProgressing(
            [](QByteArray &bytes) {
                QByteArray copy = bytes;
                const QList<RawResponse> responses = takeResponses(copy, false);
                return !responses.isEmpty() && responses.first().complete;
            },
            5000, 30000));
        QByteArray all = client.received();
        const QList<RawResponse> responses = takeResponses(all, false);
        ASSERT_EQ(responses.size(), 1);
        EXPECT_EQ(streamedText(parsedArray(responses.first().body)), streamedText(elements));
    }
    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 2);
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_EQ(rows[1].status, 200);
}

TEST_F(GeminiInboundTest, ArrayStreamErrorsMidStreamAreTheLastElement)
{
    addChannel(ChannelType::Gemini, s("ge"), s("ge-up"));
    m_key = m_tarn.createKey(s("gemini-cli"));
    MockBehaviour inBand;
    const QByteArray error = R"({"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})";
    inBand.rawEvents = {"data: " + kChunk1 + "\n\n", "data: " + error + "\n\n"};
    m_mock.pushBehaviour(inBand);
    MockBehaviour cut;
    cut.rawEvents = {"data: " + kChunk1 + "\n\n"}; // no finish, then the upstream closes
    m_mock.pushBehaviour(cut);
    startGateway();

    const HttpStreamResult r = postStream(s("/v1beta/models/ge:streamGenerateContent"), geminiRequest(s("hi")), googleKey());
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "[" + kChunk1 + ",\r\n" + error + "]");

    const HttpStreamResult c = postStream(s("/v1beta/models/ge:streamGenerateContent"), geminiRequest(s("hi")), googleKey());
    ASSERT_EQ(c.status, 200);
    ASSERT_TRUE(c.body.startsWith(QByteArray("[" + kChunk1 + ",\r\n{\"error\""))) << c.body.toStdString();
    const QJsonArray elements = parsedArray(c.body);
    ASSERT_EQ(elements.size(), 2);
    EXPECT_EQ(elements.at(1).toObject().value(u"error").toObject().value(u"code").toInt(), 502);

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 2);
    EXPECT_EQ(rows[0].status, 502);
    EXPECT_EQ(rows[1].status, 502);
}

TEST_F(GeminiInboundTest, EmbedContentThroughAnOpenAiChannel)
{
    addChannel(ChannelType::OpenAI, s("emb"), s("mock-embedding"));
    m_key = m_tarn.createKey(s("gemini-cli"));
    startGateway();

    const HttpResult one = post(s("/v1beta/models/emb:embedContent"), embedRequest(s("hello world")), googleKey());
    ASSERT_EQ(one.status, 200) << one.body.toStdString();
    const QJsonArray values = one.json().value(u"embedding").toObject().value(u"values").toArray();
    EXPECT_EQ(values.size(), 8);
    const MockRequest sent = m_mock.lastRequest();
    EXPECT_EQ(sent.path, QByteArrayLiteral("/v1/embeddings"));
    EXPECT_EQ(sent.json().value(u"model").toString(), s("mock-embedding"));
    EXPECT_EQ(sent.json().value(u"input").toString(), s("hello world"));
    EXPECT_EQ(sent.header("authorization"), QByteArrayLiteral("Bearer sk-upstream-openai"));

    // A batch (as @google/genai's embedContent sends it): one vector per text, in order, each the
    // one the text gets alone.
    QJsonArray requests;
    for (const char *text : {"a", "hello world", "c"}) {
        QJsonObject request = embedRequest(s(text));
        request.insert(u"model", s("models/emb"));
        requests.append(request);
    }
    const HttpResult batch = post(s("/v1beta/models/emb:batchEmbedContents"), QJsonObject{{s("requests"), requests}},
                                  googleKey());
    ASSERT_EQ(batch.status, 200) << batch.body.toStdString();
    const QJsonArray embeddings = batch.json().value(u"embeddings").toArray();
    ASSERT_EQ(embeddings.size(), 3);
    EXPECT_EQ(embeddings.at(1).toObject().value(u"values").toArray(), values);
    EXPECT_NE(embeddings.at(0).toObject().value(u"values").toArray(), values);
    EXPECT_EQ(m_mock.lastRequest().json().value(u"input").toArray().size(), 3);

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 2);
    EXPECT_EQ(rows[0].endpoint, s("/v1beta/models/{model}:embedContent"));
    EXPECT_EQ(rows[1].endpoint, s("/v1beta/models/{model}:batchEmbedContents"));
    EXPECT_EQ(rows[0].inboundFormat, s("gemini"));
    EXPECT_EQ(rows[0].channelFormat, s("openai"));
    EXPECT_EQ(rows[0].requestedModel, s("emb"));
    EXPECT_EQ(rows[0].upstreamModel, s("mock-embedding"));
    EXPECT_EQ(rows[0].status, 200);
    EXPECT_GT(rows[0].promptTokens, 0);
    EXPECT_EQ(rows[0].completionTokens, 0);
}

TEST_F(GeminiInboundTest, EmbedContentThroughAGeminiChannelIsPassedThroughUnderItsModelName)
{
    addChannel(ChannelType::Gemini, s("emb"), s("ge-embed"));
    m_key = m_tarn.createKey(s("gemini-cli"));
    MockBehaviour one;
    one.body = R"({"embedding":{"values":[0.25,-0.5]}})";
    m_mock.pushBehaviour(one);
    MockBehaviour batch;
    batch.body = R"({"embeddings":[{"values":[1]},{"values":[2]}]})";
    m_mock.pushBehaviour(batch);
    startGateway();

    QJsonObject body = embedRequest(s("x"));
    body.insert(u"model", s("models/emb"));
    const HttpResult r = post(s("/v1beta/models/emb:embedContent"), body, googleKey());
    ASSERT_EQ(r.status, 200) << r.body.toStdString();
    EXPECT_EQ(r.body, QByteArrayLiteral(R"({"embedding":{"values":[0.25,-0.5]}})"));
    EXPECT_EQ(m_mock.lastRequest().path, QByteArrayLiteral("/v1beta/models/ge-embed:embedContent"));
    EXPECT_FALSE(m_mock.lastRequest().json().contains(u"model"));
    EXPECT_EQ(m_mock.lastRequest().header("x-goog-api-key"), QByteArrayLiteral("sk-upstream-gemini"));

    QJsonObject a = embedRequest(s("a"));
    a.insert(u"model", s("models/emb"));
    const HttpResult b2 = post(s("/v1beta/models/emb:batchEmbedContents"), QJsonObject{{s("requests"), QJsonArray{a, a}}},
                               googleKey());
    ASSERT_EQ(b2.status, 200) << b2.body.toStdString();
    EXPECT_EQ(b2.json().value(u"embeddings").toArray().size(), 2);
    EXPECT_EQ(m_mock.lastRequest().path, QByteArrayLiteral("/v1beta/models/ge-embed:batchEmbedContents"));
    const QJsonArray sent = m_mock.lastRequest().json().value(u"requests").toArray();
    ASSERT_EQ(sent.size(), 2);
    EXPECT_EQ(sent.at(0).toObject().value(u"model").toString(), s("models/ge-embed"));

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 2);
    EXPECT_EQ(rows[0].channelFormat, s("gemini"));
    EXPECT_GT(rows[0].promptTokens, 0) << "estimated when the upstream says nothing";
}

TEST_F(GeminiInboundTest, EmbedContentRefusesBadBodiesInGeminisShapeWithoutCallingUpstream)
{
    addChannel(ChannelType::OpenAI, s("emb"), s("mock-embedding"));
    m_key = m_tarn.createKey(s("gemini-cli"));
    startGateway();

    const auto send = [&](const QString &method, const QByteArray &body) {
        return m_client.request("POST", m_tarn.url(s("/v1beta/models/emb:") + method), body,
                                {{"x-goog-api-key", m_key.toUtf8()}, {"Content-Type", "application/json"}}, 15000);
    };
    QJsonArray tooMany;
    for (int i = 0; i < 101; ++i)
        tooMany.append(embedRequest(s("x")));
    QJsonObject otherModel = embedRequest(s("x"));
    otherModel.insert(u"model", s("models/other"));
    const QList<std::pair<QString, QByteArray>> bad{
        {s("embedContent"), "not json"},
        {s("embedContent"), "[]"},
        {s("embedContent"), "{}"},
        {s("embedContent"), R"({"content":{"parts":[]}})"},
        {s("embedContent"), R"({"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"AA=="}}]}})"},
        {s("embedContent"), R"({"content":{"parts":[{"text":7}]}})"},
        {s("embedContent"), R"({"content":{"parts":[{"text":"x"}]},"outputDimensionality":-3})"},
        {s("embedContent"), R"({"content":{"parts":[{"text":"x"}]},"outputDimensionality":"big"})"},
        {s("batchEmbedContents"), R"({"requests":[]})"},
        {s("batchEmbedContents"), R"({"requests":{}})"},
        {s("batchEmbedContents"), R"({"requests":[7]})"},
        {s("batchEmbedContents"), QJsonDocument(QJsonObject{{s("requests"), QJsonArray{otherModel}}}).toJson()},
        {s("batchEmbedContents"), QJsonDocument(QJsonObject{{s("requests"), tooMany}}).toJson()},
    };
    for (const auto &[method, body] : bad) {
        const HttpResult r = send(method, body);
        EXPECT_EQ(r.status, 400) << body.toStdString() << " -> " << r.body.toStdString();
        const QJsonObject error = r.json().value(u"error").toObject();
        EXPECT_EQ(error.value(u"status").toString(), s("INVALID_ARGUMENT")) << r.body.toStdString();
        EXPECT_EQ(error.value(u"code").toInt(), 400);
    }
    EXPECT_EQ(m_mock.requestCount(), 0);
    const HttpResult get = m_client.request("GET", m_tarn.url(s("/v1beta/models/emb:embedContent")), {},
                                            {{"x-goog-api-key", m_key.toUtf8()}}, 15000);
    EXPECT_EQ(get.status, 405);
    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), bad.size());
    EXPECT_EQ(rows[0].status, 400);
    EXPECT_EQ(rows[0].endpoint, s("/v1beta/models/{model}:embedContent"));
}

TEST_F(GeminiInboundTest, EmbedContentHonoursKeysAndChannelsThatCannotEmbed)
{
    addChannel(ChannelType::OpenAI, s("emb"), s("mock-embedding"));
    addChannel(ChannelType::Anthropic, s("claude"), s("claude-up"));
    m_key = m_tarn.createKey(s("restricted"), {s("claude")});
    const QString open = m_tarn.createKey(s("open"));
    MockBehaviour failing;
    failing.status = 500;
    m_mock.pushBehaviour(failing);
    startGateway();

    const HttpResult denied = post(s("/v1beta/models/emb:embedContent"), embedRequest(s("x")), googleKey());
    EXPECT_EQ(denied.status, 403);
    EXPECT_EQ(denied.json().value(u"error").toObject().value(u"status").toString(), s("PERMISSION_DENIED"));
    // Only an Anthropic channel serves it: nothing to embed with, and no call made.
    const HttpResult none = post(s("/v1beta/models/claude:embedContent"), embedRequest(s("x")), googleKey());
    EXPECT_EQ(none.status, 503) << none.body.toStdString();
    EXPECT_EQ(none.json().value(u"error").toObject().value(u"status").toString(), s("UNAVAILABLE"));
    EXPECT_EQ(m_mock.requestCount(), 0);
    // The upstream's failure comes back in Gemini's shape, with its status.
    const HttpResult failed = post(s("/v1beta/models/emb:embedContent"), embedRequest(s("x")), {{"x-goog-api-key", open.toUtf8()}});
    EXPECT_EQ(failed.status, 500) << failed.body.toStdString();
    EXPECT_TRUE(failed.json().value(u"error").toObject().contains(u"status")) << failed.body.toStdString();
    // A wrong key (loopback callers may omit one, by default).
    const HttpResult noKey = post(s("/v1beta/models/emb:embedContent"), embedRequest(s("x")), {{"x-goog-api-key", "tarn-wrong"}});
    EXPECT_EQ(noKey.status, 401);
    EXPECT_EQ(noKey.json().value(u"error").toObject().value(u"status").toString(), s("UNAUTHENTICATED"));

    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 4);
    EXPECT_EQ(rows[0].status, 403);
    EXPECT_EQ(rows[1].status, 503);
    EXPECT_EQ(rows[2].status, 500);
    EXPECT_EQ(rows[2].channelName, s("openai-emb"));
    EXPECT_EQ(rows[3].status, 401);
}

TEST_F(GeminiInboundTest, ModelListInGeminisShapeForTheModelsTheKeyMayUse)
{
    addChannel(ChannelType::OpenAI, s("flash"), s("gpt-up"));
    addChannel(ChannelType::Gemini, s("pro"), s("ge-up"));
    addChannel(ChannelType::Anthropic, s("secret"), s("claude-up"));
    m_key = m_tarn.createKey(s("restricted"), {s("flash"), s("pro")});
    startGateway();

    const HttpResult list = get(s("/v1beta/models"), googleKey());
    ASSERT_EQ(list.status, 200) << list.body.toStdString();
    const QJsonArray models = list.json().value(u"models").toArray();
    ASSERT_EQ(models.size(), 2) << list.body.toStdString();
    QStringList names;
    for (const QJsonValue &model : models) {
        const QJsonObject object = model.toObject();
        names << object.value(u"name").toString();
        EXPECT_FALSE(object.value(u"version").toString().isEmpty());
        EXPECT_FALSE(object.value(u"displayName").toString().isEmpty());
        EXPECT_GT(object.value(u"inputTokenLimit").toInt(), 0);
        EXPECT_GT(object.value(u"outputTokenLimit").toInt(), 0);
        const QJsonArray methods = object.value(u"supportedGenerationMethods").toArray();
        for (const char *method : {"generateContent", "streamGenerateContent", "countTokens"})
            EXPECT_TRUE(methods.contains(s(method))) << method;
    }
    names.sort();
    EXPECT_EQ(names, (QStringList{s("models/flash"), s("models/pro")}));
    EXPECT_FALSE(list.json().contains(u"nextPageToken"));

    // Pages, as the SDK's pager follows them.
    const HttpResult first = get(s("/v1beta/models?pageSize=1&key=") + m_key, {});
    ASSERT_EQ(first.status, 200) << first.body.toStdString();
    EXPECT_EQ(first.json().value(u"models").toArray().size(), 1);
    const QString token = first.json().value(u"nextPageToken").toString();
    ASSERT_FALSE(token.isEmpty());
    const HttpResult second = get(s("/v1beta/models?pageSize=1&pageToken=") + token, googleKey());
    ASSERT_EQ(second.json().value(u"models").toArray().size(), 1);
    EXPECT_NE(second.json().value(u"models").toArray().at(0), first.json().value(u"models").toArray().at(0));
    EXPECT_FALSE(second.json().contains(u"nextPageToken"));
    EXPECT_EQ(get(s("/v1beta/models?pageToken=zz"), googleKey()).status, 400);

    // One model; one the key may not use is as unknown as one nobody serves.
    const HttpResult one = get(s("/v1beta/models/pro"), googleKey());
    ASSERT_EQ(one.status, 200) << one.body.toStdString();
    EXPECT_EQ(one.json().value(u"name").toString(), s("models/pro"));
    EXPECT_EQ(get(s("/v1beta/models/models%2Fpro"), googleKey()).status, 200);
    for (const char *path : {"/v1beta/models/secret", "/v1beta/models/nobody"}) {
        const HttpResult missing = get(s(path), googleKey());
        EXPECT_EQ(missing.status, 404) << path;
        EXPECT_EQ(missing.json().value(u"error").toObject().value(u"status").toString(), s("NOT_FOUND")) << path;
        EXPECT_EQ(missing.json().value(u"error").toObject().value(u"code").toInt(), 404) << path;
    }
    const HttpResult anonymous = get(s("/v1beta/models?key=tarn-wrong"), {});
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(anonymous.json().value(u"error").toObject().value(u"status").toString(), s("UNAUTHENTICATED"));
    EXPECT_EQ(m_client.request("POST", m_tarn.url(s("/v1beta/models")), "{}", googleKey(), 15000).status, 405);
    EXPECT_EQ(m_mock.requestCount(), 0);
    EXPECT_TRUE(m_tarn.usageRows().isEmpty()) << "model lists are not usage";
}

TEST_F(GeminiInboundTest, ModelListsAnswerInTheAskingClientsShape)
{
    addChannel(ChannelType::OpenAI, s("flash"), s("gpt-up"));
    m_key = m_tarn.createKey(s("any"));
    startGateway();

    const HttpResult openAi = get(s("/v1/models"), {{"Authorization", "Bearer " + m_key.toUtf8()}});
    ASSERT_EQ(openAi.status, 200);
    EXPECT_EQ(openAi.json().value(u"object").toString(), s("list"));
    EXPECT_EQ(openAi.json().value(u"data").toArray().at(0).toObject().value(u"id").toString(), s("flash"));

    const HttpResult anthropic = get(s("/v1/models"), {{"x-api-key", m_key.toUtf8()}, {"anthropic-version", "2023-06-01"}});
    ASSERT_EQ(anthropic.status, 200);
    EXPECT_EQ(anthropic.json().value(u"data").toArray().at(0).toObject().value(u"type").toString(), s("model"));
    EXPECT_TRUE(anthropic.json().contains(u"has_more"));

    // Google's own /v1 is Gemini's: a client that authenticates the Google way reads its shape.
    for (const HttpResult &gemini : {get(s("/v1/models"), googleKey()), get(s("/v1/models?key=") + m_key, {})}) {
        ASSERT_EQ(gemini.status, 200);
        EXPECT_EQ(gemini.json().value(u"models").toArray().at(0).toObject().value(u"name").toString(), s("models/flash"))
            << gemini.body.toStdString();
    }

    // One model, in each shape.
    EXPECT_EQ(get(s("/v1/models/flash"), {{"Authorization", "Bearer " + m_key.toUtf8()}}).json().value(u"id").toString(),
              s("flash"));
    const HttpResult missing = get(s("/v1/models/nope"), {{"Authorization", "Bearer " + m_key.toUtf8()}});
    EXPECT_EQ(missing.status, 404);
    EXPECT_TRUE(missing.json().value(u"error").toObject().contains(u"message"));
}
