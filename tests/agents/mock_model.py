#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scripted mock OpenAI Chat Completions upstream for the agent end-to-end check.

Listens on 127.0.0.1 (port 0 unless --port), prints `listening on http://127.0.0.1:PORT`.

POST /v1/chat/completions (streaming and not):
  * tools declared and no `role: tool` message in history -> ONE call to the agent's shell tool
    (Bash / exec_command / run_shell_command / shell, whichever is declared) whose command writes
    OUT_DIR/<agent>.marker; if no shell tool is declared, one call to the first declared tool with
    its required string parameters set to "tarn-test" (the SDK check asserts on that);
  * a tool result in history -> plain text "DONE-<agent> <tool output>";
  * no tools -> plain text "DONE-<agent> plain".
The agent is taken from the model name (claude*, gpt*/codex*, gemini*, qwen*, else "sdk") or the
`X-Mock-Agent` header. Every answer carries usage (prompt_tokens from the body size,
completion_tokens from the answer). GET /v1/models lists a few models.
Each request is logged to stderr as one line.
"""
import argparse
import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SHELL_TOOLS = ["Bash", "exec_command", "run_shell_command", "shell", "local_shell", "bash"]
OUT_DIR = "/tmp/agents/out"
LOCK = threading.Lock()
COUNTER = {"n": 0}


def log(msg):
    with LOCK:
        sys.stderr.write(time.strftime("%H:%M:%S ") + msg + "\n")
        sys.stderr.flush()


def agent_of(model, header):
    if header:
        return header
    m = (model or "").lower()
    for prefix, name in (("claude", "claude"), ("gpt", "codex"), ("codex", "codex"),
                         ("gemini", "gemini"), ("qwen", "qwen")):
        if m.startswith(prefix):
            return name
    return "sdk"


def tool_name(tool):
    if tool.get("type") == "function" and isinstance(tool.get("function"), dict):
        return tool["function"].get("name", "")
    return tool.get("name", "")


def tool_params(tool):
    fn = tool.get("function") if isinstance(tool.get("function"), dict) else tool
    p = fn.get("parameters") or {}
    return p if isinstance(p, dict) else {}


def text_of(content):
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def shell_arguments(tool, command):
    params = tool_params(tool)
    props = params.get("properties") or {}
    args = {}
    key = next((k for k in ("command", "cmd") if k in props), "command")
    if (props.get(key) or {}).get("type") == "array":
        args[key] = ["bash", "-lc", command]
    else:
        args[key] = command
    for req in params.get("required") or []:
        if req in args:
            continue
        t = (props.get(req) or {}).get("type")
        args[req] = {"boolean": False, "integer": 10000, "number": 10000,
                     "array": []}.get(t, "write the tarn e2e marker file")
    if "description" in props and "description" not in args:
        args["description"] = "write the tarn e2e marker file"
    return args


def generic_arguments(tool):
    params = tool_params(tool)
    props = params.get("properties") or {}
    args = {}
    for req in params.get("required") or list(props)[:1]:
        t = (props.get(req) or {}).get("type")
        args[req] = {"boolean": True, "integer": 1, "number": 1}.get(t, "tarn-test")
    return args


def decide(body, agent):
    """Returns (kind, payload): ("tool", (name, args_json)) or ("text", str)."""
    messages = body.get("messages") or []
    tools = body.get("tools") or []
    tool_msgs = [m for m in messages if isinstance(m, dict) and m.get("role") == "tool"]
    if tool_msgs:
        out = text_of(tool_msgs[-1].get("content")).strip().replace("\n", " ")[:80]
        return "text", f"DONE-{agent} {out}".strip()
    if not tools:
        return "text", f"DONE-{agent} plain"
    by_name = {tool_name(t): t for t in tools}
    for name in SHELL_TOOLS:
        if name in by_name:
            cmd = f"mkdir -p {OUT_DIR} && echo tarn-e2e > {OUT_DIR}/{agent}.marker && echo marker-written"
            return "tool", (name, json.dumps(shell_arguments(by_name[name], cmd)))
    first = tools[0]
    return "tool", (tool_name(first), json.dumps(generic_arguments(first)))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # silence the default access log
        pass

    def send_json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.rstrip("/").endswith("/models"):
            ids = ["claude-sonnet-4-5", "gpt-5.5", "gemini-2.5-flash", "qwen3-coder-plus", "sdk-model"]
            log(f"GET {self.path}")
            self.send_json(200, {"object": "list", "data": [
                {"id": i, "object": "model", "created": 1700000000, "owned_by": "mock"} for i in ids]})
            return
        log(f"GET {self.path} -> 404")
        self.send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not self.path.split("?")[0].endswith("/chat/completions"):
            log(f"POST {self.path} -> 404")
            self.send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            log(f"POST {self.path} bad json")
            self.send_json(400, {"error": {"message": "bad json", "type": "invalid_request_error"}})
            return
        with LOCK:
            COUNTER["n"] += 1
            n = COUNTER["n"]
        model = body.get("model", "")
        agent = agent_of(model, self.headers.get("X-Mock-Agent"))
        stream = bool(body.get("stream"))
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        kind, payload = decide(body, agent)
        prompt_tokens = max(1, len(raw) // 4)
        if kind == "tool":
            name, args = payload
            completion_tokens = 8 + len(args) // 4
        else:
            completion_tokens = max(1, len(payload) // 4)
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                 "total_tokens": prompt_tokens + completion_tokens}
        roles = [m.get("role") for m in body.get("messages") or [] if isinstance(m, dict)]
        tnames = [tool_name(t) for t in body.get("tools") or []]
        log(f"#{n} POST {self.path} model={model} agent={agent} stream={stream} "
            f"include_usage={include_usage} messages={len(roles)} roles={','.join(r or '?' for r in roles)[-80:]} "
            f"tools={len(tnames)}[{','.join(tnames)[:160]}] -> {kind} "
            f"{payload[0] + ' ' + payload[1][:160] if kind == 'tool' else payload[:80]!r} usage={usage}")
        cid = "chatcmpl-" + uuid.uuid4().hex[:24]
        created = int(time.time())
        call_id = "call_" + uuid.uuid4().hex[:24]
        if not stream:
            if kind == "tool":
                msg = {"role": "assistant", "content": None, "tool_calls": [{
                    "id": call_id, "type": "function",
                    "function": {"name": payload[0], "arguments": payload[1]}}]}
                finish = "tool_calls"
            else:
                msg = {"role": "assistant", "content": payload}
                finish = "stop"
            self.send_json(200, {"id": cid, "object": "chat.completion", "created": created,
                                 "model": model, "choices": [{"index": 0, "message": msg,
                                                              "finish_reason": finish}],
                                 "usage": usage})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def chunk(delta, finish=None, extra=None):
            obj = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            if extra:
                obj.update(extra)
            self.send_event(json.dumps(obj))

        chunk({"role": "assistant", "content": ""})
        if kind == "tool":
            name, args = payload
            chunk({"tool_calls": [{"index": 0, "id": call_id, "type": "function",
                                   "function": {"name": name, "arguments": ""}}]})
            half = len(args) // 2
            for piece in (args[:half], args[half:]):
                chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
            chunk({}, "tool_calls")
        else:
            words = payload.split(" ")
            for i, w in enumerate(words):
                chunk({"content": w if i == 0 else " " + w})
            chunk({}, "stop")
        if include_usage:
            self.send_event(json.dumps({"id": cid, "object": "chat.completion.chunk",
                                        "created": created, "model": model, "choices": [],
                                        "usage": usage}))
        self.send_event("[DONE]")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def send_event(self, data):
        payload = f"data: {data}\n\n".encode()
        self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
        self.wfile.flush()


def main():
    global OUT_DIR
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--out-dir", default=OUT_DIR, help="where the shell tool call writes markers")
    a = ap.parse_args()
    OUT_DIR = a.out_dir
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    print(f"listening on http://127.0.0.1:{srv.server_address[1]}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
