// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/http/RequestParser.h"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/core/buffers_range.hpp>

#include <optional>

namespace tarn::gateway {

namespace http = boost::beast::http;

namespace {

// Extra capacity left after a body so simdjson can read its padding without copying.
constexpr qsizetype kBodyPadding = 64;

// A Beast Body that appends straight into a QByteArray, so the body is never copied again.
struct QByteArrayBody
{
    using value_type = QByteArray;

    class reader
    {
    public:
        template<bool isRequest, class Fields>
        reader(http::header<isRequest, Fields> &, value_type &body) : m_body(body) {}

        void init(const boost::optional<std::uint64_t> &length, boost::beast::error_code &ec)
        {
            if (length)
                m_body.reserve(qsizetype(*length) + kBodyPadding);
            ec = {};
        }

        template<class ConstBufferSequence>
        std::size_t put(const ConstBufferSequence &buffers, boost::beast::error_code &ec)
        {
            std::size_t n = 0;
            for (const auto buffer : boost::beast::buffers_range_ref(buffers)) {
                m_body.append(static_cast<const char *>(buffer.data()), qsizetype(buffer.size()));
                n += buffer.size();
            }
            ec = {};
            return n;
        }

        void finish(boost::beast::error_code &ec)
        {
            if (m_body.capacity() - m_body.size() < kBodyPadding)
                m_body.reserve(m_body.size() + kBodyPadding);
            ec = {};
        }

    private:
        value_type &m_body;
    };
};

using Parser = http::request_parser<QByteArrayBody>;

} // namespace

struct RequestParser::Impl
{
    std::optional<Parser> parser;
    bool headerReported = false;
};

RequestParser::RequestParser(const HttpLimits &limits)
    : m_impl(std::make_unique<Impl>()), m_limits(limits)
{
    reset();
}

RequestParser::~RequestParser() = default;

void RequestParser::reset()
{
    // Beast parsers cannot be reset: build a fresh one and re-apply the limits.
    Parser &p = m_impl->parser.emplace();
    p.header_limit(std::uint32_t(m_limits.maxHeaderBytes));
    p.body_limit(std::uint64_t(m_limits.maxBodyBytes));
    p.eager(false);
    m_impl->headerReported = false;
    m_state = State::NeedMore;
    m_failure = Failure::None;
    m_failureText.clear();
    m_head = HttpRequest{};
    m_headerScanned = 0;
    m_headerConsumed = 0;
    m_lines = {};
    m_started = false;
}

void RequestParser::captureHead()
{
    const auto &msg = m_impl->parser->get();
    const auto method = msg.method_string();
    m_head.method = QByteArray(method.data(), qsizetype(method.size()));
    const auto target = msg.target();
    m_head.target = QByteArray(target.data(), qsizetype(target.size()));
    m_head.headers.reserve(16);
    for (const auto &field : msg) {
        const auto name = field.name_string();
        const auto value = field.value();
        m_head.headers.append({QByteArray(name.data(), qsizetype(name.size())),
                               QByteArray(value.data(), qsizetype(value.size()))});
    }
    m_head.keepAlive = msg.keep_alive();
}

// Beast parses a request line eagerly when it arrives whole but otherwise waits for CRLF CRLF, so
// a header with bare LF (or CR) line ends was a 400 in one read and a wait for the header timeout
// when split. Decided here instead, the same at every split: each header byte is looked at once
// (m_headerScanned counts the bytes of data already seen; Beast may have consumed a prefix).
bool RequestParser::checkLineEnds(const char *data, qsizetype size)
{
    for (qsizetype i = m_headerScanned; i < size && !m_lines.headerEnded; ++i) {
        const char c = data[i];
        if (m_lines.afterCR) {
            if (c != '\n')
                return failLineEnds();
            m_lines.afterCR = false;
            if (m_lines.atLineStart)
                m_lines.headerEnded = true; // the blank line: what follows is the body
            m_lines.atLineStart = true;
        } else if (c == '\r') {
            m_lines.afterCR = true;
        } else if (c == '\n') {
            return failLineEnds();
        } else {
            m_lines.atLineStart = false;
        }
    }
    m_headerScanned = size;
    return true;
}

bool RequestParser::failLineEnds()
{
    m_state = State::Failed;
    m_failure = Failure::BadRequest;
    m_failureText = QStringLiteral("malformed HTTP request: header lines must end in CRLF");
    return false;
}

// RFC 9112 6.1 and 6.3: a request body is framed by Content-Length or by chunked as the last
// transfer coding; anything else (or both at once) is how request smuggling starts.
bool RequestParser::checkFraming()
{
    QByteArray transferEncoding;
    bool hasContentLength = false;
    int hosts = 0;
    for (const auto &[name, value] : std::as_const(m_head.headers)) {
        if (name.compare("transfer-encoding", Qt::CaseInsensitive) == 0)
            transferEncoding += (transferEncoding.isEmpty() ? "" : ",") + value;
        else if (name.compare("content-length", Qt::CaseInsensitive) == 0)
            hasContentLength = true;
        else if (name.compare("host", Qt::CaseInsensitive) == 0)
            ++hosts;
    }
    // RFC 9112 3.2: an HTTP/1.1 request has exactly one Host header.
    if (m_impl->parser->get().version() >= 11 && hosts != 1) {
        m_state = State::Failed;
        m_failure = Failure::BadRequest;
        m_failureText = hosts == 0 ? QStringLiteral("malformed HTTP request: no Host header")
                                   : QStringLiteral("malformed HTTP request: more than one Host header");
        return false;
    }
    if (transferEncoding.isEmpty())
        return true;
    const QByteArray last = transferEncoding.sliced(transferEncoding.lastIndexOf(',') + 1).trimmed();
    if (last.compare("chunked", Qt::CaseInsensitive) == 0 && !hasContentLength)
        return true;
    m_state = State::Failed;
    m_failure = Failure::BadRequest;
    m_failureText = hasContentLength
        ? QStringLiteral("malformed HTTP request: both Transfer-Encoding and Content-Length")
        : QStringLiteral("malformed HTTP request: Transfer-Encoding must end in chunked");
    return false;
}

qint64 RequestParser::contentLength() const
{
    const auto length = m_impl->parser->content_length();
    return length ? qint64(*length) : -1;
}

qint64 RequestParser::bodyBytes() const
{
    return m_impl->parser->get().body().size();
}

qsizetype RequestParser::feed(const char *data, qsizetype size)
{
    if (size > 0)
        m_started = true;
    if (!m_impl->parser->is_header_done() && !checkLineEnds(data, size))
        return 0;
    const bool inHeader = !m_impl->parser->is_header_done();
    const qsizetype used = parse(data, size);
    m_headerScanned = qMax<qsizetype>(0, m_headerScanned - used); // the next data starts after them
    if (inHeader && !m_impl->parser->is_header_done())
        m_headerConsumed += used;
    return used;
}

qsizetype RequestParser::parse(const char *data, qsizetype size)
{
    Parser &p = *m_impl->parser;
    qsizetype used = 0;
    while (used < size && !p.is_done()) {
        boost::beast::error_code ec;
        const std::size_t n = p.put(boost::asio::buffer(data + used, std::size_t(size - used)), ec);
        used += qsizetype(n);
        if (ec == http::error::need_more) {
            // Beast checks header_limit only against what is buffered at once, and it consumes
            // field lines as they come: count the whole header block ourselves.
            if (!p.is_header_done() && m_headerConsumed + size > m_limits.maxHeaderBytes) {
                m_state = State::Failed;
                m_failure = Failure::HeaderTooLarge;
                m_failureText = QStringLiteral("request header block exceeds %1 bytes").arg(m_limits.maxHeaderBytes);
                return used;
            }
            break;
        }
        if (ec) {
            m_state = State::Failed;
            if (ec == http::error::body_limit) {
                m_failure = Failure::BodyTooLarge;
                m_failureText = QStringLiteral("request body exceeds the limit of %1 bytes").arg(m_limits.maxBodyBytes);
            } else if (ec == http::error::header_limit) {
                m_failure = Failure::HeaderTooLarge;
                m_failureText = QStringLiteral("request header block exceeds %1 bytes").arg(m_limits.maxHeaderBytes);
            } else {
                m_failure = Failure::BadRequest;
                m_failureText = QStringLiteral("malformed HTTP request: %1").arg(QString::fromStdString(ec.message()));
            }
            return used;
        }
        if (p.is_header_done() && !m_impl->headerReported) {
            m_impl->headerReported = true;
            p.eager(true);
            if (m_headerConsumed + used > m_limits.maxHeaderBytes) {
                m_state = State::Failed;
                m_failure = Failure::HeaderTooLarge;
                m_failureText = QStringLiteral("request header block exceeds %1 bytes").arg(m_limits.maxHeaderBytes);
                return used;
            }
            captureHead();
            if (!checkFraming())
                return used;
            m_state = State::HeaderDone;
            return used;
        }
    }
    m_state = p.is_done() ? State::Complete : State::NeedMore;
    return used;
}

bool RequestParser::expectsContinue() const
{
    const auto &msg = m_impl->parser->get();
    const auto it = msg.find(http::field::expect);
    return it != msg.end() && boost::beast::iequals(it->value(), "100-continue");
}

HttpRequest RequestParser::takeRequest()
{
    auto msg = m_impl->parser->release();
    HttpRequest request = std::move(m_head);
    m_head = HttpRequest{};
    request.body = std::move(msg.body());
    return request;
}

} // namespace tarn::gateway
