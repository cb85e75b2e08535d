// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers shared by the Gemini codec's tests: fixtures, semantic JSON comparison, SSE splitting
// and the stream-event ordering rules of Conversation.h.
#pragma once

#include "gateway/formats/GeminiCodec.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tarn::gateway::test {

inline std::string geminiFixture(const char *name)
{
    QFile file(QStringLiteral(TARN_FIXTURES_DIR "/formats/gemini/") + QLatin1StringView(name));
    if (!file.open(QIODevice::ReadOnly)) {
        ADD_FAILURE() << "missing fixture " << name;
        return {};
    }
    const QByteArray bytes = file.readAll();
    return std::string(bytes.constData(), std::size_t(bytes.size()));
}

inline QJsonDocument jsonOf(std::string_view text)
{
    QJsonParseError error;
    const QJsonDocument document =
        QJsonDocument::fromJson(QByteArray(text.data(), qsizetype(text.size())), &error);
    EXPECT_EQ(error.error, QJsonParseError::NoError) << "not JSON: " << text;
    return document;
}

// Same JSON value, whatever the key order and spacing.
inline ::testing::AssertionResult sameJson(std::string_view actual, std::string_view expected)
{
    if (jsonOf(actual) == jsonOf(expected))
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
        << "\n  actual:   " << jsonOf(actual).toJson(QJsonDocument::Compact).toStdString()
        << "\n  expected: " << jsonOf(expected).toJson(QJsonDocument::Compact).toStdString();
}

// The data of each SSE event in `stream` (events end at a blank line; LF or CRLF).
inline std::vector<std::string> sseData(std::string_view stream)
{
    std::vector<std::string> events;
    std::string data;
    bool hasData = false;
    std::size_t at = 0;
    while (at < stream.size()) {
        std::size_t end = stream.find('\n', at);
        if (end == std::string_view::npos)
            end = stream.size();
        std::string_view line = stream.substr(at, end - at);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        at = end + 1;
        if (line.empty()) {
            if (hasData)
                events.push_back(data);
            data.clear();
            hasData = false;
        } else if (line.substr(0, 5) == "data:") {
            line.remove_prefix(line.size() > 5 && line[5] == ' ' ? 6 : 5);
            if (hasData)
                data.push_back('\n');
            data.append(line);
            hasData = true;
        }
    }
    if (hasData)
        events.push_back(data);
    return events;
}

inline std::vector<ir::StreamEvent> decodeStream(const std::vector<std::string> &events, bool end = true)
{
    const std::unique_ptr<StreamDecoder> decoder = GeminiCodec().newStreamDecoder();
    std::vector<ir::StreamEvent> out;
    for (const std::string &data : events)
        decoder->decode({}, data, out);
    if (end)
        decoder->end(out);
    return out;
}

// The ordering Conversation.h promises: Start once and first; parts started in index order,
// deltas only on started, unstopped parts, never empty; each part stopped once; nothing after
// Finish but an Error; nothing after an Error.
inline ::testing::AssertionResult wellOrdered(const std::vector<ir::StreamEvent> &events)
{
    using Kind = ir::StreamEvent::Kind;
    bool started = false, finished = false, failed = false;
    int nextIndex = 0;
    std::set<int> open;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const ir::StreamEvent &event = events[i];
        const auto fail = [&](const char *why) { return ::testing::AssertionFailure() << "event " << i << ": " << why; };
        if (failed)
            return fail("event after an Error");
        if (event.kind == Kind::Error) {
            failed = true;
            continue;
        }
        if (finished)
            return fail("event after Finish");
        if (event.kind == Kind::Start) {
            if (started)
                return fail("second Start");
            started = true;
            continue;
        }
        if (!started)
            return fail("event before Start");
        switch (event.kind) {
        case Kind::PartStart:
            if (event.index != nextIndex++)
                return fail("part index out of order");
            open.insert(event.index);
            break;
        case Kind::PartDelta:
            if (!open.count(event.index))
                return fail("delta on a part not open");
            if (event.text.empty() && event.signature.empty())
                return fail("empty delta");
            break;
        case Kind::PartStop:
            if (!open.erase(event.index))
                return fail("stop of a part not open");
            break;
        case Kind::Finish:
            if (!open.empty())
                return fail("Finish with parts open");
            finished = true;
            break;
        case Kind::Start:
        case Kind::Error:
        case Kind::KeepAlive: break;
        }
    }
    if (!failed && !open.empty())
        return ::testing::AssertionFailure() << "parts left open at the end";
    return ::testing::AssertionSuccess();
}

inline int count(const std::vector<ir::StreamEvent> &events, ir::StreamEvent::Kind kind)
{
    int n = 0;
    for (const ir::StreamEvent &event : events)
        n += event.kind == kind;
    return n;
}

} // namespace tarn::gateway::test
