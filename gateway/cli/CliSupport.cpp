// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/cli/CliSupport.h"

#include "gateway/cli/ChannelParams.h"

#include "gateway/core/ExtraHeaderRule.h"
#include "gateway/core/Paths.h"
#include "gateway/storage/Database.h"

#include <QAtomicInt>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTimeZone>
#include <QUrl>

#include <cmath>

namespace tarn::gateway::cli {

int usageError(Context &ctx, const QString &message)
{
    ctx.err << "tarn: " << message << Qt::endl;
    return ExitUsage;
}

int runtimeError(Context &ctx, const QString &message)
{
    ctx.err << "tarn: " << message << Qt::endl;
    return ExitFailure;
}

Result<ParsedFlags> parseFlags(const QStringList &args, const QList<FlagSpec> &specs)
{
    ParsedFlags parsed;
    bool onlyPositionals = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        if (onlyPositionals || !arg.startsWith(u"--") || arg == u"--") {
            if (arg == u"--" && !onlyPositionals)
                onlyPositionals = true;
            else
                parsed.positionals.append(arg);
            continue;
        }
        const qsizetype eq = arg.indexOf(u'=');
        const QString name = arg.mid(2, eq < 0 ? -1 : eq - 2);
        const auto spec = std::find_if(specs.cbegin(), specs.cend(), [&](const FlagSpec &s) { return s.name == name; });
        if (spec == specs.cend())
            return Error::invalid(QStringLiteral("unknown option '--%1'").arg(name));
        if (spec->kind == FlagSpec::Kind::Switch) {
            if (eq >= 0)
                return Error::invalid(QStringLiteral("option '--%1' takes no value").arg(name));
            parsed.m_values[name].append(QString());
            continue;
        }
        QString value;
        if (eq >= 0) {
            value = arg.mid(eq + 1);
        } else {
            if (i + 1 >= args.size())
                return Error::invalid(QStringLiteral("option '--%1' needs a value").arg(name));
            value = args.at(++i);
        }
        if (spec->kind == FlagSpec::Kind::Value && parsed.m_values.contains(name))
            return Error::invalid(QStringLiteral("option '--%1' given more than once").arg(name));
        parsed.m_values[name].append(value);
    }
    return parsed;
}

Result<ParsedFlags> parseWithPositionals(const QStringList &args, const QList<FlagSpec> &specs, const QString &command,
                                         const QStringList &positionalNames)
{
    Result<ParsedFlags> flags = parseFlags(args, specs);
    if (!flags)
        return flags;
    if (flags->positionals.size() < positionalNames.size()) {
        return Error::invalid(QStringLiteral("'tarn %1' needs %2").arg(command, positionalNames.at(flags->positionals.size())));
    }
    if (flags->positionals.size() > positionalNames.size())
        return Error::invalid(QStringLiteral("unexpected argument '%1'").arg(flags->positionals.at(positionalNames.size())));
    return flags;
}

Status requireFlags(const ParsedFlags &flags, const QStringList &names)
{
    for (const QString &name : names) {
        if (!flags.has(name))
            return Error::invalid(QStringLiteral("missing required option '--%1'").arg(name));
    }
    return {};
}

Result<std::unique_ptr<Database>> openDatabase(const Context &ctx)
{
    static QAtomicInt counter;
    const QString connection = QStringLiteral("tarn-cli-%1").arg(counter.fetchAndAddRelaxed(1));
    return Database::open(databasePath(ctx.dataDir), connection);
}

Status validateName(const QString &what, const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._@:+-]{0,63}$"));
    if (name.isEmpty())
        return Error::invalid(QStringLiteral("%1 name must not be empty").arg(what));
    if (!pattern.match(name).hasMatch()) {
        return Error::invalid(QStringLiteral("invalid %1 name '%2' (use up to 64 letters, digits and . _ - @ : +, "
                                             "starting with a letter or digit)").arg(what, name));
    }
    return {};
}

Status validateHttpUrl(const QString &what, const QString &url, bool allowSocks)
{
    const QUrl parsed(url, QUrl::StrictMode);
    const QString scheme = parsed.scheme().toLower();
    const bool schemeOk = scheme == u"http" || scheme == u"https"
        || (allowSocks && (scheme == u"socks5" || scheme == u"socks5h"));
    if (!parsed.isValid() || !schemeOk || parsed.host().isEmpty()) {
        return Error::invalid(QStringLiteral("invalid %1 '%2' (expected %3://host[:port][/path])")
                                  .arg(what, url, allowSocks ? QStringLiteral("http(s) or socks5") : QStringLiteral("http(s)")));
    }
    return {};
}

Status validateChannel(const Channel &c)
{
    if (Status s = validateName(QStringLiteral("channel"), c.name); !s)
        return s;
    if (Status s = validateHttpUrl(QStringLiteral("base URL"), c.baseUrl); !s)
        return s;
    if (!c.proxy.isEmpty()) {
        if (Status s = validateHttpUrl(QStringLiteral("proxy URL"), c.proxy, true); !s)
            return s;
    }
    if (!std::isfinite(c.weight) || c.weight < 0)
        return Error::invalid(QStringLiteral("weight must be a number >= 0, got %1").arg(c.weight));
    if (c.capabilities.contextTokens < 0)
        return Error::invalid(QStringLiteral("context tokens must be >= 0"));
    if (c.capabilities.maxOutputTokens < 0)
        return Error::invalid(QStringLiteral("max output tokens must be >= 0"));
    const ChannelBudget &b = c.budget;
    if (b.requestsPerMinute < 0 || b.tokensPerMinute < 0 || b.tokensPerDay < 0 || b.tokensPerMonth < 0)
        return Error::invalid(QStringLiteral("budgets must be >= 0"));
    for (const double price : {c.price.inputPerMillion, c.price.outputPerMillion, c.price.cachedPerMillion}) {
        if (!std::isfinite(price) || price < 0)
            return Error::invalid(QStringLiteral("prices must be numbers >= 0, got %1").arg(price));
    }
    for (const int status : c.failoverStatuses) {
        if (status < 400 || status > 599)
            return Error::invalid(QStringLiteral("failover statuses must be 400-599, got %1").arg(status));
    }
    for (const QString &key : c.keys) {
        if (key.trimmed().isEmpty())
            return Error::invalid(QStringLiteral("channel '%1': an API key must not be empty").arg(c.name));
        // One key twice would be one account rotated as two (and one state row claimed twice).
        if (c.keys.count(key) > 1)
            return Error::invalid(QStringLiteral("channel '%1': the same API key is given twice").arg(c.name));
    }
    if (Status s = validateExtraHeaders(c.extraHeaders); !s)
        return Error::invalid(QStringLiteral("channel '%1': %2").arg(c.name, s.error().message));
    if (c.models.isEmpty() && c.modelMap.isEmpty())
        return Error::invalid(QStringLiteral("channel '%1' serves no models (give --models m1,m2)").arg(c.name));
    // Other types would ignore it, but storing it would claim a choice that is not made.
    if (c.type != ChannelType::OpenAI && c.openAiApi == OpenAiApi::Responses) {
        return Error::invalid(QStringLiteral("channel '%1' is %2: only openai channels can use the Responses API")
                                  .arg(c.name, channelTypeName(c.type)));
    }
    return validateChannelParams(c);
}

Result<int> parseInt(const QString &what, const QString &text, int min)
{
    bool ok = false;
    const int value = text.trimmed().toInt(&ok);
    if (!ok)
        return Error::invalid(QStringLiteral("%1 must be a whole number, got '%2'").arg(what, text));
    if (value < min)
        return Error::invalid(QStringLiteral("%1 must be >= %2, got %3").arg(what).arg(min).arg(value));
    return value;
}

Result<qint64> parseCount(const QString &what, const QString &text)
{
    bool ok = false;
    const qint64 value = text.trimmed().toLongLong(&ok);
    if (!ok || value < 0)
        return Error::invalid(QStringLiteral("%1 must be a whole number >= 0, got '%2'").arg(what, text));
    return value;
}

Result<double> parsePrice(const QString &what, const QString &text)
{
    bool ok = false;
    const double value = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(value) || value < 0)
        return Error::invalid(QStringLiteral("%1 must be a number >= 0 (USD per million tokens), got '%2'").arg(what, text));
    return value;
}

Result<QList<int>> parseStatuses(const QString &what, const QString &text)
{
    QList<int> statuses;
    for (const QString &item : splitList(text)) {
        bool ok = false;
        const int status = item.toInt(&ok);
        if (!ok || status < 400 || status > 599)
            return Error::invalid(QStringLiteral("%1 takes HTTP statuses 400-599 separated by commas, got '%2'").arg(what, item));
        if (!statuses.contains(status))
            statuses.append(status);
    }
    return statuses;
}

Result<bool> parseYesNo(const QString &what, const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t == u"yes" || t == u"true" || t == u"on" || t == u"1")
        return true;
    if (t == u"no" || t == u"false" || t == u"off" || t == u"0")
        return false;
    return Error::invalid(QStringLiteral("%1 must be yes or no, got '%2'").arg(what, text));
}

QStringList splitList(const QString &text)
{
    QStringList list;
    for (const QString &part : text.split(u',')) {
        const QString item = part.trimmed();
        if (!item.isEmpty() && !list.contains(item))
            list.append(item);
    }
    return list;
}

Result<QMap<QString, QString>> parsePairs(const QString &what, const QStringList &pairs)
{
    QMap<QString, QString> map;
    for (const QString &pair : pairs) {
        const qsizetype eq = pair.indexOf(u'=');
        const QString key = pair.left(eq).trimmed();
        const QString value = pair.mid(eq + 1).trimmed();
        if (eq <= 0 || key.isEmpty() || value.isEmpty())
            return Error::invalid(QStringLiteral("invalid %1 '%2' (expected NAME=VALUE)").arg(what, pair));
        map.insert(key, value);
    }
    return map;
}

Result<QDateTime> parseDateTime(const QString &what, const QString &text)
{
    const QString t = text.trimmed();
    const QDate date = QDate::fromString(t, Qt::ISODate);
    if (date.isValid() && t.size() == 10)
        return QDateTime(date, QTime(0, 0), QTimeZone::utc());
    static const QRegularExpression hasOffset(QStringLiteral("(Z|[+-]\\d\\d(:?\\d\\d)?)$"));
    QDateTime time = QDateTime::fromString(t, Qt::ISODateWithMs);
    if (!time.isValid() || !t.contains(u'T'))
        return Error::invalid(QStringLiteral("invalid %1 '%2' (expected an ISO date such as 2025-12-31 or 2025-12-31T18:00:00Z)")
                                  .arg(what, text));
    if (!hasOffset.match(t).hasMatch())
        time = QDateTime(time.date(), time.time(), QTimeZone::utc());
    return time.toUTC();
}

QString maskSecret(const QString &secret)
{
    const QString head = secret.left(secret.size() > 8 ? 4 : 0) + QStringLiteral("…");
    return secret.size() >= 24 ? head + secret.right(4) : head;
}

QString formatTime(const QDateTime &time)
{
    if (!time.isValid())
        return QStringLiteral("-");
    return time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm")) + QStringLiteral(" UTC");
}

QVariant jsonTime(const QDateTime &time)
{
    if (!time.isValid())
        return QVariant::fromValue(nullptr);
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QString formatTable(const QStringList &headers, const QList<QStringList> &rows, const QList<int> &rightAligned)
{
    QList<qsizetype> widths;
    for (const QString &h : headers)
        widths.append(h.size());
    for (const QStringList &row : rows) {
        for (qsizetype c = 0; c < row.size() && c < widths.size(); ++c)
            widths[c] = std::max(widths[c], row.at(c).size());
    }
    QString text;
    auto appendRow = [&](const QStringList &row) {
        QString line;
        for (qsizetype c = 0; c < headers.size(); ++c) {
            const QString cell = row.value(c);
            const bool last = c == headers.size() - 1;
            if (c > 0)
                line += QStringLiteral("  ");
            if (rightAligned.contains(int(c)))
                line += cell.rightJustified(widths[c]);
            else
                line += last ? cell : cell.leftJustified(widths[c]);
        }
        while (line.endsWith(u' '))
            line.chop(1);
        text += line + u'\n';
    };
    appendRow(headers);
    for (const QStringList &row : rows)
        appendRow(row);
    return text;
}

QJsonObject channelToJson(const Channel &c, SecretMode secrets)
{
    QJsonObject object;
    object.insert(QStringLiteral("name"), c.name);
    object.insert(QStringLiteral("type"), channelTypeName(c.type));
    object.insert(QStringLiteral("openai_api"), openAiApiName(c.openAiApi));
    object.insert(QStringLiteral("base_url"), c.baseUrl);
    if (secrets != SecretMode::Omit) {
        QJsonArray keys;
        for (const QString &key : c.keys)
            keys.append(secrets == SecretMode::Include ? key : maskSecret(key));
        object.insert(QStringLiteral("keys"), keys);
    }
    object.insert(QStringLiteral("models"), QJsonArray::fromStringList(c.models));
    QJsonObject map;
    for (auto it = c.modelMap.cbegin(); it != c.modelMap.cend(); ++it)
        map.insert(it.key(), it.value());
    object.insert(QStringLiteral("model_map"), map);
    object.insert(QStringLiteral("priority"), c.priority);
    object.insert(QStringLiteral("weight"), c.weight);
    object.insert(QStringLiteral("enabled"), c.enabled);
    object.insert(QStringLiteral("capabilities"), capabilitiesToJson(c.capabilities));
    object.insert(QStringLiteral("budget"), budgetToJson(c.budget));
    object.insert(QStringLiteral("price"), priceToJson(c.price));
    QJsonArray failover;
    for (const int status : c.failoverStatuses)
        failover.append(status);
    object.insert(QStringLiteral("failover_on"), failover);
    object.insert(QStringLiteral("test_model"), c.testModel);
    object.insert(QStringLiteral("params"), paramOverridesToJson(c.params));
    object.insert(QStringLiteral("strip_betas"), QJsonArray::fromStringList(c.stripBetas));
    object.insert(QStringLiteral("proxy"), c.proxy);
    // Header values can be credentials too: masked wherever keys are.
    QJsonObject headers;
    for (auto it = c.extraHeaders.cbegin(); it != c.extraHeaders.cend(); ++it)
        headers.insert(it.key(), secrets == SecretMode::Mask ? maskSecret(it.value()) : it.value());
    object.insert(QStringLiteral("extra_headers"), headers);
    if (secrets == SecretMode::Mask) {
        object.insert(QStringLiteral("created_at"), QJsonValue::fromVariant(jsonTime(c.createdAt)));
        object.insert(QStringLiteral("updated_at"), QJsonValue::fromVariant(jsonTime(c.updatedAt)));
    }
    return object;
}

QJsonObject budgetToJson(const ChannelBudget &b)
{
    return {{QStringLiteral("rpm"), b.requestsPerMinute},
            {QStringLiteral("tpm"), b.tokensPerMinute},
            {QStringLiteral("tokens_per_day"), b.tokensPerDay},
            {QStringLiteral("tokens_per_month"), b.tokensPerMonth}};
}

QJsonObject priceToJson(const ChannelPrice &p)
{
    return {{QStringLiteral("input"), p.inputPerMillion},
            {QStringLiteral("output"), p.outputPerMillion},
            {QStringLiteral("cached"), p.cachedPerMillion}};
}

QString toJsonText(const QJsonValue &value)
{
    const QJsonDocument doc = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    return QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
}

} // namespace tarn::gateway::cli
