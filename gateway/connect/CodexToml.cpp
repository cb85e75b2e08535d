// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/connect/CodexToml.h"

#include <QRegularExpression>
#include <QStringList>

#include <toml++/toml.h>

#include <string>

namespace tarn::gateway::connect::codex {

namespace {

struct Parsed
{
    toml::table table;
    QString error; // empty when parsed
};

Parsed parseToml(const QByteArray &bytes)
{
    Parsed parsed;
    try {
        parsed.table = toml::parse(std::string_view(bytes.constData(), size_t(bytes.size())));
    } catch (const toml::parse_error &error) {
        parsed.error = QStringLiteral("%1 (line %2)")
                           .arg(QString::fromUtf8(error.description().data(), qsizetype(error.description().size())))
                           .arg(error.source().begin.line);
    }
    return parsed;
}

Status checkSize(const QByteArray &bytes, const QString &displayPath)
{
    if (bytes.size() > kMaxConfigFileBytes)
        return Error::invalid(QStringLiteral("%1 is larger than %2 MiB; Tarn leaves it alone")
                                  .arg(displayPath).arg(kMaxConfigFileBytes / (1024 * 1024)));
    if (bytes.contains('\0'))
        return Error::invalid(QStringLiteral("%1 is not a text file; Tarn changed nothing").arg(displayPath));
    return {};
}

// A table header's dotted name without spaces and quotes: [ model_providers . "tarn" ] ->
// model_providers.tarn. Empty for a line that is not a header.
QString headerName(const QString &line)
{
    static const QRegularExpression header(QStringLiteral("^\\s*\\[\\[?([^\\[\\]]+)\\]\\]?\\s*(#.*)?$"));
    const QRegularExpressionMatch match = header.match(line);
    if (!match.hasMatch())
        return {};
    QString name = match.captured(1);
    name.remove(u' ').remove(u'\t').remove(u'"').remove(u'\'');
    return name;
}

bool isBlankOrComment(const QString &line)
{
    const QString trimmed = line.trimmed();
    return trimmed.isEmpty() || trimmed.startsWith(u'#');
}

// Marks the lines inside a multi-line string, which must not be taken for headers or keys. Each
// line is read as TOML reads it: a comment ends it, and a """ or ''' inside a one-line string or
// a comment opens nothing (a model named "gp'''o" once did).
QList<bool> multiLineStringLines(const QStringList &lines)
{
    QList<bool> inside(lines.size(), false);
    QString open; // the delimiter of the multi-line string we are in, or empty
    for (qsizetype i = 0; i < lines.size(); ++i) {
        inside[i] = !open.isEmpty();
        const QString &line = lines.at(i);
        qsizetype pos = 0;
        while (pos < line.size()) {
            if (!open.isEmpty()) {
                // A basic one ends at the first """ not escaped; a literal one at the first '''.
                qsizetype close = line.indexOf(open, pos);
                while (close > 0 && open.front() == u'"' && line.at(close - 1) == u'\\') {
                    qsizetype backslashes = 0;
                    for (qsizetype b = close - 1; b >= 0 && line.at(b) == u'\\'; --b)
                        ++backslashes;
                    if (backslashes % 2 == 0)
                        break;
                    close = line.indexOf(open, close + 1);
                }
                if (close < 0)
                    break;
                open.clear();
                pos = close + 3;
                // Up to two more quotes belong to the string (""""" ends in two quotes).
                while (pos < line.size() && line.at(pos) == line.at(close) && pos < close + 5)
                    ++pos;
                continue;
            }
            const QChar c = line.at(pos);
            if (c == u'#')
                break;
            if (c == u'"' || c == u'\'') {
                const QString triple(3, c);
                if (line.mid(pos, 3) == triple) {
                    open = triple;
                    pos += 3;
                    continue;
                }
                // A one-line string: basic ones take backslash escapes, literal ones none.
                ++pos;
                while (pos < line.size() && line.at(pos) != c) {
                    if (c == u'"' && line.at(pos) == u'\\')
                        ++pos;
                    ++pos;
                }
                ++pos;
                continue;
            }
            ++pos;
        }
    }
    return inside;
}

toml::table expectedProvider(const ConnectTarget &target)
{
    toml::table provider;
    provider.insert("name", "Tarn");
    provider.insert("base_url", QString(target.rootUrl + QStringLiteral("/v1")).toStdString());
    provider.insert("wire_api", "responses");
    if (!target.key.isEmpty())
        provider.insert("experimental_bearer_token", target.key.toStdString());
    return provider;
}

QString lineForKey(const QString &key, const QString &value)
{
    return key + QStringLiteral(" = ") + tomlString(value);
}

} // namespace

QString tomlString(const QString &text)
{
    QString out = QStringLiteral("\"");
    for (const QChar c : text) {
        if (c == u'"' || c == u'\\')
            out += u'\\' + QString(c);
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out + u'"';
}

QString providerTable(const ConnectTarget &target)
{
    QStringList lines{QStringLiteral("[model_providers.tarn]"), lineForKey(QStringLiteral("name"), QStringLiteral("Tarn")),
                      lineForKey(QStringLiteral("base_url"), target.rootUrl + QStringLiteral("/v1")),
                      lineForKey(QStringLiteral("wire_api"), QStringLiteral("responses"))};
    if (!target.key.isEmpty())
        lines << lineForKey(QStringLiteral("experimental_bearer_token"), target.key);
    return lines.join(u'\n') + u'\n';
}

Result<QByteArray> plan(const std::optional<QByteArray> &current, const ConnectTarget &target, const QString &displayPath)
{
    const QByteArray original = current.value_or(QByteArray());
    if (Status s = checkSize(original, displayPath); !s)
        return s.error();
    const Parsed before = parseToml(original);
    if (!before.error.isEmpty())
        return Error::invalid(QStringLiteral("%1 is not valid TOML: %2; Tarn changed nothing").arg(displayPath, before.error));

    const QString newline = original.contains("\r\n") ? QStringLiteral("\r\n") : QStringLiteral("\n");
    QString text = QString::fromUtf8(original);
    text.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    QStringList lines = text.split(u'\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast(); // the final newline

    // Drop [model_providers.tarn] and its sub-tables: Tarn writes the table afresh at the end.
    {
        const QList<bool> inString = multiLineStringLines(lines);
        QStringList kept;
        bool dropping = false;
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const QString name = inString.at(i) ? QString() : headerName(lines.at(i));
            if (!name.isEmpty())
                dropping = name == u"model_providers.tarn" || name.startsWith(QStringLiteral("model_providers.tarn."));
            if (!dropping)
                kept.append(lines.at(i));
        }
        lines = kept;
    }

    // The root keys live before the first header.
    const QList<bool> inString = multiLineStringLines(lines);
    qsizetype firstHeader = lines.size();
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (!inString.at(i) && !headerName(lines.at(i)).isEmpty()) {
            firstHeader = i;
            break;
        }
    }
    QList<std::pair<QString, QString>> rootKeys{{QStringLiteral("model_provider"), QString::fromLatin1(kProviderId)}};
    if (!target.model.isEmpty())
        rootKeys.append({QStringLiteral("model"), target.model});
    QStringList toInsert;
    for (const auto &[key, value] : rootKeys) {
        const QRegularExpression pattern(QStringLiteral("^\\s*[\"']?%1[\"']?\\s*=").arg(key));
        qsizetype found = -1;
        for (qsizetype i = 0; i < firstHeader; ++i) {
            if (!inString.at(i) && pattern.match(lines.at(i)).hasMatch()) {
                found = i;
                break;
            }
        }
        if (found >= 0) {
            // Keep a trailing comment on the line only when the old value was a plain string.
            if (lines.at(found).trimmed() != lineForKey(key, value))
                lines[found] = lineForKey(key, value);
        } else {
            toInsert.append(lineForKey(key, value));
        }
    }
    if (!toInsert.isEmpty()) {
        qsizetype at = firstHeader;
        if (firstHeader < lines.size()) {
            // Comments just above the first header belong to it.
            while (at > 0 && isBlankOrComment(lines.at(at - 1)))
                --at;
            if (at == 0 && firstHeader > 0) // a file that opens with comments: keep them on top
                at = firstHeader;
            if (!lines.at(at).trimmed().isEmpty()) // a blank line between the root keys and the tables
                toInsert.append(QString());
        } else {
            while (at > 0 && lines.at(at - 1).trimmed().isEmpty())
                --at;
        }
        for (qsizetype i = 0; i < toInsert.size(); ++i)
            lines.insert(at + i, toInsert.at(i));
    }

    while (!lines.isEmpty() && lines.last().trimmed().isEmpty())
        lines.removeLast();
    if (!lines.isEmpty())
        lines.append(QString());
    QString result = lines.join(u'\n');
    if (!result.isEmpty())
        result += u'\n';
    result += providerTable(target);
    if (newline != u"\n")
        result.replace(QStringLiteral("\n"), newline);
    const QByteArray bytes = result.toUtf8();
    if (bytes == original)
        return original;

    // Prove the edit: the new file must be the old one with exactly Tarn's keys set.
    const Parsed after = parseToml(bytes);
    toml::table expected = before.table;
    expected.insert_or_assign("model_provider", std::string(kProviderId));
    if (!target.model.isEmpty())
        expected.insert_or_assign("model", target.model.toStdString());
    toml::table *providers = expected.get_as<toml::table>("model_providers");
    if (!providers && !expected.contains("model_providers")) {
        expected.insert("model_providers", toml::table{});
        providers = expected.get_as<toml::table>("model_providers");
    }
    if (providers)
        providers->insert_or_assign(kProviderId, expectedProvider(target));
    if (!after.error.isEmpty() || !providers || after.table != expected) {
        return Error::invalid(QStringLiteral("%1 sets model_provider, model or model_providers.tarn in a form Tarn does not "
                                             "rewrite (inline or dotted); Tarn changed nothing: edit it by hand")
                                  .arg(displayPath));
    }
    return bytes;
}

Result<AgentConnection> inspect(const std::optional<QByteArray> &current, const QString &displayPath)
{
    AgentConnection connection;
    if (!current)
        return connection;
    if (Status s = checkSize(*current, displayPath); !s)
        return s.error();
    const Parsed parsed = parseToml(*current);
    if (!parsed.error.isEmpty())
        return Error::invalid(QStringLiteral("%1 is not valid TOML: %2").arg(displayPath, parsed.error));
    const std::string provider = parsed.table["model_provider"].value_or(std::string());
    connection.model = QString::fromStdString(parsed.table["model"].value_or(std::string()));
    if (provider.empty())
        return connection;
    const auto table = parsed.table["model_providers"][provider];
    connection.rootUrl = normaliseRootUrl(QString::fromStdString(table["base_url"].value_or(std::string())));
    connection.key = QString::fromStdString(table["experimental_bearer_token"].value_or(std::string()));
    return connection;
}

} // namespace tarn::gateway::connect::codex
