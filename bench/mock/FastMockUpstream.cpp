// SPDX-License-Identifier: GPL-3.0-or-later
// tarn_bench_mock: a fast OpenAI-compatible mock upstream for benchmarks (Linux, epoll, no Qt).
//
//   tarn_bench_mock [--port N] [--threads N] [--chunks N] [--chunk-delay-ms D]
//                   [--status S] [--retry-after SECONDS]
//
// Listens on 127.0.0.1 (port 0 picks one) and prints "listening on http://127.0.0.1:PORT".
// POST .../chat/completions: a fixed chat.completion JSON with usage; with "stream":true in the body
// an SSE stream (chunked encoding): a role chunk at once, N content chunks D ms apart, a finish
// chunk, a usage chunk and [DONE]. N and D come from the x-mock-chunks / x-mock-chunk-delay-ms
// headers, the chunks= / delay= query parameters or "mock_chunks" / "mock_chunk_delay_ms" body fields
// (later ones win). --status S (not 200) answers every chat request at once with S and an OpenAI
// error body instead (e.g. 429 for failover benchmarks), with Retry-After when --retry-after is
// given. Keep-alive and pipelining are supported;
// each thread runs its own epoll loop on its own SO_REUSEPORT listener.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <queue>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

int g_defaultChunks = 20;
int g_defaultDelayMs = 10;

constexpr std::string_view kCompletion =
    R"({"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench-model",)"
    R"("choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the bench mock.",)"
    R"("refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,)"
    R"("completion_tokens":6,"total_tokens":18},"system_fingerprint":"fp_bench"})";

constexpr std::string_view kChunkPrefix =
    R"(data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,)"
    R"("model":"bench-model","system_fingerprint":"fp_bench","choices":[{"index":0,"delta":)";

std::string completionResponse()
{
    std::string r = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ";
    r += std::to_string(kCompletion.size());
    r += "\r\n\r\n";
    r += kCompletion;
    return r;
}

const std::string g_completion = completionResponse();
std::string g_error; // --status: the answer to every chat request; empty = answer normally

std::string errorResponse(int status, int retryAfter)
{
    const char *reason = status == 429 ? "Too Many Requests"
        : status == 401                ? "Unauthorized"
        : status == 500                ? "Internal Server Error"
        : status == 503                ? "Service Unavailable"
                                       : "Error";
    const std::string body = status == 429
        ? R"({"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}})"
        : R"({"error":{"message":"Mock error","type":"server_error","param":null,"code":null}})";
    std::string r = "HTTP/1.1 " + std::to_string(status) + ' ' + reason + "\r\nContent-Type: application/json\r\n";
    if (retryAfter >= 0)
        r += "Retry-After: " + std::to_string(retryAfter) + "\r\n";
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return r;
}
const std::string g_notFound =
    "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 87\r\n\r\n"
    R"({"error":{"message":"Unknown path","type":"invalid_request_error","param":null,"code":null}})";

void appendChunk(std::string &out, std::string_view data)
{
    char size[32];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    out.append(size, static_cast<size_t>(n));
    out += data;
    out += "\r\n";
}

std::string event(std::string_view delta, std::string_view finish)
{
    std::string e(kChunkPrefix);
    e += delta;
    e += R"(,"logprobs":null,"finish_reason":)";
    e += finish;
    e += "}]}\n\n";
    return e;
}

const std::string g_roleEvent = event(R"({"role":"assistant","content":""})", "null");
const std::string g_wordEvent = event(R"({"content":" word"})", "null");
const std::string g_finishEvent = event("{}", R"("stop")");
const std::string g_tailEvents =
    R"(data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,)"
    R"("model":"bench-model","system_fingerprint":"fp_bench","choices":[],"usage":)"
    R"({"prompt_tokens":12,"completion_tokens":20,"total_tokens":32}})"
    "\n\ndata: [DONE]\n\n";

std::int64_t nowNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

bool iequalsPrefix(std::string_view line, std::string_view name)
{
    if (line.size() < name.size())
        return false;
    for (size_t i = 0; i < name.size(); ++i) {
        char c = line[i];
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (c != name[i])
            return false;
    }
    return true;
}

long numberAfter(std::string_view text, std::string_view key, long fallback)
{
    const size_t pos = text.find(key);
    if (pos == std::string_view::npos)
        return fallback;
    size_t i = pos + key.size();
    while (i < text.size() && text[i] == ' ')
        ++i;
    long value = 0;
    bool any = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        value = value * 10 + (text[i++] - '0');
        any = true;
    }
    return any ? value : fallback;
}

struct Conn
{
    int fd = -1;
    std::string in;
    std::string out;
    size_t outOffset = 0;
    bool wantWrite = false;
    bool closeAfter = false;
    // Stream in progress.
    bool streaming = false;
    int chunksLeft = 0;
    int delayMs = 0;
    unsigned generation = 0;
};

struct Timer
{
    std::int64_t due;
    int fd;
    unsigned generation;
    bool operator>(const Timer &o) const { return due > o.due; }
};

class Loop
{
public:
    explicit Loop(int listenFd) : m_listen(listenFd) {}
    void run();

private:
    void accept();
    void onReadable(Conn &c);
    void process(Conn &c);
    void flush(Conn &c);
    void close(Conn &c);
    void streamStep(Conn &c);
    void armTimer();
    void onTimer();

    int m_listen;
    int m_epoll = -1;
    int m_timerFd = -1;
    std::vector<std::unique_ptr<Conn>> m_conns; // indexed by fd
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> m_timers;
    std::int64_t m_armedFor = 0;
    unsigned m_generations = 0;
};

void Loop::run()
{
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    m_timerFd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = m_listen;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_listen, &ev);
    ev.data.fd = m_timerFd;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_timerFd, &ev);
    epoll_event events[256];
    for (;;) {
        const int n = epoll_wait(m_epoll, events, 256, -1);
        for (int i = 0; i < n; ++i) {
            const int fd = events[i].data.fd;
            if (fd == m_listen) {
                accept();
                continue;
            }
            if (fd == m_timerFd) {
                onTimer();
                continue;
            }
            if (static_cast<size_t>(fd) >= m_conns.size() || !m_conns[static_cast<size_t>(fd)])
                continue;
            Conn &c = *m_conns[static_cast<size_t>(fd)];
            if (events[i].events & (EPOLLERR | EPOLLHUP)) {
                close(c);
                continue;
            }
            if (events[i].events & EPOLLOUT)
                flush(c);
            if ((events[i].events & EPOLLIN) && m_conns[static_cast<size_t>(fd)])
                onReadable(c);
        }
    }
}

void Loop::accept()
{
    for (;;) {
        const int fd = accept4(m_listen, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        const int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (static_cast<size_t>(fd) >= m_conns.size())
            m_conns.resize(static_cast<size_t>(fd) + 64);
        auto conn = std::make_unique<Conn>();
        conn->fd = fd;
        conn->in.reserve(4096);
        conn->out.reserve(4096);
        m_conns[static_cast<size_t>(fd)] = std::move(conn);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.fd = fd;
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
    }
}

void Loop::onReadable(Conn &c)
{
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(c.fd, buf, sizeof buf);
        if (n > 0) {
            c.in.append(buf, static_cast<size_t>(n));
            if (static_cast<size_t>(n) < sizeof buf)
                break;
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            close(c);
            return;
        }
        break;
    }
    process(c);
}

void Loop::process(Conn &c)
{
    size_t consumed = 0;
    while (!c.streaming && !c.closeAfter) {
        const std::string_view in = std::string_view(c.in).substr(consumed);
        const size_t headEnd = in.find("\r\n\r\n");
        if (headEnd == std::string_view::npos)
            break;
        const std::string_view head = in.substr(0, headEnd);
        size_t bodyLen = 0;
        bool chunked = false;
        bool closeRequested = false;
        int chunks = g_defaultChunks;
        int delay = g_defaultDelayMs;
        const size_t lineEnd = head.find("\r\n");
        const std::string_view requestLine = head.substr(0, lineEnd);
        size_t pos = lineEnd == std::string_view::npos ? head.size() : lineEnd + 2;
        while (pos < head.size()) {
            size_t end = head.find("\r\n", pos);
            if (end == std::string_view::npos)
                end = head.size();
            const std::string_view line = head.substr(pos, end - pos);
            if (iequalsPrefix(line, "content-length:"))
                bodyLen = static_cast<size_t>(numberAfter(line, ":", 0));
            else if (iequalsPrefix(line, "transfer-encoding:"))
                chunked = true;
            else if (iequalsPrefix(line, "x-mock-chunks:"))
                chunks = static_cast<int>(numberAfter(line, ":", chunks));
            else if (iequalsPrefix(line, "x-mock-chunk-delay-ms:"))
                delay = static_cast<int>(numberAfter(line, ":", delay));
            else if (iequalsPrefix(line, "connection:") && line.find("close") != line.npos)
                closeRequested = true;
            pos = end + 2;
        }
        const std::string_view rest = in.substr(headEnd + 4);
        if (chunked) { // minimal: the body ends at the zero-size chunk without trailers
            const size_t end = rest.find("0\r\n\r\n");
            if (end == std::string_view::npos)
                break;
            bodyLen = end + 5;
        } else if (rest.size() < bodyLen) {
            break;
        }
        const std::string_view body = rest.substr(0, bodyLen);
        c.closeAfter = closeRequested;
        consumed += headEnd + 4 + bodyLen;
        chunks = static_cast<int>(numberAfter(requestLine, "chunks=", chunks));
        delay = static_cast<int>(numberAfter(requestLine, "delay=", delay));
        // Body fields survive a gateway that drops unknown headers and query strings.
        chunks = static_cast<int>(numberAfter(body, "\"mock_chunks\":", chunks));
        delay = static_cast<int>(numberAfter(body, "\"mock_chunk_delay_ms\":", delay));
        const size_t target = requestLine.find(' ');
        const size_t targetEnd = requestLine.find(' ', target + 1);
        std::string_view path = requestLine.substr(target + 1, targetEnd - target - 1);
        path = path.substr(0, path.find('?'));
        if (path.size() < 17 || path.substr(path.size() - 17) != "/chat/completions") {
            c.out += g_notFound;
            continue;
        }
        if (!g_error.empty()) {
            c.out += g_error;
            continue;
        }
        const bool stream = body.find("\"stream\":true") != body.npos
            || body.find("\"stream\": true") != body.npos;
        if (!stream) {
            c.out += g_completion;
            continue;
        }
        c.out += "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                 "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";
        appendChunk(c.out, g_roleEvent);
        c.streaming = true;
        c.chunksLeft = chunks < 0 ? 0 : chunks;
        c.delayMs = delay < 0 ? 0 : delay;
        c.generation = ++m_generations;
        if (c.delayMs > 0 && c.chunksLeft > 0) {
            m_timers.push({nowNs() + std::int64_t{c.delayMs} * 1000000, c.fd, c.generation});
            armTimer();
        }
    }
    if (consumed > 0)
        c.in.erase(0, consumed);
    if (c.streaming && c.delayMs == 0)
        streamStep(c);
    flush(c);
}

void Loop::streamStep(Conn &c)
{
    // Sends one content chunk (or all of them when there is no delay), then the tail.
    do {
        if (c.chunksLeft > 0) {
            appendChunk(c.out, g_wordEvent);
            --c.chunksLeft;
        }
    } while (c.delayMs == 0 && c.chunksLeft > 0);
    if (c.chunksLeft == 0) {
        appendChunk(c.out, g_finishEvent);
        appendChunk(c.out, g_tailEvents);
        c.out += "0\r\n\r\n";
        c.streaming = false;
    } else {
        m_timers.push({nowNs() + std::int64_t{c.delayMs} * 1000000, c.fd, c.generation});
    }
}

void Loop::onTimer()
{
    std::uint64_t expirations = 0;
    [[maybe_unused]] const ssize_t r = ::read(m_timerFd, &expirations, sizeof expirations);
    m_armedFor = 0;
    const std::int64_t now = nowNs();
    while (!m_timers.empty() && m_timers.top().due <= now) {
        const Timer t = m_timers.top();
        m_timers.pop();
        const size_t fd = static_cast<size_t>(t.fd);
        if (fd >= m_conns.size() || !m_conns[fd] || m_conns[fd]->generation != t.generation
            || !m_conns[fd]->streaming)
            continue;
        Conn &c = *m_conns[fd];
        streamStep(c);
        if (!c.streaming && !c.in.empty()) {
            process(c); // pipelined requests waited for the stream
        } else {
            flush(c);
        }
    }
    armTimer();
}

void Loop::armTimer()
{
    if (m_timers.empty())
        return;
    const std::int64_t due = m_timers.top().due;
    if (m_armedFor != 0 && m_armedFor <= due)
        return;
    m_armedFor = due;
    itimerspec spec{};
    spec.it_value.tv_sec = due / 1000000000;
    spec.it_value.tv_nsec = due % 1000000000;
    timerfd_settime(m_timerFd, TFD_TIMER_ABSTIME, &spec, nullptr);
}

void Loop::flush(Conn &c)
{
    while (c.outOffset < c.out.size()) {
        const ssize_t n = ::send(c.fd, c.out.data() + c.outOffset, c.out.size() - c.outOffset,
                                 MSG_NOSIGNAL);
        if (n > 0) {
            c.outOffset += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c.wantWrite) {
                c.wantWrite = true;
                epoll_event ev{};
                ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
                ev.data.fd = c.fd;
                epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &ev);
            }
            return;
        }
        if (n < 0 && errno == EINTR)
            continue;
        close(c);
        return;
    }
    c.out.clear();
    c.outOffset = 0;
    if (c.wantWrite) {
        c.wantWrite = false;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.fd = c.fd;
        epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &ev);
    }
    if (c.closeAfter && !c.streaming)
        close(c);
}

void Loop::close(Conn &c)
{
    const int fd = c.fd;
    ::close(fd);
    m_conns[static_cast<size_t>(fd)].reset(); // its timers are skipped: generations are unique
}

int listenOn(int port)
{
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 || listen(fd, 4096) != 0) {
        std::perror("tarn_bench_mock: bind/listen");
        std::exit(1);
    }
    return fd;
}

int boundPort(int fd)
{
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
    return ntohs(addr.sin_port);
}

} // namespace

int main(int argc, char **argv)
{
    int port = 0;
    int threads = 1;
    int status = 200;
    int retryAfter = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view arg = argv[i];
        const int value = std::atoi(argv[i + 1]);
        if (arg == "--port")
            port = value;
        else if (arg == "--threads")
            threads = value < 1 ? 1 : value;
        else if (arg == "--chunks")
            g_defaultChunks = value;
        else if (arg == "--chunk-delay-ms")
            g_defaultDelayMs = value;
        else if (arg == "--status")
            status = value;
        else if (arg == "--retry-after")
            retryAfter = value;
        else {
            std::fprintf(stderr, "usage: %s [--port N] [--threads N] [--chunks N] "
                                 "[--chunk-delay-ms D] [--status S] [--retry-after SECONDS]\n", argv[0]);
            return 2;
        }
    }
    if (status != 200)
        g_error = errorResponse(status, retryAfter);
    std::signal(SIGPIPE, SIG_IGN);
    std::vector<int> listeners{listenOn(port)};
    port = boundPort(listeners.front());
    for (int i = 1; i < threads; ++i)
        listeners.push_back(listenOn(port));
    std::printf("listening on http://127.0.0.1:%d\n", port);
    std::fflush(stdout);
    std::vector<std::thread> workers;
    for (size_t i = 1; i < listeners.size(); ++i)
        workers.emplace_back([fd = listeners[i]] { Loop(fd).run(); });
    Loop(listeners.front()).run();
    return 0;
}
