// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QVarLengthArray>
#include <QtGlobal>

#include <string>
#include <string_view>

namespace tarn::gateway {

// Appends compact JSON to a std::string: the encoders' output, written once with no DOM (a
// translated request costs a few microseconds). Commas are placed for the caller; keys and
// values are written in call order. Strings must be UTF-8 (simdjson validated what we read).
class JsonWriter
{
public:
    explicit JsonWriter(std::string &out) : m_out(out) {}

    JsonWriter &beginObject();
    JsonWriter &endObject();
    JsonWriter &beginArray();
    JsonWriter &endArray();
    JsonWriter &key(std::string_view name);
    JsonWriter &string(std::string_view value);
    JsonWriter &number(qint64 value);
    JsonWriter &number(double value); // shortest round-trip form; NaN/inf written as null
    JsonWriter &boolean(bool value);
    JsonWriter &null();
    JsonWriter &raw(std::string_view json); // a value that is already JSON text

    // key + value
    JsonWriter &member(std::string_view name, std::string_view value) { return key(name).string(value); }
    JsonWriter &member(std::string_view name, const char *value) { return key(name).string(value); }
    JsonWriter &member(std::string_view name, qint64 value) { return key(name).number(value); }
    JsonWriter &member(std::string_view name, int value) { return key(name).number(qint64(value)); }
    JsonWriter &member(std::string_view name, double value) { return key(name).number(value); }
    JsonWriter &memberBool(std::string_view name, bool value) { return key(name).boolean(value); }
    JsonWriter &memberRaw(std::string_view name, std::string_view json) { return key(name).raw(json); }

private:
    void beforeValue();

    std::string &m_out;
    QVarLengthArray<bool, 32> m_first; // per open container: nothing written in it yet (no heap
                                       // until 32 levels: one writer per event on a stream)
    bool m_afterKey = false;
};

// Appends `"…"` with JSON escaping; runs of bytes that need none are appended whole.
void appendJsonString(std::string &out, std::string_view value);

} // namespace tarn::gateway
