// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/cli/ChannelParams.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace tarn::gateway::cli {

namespace {

using Kind = FlagSpec::Kind;

constexpr qsizetype kMaxPathLength = 200;
constexpr qsizetype kMaxPathDepth = 4;
constexpr qsizetype kMaxValueBytes = 64 * 1024;
constexpr qsizetype kMaxBetaLength = 100;

// What Tarn writes itself from the request and the route: an override would break routing or
// the answer's translation.
const QStringList &reservedParams()
{
    static const QStringList names = {QStringLiteral("model"), QStringLiteral("stream"), QStringLiteral("messages"),
                                      QStringLiteral("contents")};
    return names;
}

bool isNameChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'_' || c == u'-';
}

Status validateParamPath(const QString &path)
{
    if (path.isEmpty())
        return Error::invalid(QStringLiteral("a parameter path must not be empty"));
    const QStringList segments = path.split(u'.');
    const bool wellFormed = path.size() <= kMaxPathLength && segments.size() <= kMaxPathDepth
        && std::all_of(segments.cbegin(), segments.cend(), [](const QString &segment) {
               return !segment.isEmpty() && std::all_of(segment.cbegin(), segment.cend(), isNameChar);
           });
    if (!wellFormed) {
        return Error::invalid(QStringLiteral("invalid parameter path '%1' (expected up to %2 names of letters, digits, _ "
                                             "and - separated by dots, at most %3 characters)")
                                  .arg(path).arg(kMaxPathDepth).arg(kMaxPathLength));
    }
    if (reservedParams().contains(segments.first())) {
        return Error::invalid(QStringLiteral("'%1' cannot be overridden: Tarn owns %2 (they come from the request and "
                                             "the route)")
                                  .arg(path, reservedParams().join(QStringLiteral(", "))));
    }
    return {};
}

// Whether one path is the other or lies inside it ("a" and "a.b").
bool overlaps(const QString &a, const QString &b)
{
    return a == b || a.startsWith(b + u'.') || b.startsWith(a + u'.');
}

// The JSON a --set-param value stands for, in compact form. A value that is not JSON and does
// not start like JSON is a string: reasoning_effort=high is "high".
Result<QByteArray> parseParamValue(const QString &path, const QString &text)
{
    const QString value = text.trimmed();
    if (value.isEmpty())
        return Error::invalid(QStringLiteral("--set-param %1 needs a value (PATH=JSON)").arg(path));
    const QByteArray utf8 = value.toUtf8();
    if (utf8.size() > kMaxValueBytes)
        return Error::invalid(QStringLiteral("--set-param %1: the value is longer than %2 bytes").arg(path).arg(kMaxValueBytes));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson('[' + utf8 + ']', &error);
    if (doc.isArray() && doc.array().size() == 1)
        return compactJsonValue(doc.array().at(0));
    const QChar first = value.front();
    if (first == u'{' || first == u'[' || first == u'"' || first == u'-' || first.isDigit()) {
        return Error::invalid(QStringLiteral("--set-param %1: '%2' is not one valid JSON value (write strings as "
                                             "'%1=\"text\"' or as a bare word)")
                                  .arg(path, value));
    }
    return compactJsonValue(QJsonValue(value));
}

Status validateBetaName(const QString &name)
{
    const bool ok = !name.isEmpty() && name.size() <= kMaxBetaLength
        && std::all_of(name.cbegin(), name.cend(), [](QChar c) { return isNameChar(c) || c == u'.'; });
    if (!ok) {
        return Error::invalid(QStringLiteral("invalid anthropic-beta name '%1' (expected letters, digits, ., _ and -, "
                                             "such as prompt-caching-2024-07-31)")
                                  .arg(name));
    }
    return {};
}

} // namespace

QList<FlagSpec> paramFlags(bool forSet)
{
    QList<FlagSpec> specs = {{QStringLiteral("set-param"), Kind::Repeated},
                             {QStringLiteral("drop-param"), Kind::Repeated},
                             {QStringLiteral("strip-beta"), Kind::Repeated}};
    if (forSet) {
        specs += {{QStringLiteral("unset-param"), Kind::Repeated},
                  {QStringLiteral("clear-params"), Kind::Switch},
                  {QStringLiteral("clear-strip-betas"), Kind::Switch}};
    }
    return specs;
}

Status applyParamFlags(const ParsedFlags &f, Channel &c)
{
    ParamOverrides &params = c.params;
    for (const QString &path : f.values(QStringLiteral("unset-param"))) {
        const QString p = path.trimmed();
        if (!params.set.contains(p) && !params.drop.contains(p))
            return Error::invalid(QStringLiteral("channel '%1' has no parameter override '%2' to unset").arg(c.name, p));
        params.set.remove(p);
        params.drop.removeAll(p);
    }
    if (f.has(QStringLiteral("clear-params")))
        params = {};

    // A path given twice in one command is a contradiction or a typo; against what the channel
    // already has, the new flag wins (setting a dropped parameter stops dropping it).
    QStringList given;
    auto claim = [&](const QString &flag, const QString &path) -> Status {
        if (Status s = validateParamPath(path); !s)
            return Error::invalid(QStringLiteral("--%1: %2").arg(flag, s.error().message));
        if (given.contains(path))
            return Error::invalid(QStringLiteral("parameter '%1' is given more than once").arg(path));
        given.append(path);
        return {};
    };
    for (const QString &path : f.values(QStringLiteral("drop-param"))) {
        const QString p = path.trimmed();
        if (Status s = claim(QStringLiteral("drop-param"), p); !s)
            return s;
        params.set.remove(p);
        if (!params.drop.contains(p))
            params.drop.append(p);
    }
    for (const QString &pair : f.values(QStringLiteral("set-param"))) {
        const qsizetype eq = pair.indexOf(u'=');
        const QString p = pair.left(eq).trimmed();
        if (eq < 0 || p.isEmpty())
            return Error::invalid(QStringLiteral("invalid --set-param '%1' (expected PATH=JSON, e.g. temperature=1)").arg(pair));
        if (Status s = claim(QStringLiteral("set-param"), p); !s)
            return s;
        Result<QByteArray> value = parseParamValue(p, pair.mid(eq + 1));
        if (!value)
            return value.error();
        params.drop.removeAll(p);
        params.set.insert(p, *value);
    }

    if (f.has(QStringLiteral("clear-strip-betas")))
        c.stripBetas.clear();
    for (const QString &names : f.values(QStringLiteral("strip-beta"))) {
        const QStringList list = splitList(names);
        if (list.isEmpty())
            return Error::invalid(QStringLiteral("--strip-beta needs an anthropic-beta name"));
        for (const QString &name : list) {
            if (Status s = validateBetaName(name); !s)
                return s;
            if (!c.stripBetas.contains(name))
                c.stripBetas.append(name);
        }
    }
    return {};
}

Status validateChannelParams(const Channel &c)
{
    const ParamOverrides &params = c.params;
    for (auto it = params.set.cbegin(); it != params.set.cend(); ++it) {
        if (Status s = validateParamPath(it.key()); !s)
            return s;
        const QJsonDocument doc = QJsonDocument::fromJson('[' + it.value() + ']');
        if (!doc.isArray() || doc.array().size() != 1)
            return Error::invalid(QStringLiteral("parameter '%1' is not set to one valid JSON value").arg(it.key()));
        for (const QString &other : params.set.keys() + params.drop) {
            if (other != it.key() && overlaps(other, it.key()))
                return Error::invalid(QStringLiteral("parameters '%1' and '%2' overlap: one lies inside the other (unset one "
                                                     "with --unset-param)").arg(it.key(), other));
        }
        if (params.drop.contains(it.key()))
            return Error::invalid(QStringLiteral("parameter '%1' is both set and dropped").arg(it.key()));
    }
    for (const QString &path : params.drop) {
        if (Status s = validateParamPath(path); !s)
            return s;
    }
    for (const QString &name : c.stripBetas) {
        if (Status s = validateBetaName(name); !s)
            return s;
    }
    return {};
}

Status channelParamsFromJson(const QJsonObject &o, const QString &where, Channel &c)
{
    const QJsonValue params = o.value(QStringLiteral("params"));
    if (!params.isUndefined() && !params.isNull()) {
        const QString shape = QStringLiteral("%1.params must be an object {\"set\": {path: value}, \"drop\": [paths]}").arg(where);
        if (!params.isObject())
            return Error::invalid(shape);
        const QJsonValue set = params.toObject().value(QStringLiteral("set"));
        const QJsonValue drop = params.toObject().value(QStringLiteral("drop"));
        if ((!set.isUndefined() && !set.isNull() && !set.isObject()) || (!drop.isUndefined() && !drop.isNull() && !drop.isArray()))
            return Error::invalid(shape);
        for (const QJsonValue &path : drop.toArray()) {
            if (!path.isString())
                return Error::invalid(QStringLiteral("%1.params.drop must be an array of paths").arg(where));
        }
        c.params = paramOverridesFromJson(params.toObject());
    }
    const QJsonValue betas = o.value(QStringLiteral("strip_betas"));
    if (betas.isUndefined() || betas.isNull())
        return {};
    const QString shape = QStringLiteral("%1.strip_betas must be an array of anthropic-beta names").arg(where);
    if (!betas.isArray())
        return Error::invalid(shape);
    for (const QJsonValue &name : betas.toArray()) {
        if (!name.isString())
            return Error::invalid(shape);
        if (!c.stripBetas.contains(name.toString()))
            c.stripBetas.append(name.toString());
    }
    return {};
}

QString paramsText(const ParamOverrides &params)
{
    if (params.isEmpty())
        return QStringLiteral("-");
    QStringList parts;
    if (!params.set.isEmpty()) {
        QStringList set;
        for (auto it = params.set.cbegin(); it != params.set.cend(); ++it)
            set << it.key() + u'=' + QString::fromUtf8(it.value());
        parts << QStringLiteral("set ") + set.join(QStringLiteral(", "));
    }
    if (!params.drop.isEmpty())
        parts << QStringLiteral("drop ") + params.drop.join(QStringLiteral(", "));
    return parts.join(QStringLiteral("; "));
}

} // namespace tarn::gateway::cli
