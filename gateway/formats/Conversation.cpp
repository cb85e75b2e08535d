// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/Conversation.h"

#include <QByteArray>

#include <simdjson.h>

#include <algorithm>
#include <random>

namespace tarn::gateway::ir {

ErrorKind errorKindForStatus(int status)
{
    switch (status) {
    case 401: return ErrorKind::Authentication;
    case 402: case 403: return ErrorKind::Permission;
    case 404: return ErrorKind::NotFound;
    case 413: return ErrorKind::RequestTooLarge;
    case 429: return ErrorKind::RateLimit;
    case 503: case 529: return ErrorKind::Overloaded;
    case 504: return ErrorKind::Timeout;
    default: return status >= 500 ? ErrorKind::Server : ErrorKind::InvalidRequest;
    }
}

int statusForErrorKind(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::InvalidRequest: return 400;
    case ErrorKind::Authentication: return 401;
    case ErrorKind::Permission: return 403;
    case ErrorKind::NotFound: return 404;
    case ErrorKind::RequestTooLarge: return 413;
    case ErrorKind::RateLimit: return 429;
    case ErrorKind::Server: return 500;
    case ErrorKind::Overloaded: return 503;
    case ErrorKind::Timeout: return 504;
    }
    return 500;
}

qint64 clampTokens(qint64 count)
{
    return std::clamp<qint64>(count, 0, kMaxTokens);
}

qint64 addTokens(qint64 a, qint64 b)
{
    // Both clamped first: their sum (at most 2^41) cannot overflow.
    return clampTokens(clampTokens(a) + clampTokens(b));
}

namespace {

struct IdSource
{
    quint64 seed = 0; // 0 = random
    std::mt19937_64 engine{std::random_device{}()};
};

IdSource &idSource()
{
    thread_local IdSource source;
    return source;
}

constexpr char kMarker[] = "__thought__";

} // namespace

std::string newId(std::string_view prefix)
{
    static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string id(prefix);
    IdSource &source = idSource();
    for (int i = 0; i < 24; ++i)
        id.push_back(kAlphabet[source.engine() % 62]);
    return id;
}

void setIdSeedForTests(quint64 seed)
{
    IdSource &source = idSource();
    source.seed = seed;
    source.engine.seed(seed ? seed : std::random_device{}());
}

std::string idWithSignature(std::string_view id, std::string_view signature)
{
    std::string out(id);
    if (signature.empty())
        return out;
    // The signature's own text, base64url-encoded: any string survives the round trip.
    const QByteArray encoded = QByteArray(signature.data(), qsizetype(signature.size()))
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    out.append(kMarker);
    out.append(encoded.constData(), std::size_t(encoded.size()));
    return out;
}

IdAndSignature splitIdAndSignature(std::string_view id)
{
    const std::size_t at = id.find(kMarker);
    if (at == std::string_view::npos)
        return {std::string(id), {}};
    const std::string_view tail = id.substr(at + sizeof kMarker - 1);
    const auto decoded = QByteArray::fromBase64Encoding(QByteArray(tail.data(), qsizetype(tail.size())),
                                                        QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    // A signature is text (base64 from Gemini): bytes that are not UTF-8 were never one, and
    // would make invalid JSON wherever the signature is written.
    if (!decoded || !simdjson::validate_utf8(decoded.decoded.constData(), std::size_t(decoded.decoded.size())))
        return {std::string(id), {}};
    return {std::string(id.substr(0, at)), decoded.decoded.toStdString()};
}

} // namespace tarn::gateway::ir
