// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/JsonWriter.h"

#include <array>
#include <charconv>
#include <cmath>

namespace tarn::gateway {

namespace {

// 1 for the bytes a JSON string must escape: controls, '"' and '\'. UTF-8 passes as it is.
constexpr auto kEscapes = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 0x20; ++c)
        table[std::size_t(c)] = true;
    table['"'] = true;
    table['\\'] = true;
    return table;
}();

std::size_t firstEscape(std::string_view value, std::size_t from)
{
    while (from < value.size() && !kEscapes[static_cast<unsigned char>(value[from])])
        ++from;
    return from;
}

} // namespace

void appendJsonString(std::string &out, std::string_view value)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::size_t run = 0; // start of the pending run of bytes that need no escape
    std::size_t at = firstEscape(value, 0);
    if (at == value.size()) { // the common case: one append
        const std::size_t size = out.size();
        out.resize(size + value.size() + 2);
        char *to = out.data() + size;
        *to = '"';
        value.copy(to + 1, value.size());
        to[value.size() + 1] = '"';
        return;
    }
    out.reserve(out.size() + value.size() + 16);
    out.push_back('"');
    for (; at < value.size(); at = firstEscape(value, run)) {
        const unsigned char c = static_cast<unsigned char>(value[at]);
        out.append(value.substr(run, at - run));
        run = at + 1;
        switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        default:
            out.append("\\u00");
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
        }
    }
    out.append(value.substr(run));
    out.push_back('"');
}

void JsonWriter::beforeValue()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_first.isEmpty()) {
        if (!m_first.back())
            m_out.push_back(',');
        m_first.back() = false;
    }
}

JsonWriter &JsonWriter::beginObject()
{
    beforeValue();
    m_out.push_back('{');
    m_first.push_back(true);
    return *this;
}

JsonWriter &JsonWriter::endObject()
{
    m_out.push_back('}');
    m_first.removeLast();
    return *this;
}

JsonWriter &JsonWriter::beginArray()
{
    beforeValue();
    m_out.push_back('[');
    m_first.push_back(true);
    return *this;
}

JsonWriter &JsonWriter::endArray()
{
    m_out.push_back(']');
    m_first.removeLast();
    return *this;
}

JsonWriter &JsonWriter::key(std::string_view name)
{
    beforeValue();
    appendJsonString(m_out, name);
    m_out.push_back(':');
    m_afterKey = true;
    return *this;
}

JsonWriter &JsonWriter::string(std::string_view value)
{
    beforeValue();
    appendJsonString(m_out, value);
    return *this;
}

JsonWriter &JsonWriter::number(qint64 value)
{
    beforeValue();
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    m_out.append(buffer, result.ptr);
    return *this;
}

JsonWriter &JsonWriter::number(double value)
{
    beforeValue();
    if (!std::isfinite(value)) {
        m_out.append("null");
        return *this;
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    m_out.append(buffer, result.ptr);
    return *this;
}

JsonWriter &JsonWriter::boolean(bool value)
{
    beforeValue();
    m_out.append(value ? "true" : "false");
    return *this;
}

JsonWriter &JsonWriter::null()
{
    beforeValue();
    m_out.append("null");
    return *this;
}

JsonWriter &JsonWriter::raw(std::string_view json)
{
    beforeValue();
    m_out.append(json);
    return *this;
}

} // namespace tarn::gateway
