#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# End-to-end check: the real coding agents (Claude Code, Codex CLI, Gemini CLI, Qwen Code) and the
# official SDKs (sdk_check.mjs) talk to Tarn, which serves them all from one chat-only mock model
# (mock_model.py). Everything runs in a network namespace that has only loopback.
#
#   tests/agents/run_agents.sh [claude] [codex] [gemini] [qwen] [sdk]     (default: all)
#
# Environment: AGENTS_DIR (default /tmp/agents; holds node_modules with the agents and SDKs),
# TARN (default $AGENTS_DIR/tarn), AGENT_TIMEOUT seconds per agent (default 240),
# KEEP=1 keeps the work directory even when everything passes. CONNECT=1 has `tarn connect --apply`
# write each agent's own config files (seeded with unrelated settings) instead of passing the URL
# and key in its environment, then checks that `tarn connect --undo` restores the seeds exactly.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
AGENTS_DIR=${AGENTS_DIR:-/tmp/agents}
TARN=${TARN:-$AGENTS_DIR/tarn}
AGENT_TIMEOUT=${AGENT_TIMEOUT:-240}
WHICH=${*:-claude codex gemini qwen sdk}

if [ -z "${TARN_E2E_IN_NS:-}" ]; then
    export TARN_E2E_IN_NS=1
    if [ "$(id -u)" = 0 ]; then
        exec unshare -n "$0" "$@"
    else
        exec unshare -rn "$0" "$@"
    fi
fi

ip link set lo up || { echo "FAIL cannot bring lo up in the namespace"; exit 2; }
BIN=$AGENTS_DIR/node_modules/.bin
for tool in "$TARN" python3 node curl; do
    command -v "$tool" >/dev/null || { echo "FAIL missing $tool"; exit 2; }
done

WORK=$(mktemp -d "$AGENTS_DIR/run.XXXXXX")
DATA=$WORK/tarn-data
OUT=$WORK/out
mkdir -p "$OUT"
echo "work directory: $WORK"

PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT

# wait_listening FILE -> prints the http://HOST:PORT its process announced
wait_listening() {
    local i url
    for i in $(seq 1 100); do
        url=$(sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p' "$1" | head -n1)
        [ -n "$url" ] && { echo "$url"; return 0; }
        sleep 0.1
    done
    return 1
}

python3 "$HERE/mock_model.py" --out-dir "$OUT" >"$WORK/mock.out" 2>"$WORK/mock.err" &
PIDS+=($!)
MOCK=$(wait_listening "$WORK/mock.out") || { echo "FAIL mock model did not start"; cat "$WORK/mock.err"; exit 2; }

# Every model name an agent or SDK asks for (side requests included) is served by the mock.
MODELS=claude-sonnet-4-5,claude-haiku-4-5,gpt-5.5,gemini-2.5-flash,gemini-2.5-flash-lite,gemini-2.5-pro,qwen3-coder-plus,sdk-model
"$TARN" --data-dir "$DATA" channel add --type openai --base-url "$MOCK/v1" --key sk-mock \
    --name mock --models "$MODELS" >"$WORK/setup.log" 2>&1 || { echo "FAIL channel add"; cat "$WORK/setup.log"; exit 2; }
KEY=$("$TARN" --data-dir "$DATA" key create --name e2e 2>>"$WORK/setup.log" | head -n1)
case $KEY in tarn-*) ;; *) echo "FAIL key create"; cat "$WORK/setup.log"; exit 2 ;; esac

"$TARN" --headless --data-dir "$DATA" --listen 127.0.0.1:0 >"$WORK/tarn.out" 2>"$WORK/tarn.err" &
PIDS+=($!)
ROOT=$(wait_listening "$WORK/tarn.out") || { echo "FAIL tarn did not start"; cat "$WORK/tarn.err"; exit 2; }
echo "mock model: $MOCK  tarn: $ROOT"

FAILS=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; FAILS=$((FAILS + 1)); }

# A presented key must be valid, even on loopback.
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer tarn-not-a-key' \
    -H 'Content-Type: application/json' -d '{"model":"sdk-model","messages":[{"role":"user","content":"hi"}]}' \
    "$ROOT/v1/chat/completions")
[ "$code" = 401 ] && pass "auth: a wrong key gets 401" || fail "auth: a wrong key got $code, expected 401"

# check_usage AGENT FORMAT MODEL_PREFIX MIN: at least MIN rows for the agent's models (each agent
# asks for its own model names) with that inbound format, status 200 and non-zero tokens. Usage rows are written asynchronously, so poll a little.
check_usage() {
    local agent=$1 fmt=$2 prefix=$3 min=$4 i summary
    for i in $(seq 1 30); do
        "$TARN" --data-dir "$DATA" usage --recent 1000 --json >"$WORK/usage.json" 2>/dev/null
        summary=$(python3 - "$WORK/usage.json" "$fmt" "$prefix" "$min" <<'EOF'
import json, sys
rows = json.load(open(sys.argv[1])).get("requests", [])
fmt, prefix, want = sys.argv[2], sys.argv[3], int(sys.argv[4])
mine = [r for r in rows if str(r.get("requested_model", "")).startswith(prefix)
        and (prefix != "sdk-" or r.get("inbound_format") == fmt)]
good = [r for r in mine if r.get("inbound_format") == fmt and r.get("status") == 200 and int(r.get("prompt_tokens") or 0) > 0
        and int(r.get("completion_tokens") or 0) > 0]
desc = "; ".join(f"{r.get('inbound_format')}->{r.get('channel_format')} {r.get('requested_model')} "
                 f"status={r.get('status')} in={r.get('prompt_tokens')} out={r.get('completion_tokens')}"
                 for r in mine)
print(("OK " if len(good) >= want else "NO ") + f"{len(good)}/{len(mine)} rows: {desc}")
EOF
)
        case $summary in OK*) break ;; esac
        sleep 0.5
    done
    echo "  usage: ${summary#* }"
    case $summary in OK*) return 0 ;; *) return 1 ;; esac
}

# run_agent NAME FORMAT MODEL_PREFIX -- command... ; the command runs with a clean environment
# (set by the caller through env -i), stdin from /dev/null and a timeout.
run_agent() {
    local name=$1 fmt=$2 prefix=$3 rc ok=1
    shift 4
    mkdir -p "$WORK/proj-$name"
    echo "== $name"
    (cd "$WORK/proj-$name" && timeout -k 10 "$AGENT_TIMEOUT" "$@" </dev/null >"$WORK/$name.stdout" 2>"$WORK/$name.stderr")
    rc=$?
    [ "$rc" = 0 ] || { echo "  exit status $rc (see $WORK/$name.stderr)"; ok=0; }
    if [ -s "$OUT/$name.marker" ]; then echo "  marker written: the shell tool ran"
    else echo "  no marker $OUT/$name.marker: the shell tool did not run"; ok=0; fi
    if grep -q "DONE-$name" "$WORK/$name.stdout"; then echo "  final answer: $(grep -o "DONE-$name[^\"]*" "$WORK/$name.stdout" | head -n1)"
    else echo "  final answer DONE-$name missing from stdout (tail below)"; tail -n 5 "$WORK/$name.stdout" | sed 's/^/    /'; ok=0; fi
    check_usage "$name" "$fmt" "$prefix" 2 || ok=0
    [ "$ok" = 1 ] && pass "$name ($fmt)" || fail "$name ($fmt)"
}
BASE_ENV=(env -i "PATH=$BIN:$PATH" TERM=dumb LANG=C.UTF-8 NO_COLOR=1 CI=1)

# CONNECT=1: connect_agent ID MODEL FILE... writes the agent's config with `tarn connect --apply`
# (FILEs, relative to $H, are the seeded ones undo must restore); connect_undo ID checks that.
CONNECT=${CONNECT:-}
connect_agent() {
    local id=$1 model=$2 f
    shift 2
    mkdir -p "$WORK/seed-$id"
    for f in "$@"; do [ -e "$H/$f" ] && cp -p "$H/$f" "$WORK/seed-$id/$(echo "$f" | tr / _)"; done
    if "$TARN" --data-dir "$DATA" connect --apply "$id" --home "$H" --url "$ROOT" --key-name "e2e-$id" --model "$model" \
        >"$WORK/connect-$id.log" 2>&1; then pass "connect --apply $id"
    else fail "connect --apply $id"; sed 's/^/    /' "$WORK/connect-$id.log"; fi
    CONNECT_FILES=("$@")
    sleep 1.5 # the running Tarn reloads its keys every second: the new one must be in before the agent's first call
}
connect_undo() {
    local id=$1 f seed ok=1
    if ! "$TARN" --data-dir "$DATA" connect --undo "$id" --home "$H" >>"$WORK/connect-$id.log" 2>&1; then
        # The agent may rewrite its own settings (a format migration): undo refuses then; say so, force it.
        echo "  undo refused: $(tail -n1 "$WORK/connect-$id.log")"
        for f in "${CONNECT_FILES[@]}"; do [ -e "$H/$f" ] && cp -p "$H/$f" "$WORK/seed-$id/agent-rewrote-$(echo "$f" | tr / _)"; done
        "$TARN" --data-dir "$DATA" connect --undo "$id" --home "$H" --force >>"$WORK/connect-$id.log" 2>&1 || ok=0
    fi
    for f in "${CONNECT_FILES[@]}"; do
        seed="$WORK/seed-$id/$(echo "$f" | tr / _)"
        if [ -e "$seed" ]; then cmp -s "$seed" "$H/$f" || { echo "  $f differs from its seed after undo"; ok=0; }
        else [ ! -e "$H/$f" ] || { echo "  $f should be gone after undo"; ok=0; }; fi
    done
    [ "$ok" = 1 ] && pass "connect --undo $id restores the seeded files" || fail "connect --undo $id"
}
PROMPT="Write the tarn e2e marker file with your shell tool, then say what happened."

for agent in $WHICH; do
    H=$WORK/home-$agent
    mkdir -p "$H"
    case $agent in
    claude)
        if [ -n "$CONNECT" ]; then
            mkdir -p "$H/.claude"
            printf '{\n  "env": {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "DISABLE_AUTOUPDATER": "1"},\n  "theme": "dark"\n}\n' \
                >"$H/.claude/settings.json"
            connect_agent claude-code claude-sonnet-4-5 .claude/settings.json
            run_agent claude anthropic claude- -- "${BASE_ENV[@]}" HOME="$H" IS_SANDBOX=1 \
                claude -p "$PROMPT" --dangerously-skip-permissions
            connect_undo claude-code
            continue
        fi
        run_agent claude anthropic claude- -- "${BASE_ENV[@]}" HOME="$H" IS_SANDBOX=1 \
            ANTHROPIC_BASE_URL="$ROOT" ANTHROPIC_AUTH_TOKEN="$KEY" \
            CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 \
            ANTHROPIC_MODEL=claude-sonnet-4-5 ANTHROPIC_DEFAULT_SONNET_MODEL=claude-sonnet-4-5 \
            ANTHROPIC_DEFAULT_OPUS_MODEL=claude-sonnet-4-5 ANTHROPIC_DEFAULT_HAIKU_MODEL=claude-haiku-4-5 \
            claude -p "$PROMPT" --model claude-sonnet-4-5 --dangerously-skip-permissions
        ;;
    codex)
        mkdir -p "$H/.codex"
        cat >"$H/.codex/config.toml" <<EOF
model = "gpt-5.5"
model_provider = "tarn"
check_for_update_on_startup = false

[analytics]
enabled = false

[feedback]
enabled = false

[features]
plugins = false

[model_providers.tarn]
name = "Tarn"
base_url = "$ROOT/v1"
env_key = "TARN_KEY"
wire_api = "responses"
EOF
        if [ -n "$CONNECT" ]; then
            sed -i '/^model_provider = /d; /^\[model_providers.tarn\]/,$d' "$H/.codex/config.toml"
            connect_agent codex gpt-5.5 .codex/config.toml
            run_agent codex responses gpt- -- "${BASE_ENV[@]}" HOME="$H" CODEX_HOME="$H/.codex" \
                codex exec --skip-git-repo-check --dangerously-bypass-approvals-and-sandbox "$PROMPT"
            connect_undo codex
            continue
        fi
        run_agent codex responses gpt- -- "${BASE_ENV[@]}" HOME="$H" CODEX_HOME="$H/.codex" TARN_KEY="$KEY" \
            codex exec --skip-git-repo-check --dangerously-bypass-approvals-and-sandbox "$PROMPT"
        ;;
    gemini)
        mkdir -p "$H/.gemini"
        cat >"$H/.gemini/settings.json" <<'EOF'
{
  "security": {"auth": {"selectedType": "gemini-api-key"}},
  "general": {"disableAutoUpdate": true, "disableUpdateNag": true},
  "privacy": {"usageStatisticsEnabled": false},
  "telemetry": {"enabled": false}
}
EOF
        if [ -n "$CONNECT" ]; then
            # Gemini CLI rewrites a settings.json holding deprecated names; a user's file is migrated already.
            sed -i 's/"disableAutoUpdate": true, "disableUpdateNag": true/"enableAutoUpdate": false, "enableAutoUpdateNotification": false/' \
                "$H/.gemini/settings.json"
            connect_agent gemini-cli gemini-2.5-flash .gemini/.env .gemini/settings.json
            run_agent gemini gemini gemini- -- "${BASE_ENV[@]}" HOME="$H" gemini -p "$PROMPT" --yolo --skip-trust
            connect_undo gemini-cli
            continue
        fi
        run_agent gemini gemini gemini- -- "${BASE_ENV[@]}" HOME="$H" \
            GOOGLE_GEMINI_BASE_URL="$ROOT" GEMINI_API_KEY="$KEY" \
            gemini -p "$PROMPT" --yolo --skip-trust -m gemini-2.5-flash
        ;;
    qwen)
        mkdir -p "$H/.qwen"
        cat >"$H/.qwen/settings.json" <<'EOF'
{
  "security": {"auth": {"selectedType": "openai"}},
  "general": {"disableAutoUpdate": true, "disableUpdateNag": true},
  "privacy": {"usageStatisticsEnabled": false},
  "telemetry": {"enabled": false}
}
EOF
        if [ -n "$CONNECT" ]; then
            # Qwen Code migrates (rewrites) a settings.json without "$version"; a user's file has one.
            sed -i 's/^{$/{\n  "$version": 4,/' "$H/.qwen/settings.json"
            connect_agent qwen-code qwen3-coder-plus .qwen/.env .qwen/settings.json
            run_agent qwen openai qwen -- "${BASE_ENV[@]}" HOME="$H" qwen -p "$PROMPT" --yolo
            connect_undo qwen-code
            continue
        fi
        run_agent qwen openai qwen -- "${BASE_ENV[@]}" HOME="$H" \
            OPENAI_BASE_URL="$ROOT/v1" OPENAI_API_KEY="$KEY" OPENAI_MODEL=qwen3-coder-plus \
            qwen -p "$PROMPT" --yolo
        ;;
    sdk)
        echo "== sdk"
        (cd "$WORK" && "${BASE_ENV[@]}" HOME="$H" TARN_ROOT="$ROOT" TARN_KEY="$KEY" AGENTS_DIR="$AGENTS_DIR" \
            timeout -k 10 "$AGENT_TIMEOUT" node "$HERE/sdk_check.mjs" </dev/null 2>"$WORK/sdk.stderr") | tee "$WORK/sdk.stdout"
        rc=${PIPESTATUS[0]}
        if [ "$rc" = 0 ]; then pass "sdk checks"; else fail "sdk checks (exit $rc, see $WORK/sdk.stderr)"; fi
        for fmt in anthropic openai responses gemini; do
            if check_usage sdk "$fmt" sdk- 4; then pass "sdk usage rows ($fmt)"; else fail "sdk usage rows ($fmt)"; fi
        done
        ;;
    *) echo "unknown agent $agent"; FAILS=$((FAILS + 1)) ;;
    esac
done

echo "== usage rows (tarn usage --recent 1000)"
"$TARN" --data-dir "$DATA" usage --recent 1000 | sed 's/^/  /'
if [ "$FAILS" = 0 ]; then
    echo "ALL PASS"
    [ -n "${KEEP:-}" ] || { cleanup; trap - EXIT; rm -rf "$WORK"; }
    exit 0
fi
echo "$FAILS FAILED; logs in $WORK (mock.err: each upstream request, tarn.err, <agent>.stdout/.stderr)"
exit 1
