// SPDX-License-Identifier: GPL-3.0-or-later
// The classifier reads what the providers put in their error bodies: a structured code when there is
// one (OpenAI/Moonshot `type`/`code`, Anthropic `error.type`, Gemini `status` + details, Zhipu and
// MiniMax numeric codes, DashScope and Ark dotted codes), else the upstream's own words. The status
// line decides what the words may still change (see classifyUpstreamAnswer at the bottom).
#include "gateway/routing/AttemptVerdict.h"

#include "gateway/routing/RetryTime.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QRegularExpression>
#include <QTimeZone>

#include <algorithm>
#include <cmath>
#include <initializer_list>

namespace tarn::gateway {

namespace {

constexpr qsizetype kMaxErrorJson = 64 * 1024;    // error bodies are small; never parse more
constexpr qsizetype kMaxScannedText = 8 * 1024;   // raw text searched when the body is not JSON
constexpr qsizetype kMaxReasonChars = 300;

// ---- what an error body says ----

struct ErrorFacts
{
    bool found = false;    // it holds a recognised error object
    QString message;
    QString type;          // OpenAI/Moonshot/Anthropic type, Gemini status
    QString code;          // error.code as text, DashScope/Ark dotted code
    int zhipuCode = -1;    // 1000..1399 in error.code
    int miniMaxCode = -1;  // base_resp.status_code when not 0
    qint64 bodyRetryMs = -1;
    bool perDayQuota = false; // Gemini QuotaFailure naming a per-day quota
};

QString jsonText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble()) {
        const double d = value.toDouble();
        if (std::isfinite(d) && d == std::floor(d) && std::abs(d) < 1e15)
            return QString::number(qint64(d));
        return QString::number(d);
    }
    return {};
}

QString firstText(const QJsonObject &o, std::initializer_list<const char16_t *> keys)
{
    for (const char16_t *key : keys) {
        const QString text = jsonText(o.value(QStringView(key)));
        if (!text.trimmed().isEmpty())
            return text;
    }
    return {};
}

void readGeminiDetails(const QJsonArray &details, ErrorFacts &facts)
{
    for (const QJsonValue &entry : details) {
        const QJsonObject d = entry.toObject();
        const QString type = d.value(u"@type").toString();
        if (type.endsWith(u"google.rpc.RetryInfo")) {
            if (const auto ms = parseDurationMs(d.value(u"retryDelay").toString().toLatin1()))
                facts.bodyRetryMs = clampRetryMs(*ms);
        } else if (type.endsWith(u"google.rpc.QuotaFailure")) {
            for (const QJsonValue &v : d.value(u"violations").toArray()) {
                const QJsonObject violation = v.toObject();
                const QString id = violation.value(u"quotaId").toString() + violation.value(u"quotaMetric").toString();
                if (id.contains(u"PerDay", Qt::CaseInsensitive))
                    facts.perDayQuota = true;
            }
        } else if (type.endsWith(u"google.rpc.ErrorInfo")) {
            const QString reason = d.value(u"reason").toString();
            if (!reason.isEmpty())
                facts.code = reason; // API_KEY_INVALID, RATE_LIMIT_EXCEEDED, ...
        }
    }
}

void readErrorObject(const QJsonObject &root, ErrorFacts &facts)
{
    const QJsonValue error = root.value(u"error");
    if (error.isObject()) {
        const QJsonObject e = error.toObject();
        facts.message = firstText(e, {u"message", u"msg", u"error_msg", u"detail"});
        facts.type = firstText(e, {u"type", u"status"});
        facts.code = jsonText(e.value(u"code"));
        if (facts.type.isEmpty() && facts.code.isEmpty())
            facts.type = jsonText(e.value(u"reason"));
        readGeminiDetails(e.value(u"details").toArray(), facts);
        bool ok = false;
        const int numeric = facts.code.toInt(&ok);
        if (ok && numeric >= 1000 && numeric < 1400)
            facts.zhipuCode = numeric;
        facts.found = !facts.message.isEmpty() || !facts.type.isEmpty() || !facts.code.isEmpty();
        return;
    }
    if (error.isString() && !error.toString().trimmed().isEmpty()) {
        facts.message = error.toString();
        facts.code = jsonText(root.value(u"code"));
        facts.type = jsonText(root.value(u"type"));
        facts.found = true;
        return;
    }
    const QJsonObject base = root.value(u"base_resp").toObject();
    const QString status = jsonText(base.value(u"status_code"));
    if (!status.isEmpty() && status != u"0") {
        facts.code = status;
        facts.miniMaxCode = status.toInt();
        facts.message = jsonText(base.value(u"status_msg"));
        facts.found = true;
        return;
    }
    // DashScope native and other flat shapes: {"code": "...", "message": "...", "request_id": ...}.
    const QString code = jsonText(root.value(u"code"));
    const QString message = firstText(root, {u"message", u"msg", u"error_msg", u"detail"});
    if (!code.isEmpty() && code != u"0" && code != u"200" && !message.isEmpty()
        && !root.contains(u"choices") && !root.contains(u"output")) {
        facts.code = code;
        facts.message = message;
        facts.type = jsonText(root.value(u"type"));
        facts.found = true;
    }
}

ErrorFacts readErrorBody(QByteArrayView body)
{
    ErrorFacts facts;
    if (body.size() > kMaxErrorJson)
        return facts; // truncated or huge: judged by status and raw words
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(body.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError)
        return facts;
    QJsonObject root = doc.object();
    if (doc.isArray()) // Gemini streaming endpoints answer errors as [{"error": …}]
        root = doc.array().first().toObject();
    readErrorObject(root, facts);
    return facts;
}

// ---- words ----

bool hasAny(const QString &lower, std::initializer_list<const char16_t *> needles)
{
    for (const char16_t *needle : needles) {
        if (lower.contains(QStringView(needle)))
            return true;
    }
    return false;
}

bool speaksOfQuota(const QString &t)
{
    return hasAny(t, {u"insufficient balance", u"insufficient_balance", u"insufficient quota", u"insufficient_quota",
                      u"credit balance", u"out of credits", u"no credits", u"exceeded your current quota",
                      u"exceeded_current_quota", u"billing", u"payment required", u"arrear", u"overdue",
                      u"usage limit", u"spend limit", u"spending limit", u"monthly limit", u"weekly limit",
                      u"quota exhausted", u"quota has been exhausted", u"free allocated quota", u"recharge",
                      u"top up", u"余额不足", u"欠费", u"余额", u"充值", u"额度不足", u"额度已用完", u"额度用尽",
                      u"使用上限", u"套餐已到期"});
}

bool speaksOfKey(const QString &t)
{
    return hasAny(t, {u"api key", u"api_key", u"apikey", u"api-key", u"x-api-key", u"invalid authentication",
                      u"authentication fail", u"authentication_error", u"invalid token", u"token expired",
                      u"unauthorized", u"unauthenticated", u"revoked", u"无效的api", u"api key 无效",
                      u"令牌", u"鉴权", u"认证失败", u"身份验证", u"未授权"});
}

bool speaksOfPermission(const QString &t)
{
    return speaksOfKey(t) || hasAny(t, {u"permission", u"not authorized", u"access denied", u"accessdenied",
                                        u"account", u"suspended", u"disabled", u"无权", u"权限"});
}

bool speaksOfContext(const QString &t)
{
    return hasAny(t, {u"context length", u"context_length", u"maximum context", u"context window", u"context limit",
                      u"context_window", u"prompt is too long", u"prompt too long", u"input is too long",
                      u"input too long", u"input token length too long", u"too many tokens",
                      u"maximum number of tokens", u"exceeded model token limit", u"exceeds max length",
                      u"exceeds the max length", u"prompt exceeds", u"range of input length", u"reduce the length",
                      u"maximum prompt length", u"超长", u"上下文长度", u"超过最大长度", u"超出最大长度"});
}

bool speaksOfRate(const QString &t)
{
    return hasAny(t, {u"rate limit", u"rate_limit", u"ratelimit", u"too many requests", u"requests per",
                      u"tokens per min", u"per minute", u"throttl", u"concurrency", u"concurrent",
                      u"限流", u"频率", u"并发", u"请求过多", u"流量限制"});
}

bool speaksOfOverload(const QString &t)
{
    return hasAny(t, {u"overloaded", u"overload", u"server is busy", u"server busy", u"temporarily unavailable",
                      u"service unavailable", u"capacity", u"繁忙", u"访问量过大", u"过载"});
}

// "not supported" style wordings; a malformed request that uses the same words is not one.
std::optional<Capability> unsupportedCapability(const QString &t)
{
    if (t.contains(u"unknown variant `image_url`")) // DeepSeek's answer to an image part
        return Capability::Vision;
    const bool refuses = hasAny(t, {u"not support", u"unsupported", u"not supported", u"does not support",
                                    u"doesn't support", u"is not enabled", u"not enabled for", u"only supported by",
                                    u"not available for this model", u"no endpoints found that support",
                                    u"不支持", u"暂不支持"});
    if (!refuses)
        return std::nullopt;
    if (hasAny(t, {u"invalid schema", u"schema", u"tools[", u"messages[", u"string too long", u"is required",
                   u"missing required", u"duplicate", u"must be"}))
        return std::nullopt;
    if (hasAny(t, {u"response_format", u"json_object", u"json mode", u"json_schema", u"structured output",
                   u"json output"}))
        return Capability::JsonMode;
    if (hasAny(t, {u"image", u"vision", u"multimodal", u"multi-modal", u"图片", u"图像", u"视觉"}))
        return Capability::Vision;
    if (hasAny(t, {u"tool", u"function", u"函数", u"工具"}))
        return Capability::Tools;
    return std::nullopt;
}

// ---- structured codes ----

std::optional<VerdictKind> kindOfZhipuCode(int code, const QString &lower)
{
    if (code < 0)
        return std::nullopt;
    if (code >= 1000 && code <= 1004) return VerdictKind::InvalidKey;
    if (code == 1110 || code == 1111 || code == 1112 || code == 1121 || code == 1220) return VerdictKind::InvalidKey;
    if (code == 1113 || code == 1304 || (code >= 1308 && code <= 1310) || (code >= 1316 && code <= 1321))
        return VerdictKind::QuotaExhausted;
    if (code == 1302 || code == 1303 || code == 1305 || code == 1313) return VerdictKind::RateLimited;
    if (code == 1120 || code == 1230 || code == 1234 || code == 1312) return VerdictKind::ServerError;
    if (code == 1261) return VerdictKind::ContextTooLong;
    if (code == 1210 || code == 1212 || code == 1214) {
        if (unsupportedCapability(lower)) return VerdictKind::Unsupported;
        if (speaksOfContext(lower)) return VerdictKind::ContextTooLong;
    }
    if (code >= 1200 && code < 1400) return VerdictKind::ClientError;
    return std::nullopt;
}

std::optional<VerdictKind> kindOfMiniMaxCode(int code, const QString &lower)
{
    switch (code) {
    case 1002: case 1041: return VerdictKind::RateLimited;
    case 1004: case 2049: return VerdictKind::InvalidKey;
    case 1008: case 1028: case 1030: case 2056: return VerdictKind::QuotaExhausted;
    case 1000: case 1001: case 1013: case 1024: case 1033: return VerdictKind::ServerError;
    case 1039: return speaksOfRate(lower) ? VerdictKind::RateLimited : VerdictKind::ContextTooLong;
    case 1026: case 1027: case 1042: case 2013: return VerdictKind::ClientError;
    default: return std::nullopt;
    }
}

// OpenAI, Anthropic, Gemini, Moonshot, DashScope and Ark codes/types, matched case-insensitively.
std::optional<VerdictKind> kindOfNamedCode(const QString &name, const ErrorFacts &facts)
{
    const QString n = name.toLower();
    if (n.isEmpty())
        return std::nullopt;
    if (n == u"insufficient_quota" || n == u"credit_balance_exhausted" || n.endsWith(u"spend_limit_exceeded")
        || n == u"billing_hard_limit_reached" || n == u"billing_not_active" || n == u"billing_error"
        || n == u"exceeded_current_quota_error" || n == u"arrearage" || n == u"accountoverdueerror"
        || n == u"operationdenied.serviceoverdue" || n == u"quotaexceeded" || n == u"payment_required"
        || n == u"insufficient_balance" || n == u"allocationquota.freetieronly" || n.endsWith(u"billoverdue"))
        return VerdictKind::QuotaExhausted;
    if (n == u"throttling.allocationquota")
        return facts.message.contains(u"free", Qt::CaseInsensitive) ? VerdictKind::QuotaExhausted
                                                                     : VerdictKind::RateLimited;
    if (n == u"resource_exhausted")
        return facts.perDayQuota ? VerdictKind::QuotaExhausted : VerdictKind::RateLimited;
    if (n == u"rate_limit_exceeded" || n == u"rate_limit_error" || n == u"rate_limit_reached_error"
        || n == u"ratelimitexceeded" || n.startsWith(u"ratelimitexceeded.") || n == u"throttling"
        || n.startsWith(u"throttling.") || n == u"requests" || n == u"tokens" || n == u"too_many_requests"
        || n == u"ratequotaexceeded" || n.endsWith(u"ratelimitexceeded") || n == u"limit_requests"
        || n == u"rate_limit_reached")
        return VerdictKind::RateLimited;
    if (n == u"invalid_api_key" || n == u"authentication_error" || n == u"invalid_authentication_error"
        || n == u"incorrect_api_key_error" || n == u"permission_error" || n == u"permission_denied_error"
        || n == u"authenticationerror" || n == u"invalidapikey" || n == u"api_key_invalid"
        || n == u"api_key_expired" || n == u"unauthenticated" || n == u"permission_denied"
        || n == u"accessdenied" || n == u"account_deactivated" || n == u"invalid_organization"
        || n == u"invalidaccountstatus" || n == u"api_key_invalid_or_expired")
        return VerdictKind::InvalidKey;
    if (n == u"overloaded_error" || n == u"api_error" || n == u"engine_overloaded_error" || n == u"serveroverloaded"
        || n == u"internalserviceerror" || n == u"internalerror" || n == u"internal_error" || n == u"server_error"
        || n == u"service_unavailable" || n == u"service_unavailable_error" || n == u"unavailable"
        || n == u"internal" || n == u"deadline_exceeded" || n == u"timeout" || n == u"internalerror.timeout"
        || n == u"requesttimeout" || n == u"modelserviceunavailable")
        return VerdictKind::ServerError;
    if (n == u"context_length_exceeded" || n == u"context_window_exceeded")
        return VerdictKind::ContextTooLong;
    if (n == u"datainspectionfailed" || n == u"data_inspection_failed" || n == u"content_filter"
        || n.startsWith(u"sensitivecontentdetected") || n.endsWith(u"sensitivecontentdetected")
        || n == u"model_not_found" || n == u"modelnotfound" || n.startsWith(u"invalidendpoint")
        || n == u"invalidendpointormodel.notfound" || n == u"not_found_error" || n == u"not_found"
        || n == u"resource_not_found_error" || n == u"request_too_large")
        return VerdictKind::ClientError;
    return std::nullopt;
}

std::optional<VerdictKind> kindOfCodes(const ErrorFacts &facts, const QString &lower)
{
    if (facts.miniMaxCode >= 0)
        return kindOfMiniMaxCode(facts.miniMaxCode, lower);
    if (auto kind = kindOfZhipuCode(facts.zhipuCode, lower))
        return kind;
    // The code is the more specific of the two where both are set (OpenAI: type
    // "insufficient_quota" with code "insufficient_quota"; type "invalid_request_error" with code
    // "context_length_exceeded"; Gemini: status plus an ErrorInfo reason).
    if (auto kind = kindOfNamedCode(facts.code, facts))
        return kind;
    return kindOfNamedCode(facts.type, facts);
}

// Words in the order the kinds outrank each other for a 4xx or an error inside a 2xx.
std::optional<VerdictKind> kindOfWords(const QString &lower)
{
    if (speaksOfQuota(lower)) return VerdictKind::QuotaExhausted;
    if (hasAny(lower, {u"invalid api key", u"incorrect api key", u"api key not valid",
                                          u"invalid x-api-key", u"invalid_api_key", u"api_key_invalid",
                                          u"invalid authentication", u"authentication fail", u"api key expired",
                                          u"api key has been", u"无效的api key", u"api key 无效", u"令牌已过期",
                                          u"鉴权失败", u"认证失败", u"身份验证失败"}))
        return VerdictKind::InvalidKey;
    if (speaksOfContext(lower)) return VerdictKind::ContextTooLong;
    if (unsupportedCapability(lower)) return VerdictKind::Unsupported;
    if (speaksOfRate(lower)) return VerdictKind::RateLimited;
    if (speaksOfOverload(lower)) return VerdictKind::ServerError;
    return std::nullopt;
}

// Zhipu's usage windows: "…will reset at 2025-12-21 15:00:05" / "将在 2025-12-21 15:00:05 重置", in
// Beijing time.
qint64 zhipuResetMs(const QString &message, const QDateTime &now)
{
    static const QRegularExpression stamp(QStringLiteral("(\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2})"));
    const QRegularExpressionMatch m = stamp.match(message);
    if (!m.hasMatch())
        return -1;
    QDateTime when = QDateTime::fromString(m.captured(1) + u'T' + m.captured(2), Qt::ISODate);
    if (!when.isValid())
        return -1;
    when.setTimeZone(QTimeZone(8 * 3600));
    return clampRetryMs(double(now.msecsTo(when)));
}

QString reasonText(const ErrorFacts &facts, QByteArrayView body, int status)
{
    QString text = facts.message;
    if (text.trimmed().isEmpty() && facts.found)
        text = !facts.code.isEmpty() && !facts.type.isEmpty() ? QString(facts.type + u": " + facts.code)
                                                                : QString(facts.type + facts.code);
    if (text.trimmed().isEmpty() && !facts.found)
        text = QString::fromUtf8(body.first(std::min<qsizetype>(body.size(), 1024)));
    text = text.simplified();
    if (text.isEmpty())
        text = QStringLiteral("HTTP %1").arg(status);
    if (text.size() > kMaxReasonChars) {
        qsizetype cut = kMaxReasonChars - 1;
        if (text.at(cut - 1).isHighSurrogate())
            --cut;
        text = text.first(cut) + QChar(0x2026);
    }
    return text;
}

} // namespace

const char *verdictKindName(VerdictKind kind)
{
    switch (kind) {
    case VerdictKind::Success: return "success";
    case VerdictKind::RateLimited: return "rate_limited";
    case VerdictKind::QuotaExhausted: return "quota_exhausted";
    case VerdictKind::InvalidKey: return "invalid_key";
    case VerdictKind::Unsupported: return "unsupported";
    case VerdictKind::ContextTooLong: return "context_too_long";
    case VerdictKind::ServerError: return "server_error";
    case VerdictKind::ClientError: return "client_error";
    }
    return "client_error";
}

AttemptVerdict classifyUpstreamAnswer(int status, const HeaderList &headers, QByteArrayView body,
                                      const QDateTime &now)
{
    AttemptVerdict verdict;
    const bool ok = status >= 200 && status < 300;
    const ErrorFacts facts = readErrorBody(body);
    if (ok && !facts.found)
        return verdict; // a 2xx with no recognised error object

    // What the words are searched in: the parsed fields, or the raw text when the body is not JSON
    // or holds no error shape Tarn knows ({"detail": "…"}, HTML, plain text).
    QString lower = (facts.message + u' ' + facts.type + u' ' + facts.code).toLower();
    if (!facts.found)
        lower = QString::fromUtf8(body.first(std::min(body.size(), kMaxScannedText))).toLower();

    const std::optional<VerdictKind> byCode = kindOfCodes(facts, lower);
    const auto is = [&](VerdictKind k) { return byCode == k; };
    // Words about balance count unless a code already said rate limit or bad key (Gemini's
    // per-minute RESOURCE_EXHAUSTED and OpenAI's rate_limit_exceeded both mention billing).
    const bool quota = is(VerdictKind::QuotaExhausted)
        || (!is(VerdictKind::RateLimited) && !is(VerdictKind::InvalidKey) && speaksOfQuota(lower));

    VerdictKind kind = VerdictKind::ClientError;
    if (ok) {
        // An error inside a 2xx (MiniMax base_resp, Zhipu/OpenAI-style error objects): the upstream
        // did not serve; what it could not do is in the codes and words.
        kind = byCode.value_or(kindOfWords(lower).value_or(VerdictKind::ServerError));
    } else if (status >= 500 || status < 100 || (status >= 300 && status < 400) || status == 408) {
        kind = quota ? VerdictKind::QuotaExhausted : VerdictKind::ServerError;
    } else if (status == 401) {
        kind = VerdictKind::InvalidKey;
    } else if (status == 402) {
        kind = VerdictKind::QuotaExhausted;
    } else if (status == 403) {
        if (quota)
            kind = VerdictKind::QuotaExhausted;
        else if (is(VerdictKind::InvalidKey) || speaksOfPermission(lower))
            kind = VerdictKind::InvalidKey;
        else if (is(VerdictKind::RateLimited) || speaksOfRate(lower))
            kind = VerdictKind::RateLimited;
    } else if (status == 404 || status == 413) {
        if (status == 404 && unsupportedCapability(lower))
            kind = VerdictKind::Unsupported;
    } else if (status == 429) {
        if (quota)
            kind = VerdictKind::QuotaExhausted;
        else if (is(VerdictKind::InvalidKey)) // Zhipu's locked accounts (1112, 1121) come as 429
            kind = VerdictKind::InvalidKey;
        else if (is(VerdictKind::ServerError) || (!byCode && speaksOfOverload(lower)))
            kind = VerdictKind::ServerError;
        else
            kind = VerdictKind::RateLimited;
    } else {
        // 400, 422 and the rest of 4xx.
        kind = byCode.value_or(VerdictKind::ClientError);
        if (kind == VerdictKind::ClientError)
            kind = kindOfWords(lower).value_or(VerdictKind::ClientError);
    }

    verdict.kind = kind;
    if (kind == VerdictKind::Unsupported) {
        verdict.capability = unsupportedCapability(lower);
        if (!verdict.capability) // a code said so (Zhipu 1210/1212) without naming it in known words
            verdict.kind = VerdictKind::ClientError;
    }
    verdict.reason = reasonText(facts, body, status);
    qint64 retry = std::max(retryAfterMs(headers, now), facts.bodyRetryMs);
    if (facts.zhipuCode == 1308 || facts.zhipuCode == 1310 || (facts.zhipuCode >= 1316 && facts.zhipuCode <= 1321))
        retry = std::max(retry, zhipuResetMs(facts.message, now));
    verdict.retryAfterMs = retry;
    return verdict;
}

} // namespace tarn::gateway
