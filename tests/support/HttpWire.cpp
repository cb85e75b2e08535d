// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/HttpWire.h"

namespace tarn::test::wire {

QByteArray headerValue(const Headers &headers, QByteArrayView name)
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool parseHeaderLines(QByteArrayView block, Headers &out)
{
    qsizetype pos = 0;
    while (pos < block.size()) {
        qsizetype end = block.indexOf("\r\n", pos);
        if (end < 0)
            end = block.size();
        const QByteArrayView line = block.sliced(pos, end - pos);
        pos = end + 2;
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return false;
        const QByteArray name = line.first(colon).toByteArray();
        if (name.contains(' ') || name.contains('\t'))
            return false;
        out.append({name, line.sliced(colon + 1).toByteArray().trimmed()});
    }
    return true;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100: return QByteArrayLiteral("Continue");
    case 200: return QByteArrayLiteral("OK");
    case 201: return QByteArrayLiteral("Created");
    case 204: return QByteArrayLiteral("No Content");
    case 400: return QByteArrayLiteral("Bad Request");
    case 401: return QByteArrayLiteral("Unauthorized");
    case 403: return QByteArrayLiteral("Forbidden");
    case 404: return QByteArrayLiteral("Not Found");
    case 405: return QByteArrayLiteral("Method Not Allowed");
    case 408: return QByteArrayLiteral("Request Timeout");
    case 413: return QByteArrayLiteral("Payload Too Large");
    case 429: return QByteArrayLiteral("Too Many Requests");
    case 500: return QByteArrayLiteral("Internal Server Error");
    case 502: return QByteArrayLiteral("Bad Gateway");
    case 503: return QByteArrayLiteral("Service Unavailable");
    case 504: return QByteArrayLiteral("Gateway Timeout");
    case 529: return QByteArrayLiteral("Overloaded");
    default: return QByteArrayLiteral("Unknown");
    }
}

ChunkedDecoder::Status ChunkedDecoder::feed(QByteArray &in, QByteArray &out)
{
    for (;;) {
        switch (m_state) {
        case State::Size: {
            const qsizetype eol = in.indexOf("\r\n");
            if (eol < 0)
                return in.size() > 1024 ? Status::Error : Status::NeedMore;
            QByteArray sizeText = in.left(eol);
            const qsizetype semicolon = sizeText.indexOf(';');
            if (semicolon >= 0)
                sizeText.truncate(semicolon);
            bool ok = false;
            const qint64 size = sizeText.trimmed().toLongLong(&ok, 16);
            if (!ok || size < 0)
                return Status::Error;
            in.remove(0, eol + 2);
            m_remaining = size;
            m_state = size == 0 ? State::Trailer : State::Data;
            break;
        }
        case State::Data: {
            if (in.isEmpty())
                return Status::NeedMore;
            const qsizetype take = qMin<qint64>(m_remaining, in.size());
            out.append(in.constData(), take);
            in.remove(0, take);
            m_remaining -= take;
            if (m_remaining == 0)
                m_state = State::DataCrlf;
            break;
        }
        case State::DataCrlf:
            if (in.size() < 2)
                return Status::NeedMore;
            if (!in.startsWith("\r\n"))
                return Status::Error;
            in.remove(0, 2);
            m_state = State::Size;
            break;
        case State::Trailer: {
            const qsizetype eol = in.indexOf("\r\n");
            if (eol < 0)
                return in.size() > 8192 ? Status::Error : Status::NeedMore;
            in.remove(0, eol + 2);
            if (eol == 0) {
                reset();
                return Status::Done;
            }
            break;
        }
        }
    }
}

QByteArray chunk(QByteArrayView data)
{
    QByteArray out = QByteArray::number(data.size(), 16);
    out += "\r\n";
    out += data;
    out += "\r\n";
    return out;
}

} // namespace tarn::test::wire
