// SPDX-License-Identifier: GPL-3.0-or-later
// The usage text for `tarn --help` and `tarn help TOPIC`.
#include "gateway/cli/CliSupport.h"

namespace tarn::gateway::cli {

namespace {

const char16_t kOverview[] = uR"(Usage: tarn [--data-dir DIR] [--headless] [--listen HOST:PORT]... [--workers N]
       tarn [--data-dir DIR] COMMAND [ARGS]

Tarn is a personal LLM API gateway. Without a command it runs the gateway.

Options:
  --data-dir DIR        where Tarn keeps its database (default: the OS app-data folder)
  --headless            run without the desktop UI
  --listen HOST:PORT    address to serve the API on; repeatable; port 0 picks a free one;
                        IPv6 as [::1]:8080 (default 127.0.0.1:8276)
  --workers N           worker threads (default 0 = one per core)
  --help, --version

Commands:
  channel   add, list, show, set, enable, disable, remove provider connections
  key       create, list, revoke client keys
  usage     request and token totals per channel and model
  export    write the configuration as JSON
  import    read a configuration written by export

'tarn help COMMAND' or 'tarn COMMAND --help' shows a command's options.
)";

const char16_t kChannel[] = uR"(Usage:
  tarn channel add --name N --type openai|anthropic|gemini --base-url URL --key K [--key K2]...
                   --models m1,m2 [--map alias=upstream]... [--priority P] [--weight W] [--disabled]
                   [--proxy URL] [--header Name=Value]... [--tools yes|no] [--vision yes|no]
                   [--context-tokens N]
  tarn channel list [--json]
  tarn channel show NAME [--json]
  tarn channel set NAME [the add options] [--enabled|--disabled]
  tarn channel enable|disable|remove NAME

Defaults: priority 0 (higher is tried first), weight 1, enabled, tools yes, vision no,
context tokens 0 (unknown). OpenAI-compatible base URLs include the version path
(https://api.openai.com/v1); Anthropic and Gemini base URLs are the host.
With 'set', --key, --models, --map and --header replace the whole list; --name renames.
Listings show only the first characters of keys and header values.
)";

const char16_t kKey[] = uR"(Usage:
  tarn key create --name N [--models m1,m2] [--expires DATE] [--quota TOKENS]
  tarn key list [--json]
  tarn key revoke NAME

'create' prints the new key once on the first line of stdout: store it, Tarn keeps only its hash.
DATE is ISO-8601: 2025-12-31 (midnight UTC) or 2025-12-31T18:00:00Z; UTC unless an offset is given.
)";

const char16_t kUsage[] = uR"(Usage:
  tarn usage [--json] [--since DURATION|DATE]

Requests, errors and prompt/completion/cached tokens per channel and per model.
DURATION is a number with s, m, h, d or w (30m, 24h, 7d); DATE is ISO-8601. Default: 24h.
)";

const char16_t kTransfer[] = uR"(Usage:
  tarn export [FILE] [--secrets]
  tarn import FILE

export writes channels, client keys (metadata) and settings as JSON to FILE or stdout.
Channel API keys and client key hashes are included only with --secrets (the file is then
readable by you only): without them, import keeps the keys of channels and client keys that
already exist here and fails for new ones, so restore a backup from a --secrets export.
import applies the whole file or nothing, matching channels and client keys by name.
)";

} // namespace

QString helpText(const QString &topic)
{
    if (topic.isEmpty())
        return QString::fromUtf16(kOverview);
    if (topic == u"channel")
        return QString::fromUtf16(kChannel);
    if (topic == u"key")
        return QString::fromUtf16(kKey);
    if (topic == u"usage")
        return QString::fromUtf16(kUsage);
    if (topic == u"export" || topic == u"import")
        return QString::fromUtf16(kTransfer);
    return {};
}

} // namespace tarn::gateway::cli
