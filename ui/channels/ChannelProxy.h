// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QNetworkProxy>
#include <QString>
#include <QUrl>

namespace tarn::ui {

// What a channel's proxy setting ("http://host:port", "socks5://user:pass@host:port") means for
// Qt's network calls made for it (model lists, balances); empty = the application's default.
inline QNetworkProxy channelProxy(const QString &proxyUrl)
{
    if (proxyUrl.isEmpty())
        return QNetworkProxy(QNetworkProxy::DefaultProxy);
    const QUrl url(proxyUrl);
    const bool socks = url.scheme().startsWith(QLatin1String("socks"));
    return QNetworkProxy(socks ? QNetworkProxy::Socks5Proxy : QNetworkProxy::HttpProxy, url.host(),
                         quint16(url.port(socks ? 1080 : 8080)), url.userName(), url.password());
}

} // namespace tarn::ui
