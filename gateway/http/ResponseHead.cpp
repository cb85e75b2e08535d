// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/http/ResponseHead.h"


namespace tarn::gateway {

namespace {

// QByteArray::number goes through the locale-free but general conversion; this is the hot path.
void appendNumber(QByteArray &out, qint64 value)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = char('0' + value % 10);
        value /= 10;
    } while (value > 0);
    while (n > 0)
        out.append(digits[--n]);
}

bool isHeader(const QByteArray &name, QByteArrayView wanted)
{
    return headerNameIs(name, wanted);
}

} // namespace

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 499: return "Client Closed Request";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status < 400 ? "OK" : "Error";
    }
}

QByteArray responseHead(int status, const HeaderList &headers, qint64 contentLength, bool closing)
{
    QByteArray head;
    head.reserve(256);
    head.append("HTTP/1.1 ");
    appendNumber(head, status);
    head.append(' ');
    head.append(reasonPhrase(status));
    head.append("\r\n");
    for (const auto &[name, value] : headers) {
        if (isHeader(name, "content-length") || isHeader(name, "transfer-encoding")
            || isHeader(name, "connection") || isHeader(name, "keep-alive"))
            continue;
        head.append(name).append(": ").append(value).append("\r\n");
    }
    if (contentLength == kChunked) {
        head.append("Transfer-Encoding: chunked\r\n");
    } else {
        head.append("Content-Length: ");
        appendNumber(head, contentLength);
        head.append("\r\n");
    }
    if (closing)
        head.append("Connection: close\r\n");
    head.append("\r\n");
    return head;
}

} // namespace tarn::gateway
