// SPDX-License-Identifier: GPL-3.0-or-later
// The usage text for `tarn --help` and `tarn help TOPIC`.
#include "gateway/cli/CliSupport.h"

namespace tarn::gateway::cli {

namespace {

const char16_t kOverview[] = uR"(Usage: tarn [--data-dir DIR] [--headless] [--expose MODE [--port N] | --listen HOST:PORT...]
            [--workers N] [--admin-port N | --no-admin]
       tarn [--data-dir DIR] COMMAND [ARGS]

Tarn is a personal LLM API gateway. Without a command it runs the gateway.

Options:
  --data-dir DIR        where Tarn keeps its database (default: the OS app-data folder)
  --headless            run without the desktop UI
  --listen HOST:PORT    address to serve the API on; repeatable; port 0 picks a free one;
                        IPv6 as [::1]:8080 (default: the addresses saved in
                        Settings, else 127.0.0.1:8276); overrides --expose
  --expose MODE         where to serve, on one port (--port N, default 8276):
                        loopback (127.0.0.1 and ::1), tailscale (loopback and this
                        node's Tailscale addresses, bound when they appear; other
                        peers are refused) or all (every interface: take care)
  --workers N           worker threads (default 0 = one per core)
  --admin-port N        the management API's port on 127.0.0.1 (default: the gateway's
                        port + 1; any free one when that is 0); it takes the token in
                        DATA-DIR/admin-token as 'Authorization: Bearer TOKEN'
  --no-admin            no management API
  --help, --version

Commands:
  channel   add, list, show, set, enable, disable, remove, test provider connections
  pool      how requests for each model spread over channels; set a pool's strategy
  routing   failover limits: attempts, time budget, empty answers, key re-tests
  key       create, list, revoke client keys
  usage     request and token totals per channel and model
  export    write the configuration as JSON
  import    read a configuration written by export
  connect   point Claude Code, Codex, Gemini CLI or Qwen Code at Tarn (and undo it)
  serve     HTTPS on this machine's Tailscale name (tailscale serve; --funnel: the internet)

'tarn help COMMAND' or 'tarn COMMAND --help' shows a command's options.
)";

const char16_t kChannel[] = uR"(Usage:
  tarn channel add --name N --type openai|anthropic|gemini [--api chat|responses]
                   --base-url URL --key K [--key K2]...
                   --models m1,m2 [--map alias=upstream]... [--priority P] [--weight W] [--disabled]
                   [--proxy URL] [--header Name=Value]...
                   [--tools on|off|auto] [--vision on|off|auto] [--json-mode on|off|auto]
                   [--context-tokens N] [--max-output-tokens N]
                   [--rpm N] [--tpm N] [--tokens-per-day N] [--tokens-per-month N]
                   [--price-in USD] [--price-out USD] [--price-cached USD]
                   [--failover-on 400,404] [--test-model M]
                   [--set-param PATH=JSON]... [--drop-param PATH]... [--strip-beta NAME]...
  tarn channel list [--json]
  tarn channel show NAME [--json]
  tarn channel set NAME [the add options] [--enabled|--disabled]
                   [--unset-param PATH]... [--clear-params] [--clear-strip-betas]
  tarn channel enable|disable|remove NAME
  tarn channel test NAME [--model M] [--key KEY_ID] [--json]
  tarn channel reset-learned NAME
  tarn channel enable-key NAME KEY_ID

Defaults: priority 0 (higher is tried first; lower priorities only take failover), weight 1
(0 = last resort), enabled. Capabilities default to auto: what the upstream taught Tarn, else
Tarn's table of well-known models, else assumed; on/off declare them. Token limits 0 = auto.
Budgets (--rpm requests/minute, --tpm tokens/minute, tokens per UTC day and month) default to
0 = none; a channel at its budget cools until the window ends. Prices are USD per million
tokens, for the cheapest strategy. --failover-on adds upstream statuses (400-599) that move a
request to the next channel; --test-model is the model 'test' uses (default: the first model).
OpenAI-compatible base URLs include the version path (https://api.openai.com/v1); Anthropic and
Gemini base URLs are the host. --api says which OpenAI API an openai channel is called with:
chat (default; POST {base}/chat/completions, what OpenAI-compatible providers serve) or
responses (POST {base}/responses, OpenAI's Responses API, the only one serving its Codex models).
Other types refuse --api responses.
With 'set', --key, --models, --map, --header and --failover-on replace the whole list
(--failover-on '' clears it); --name renames. Listings show only the first characters of keys
and header values.

Parameter overrides apply to every request sent to the channel, in the channel's own format,
after translation: --set-param forces a value (--set-param temperature=1,
--set-param 'tool_choice="auto"', --set-param generationConfig.topK=40), --drop-param removes a
parameter the upstream rejects (--drop-param top_p). The value is JSON; a bare word that is not
JSON is taken as a string (--set-param reasoning_effort=high sets "high"), but a value that
starts like JSON ({, [, ", a digit or -) must be valid JSON. PATH is up to 4 names of letters,
digits, _ and - separated by dots; model, stream, messages and contents belong to Tarn and
cannot be overridden. Drops apply before sets. With 'set', --set-param and --drop-param add to
what the channel has (setting a dropped parameter stops dropping it, and the other way round),
--unset-param removes one entry and --clear-params all of them. --strip-beta NAME (repeatable,
or comma-separated) keeps that anthropic-beta value from being passed on to the channel;
--clear-strip-betas empties the list.

list and show include each channel's state as the running gateway last published it
(healthy, cooling, open, disabled), each key's state, and the effective capabilities per model
with where they come from (declared, learned, builtin; "assumed": true when nobody knows).
test sends a one-token request through each key (or the given one) of an openai-type channel;
it exits 0 when a key passed, and re-enables a disabled key that passes. KEY_ID is the k-…
id that show lists. enable-key re-enables a key the gateway disabled (after a 401/403);
reset-learned forgets the capabilities upstreams taught Tarn about the channel.
)";

const char16_t kPool[] = uR"(Usage:
  tarn pool list [--json]
  tarn pool set MODEL [--strategy weighted|latency|cheapest] [--sticky on|off]

A pool is every enabled channel serving one model name (its models and aliases). list shows
each pool's channels by priority tier, highest first: requests go to the first tier with an
available channel, split by weight among its available channels (weighted strategy); lower
tiers take failover only; weight 0 is a last resort. latency prefers the fastest channel of
the tier, cheapest the lowest price. sticky keeps a conversation on its channel while it is
healthy. Defaults: weighted, sticky.
)";

const char16_t kRouting[] = uR"(Usage:
  tarn routing show [--json]
  tarn routing set [--max-attempts N] [--time-budget-ms MS] [--retry-empty on|off] [--retest-interval-s S]

A failed attempt (429, 5xx, out of quota, a rejected key, a capability the model lacks, a refused
connection or a timeout) moves the request to the next channel until its first byte reaches the
client. --max-attempts caps the attempts per request (0 = every candidate once, never more than
5); --time-budget-ms is the time after which no further attempt starts (a failover attempt gets
only what is left of it); --retry-empty also fails over on a 200 without content or output
tokens; --retest-interval-s is how often disabled keys are tested again (0 = never).
Defaults: 0, 120000, off, 300.
)";

const char16_t kKey[] = uR"(Usage:
  tarn key create --name N [--models m1,m2] [--expires DATE]
                  [--tokens-per-day N] [--tokens-per-month N] [--rpm N]
  tarn key list [--json]
  tarn key limit NAME [--tokens-per-day N] [--tokens-per-month N] [--rpm N]
  tarn key revoke NAME

'create' prints the new key once on the first line of stdout: store it, Tarn keeps only a salted
hash of it. DATE is ISO-8601: 2025-12-31 (midnight UTC) or 2025-12-31T18:00:00Z; UTC unless an
offset is given.
Limits (0 or absent = unlimited): tokens (prompt + completion) per local day and calendar month,
and requests per minute. A key over one gets 429 with Retry-After in its client's error format;
tokens are counted when a request ends, so the request that crosses a limit finishes and the next
is refused. 'limit' changes only the limits given. --quota is the old name of --tokens-per-month.
)";

const char16_t kUsage[] = uR"(Usage:
  tarn usage [--json] [--since DURATION|DATE]
  tarn usage --recent N [--json] [--since DURATION|DATE]

Requests, errors and prompt/completion/cached tokens per channel and per model.
DURATION is a number with s, m, h, d or w (30m, 24h, 7d); DATE is ISO-8601. Default: 24h.
--recent lists the N newest requests (at most 10000) one by one instead, with their formats as
client→channel (anthropic→openai: an Anthropic client served by an OpenAI-format channel; "-"
when no channel was reached); --since then leaves out older ones. Its JSON has
"inbound_format" and "channel_format".
)";

const char16_t kTransfer[] = uR"(Usage:
  tarn export [FILE] [--secrets]
  tarn import FILE

export writes channels (parameter overrides and stripped betas included), pools, client keys
(metadata) and settings as JSON to FILE or stdout.
Channel API keys and client key hashes are included only with --secrets (the file is then
readable by you only): without them, import keeps the keys of channels and client keys that
already exist here and fails for new ones, so restore a backup from a --secrets export.
Without --secrets, export does not read the keychain at all.
import applies the whole file or nothing, matching channels and client keys by name; the
channel keys it carries go to the OS keychain (or the encrypted secrets.enc where none runs;
TARN_SECRET_BACKEND=keychain|file chooses), never into the database.
)";

const char16_t kConnect[] = uR"(Usage:
  tarn connect [--url URL] [--model M] [--home DIR]
  tarn connect --apply AGENT [--key-name NAME] [--model M] [--url URL] [--home DIR]
  tarn connect --undo AGENT [--force] [--home DIR]
  tarn connect --client CLIENT [--key-name NAME] [--model M] [--url URL]

AGENT is claude-code, codex, gemini-cli or qwen-code. Without --apply or --undo, shows for each
agent whether its configuration uses Tarn, its files, and what to write there by hand.
--apply writes the agent's own configuration so it uses Tarn, keeping every other setting:
  claude-code  ~/.claude/settings.json "env": ANTHROPIC_BASE_URL, ANTHROPIC_AUTH_TOKEN and, with
               --model, ANTHROPIC_MODEL and ANTHROPIC_DEFAULT_{OPUS,SONNET,HAIKU}_MODEL
  codex        $CODEX_HOME/config.toml (~/.codex): model_provider = "tarn", a
               [model_providers.tarn] table (base_url URL/v1, wire_api "responses",
               experimental_bearer_token when there is a key) and, with --model, model
  gemini-cli   ~/.gemini/.env: GOOGLE_GEMINI_BASE_URL, GEMINI_API_KEY; ~/.gemini/settings.json:
               security.auth.selectedType "gemini-api-key" and, with --model, model.name
  qwen-code    ~/.qwen/.env: OPENAI_BASE_URL (URL/v1), OPENAI_API_KEY, OPENAI_MODEL;
               ~/.qwen/settings.json: security.auth.selectedType "openai", model.name
--key-name creates a client key with that name for the agent. Without it, an agent that must send
a key (all but Codex, and any agent when URL is not loopback) gets a new key named after it,
unless its configuration already holds a Tarn key for this URL. A file holding a key is made
readable by you only. The first change saves the original files under DATA-DIR/connect-backups;
--undo puts them back byte for byte (removing files Tarn created), and refuses when a file has
changed since Tarn wrote it unless --force is given. A config file that is not valid JSON or
TOML, or that Tarn cannot edit without losing something, is refused and left as it was. A
symlinked config file is written through the link.
--url is Tarn's root URL (default: the first listen address saved in Settings, else
http://127.0.0.1:8276). --home uses DIR as the home folder instead of $HOME (and ignores
$CODEX_HOME and $GEMINI_CLI_HOME).
--client sets up another device (a laptop, a phone): where Tarn is reached in each mode (this
machine, the tailnet with its MagicDNS name, tailscale serve, every network), a new client key
(named NAME, else after the client; shown once), what to enter in CLIENT there and a QR code of
the address and key. CLIENT is an AGENT or cline, roo-code, cherry-studio, cursor or curl. The
address used is --url, else the HTTPS one tailscale serves (funnel's for cursor), else the
tailnet's when Tarn is set to listen there, else loopback with a hint. Nothing here is written.
)";

const char16_t kServe[] = uR"(Usage:
  tarn serve [--port N]            https://<this node's Tailscale name> for your tailnet
  tarn serve --funnel [--port N]   the same, reachable from the whole internet
  tarn serve --off [--funnel]      stop it
  tarn serve --status [--port N]   what Tailscale serves for Tarn

Runs `tailscale serve` (or `tailscale funnel`) so that tailscaled answers HTTPS on this node's
MagicDNS name and proxies it to Tarn on 127.0.0.1: no address but loopback is bound and no
firewall asks. Needs the tailscale CLI and HTTPS certificates enabled in the tailnet (the CLI
says how). Requests that come this way carry X-Forwarded-For, and Tarn asks them for a client
key like any remote request. --funnel is for clients that call from the cloud (Cursor's base URL
override): it refuses to start while no client key is active, and warns. --port is Tarn's port
(default: the first listen address saved in Settings, else 8276).
)";

} // namespace

QString helpText(const QString &topic)
{
    if (topic.isEmpty())
        return QString::fromUtf16(kOverview);
    if (topic == u"channel")
        return QString::fromUtf16(kChannel);
    if (topic == u"pool")
        return QString::fromUtf16(kPool);
    if (topic == u"routing")
        return QString::fromUtf16(kRouting);
    if (topic == u"key")
        return QString::fromUtf16(kKey);
    if (topic == u"usage")
        return QString::fromUtf16(kUsage);
    if (topic == u"export" || topic == u"import")
        return QString::fromUtf16(kTransfer);
    if (topic == u"connect")
        return QString::fromUtf16(kConnect);
    if (topic == u"serve")
        return QString::fromUtf16(kServe);
    return {};
}

} // namespace tarn::gateway::cli
