// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/core/Redaction.h"

#include <QRegularExpression>

namespace tarn::gateway {

namespace {

constexpr QLatin1StringView kRedacted("[redacted]");

const QRegularExpression &keyShapes()
{
    // Token characters include '*' and '.' because providers mask the middle of an echoed key.
    static const QRegularExpression re(QStringLiteral(
        R"((?<![A-Za-z0-9])(?:sk|pk|rk)-[A-Za-z0-9_*\-]{6,})"
        R"(|AIza[0-9A-Za-z_\-]{20,})"
        R"(|(?i:bearer)\s+[A-Za-z0-9_*.~+/=\-]{6,})"));
    Q_ASSERT(re.isValid());
    return re;
}

// Credentials in URL queries: the name stays, the value goes.
const QRegularExpression &queryCredentials()
{
    static const QRegularExpression re(QStringLiteral(R"(([?&;](?:key|api_key|apikey|access_token|token)=)[^&\s"']+)"));
    Q_ASSERT(re.isValid());
    return re;
}

} // namespace

QString redactSecrets(const QString &text, const QStringList &secrets)
{
    QString out = text;
    for (const QString &secret : secrets) {
        if (secret.size() >= 6)
            out.replace(secret, kRedacted);
    }
    // Cheap pre-check: most error texts have none of the shapes.
    if (!out.contains(u"sk-") && !out.contains(u"pk-") && !out.contains(u"rk-") && !out.contains(u"AIza")
        && !out.contains(u"earer", Qt::CaseInsensitive) && !out.contains(u'='))
        return out;
    out.replace(keyShapes(), kRedacted);
    out.replace(queryCredentials(), QStringLiteral("\\1[redacted]"));
    return out;
}

QByteArray redactSecrets(const QByteArray &text, const QStringList &secrets)
{
    if (text.isEmpty())
        return text;
    const QString original = QString::fromUtf8(text);
    const QString redacted = redactSecrets(original, secrets);
    return redacted == original ? text : redacted.toUtf8();
}

} // namespace tarn::gateway
