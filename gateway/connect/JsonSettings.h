// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace tarn::gateway::connect {

// Edits of a JSON settings file (Claude Code's, Gemini CLI's, Qwen Code's settings.json) that
// keep every key Tarn does not set. Pure: bytes in, bytes out.
class JsonSettings
{
public:
    // Reads a file that must hold one JSON object; a missing or blank file is an empty object.
    // Anything else (an array, comments, a syntax error) is an InvalidArgument error naming
    // displayPath. Duplicate keys keep the last value, as the agents' JSON.parse does.
    static Result<JsonSettings> parse(const std::optional<QByteArray> &bytes, const QString &displayPath);

    // root.a.b… = value, creating objects on the way; fails when something on the way is not an
    // object (Tarn would have to drop the user's value to go on).
    Status set(const QStringList &path, const QJsonValue &value);
    QJsonValue get(const QStringList &path) const;

    // The original bytes when nothing changed (a file already set up by hand keeps its layout),
    // else the object written out indented.
    QByteArray serialise() const;
    const QJsonObject &object() const { return m_root; }

private:
    QJsonObject m_root;
    QJsonObject m_original;
    QByteArray m_originalBytes;
    QString m_displayPath;
};

} // namespace tarn::gateway::connect
