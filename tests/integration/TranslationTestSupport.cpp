// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/integration/TranslationTestSupport.h"

using namespace tarn::gateway;

namespace tarn::test {

QList<SseEvent> sseEvents(const QByteArray &body)
{
    QByteArray normal = body;
    normal.replace("\r\n", "\n");
    normal.replace('\r', '\n');
    QList<SseEvent> events;
    SseEvent current;
    bool any = false;
    for (const QByteArray &line : normal.split('\n')) {
        if (line.isEmpty()) {
            if (any)
                events.append(current);
            current = {};
            any = false;
            continue;
        }
        if (line.startsWith(':'))
            continue;
        const qsizetype colon = line.indexOf(':');
        const QByteArray field = colon < 0 ? line : line.first(colon);
        QByteArray value = colon < 0 ? QByteArray() : line.sliced(colon + 1);
        if (value.startsWith(' '))
            value.remove(0, 1);
        if (field == "event") {
            current.name = value;
            any = true;
        } else if (field == "data") {
            if (!current.data.isEmpty())
                current.data.append('\n');
            current.data.append(value);
            any = true;
        }
    }
    if (any)
        events.append(current);
    return events;
}

QStringList eventTypes(const QList<SseEvent> &events)
{
    QStringList types;
    for (const SseEvent &event : events) {
        const QString type = event.json().value(u"type").toString();
        types << (type.isEmpty() ? QString::fromLatin1(event.name.isEmpty() ? event.data.left(20) : event.name) : type);
    }
    return types;
}

Channel TranslationTest::addChannel(ChannelType type, const QString &model, const QString &upstreamModel)
{
    Channel channel;
    channel.type = type;
    channel.name = channelTypeName(type) + u'-' + model;
    switch (type) {
    case ChannelType::OpenAI: channel.baseUrl = m_mock.baseUrl(); break;
    case ChannelType::Anthropic: channel.baseUrl = m_mock.anthropicBaseUrl(); break;
    case ChannelType::Gemini: channel.baseUrl = m_mock.geminiBaseUrl(); break;
    }
    if (upstreamModel.isEmpty()) {
        channel.models = {model};
    } else {
        channel.models = {upstreamModel};
        channel.modelMap.insert(model, upstreamModel);
    }
    channel.keys = {QStringLiteral("sk-upstream-%1").arg(channelTypeName(type))};
    return m_tarn.addChannel(std::move(channel));
}

void TranslationTest::startGateway()
{
    ASSERT_TRUE(m_tarn.start());
}

HttpResult TranslationTest::post(const QString &path, const QJsonObject &body, HttpHeaders headers)
{
    return m_client.request("POST", m_tarn.url(path), QJsonDocument(body).toJson(QJsonDocument::Compact),
                            std::move(headers), 15000);
}

HttpStreamResult TranslationTest::postStream(const QString &path, const QJsonObject &body, HttpHeaders headers)
{
    return m_client.stream("POST", m_tarn.url(path), QJsonDocument(body).toJson(QJsonDocument::Compact),
                           std::move(headers), 15000);
}

QJsonObject TranslationTest::anthropicRequest(const QString &model, bool stream, bool withTools)
{
    QJsonObject body{
        {QStringLiteral("model"), model},
        {QStringLiteral("max_tokens"), 1024},
        {QStringLiteral("system"),
         QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                {QStringLiteral("text"), QStringLiteral("You are a coding agent.")},
                                {QStringLiteral("cache_control"), QJsonObject{{QStringLiteral("type"), QStringLiteral("ephemeral")}}}}}},
        {QStringLiteral("messages"),
         QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                {QStringLiteral("content"), QStringLiteral("List the files here")}}}},
        {QStringLiteral("stream"), stream},
    };
    if (withTools) {
        body.insert(u"tools", QJsonArray{QJsonObject{
                                  {QStringLiteral("name"), QStringLiteral("Bash")},
                                  {QStringLiteral("description"), QStringLiteral("Run a shell command")},
                                  {QStringLiteral("input_schema"),
                                   QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                               {QStringLiteral("properties"),
                                                QJsonObject{{QStringLiteral("command"),
                                                             QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}}}},
                                               {QStringLiteral("required"), QJsonArray{QStringLiteral("command")}}}}}});
    }
    return body;
}

QJsonObject TranslationTest::openAiRequest(const QString &model, bool stream, bool withTools)
{
    QJsonObject body{
        {QStringLiteral("model"), model},
        {QStringLiteral("messages"),
         QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("system")}, {QStringLiteral("content"), QStringLiteral("Be brief.")}},
                    QJsonObject{{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), QStringLiteral("List the files here")}}}},
        {QStringLiteral("stream"), stream},
    };
    if (stream)
        body.insert(u"stream_options", QJsonObject{{QStringLiteral("include_usage"), true}});
    if (withTools) {
        body.insert(u"tools", QJsonArray{QJsonObject{
                                  {QStringLiteral("type"), QStringLiteral("function")},
                                  {QStringLiteral("function"),
                                   QJsonObject{{QStringLiteral("name"), QStringLiteral("run_shell")},
                                               {QStringLiteral("description"), QStringLiteral("Run a shell command")},
                                               {QStringLiteral("parameters"),
                                                QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                                            {QStringLiteral("properties"),
                                                             QJsonObject{{QStringLiteral("command"),
                                                                          QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}}}}}}}}}});
    }
    return body;
}

} // namespace tarn::test
