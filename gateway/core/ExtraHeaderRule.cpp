// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/core/ExtraHeaderRule.h"

#include <QSet>

namespace tarn::gateway {

bool isHttpToken(QStringView name)
{
    if (name.isEmpty())
        return false;
    static constexpr QStringView punctuation = u"!#$%&'*+-.^_`|~";
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        const bool alnum = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9');
        if (!alnum && !punctuation.contains(c))
            return false;
    }
    return true;
}

bool isFramingHeader(QStringView name)
{
    static constexpr QStringView framing[] = {u"Host", u"Content-Length", u"Transfer-Encoding", u"Connection",
                                              u"Keep-Alive", u"Proxy-Connection", u"Upgrade", u"TE", u"Trailer"};
    for (const QStringView reserved : framing) {
        if (name.compare(reserved, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

namespace {

HeaderVerdict verdict(const QString &name, const QString &value, const QSet<QString> &seen)
{
    if (name.isEmpty())
        return {HeaderFault::MissingName, QStringLiteral("A header value needs a name.")};
    if (!isHttpToken(name)) {
        return {HeaderFault::InvalidName,
                QStringLiteral("'%1' is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only).").arg(name)};
    }
    if (isFramingHeader(name)) {
        return {HeaderFault::ReservedName,
                QStringLiteral("'%1' is set by Tarn's HTTP client and cannot be an extra header.").arg(name)};
    }
    if (seen.contains(name.toLower()))
        return {HeaderFault::DuplicateName, QStringLiteral("The header '%1' is given twice.").arg(name)};
    if (value.isEmpty())
        return {HeaderFault::MissingValue, QStringLiteral("The header '%1' needs a value.").arg(name)};
    if (value.contains(u'\r') || value.contains(u'\n') || value.contains(QChar(0)))
        return {HeaderFault::MultiLineValue, QStringLiteral("The value of '%1' must be on one line.").arg(name)};
    return {};
}

} // namespace

QList<HeaderVerdict> checkExtraHeaders(const QList<std::pair<QString, QString>> &headers)
{
    QList<HeaderVerdict> verdicts;
    verdicts.reserve(headers.size());
    QSet<QString> seen;
    for (const auto &[name, value] : headers) {
        verdicts.append(verdict(name, value, seen));
        if (!name.isEmpty())
            seen.insert(name.toLower());
    }
    return verdicts;
}

Status validateExtraHeaders(const QMap<QString, QString> &headers)
{
    QList<std::pair<QString, QString>> list;
    list.reserve(headers.size());
    for (auto it = headers.cbegin(); it != headers.cend(); ++it)
        list.append({it.key(), it.value()});
    for (const HeaderVerdict &v : checkExtraHeaders(list)) {
        if (!v.ok())
            return Error::invalid(v.message);
    }
    return {};
}

} // namespace tarn::gateway
