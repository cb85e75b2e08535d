// SPDX-License-Identifier: GPL-3.0-or-later
// Guards the readers of the tailscale CLI's JSON (`status --json`, `serve status --json`): any bytes
// give a value or an error, never a crash, and whatever `serve status` yields proxies to loopback on
// the port asked for, as an https URL.
// Input: <2 bytes port (big-endian)> <JSON>.
#include "gateway/net/Tailnet.h"
#include "gateway/net/TailscaleServe.h"

#include <QHostAddress>
#include <QUrl>

#include <cstdio>
#include <cstdlib>

using namespace tarn::gateway;

namespace {

[[noreturn]] void fail(const char *what)
{
    std::fprintf(stderr, "fuzz_tailscale_json: %s\n", what);
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const quint16 port = quint16((data[0] << 8) | data[1]);
    const QByteArrayView json(reinterpret_cast<const char *>(data) + 2, qsizetype(size - 2));
    (void)parseTailscaleStatus(json);
    const Result<QList<ServeEntry>> entries = parseServeStatus(json, port);
    if (!entries)
        return 0;
    for (const ServeEntry &entry : *entries) {
        if (!entry.url.startsWith(QStringLiteral("https://")))
            fail("a served URL that is not https");
        const QUrl target(entry.target);
        if (target.port() != int(port))
            fail("an entry for another port");
        if (target.host() != u"localhost" && !QHostAddress(target.host()).isLoopback())
            fail("an entry that does not proxy to loopback");
    }
    return 0;
}
