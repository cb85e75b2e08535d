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
    bool countBody = false; // chunked: the body limit is Tarn's, not Beast's
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
    // The header limit is enforced by scanHeader(), byte by byte; Beast's own (which judges a read
    // cut at the limit, not the stream) is set past it so it never decides first.
    p.header_limit(std::uint32_t(m_limits.maxHeaderBytes * 2 + 4096));
    p.body_limit(std::uint64_t(m_limits.maxBodyBytes));
    p.eager(false);
    m_impl->headerReported = false;
    m_impl->countBody = false;
    m_state = State::NeedMore;
    m_failure = Failure::None;
    m_failureText.clear();
    m_head = HttpRequest{};
    m_headerScanned = 0;
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
// when split; and it cuts a read at its header limit and answers what it finds in the cut-off view
// (often "bad value") where the same bytes in pieces hit the limit. Both are decided here, each
// header byte looked at once (m_headerScanned: bytes of data already seen). False: failed.
bool RequestParser::scanHeader(const char *data, qsizetype size)
{
    for (qsizetype i = m_headerScanned; i < size && !m_lines.headerEnded; ++i) {
        if (i >= m_limits.maxHeaderBytes)
            return fail(Failure::HeaderTooLarge, QStringLiteral("request header block exceeds %1 bytes").arg(m_limits.maxHeaderBytes));
        const char c = data[i];
        if (m_lines.afterCR) {
            if (c != '\n')
                return failBadLineEnd();
            m_lines.afterCR = false;
            if (m_lines.atLineStart)
                m_lines.headerEnded = true; // the blank line: what follows is the body
            m_lines.atLineStart = true;
        } else if (c == '\r') {
            m_lines.afterCR = true;
        } else if (c == '\n') {
            return failBadLineEnd();
        } else {
            m_lines.atLineStart = false;
        }
    }
    m_headerScanned = size;
    return true;
}

bool RequestParser::failBadLineEnd()
{
    return fail(Failure::BadRequest, QStringLiteral("malformed HTTP request: header lines must end in CRLF"));
}

bool RequestParser::fail(Failure failure, const QString &text)
{
    m_state = State::Failed;
    m_failure = failure;
    m_failureText = text;
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
        if (headerNameIs(name, "transfer-encoding"))
            transferEncoding += (transferEncoding.isEmpty() ? "" : ",") + value;
        else if (headerNameIs(name, "content-length"))
            hasContentLength = true;
        else if (headerNameIs(name, "host"))
            ++hosts;
    }
    // RFC 9112 3.2: an HTTP/1.1 request has exactly one Host header.
    if (m_impl->parser->get().version() >= 11 && hosts != 1) {
        return fail(Failure::BadRequest, hosts == 0 ? QStringLiteral("malformed HTTP request: no Host header")
                                                    : QStringLiteral("malformed HTTP request: more than one Host header"));
    }
    if (transferEncoding.isEmpty())
        return true;
    const QByteArray last = transferEncoding.sliced(transferEncoding.lastIndexOf(',') + 1).trimmed();
    if (last.compare("chunked", Qt::CaseInsensitive) == 0 && !hasContentLength)
        return true;
    return fail(Failure::BadRequest, hasContentLength
                    ? QStringLiteral("malformed HTTP request: both Transfer-Encoding and Content-Length")
                    : QStringLiteral("malformed HTTP request: Transfer-Encoding must end in chunked"));
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
    if (!m_impl->parser->is_header_done()) {
        // Beast parses the lines of a header eagerly in its first read and only once the whole
        // block is there in later ones, so what it saw (a bad value at byte 700 of a header over
        // the limit, say) depended on the reads. It gets the header block whole or not at all;
        // until then Tarn's scan alone decides.
        if (!scanHeader(data, size))
            return 0;
        if (!m_lines.headerEnded) {
            m_state = State::NeedMore;
            return 0;
        }
    }
    return parse(data, size);
}

qsizetype RequestParser::parse(const char *data, qsizetype size)
{
    Parser &p = *m_impl->parser;
    qsizetype used = 0;
    while (used < size && !p.is_done()) {
        boost::beast::error_code ec;
        const std::size_t n = p.put(boost::asio::buffer(data + used, std::size_t(size - used)), ec);
        used += qsizetype(n);
        if (m_impl->countBody && qint64(p.get().body().size()) > m_limits.maxBodyBytes)
            ec = http::error::body_limit;
        if (ec == http::error::need_more) {
            // Beast got the header block whole (scanHeader saw its end), yet wants more: a request
            // line too short for its fields (Beast reads "HTTP/x.y" only once 8 bytes follow the
            // target). More bytes would not help; in one read it says so at once.
            if (!p.is_header_done()) {
                fail(Failure::BadRequest, QStringLiteral("malformed HTTP request: bad request line"));
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
            captureHead();
            if (!checkFraming())
                return used;
            if (p.chunked()) {
                // Beast takes a chunk's size off body_limit before it parses the chunk's extension,
                // and again each time an extension that needs more bytes is parsed anew: a bad
                // chunk line was a 413 in pieces and a 400 at once. The body is counted here.
                p.body_limit(boost::none);
                m_impl->countBody = true;
            }
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
