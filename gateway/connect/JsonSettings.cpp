// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/connect/JsonSettings.h"

#include "gateway/connect/AgentConfig.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace tarn::gateway::connect {

Result<JsonSettings> JsonSettings::parse(const std::optional<QByteArray> &bytes, const QString &displayPath)
{
    JsonSettings settings;
    settings.m_displayPath = displayPath;
    if (!bytes || bytes->trimmed().isEmpty()) {
        if (bytes)
            settings.m_originalBytes = *bytes;
        return settings;
    }
    if (bytes->size() > kMaxConfigFileBytes)
        return Error::invalid(QStringLiteral("%1 is larger than %2 MiB; Tarn leaves it alone")
                                  .arg(displayPath).arg(kMaxConfigFileBytes / (1024 * 1024)));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(*bytes, &error);
    if (error.error != QJsonParseError::NoError) {
        return Error::invalid(QStringLiteral("%1 is not valid JSON (%2 at offset %3; comments are not supported): "
                                             "fix or move it first; Tarn changed nothing")
                                  .arg(displayPath, error.errorString()).arg(error.offset));
    }
    if (!document.isObject())
        return Error::invalid(QStringLiteral("%1 does not hold a JSON object; Tarn changed nothing").arg(displayPath));
    settings.m_root = document.object();
    settings.m_original = settings.m_root;
    settings.m_originalBytes = *bytes;
    return settings;
}

Status JsonSettings::set(const QStringList &path, const QJsonValue &value)
{
    Q_ASSERT(!path.isEmpty());
    // Walk down copying each level, then write the copies back up: QJsonObject has no references
    // into nested objects.
    QList<QJsonObject> levels{m_root};
    for (qsizetype i = 0; i + 1 < path.size(); ++i) {
        const QJsonValue next = levels.last().value(path.at(i));
        if (!next.isUndefined() && !next.isObject()) {
            return Error::invalid(QStringLiteral("%1: '%2' is not an object; Tarn changed nothing")
                                      .arg(m_displayPath, path.mid(0, i + 1).join(u'.')));
        }
        levels.append(next.toObject());
    }
    levels.last().insert(path.last(), value);
    for (qsizetype i = path.size() - 1; i > 0; --i)
        levels[i - 1].insert(path.at(i - 1), levels.at(i));
    m_root = levels.first();
    return {};
}

QJsonValue JsonSettings::get(const QStringList &path) const
{
    QJsonValue value = m_root;
    for (const QString &part : path) {
        if (!value.isObject())
            return QJsonValue::Undefined;
        value = value.toObject().value(part);
    }
    return value;
}

QByteArray JsonSettings::serialise() const
{
    if (m_root == m_original && !m_originalBytes.trimmed().isEmpty())
        return m_originalBytes;
    return QJsonDocument(m_root).toJson(QJsonDocument::Indented);
}

} // namespace tarn::gateway::connect
