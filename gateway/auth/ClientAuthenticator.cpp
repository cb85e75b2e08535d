// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/auth/ClientAuthenticator.h"

#include "gateway/core/HeaderList.h"

#include <QDateTime>

namespace tarn::gateway {

QByteArray presentedKey(const HttpRequest &request)
{
    const QByteArray authorization = request.header("authorization");
    if (!authorization.isEmpty()) {
        if (authorization.size() > 7 && authorization.first(7).compare("bearer ", Qt::CaseInsensitive) == 0)
            return authorization.sliced(7).trimmed();
        return authorization.trimmed();
    }
    if (QByteArray key = request.header("x-api-key").trimmed(); !key.isEmpty())
        return key;
    if (QByteArray key = request.header("x-goog-api-key").trimmed(); !key.isEmpty())
        return key;
    // Gemini clients may put the key in the query string (?key=…).
    const qsizetype query = request.target.indexOf('?');
    if (query >= 0) {
        for (const QByteArray &pair : request.target.sliced(query + 1).split('&')) {
            if (pair.startsWith("key="))
                return QByteArray::fromPercentEncoding(pair.sliced(4)).trimmed();
        }
    }
    return {};
}

bool isProxiedRequest(const HttpRequest &request)
{
    // Present at all counts, even empty: a proxy that strips the value still sent the header.
    for (const auto &[name, value] : request.headers) {
        for (const char *proxied : {"x-forwarded-for", "forwarded", "tailscale-user-login", "tailscale-funnel-request"}) {
            if (headerNameIs(name, QByteArrayView(proxied)))
                return true;
        }
    }
    return false;
}

Result<ClientIdentity> authenticateClient(const HttpRequest &request, const RuntimeConfig &config)
{
    const QByteArray key = presentedKey(request);
    if (key.isEmpty()) {
        // A proxy on this machine (tailscale serve or funnel, a reverse proxy) connects from
        // loopback on behalf of someone else: only a direct loopback caller goes without a key.
        if (request.isFromLoopback() && config.loopbackWithoutKey && !isProxiedRequest(request))
            return ClientIdentity{};
        return Error{ErrorCode::Unauthenticated,
                     QStringLiteral("missing client key: send 'Authorization: Bearer tarn-…' (create one with 'tarn key create')")};
    }
    const QByteArray salted = hashClientKey(key, KeyHashScheme::HmacSha256, config.keySalt);
    auto it = config.keysByHash.constFind(salted);
    QByteArray upgrade;
    if (it == config.keysByHash.cend()) {
        it = config.keysByHash.constFind(hashClientKey(key, KeyHashScheme::Sha256, {}));
        if (it != config.keysByHash.cend() && it->hashScheme == KeyHashScheme::Sha256 && !config.keySalt.isEmpty())
            upgrade = salted;
    }
    if (it == config.keysByHash.cend() || it->revoked)
        return Error{ErrorCode::Unauthenticated, QStringLiteral("invalid client key")};
    if (it->isExpired(QDateTime::currentDateTimeUtc()))
        return Error{ErrorCode::Unauthenticated, QStringLiteral("client key '%1' has expired").arg(it->name)};
    return ClientIdentity{&it.value(), upgrade};
}

} // namespace tarn::gateway
