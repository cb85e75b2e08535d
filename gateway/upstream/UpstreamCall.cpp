// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/upstream/UpstreamCall.h"

#include "gateway/core/HeaderList.h"

#include "gateway/core/Logging.h"

#include <QString>

#include <cstring>

namespace tarn::gateway {

namespace {

// Thin typed wrappers: curl_easy_setopt is variadic, so the argument type must be exact.
bool setLong(CURL *easy, CURLoption option, long value)
{
    return curl_easy_setopt(easy, option, value) == CURLE_OK;
}

bool setPointer(CURL *easy, CURLoption option, const void *value)
{
    return curl_easy_setopt(easy, option, value) == CURLE_OK;
}

bool setOffset(CURL *easy, CURLoption option, curl_off_t value)
{
    return curl_easy_setopt(easy, option, value) == CURLE_OK;
}

bool setString(CURL *easy, CURLoption option, const char *value)
{
    return curl_easy_setopt(easy, option, value) == CURLE_OK;
}

using DataCallback = size_t (*)(char *, size_t, size_t, void *);

bool setCallback(CURL *easy, CURLoption option, DataCallback callback)
{
    return curl_easy_setopt(easy, option, callback) == CURLE_OK;
}

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    return headerNameIs(a, b);
}

// Headers curl manages itself (framing, encoding, connection), or that would corrupt the request.
bool isManagedRequestHeader(QByteArrayView name)
{
    static constexpr QByteArrayView managed[] = {
        "expect", "accept-encoding", "content-length", "transfer-encoding",
        "connection", "keep-alive", "proxy-connection", "te", "upgrade",
    };
    for (QByteArrayView candidate : managed) {
        if (equalsIgnoringCase(name, candidate))
            return true;
    }
    return false;
}

bool hasLineBreak(QByteArrayView text)
{
    return std::memchr(text.data(), '\n', size_t(text.size())) != nullptr
        || std::memchr(text.data(), '\r', size_t(text.size())) != nullptr;
}

QByteArrayView trimmed(QByteArrayView text)
{
    while (!text.isEmpty() && (text.front() == ' ' || text.front() == '\t'))
        text = text.sliced(1);
    while (!text.isEmpty()
           && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n'))
        text.chop(1);
    return text;
}

qsizetype indexOf(QByteArrayView text, char c)
{
    const void *found = std::memchr(text.data(), c, size_t(text.size()));
    return found ? static_cast<const char *>(found) - text.data() : -1;
}

} // namespace

UpstreamCall::UpstreamCall(UpstreamClient *owner)
    : client(owner)
    , easy(curl_easy_init())
{
    optionsSet = easy && setFixedOptions();
}

UpstreamCall::~UpstreamCall()
{
    if (headerList)
        curl_slist_free_all(headerList);
    if (easy)
        curl_easy_cleanup(easy);
}

// What every call shares, set once per pooled handle: resetting and re-setting them for each
// request was a tenth of the client's own CPU.
bool UpstreamCall::setFixedOptions()
{
    bool ok = true;
#if LIBCURL_VERSION_NUM >= 0x075500
    ok = ok && setString(easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    ok = ok && setLong(easy, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
    ok = ok && setPointer(easy, CURLOPT_PRIVATE, this);
    ok = ok && setPointer(easy, CURLOPT_ERRORBUFFER, errorBuffer);
    ok = ok && setCallback(easy, CURLOPT_WRITEFUNCTION, &UpstreamCallbacks::onWrite);
    ok = ok && setPointer(easy, CURLOPT_WRITEDATA, this);
    ok = ok && setCallback(easy, CURLOPT_HEADERFUNCTION, &UpstreamCallbacks::onHeader);
    ok = ok && setPointer(easy, CURLOPT_HEADERDATA, this);
    // The client keeps a pooled connection's read notifier armed between requests; it must hear
    // of a socket's close before the descriptor number can be reused.
    ok = ok && curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &UpstreamCallbacks::onCloseSocket) == CURLE_OK;
    ok = ok && setPointer(easy, CURLOPT_CLOSESOCKETDATA, client);
    ok = ok && setLong(easy, CURLOPT_NOSIGNAL, 1);
    ok = ok && setLong(easy, CURLOPT_TCP_NODELAY, 1);
    ok = ok && setLong(easy, CURLOPT_TCP_KEEPALIVE, 1);
    ok = ok && setLong(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    ok = ok && setString(easy, CURLOPT_ACCEPT_ENCODING, ""); // every encoding curl can decode
    ok = ok && setLong(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1);
    return ok;
}

bool UpstreamCall::configure(const QByteArray &envNoProxy)
{
    errorBuffer[0] = '\0';
    bool ok = easy != nullptr && optionsSet;
    if (!ok)
        return false;

    QByteArray line;
    line.reserve(256);
    bool hasContentType = false;
    for (const auto &[name, value] : std::as_const(request.headers)) {
        if (name.isEmpty() || isManagedRequestHeader(name) || hasLineBreak(name) || hasLineBreak(value))
            continue;
        hasContentType = hasContentType || equalsIgnoringCase(name, "content-type");
        line.clear();
        line.append(name);
        if (value.isEmpty()) {
            line.append(';'); // curl's spelling of "send this header with an empty value"
        } else {
            line.append(": ");
            line.append(value);
        }
        headerList = curl_slist_append(headerList, line.constData());
    }
    // curl adds "Expect: 100-continue" above 1 MiB and then stalls a second on upstreams that
    // ignore it.
    headerList = curl_slist_append(headerList, "Expect:");

    const QByteArray &method = request.method;
    const bool bodyless = method == "HEAD" || (method == "GET" && request.body.isEmpty());
    if (!bodyless && !hasContentType) // else curl claims application/x-www-form-urlencoded
        headerList = curl_slist_append(headerList, "Content-Type:");

    ok = ok && setString(easy, CURLOPT_URL, request.url.constData());
    ok = ok && setPointer(easy, CURLOPT_HTTPHEADER, headerList);

    // The handle keeps the previous call's method: every method-related option is set each time.
    ok = ok && setString(easy, CURLOPT_CUSTOMREQUEST, nullptr);
    ok = ok && setLong(easy, CURLOPT_NOBODY, 0);
    if (bodyless) { // no pointer to the last call's (freed) body stays behind
        ok = ok && setPointer(easy, CURLOPT_POSTFIELDS, nullptr);
        ok = ok && setOffset(easy, CURLOPT_POSTFIELDSIZE_LARGE, -1);
    }
    if (method == "HEAD") {
        ok = ok && setLong(easy, CURLOPT_NOBODY, 1);
    } else if (bodyless) {
        ok = ok && setLong(easy, CURLOPT_HTTPGET, 1);
    } else {
        // Not copied by curl: `request` keeps the bytes alive for the whole call.
        ok = ok && setOffset(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
        ok = ok && setPointer(easy, CURLOPT_POSTFIELDS, request.body.constData());
        if (method != "POST")
            ok = ok && setString(easy, CURLOPT_CUSTOMREQUEST, method.constData());
    }

    // Wait for a TLS connection's ALPN answer rather than opening more connections to an HTTP/2
    // host. Plain http never multiplexes here, and curl 7.88 would keep waiting for it.
    const bool secure = request.url.startsWith("https:") || request.url.startsWith("HTTPS:");
    ok = ok && setLong(easy, CURLOPT_PIPEWAIT, secure ? 1 : 0);
    ok = ok && setLong(easy, CURLOPT_CONNECTTIMEOUT_MS, qMax(1, request.timeouts.connectMs));

    if (!request.proxy.isEmpty()) {
        ok = ok && setString(easy, CURLOPT_PROXY, request.proxy.constData());
        ok = ok && setString(easy, CURLOPT_NOPROXY, ""); // a channel's proxy applies to every host
    } else {
        ok = ok && setString(easy, CURLOPT_PROXY, nullptr); // the environment's, if any
        ok = ok && setString(easy, CURLOPT_NOPROXY, envNoProxy.constData());
    }
    return ok;
}

bool UpstreamCall::consumeHeaderLine(QByteArrayView line)
{
    line = trimmed(line);
    if (line.isEmpty()) { // end of one response head
        if (head.status >= 100 && head.status < 200) { // interim: the real head follows
            head.status = 0;
            head.headers.clear();
            return false;
        }
        if (head.status == 0)
            return false;
        // curl decodes the body, so these no longer describe what the observer receives.
        const QByteArray encoding = headerValue(head.headers, "content-encoding");
        if (!encoding.isEmpty() && !equalsIgnoringCase(encoding, "identity")) {
            head.headers.removeIf([](const std::pair<QByteArray, QByteArray> &header) {
                return equalsIgnoringCase(header.first, "content-encoding")
                    || equalsIgnoringCase(header.first, "content-length");
            });
        }
        return true;
    }
    if (line.startsWith("HTTP/")) { // status line: "HTTP/1.1 200 OK", "HTTP/2 200"
        head.headers.clear();
        head.status = 0;
        const qsizetype space = indexOf(line, ' ');
        if (space > 0) {
            for (qsizetype i = space + 1; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i)
                head.status = head.status * 10 + (line[i] - '0');
        }
        return false;
    }
    if ((line.front() == ' ' || line.front() == '\t') && !head.headers.isEmpty()) {
        head.headers.last().second.append(' ').append(trimmed(line)); // obsolete line folding
        return false;
    }
    const qsizetype colon = indexOf(line, ':');
    if (colon <= 0)
        return false;
    head.headers.emplaceBack(trimmed(line.first(colon)).toByteArray(),
                             trimmed(line.sliced(colon + 1)).toByteArray());
    return false;
}

bool UpstreamCall::connected() const
{
    curl_off_t pretransfer = 0;
    return curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer) == CURLE_OK
        && pretransfer > 0;
}

bool UpstreamCall::requestSent() const
{
    if (!connected())
        return false;
    curl_off_t uploaded = 0;
    if (curl_easy_getinfo(easy, CURLINFO_SIZE_UPLOAD_T, &uploaded) != CURLE_OK)
        return false;
    return uploaded >= curl_off_t(request.body.size());
}

void UpstreamCall::clear()
{
    if (headerList) {
        curl_slist_free_all(headerList);
        headerList = nullptr;
    }
    // No curl_easy_reset: the fixed options stay, and configure() sets every per-call one.
    id = 0;
    observer = nullptr;
    request.url.clear(); // release the shared body and headers now, not at the next start()
    request.headers.clear();
    request.body.clear();
    request.proxy.clear();
    head.status = 0;
    head.headers.clear();
    state = UpstreamCallState::Free;
    headDelivered = false;
    paused = false;
    pauseApplied = false;
    inMulti = false;
    sentAt = -1;
    lastDataAt = 0;
}

UpstreamFailure failureForCurlCode(CURLcode code, bool connected)
{
    switch (code) {
    case CURLE_OK:
        return UpstreamFailure::None;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_USE_SSL_FAILED:
#if LIBCURL_VERSION_NUM >= 0x074900
    case CURLE_PROXY:
#endif
        return UpstreamFailure::Connect;
    case CURLE_OPERATION_TIMEDOUT:
        return connected ? UpstreamFailure::Other : UpstreamFailure::Connect;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
        // A refused proxy tunnel or a reset before the handshake finished is a connect failure.
        return connected ? UpstreamFailure::Protocol : UpstreamFailure::Connect;
    case CURLE_PARTIAL_FILE:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return UpstreamFailure::Protocol;
    default:
        return UpstreamFailure::Other;
    }
}

QString failureDetail(CURLcode code, const char *errorBuffer)
{
    // curl's messages name host and port at most, never headers or the URL's query.
    QString detail = QString::fromLatin1(curl_easy_strerror(code));
    if (errorBuffer && errorBuffer[0] != '\0')
        detail += QLatin1String(": ") + QString::fromLatin1(errorBuffer).trimmed();
    return detail;
}

} // namespace tarn::gateway
