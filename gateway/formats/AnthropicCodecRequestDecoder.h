// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Error.h"
#include "gateway/formats/Conversation.h"

#include <simdjson.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

// The pieces of AnthropicCodec::decodeRequest (AnthropicCodecRequest.cpp: the body and its
// settings; AnthropicCodecContent.cpp: messages and their blocks). Not part of the interface.
namespace tarn::gateway::anthropic {

// Where a value sits ("messages.2.content.0.source"), spelled out only when an error names it.
class Path
{
public:
    Path operator/(std::string_view name) const { return appended(name); }
    Path operator/(std::size_t index) const { return appended(index); }
    QString text() const;

private:
    using Segment = std::variant<std::string_view, std::size_t>;
    Path appended(Segment segment) const
    {
        Path next = *this;
        if (next.m_count < int(next.m_segments.size()))
            next.m_segments[std::size_t(next.m_count++)] = segment;
        return next;
    }

    std::array<Segment, 8> m_segments{};
    int m_count = 0;
};

// Anthropic's (pydantic's) words for what is wrong with a field.
inline constexpr const char *kRequired = "Field required";
inline constexpr const char *kString = "Input should be a valid string";
inline constexpr const char *kInteger = "Input should be a valid integer";
inline constexpr const char *kNumber = "Input should be a valid number";
inline constexpr const char *kBoolean = "Input should be a valid boolean";
inline constexpr const char *kList = "Input should be a valid list";
inline constexpr const char *kDictionary = "Input should be a valid dictionary";

// A missing or null field reads as absent.
bool absent(simdjson::simdjson_result<simdjson::dom::element> field);
// Integers as pydantic takes them: 1024 or 1024.0.
bool integerOf(simdjson::dom::element value, qint64 &out);

// Reads a client's body into an ir::Request. Each step returns false once it has put the first
// problem in `failure` (the caller answers with it).
struct RequestDecoder
{
    ir::Request &request;
    std::optional<Error> failure;
    std::unordered_map<std::string, std::string> toolNames; // tool_use id → name, for tool_result

    bool fail(const Path &path, const char *problem);
    bool string(simdjson::dom::object from, std::string_view key, const Path &path, bool required, std::string_view &out);
    bool cacheControl(simdjson::dom::object block, const Path &path, ir::Part &part);

    // AnthropicCodecContent.cpp
    bool message(simdjson::dom::element value, const Path &path);
    bool content(simdjson::dom::element value, const Path &path, std::vector<ir::Part> &into, bool inToolResult);
    bool block(simdjson::dom::element value, const Path &path, std::vector<ir::Part> &into);
    bool media(simdjson::dom::object block, bool document, const Path &path, std::vector<ir::Part> &into);
    bool toolUse(simdjson::dom::object block, const Path &path, std::vector<ir::Part> &into);
    bool toolResult(simdjson::dom::object block, const Path &path, std::vector<ir::Part> &into);

    // AnthropicCodecRequest.cpp
    bool tool(simdjson::dom::element value, const Path &path);
    bool toolChoice(simdjson::dom::element value);
    bool thinking(simdjson::dom::element value);
    bool outputConfig(simdjson::dom::element value);
    bool setting(std::string_view key, simdjson::dom::element value);
};

} // namespace tarn::gateway::anthropic
