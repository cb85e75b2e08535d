// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/core/ClientKey.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>

namespace tarn::gateway {

const char *keyHashSchemeName(KeyHashScheme scheme)
{
    switch (scheme) {
    case KeyHashScheme::Sha256: return "sha256";
    case KeyHashScheme::HmacSha256: return "hmac-sha256";
    }
    return "sha256";
}

KeyHashScheme keyHashSchemeFromName(QStringView name, bool *ok)
{
    if (ok)
        *ok = true;
    if (name == u"hmac-sha256")
        return KeyHashScheme::HmacSha256;
    if (ok && name != u"sha256")
        *ok = false;
    return KeyHashScheme::Sha256;
}

QByteArray hashClientKey(QByteArrayView plaintext, KeyHashScheme scheme, QByteArrayView salt)
{
    if (scheme == KeyHashScheme::HmacSha256)
        return QMessageAuthenticationCode::hash(plaintext.toByteArray(), salt.toByteArray(), QCryptographicHash::Sha256)
            .toHex();
    return QCryptographicHash::hash(plaintext, QCryptographicHash::Sha256).toHex();
}

} // namespace tarn::gateway
