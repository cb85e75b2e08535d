#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Measures Tarn's proxy overhead against a fast mock upstream, direct vs through Tarn.

Starts tarn_bench_mock and a headless Tarn (fresh data dir, one channel pointing at the mock) on
127.0.0.1, then runs alternating rounds (direct, tarn, direct, tarn, ...) so drift in machine load
hits both paths alike. See bench/README.md for what each figure means and the targets.

--client-format anthropic sends Anthropic Messages requests to Tarn's /v1/messages (translated to
the OpenAI channel and back), responses sends OpenAI Responses API requests to /v1/responses
(likewise translated); the direct path stays the OpenAI request to the mock. --base-tarn PATH
measures a second Tarn (e.g. a build before a change) in the same alternating rounds.
"""
import argparse
import asyncio
import collections
import datetime
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLK_TCK = os.sysconf("SC_CLK_TCK")
CHAT_PATH = "/v1/chat/completions"
MESSAGES_PATH = "/v1/messages"
RESPONSES_PATH = "/v1/responses"
MODEL = "bench-model"
# Anthropic clients' sequential streams use this model: a second channel on the same mock whose
# extra headers ask for 2 chunks 1 ms apart (the translator drops the mock_* body fields).
STREAM_MODEL = "bench-stream"


class Format:
    """How a client of one wire format talks to its endpoint."""

    def __init__(self, name, path, headers, wrk_script, done, ok):
        self.name, self.path, self.headers, self.wrk_script = name, path, headers, wrk_script
        self.done = done  # what a complete stream holds
        self.ok = ok      # what a non-streaming answer holds


FORMATS = {
    "openai": Format("openai", CHAT_PATH, {}, "post.lua", b"[DONE]", b'"chat.completion"'),
    "anthropic": Format("anthropic", MESSAGES_PATH, {"anthropic-version": "2023-06-01"},
                        "post_anthropic.lua", b"event: message_stop", b'"type":"message"'),
    "responses": Format("responses", RESPONSES_PATH, {}, "post_responses.lua",
                        b"event: response.completed", b'"object":"response"'),
}
# Tarn's CPU per request target by client format (the figure for translated requests).
CPU_TARGET_US = {"openai": 30, "anthropic": 60, "responses": 60}


class BenchError(RuntimeError):
    pass


# ---------------------------------------------------------------- processes

class Proc:
    """A child process whose stdout/stderr are drained in threads (last lines kept for errors)."""

    def __init__(self, argv, name):
        self.name = name
        self.argv = argv
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  stdin=subprocess.DEVNULL, text=True, bufsize=1)
        self.lines = collections.deque(maxlen=40)
        self.listen = None
        self._ready = threading.Event()
        threading.Thread(target=self._drain, args=(self.p.stdout, True), daemon=True).start()
        threading.Thread(target=self._drain, args=(self.p.stderr, False), daemon=True).start()

    def _drain(self, stream, is_stdout):
        for line in stream:
            self.lines.append(line.rstrip())
            m = re.search(r"listening on http://([\d.]+):(\d+)", line) if is_stdout else None
            if m and self.listen is None:
                self.listen = (m.group(1), int(m.group(2)))
                self._ready.set()
        self._ready.set()

    def wait_listening(self, timeout):
        self._ready.wait(timeout)
        if self.listen is None:
            code = self.p.poll()
            state = f"exited with code {code}" if code is not None else f"no 'listening on' line in {timeout}s"
            tail = "\n    ".join(self.lines) or "(no output)"
            raise BenchError(f"{self.name} failed to start ({state}): {' '.join(self.argv)}\n    {tail}")
        return self.listen

    def cpu_seconds(self):
        with open(f"/proc/{self.p.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime

    def rss_kib(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def start_tarn(binary, mock_port, data_dir, stream_channel=False, name="tarn"):
    base = [binary, "--data-dir", data_dir, "channel", "add", "--type", "openai",
            "--base-url", f"http://127.0.0.1:{mock_port}/v1", "--key", "sk-bench"]
    adds = [base + ["--name", "mock", "--models", MODEL]]
    if stream_channel:
        adds.append(base + ["--name", "mock-stream", "--models", STREAM_MODEL,
                            "--header", "x-mock-chunks=2", "--header", "x-mock-chunk-delay-ms=1"])
    for add in adds:
        try:
            r = subprocess.run(add, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise BenchError(f"{name} channel add failed: {e}")
        if r.returncode != 0:
            raise BenchError(f"{name} channel add exited with {r.returncode}: {' '.join(add)}\n"
                             f"    {r.stdout.strip()}\n    {r.stderr.strip()}")
    try:
        tarn = Proc([binary, "--headless", "--data-dir", data_dir, "--listen", "127.0.0.1:0"], name)
    except OSError as e:
        raise BenchError(f"cannot run {binary}: {e}")
    try:
        tarn.wait_listening(15)
    except BenchError:
        tarn.stop()
        raise
    return tarn


# ---------------------------------------------------------------- wrk

def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if not m:
        return float("nan")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]
    return float(m.group(1)) * scale


def run_wrk(args, host, port, proc=None, fmt=None):
    fmt = fmt or FORMATS["openai"]
    url = f"http://{host}:{port}{fmt.path}"
    cmd = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
           "-s", os.path.join(HERE, fmt.wrk_script), url]
    cpu0 = proc.cpu_seconds() if proc else 0.0
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    cpu1 = proc.cpu_seconds() if proc else 0.0
    res = {"out": out}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in", out)
    res["requests"] = int(m.group(1)) if m else 0
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        res[f"p{pct}"] = to_ms(m.group(1)) if m else float("nan")
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: (.*)", out)
    res["socket_errors"] = m.group(1).strip() if m else ""
    res["cpu_us_per_req"] = (cpu1 - cpu0) * 1e6 / res["requests"] if proc and res["requests"] else float("nan")
    return res


# ---------------------------------------------------------------- raw HTTP

def chat_body(stream, extra="", content="Say hello in five words."):
    s = ',"stream":true,"mock_chunks":2,"mock_chunk_delay_ms":1' if stream else ""
    return ('{"model":"%s","messages":[{"role":"user","content":"%s"}]%s%s}'
            % (MODEL, content, s, extra)).encode()


def anthropic_body(stream, content="Say hello in five words.", model=MODEL):
    s = ',"stream":true' if stream else ""
    return ('{"model":"%s","max_tokens":16,"messages":[{"role":"user","content":"%s"}]%s}'
            % (model, content, s)).encode()


def responses_body(stream, content="Say hello in five words.", model=MODEL):
    s = ',"stream":true' if stream else ""
    return ('{"model":"%s","max_output_tokens":16,"store":false,"input":"%s"%s}'
            % (model, content, s)).encode()


def request_bytes(host, port, body, path=CHAT_PATH, headers=None):
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"{extra}Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


class RawClient:
    """A keep-alive HTTP/1.1 client on a plain socket that timestamps the first body byte."""

    def __init__(self, host, port):
        self.host, self.port, self.sock = host, port, None

    def _connect(self):
        self.sock = socket.create_connection((self.host, self.port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def exchange(self, body, path=CHAT_PATH, headers=None):
        """Returns (status, seconds to first body byte, seconds to the end, body)."""
        if self.sock is None:
            self._connect()
        t0 = time.perf_counter()
        self.sock.sendall(request_bytes(self.host, self.port, body, path, headers))
        buf = b""
        while b"\r\n\r\n" not in buf:
            data = self.sock.recv(65536)
            if not data:
                raise BenchError("connection closed before the response head")
            buf += data
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
        while not buf:
            data = self.sock.recv(65536)
            if not data:
                break
            buf += data
        ttfb = time.perf_counter() - t0
        out = b""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            while True:
                while b"\r\n" not in buf:
                    buf += self._recv()
                size_line, buf = buf.split(b"\r\n", 1)
                size = int(size_line.split(b";")[0], 16)
                while len(buf) < size + 2:
                    buf += self._recv()
                out += buf[:size]
                buf = buf[size + 2:]
                if size == 0:
                    break
        elif "content-length" in headers:
            n = int(headers["content-length"])
            while len(buf) < n:
                buf += self._recv()
            out = buf[:n]
        else:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                buf += data
            out = buf
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, ttfb, time.perf_counter() - t0, out

    def _recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise BenchError("connection closed mid-response")
        return data

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None


async def one_stream(host, port, body, start_event, fmt):
    reader, writer = await asyncio.open_connection(host, port)
    await start_event.wait()
    t0 = time.perf_counter()
    writer.write(request_bytes(host, port, body, fmt.path, fmt.headers))
    await writer.drain()
    buf = b""
    while b"\r\n\r\n" not in buf:
        data = await reader.read(65536)
        if not data:
            raise BenchError("stream closed before the head")
        buf += data
    buf = buf.split(b"\r\n\r\n", 1)[1]
    if not buf:
        buf = await reader.read(65536)
    first = time.perf_counter() - t0
    while fmt.done not in buf and b"\r\n0\r\n\r\n" not in buf:
        data = await reader.read(65536)
        if not data:
            break
        buf += data
    writer.close()
    return first, fmt.done in buf


async def concurrent_streams(host, port, n, fmt=None):
    fmt = fmt or FORMATS["openai"]
    if fmt.name == "anthropic":
        body = anthropic_body(True, content="hi")
    elif fmt.name == "responses":
        body = responses_body(True, content="hi")
    else:
        body = ('{"model":"%s","stream":true,"messages":[{"role":"user","content":"hi"}]}' % MODEL).encode()
    start = asyncio.Event()
    tasks = [asyncio.ensure_future(one_stream(host, port, body, start, fmt)) for _ in range(n)]
    await asyncio.sleep(0.3)  # let every connection open first
    start.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    firsts = [r[0] * 1000 for r in results if not isinstance(r, BaseException)]
    complete = sum(1 for r in results if not isinstance(r, BaseException) and r[1])
    return firsts, complete


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


# ---------------------------------------------------------------- the run

class Path:
    """One way a client reaches the mock: straight, or through a Tarn process in one client format."""

    def __init__(self, name, listen, proc, fmt, process):
        self.name, self.listen, self.proc, self.fmt, self.process = name, listen, proc, fmt, process

    def body(self, kind, content=None):
        """kind: "plain" (small, non-streaming), "stream" (2 chunks 1 ms apart) or "big" (content)."""
        if self.fmt.name == "anthropic":
            if kind == "stream":
                return anthropic_body(True, model=STREAM_MODEL)
            return anthropic_body(False, content=content) if content is not None else anthropic_body(False)
        if self.fmt.name == "responses":
            if kind == "stream":
                return responses_body(True, model=STREAM_MODEL)
            return responses_body(False, content=content) if content is not None else responses_body(False)
        if kind == "stream":
            return chat_body(True)
        return chat_body(False, content=content) if content is not None else chat_body(False)

    def exchange(self, client, body):
        return client.exchange(body, self.fmt.path, self.fmt.headers)


def tarn_path_name(process, fmt, formats):
    """"tarn" / "base" for the first client format (as before), "tarn-anthropic" etc. otherwise."""
    return process if fmt == formats[0] else f"{process}-{fmt}"


def measure(args):
    mock = Proc([args.mock, "--port", "0", "--threads", str(args.mock_threads)], "tarn_bench_mock")
    procs = [mock]
    data_dirs = []
    formats = args.formats
    r = {"rounds": [], "tarn_error": None, "rss": {}, "errors": [], "paths": [], "formats": {}}
    try:
        mhost, mport = mock.wait_listening(5)
        paths = [Path("direct", (mhost, mport), mock, FORMATS["openai"], None)]
        binaries = [] if args.direct_only else [("tarn", args.tarn)] + ([("base", args.base_tarn)] if args.base_tarn else [])
        for process, binary in binaries:
            tarn = None
            try:
                data_dir = tempfile.mkdtemp(prefix="tarn-bench-")
                data_dirs.append(data_dir)
                tarn = start_tarn(binary, mport, data_dir, stream_channel=bool({"anthropic", "responses"} & set(formats)), name=process)
                procs.append(tarn)
                time.sleep(1.0)
                r["rss"][process] = {"idle": tarn.rss_kib(), "checkpoints": []}
                served_paths = []
                for fmt in formats:  # a format this Tarn does not serve leaves its other paths
                    path = Path(tarn_path_name(process, fmt, formats), tarn.listen, tarn, FORMATS[fmt], process)
                    status, _, _, body = path.exchange(RawClient(*tarn.listen), path.body("plain"))
                    if status == 200 and path.fmt.ok in body:
                        served_paths.append(path)
                        continue
                    message = f"{path.name}: a {fmt} request through {process} got HTTP {status}: {body[:300]!r}"
                    if fmt == formats[-1] and not served_paths:
                        raise BenchError(message)
                    r["tarn_error"] = ((r["tarn_error"] + "\n") if r["tarn_error"] else "") + message
                    print(f"\n!! {path.name} skipped: {message}\n", file=sys.stderr)
                paths += served_paths
            except BenchError as e:
                r["tarn_error"] = ((r["tarn_error"] + "\n") if r["tarn_error"] else "") + str(e)
                print(f"\n!! {process} part skipped: {e}\n", file=sys.stderr)
                if tarn:
                    tarn.stop()
                paths = [p for p in paths if p.process != process]
                r["rss"].pop(process, None)
        r["paths"] = [(p.name, p.fmt.name, p.process) for p in paths]
        tarn_procs = {p.process: p.proc for p in paths if p.process}

        # RSS is sampled every 200 ms through all the load phases below.
        rss_load = {name: [] for name in tarn_procs}
        sampling = threading.Event()
        if tarn_procs:
            def sample():
                while not sampling.wait(0.2):
                    for name, proc in tarn_procs.items():
                        rss_load[name].append(proc.rss_kib())
            threading.Thread(target=sample, daemon=True).start()

        # 1. Throughput and latency, alternating rounds (the Tarn paths' order rotates per round).
        served = collections.Counter()
        tarn_paths = paths[1:]
        width = max(6, *(len(p.name) for p in paths))
        for i in range(args.rounds):
            k = i % len(tarn_paths) if tarn_paths else 0
            for path in paths[:1] + tarn_paths[k:] + tarn_paths[:k]:
                res = run_wrk(args, *path.listen, path.proc, path.fmt)
                res["path"], res["round"] = path.name, i
                r["rounds"].append(res)
                print(f"round {i + 1} {path.name:{width}}: {res['rps']:9.0f} req/s  p50 {res['p50']:.3f} ms  "
                      f"p99 {res['p99']:.3f} ms  cpu {res['cpu_us_per_req']:.1f} us/req"
                      + (f"  non-2xx {res['non2xx']}" if res["non2xx"] else "")
                      + (f"  socket errors {res['socket_errors']}" if res["socket_errors"] else ""),
                      flush=True)
                if path.process:
                    served[path.process] += res["requests"]
                    r["rss"][path.process]["checkpoints"].append((served[path.process], path.proc.rss_kib()))

        clients = {p.name: RawClient(*p.listen) for p in paths}

        def in_turn(i):
            """direct first, then the Tarn paths, their order rotating per request."""
            k = i % len(tarn_paths) if tarn_paths else 0
            return paths[:1] + tarn_paths[k:] + tarn_paths[:k]

        def close_clients():
            for c in clients.values():
                c.close()

        # 2. Sequential stream time to first byte (interleaved per request).
        try:
            ttfb = {p.name: [] for p in paths}
            n = args.stream_requests
            for i in range(n):
                for p in in_turn(i):
                    status, first, total, body = p.exchange(clients[p.name], p.body("stream"))
                    if status != 200 or p.fmt.done not in body:
                        raise BenchError(f"{p.name} stream {i}: HTTP {status}, body {body[:200]!r}")
                    ttfb[p.name].append(first * 1000)
                    if i == 0 and total > 0.1 and n > 50:
                        print(f"note: {p.name} streams take {total * 1000:.0f} ms (mock_chunks not forwarded?); "
                              "using 50 requests", file=sys.stderr)
                        n = 50
                if i + 1 >= n:
                    break
            r["ttfb"] = {k: (statistics.median(v), pct(v, 99)) for k, v in ttfb.items()}
        except (BenchError, OSError) as e:
            r["errors"].append(f"stream TTFB: {e}")
            print(f"!! stream TTFB failed: {e}", file=sys.stderr)
            close_clients()
        # 3. Concurrent streams' first chunk.
        try:
            concurrent = {}
            for i in range(args.rounds):
                for p in in_turn(i):
                    firsts, complete = asyncio.run(concurrent_streams(*p.listen, args.streams, p.fmt))
                    concurrent.setdefault(p.name, []).append(
                        (pct(firsts, 50), pct(firsts, 99), max(firsts) if firsts else float("nan"), complete))
            r["concurrent"] = concurrent
        except (BenchError, OSError) as e:
            r["errors"].append(f"concurrent streams: {e}")
            print(f"!! concurrent streams failed: {e}", file=sys.stderr)
            close_clients()
        # 4. A 1 MiB request body.
        try:
            big = {p.name: [] for p in paths}
            bodies = {}
            for p in paths:
                pad = 1024 * 1024 - len(p.body("big", content=""))
                bodies[p.name] = p.body("big", content="x" * pad)
            for i in range(args.big_requests):
                for p in in_turn(i):
                    status, _, total, resp = p.exchange(clients[p.name], bodies[p.name])
                    if status != 200:
                        raise BenchError(f"{p.name} 1 MiB body: HTTP {status}, {resp[:200]!r}")
                    big[p.name].append(total * 1000)
            r["big"] = {k: statistics.median(v) for k, v in big.items()}
        except (BenchError, OSError) as e:
            r["errors"].append(f"1 MiB body: {e}")
            print(f"!! 1 MiB body failed: {e}", file=sys.stderr)
        close_clients()
        sampling.set()
        for name, proc in tarn_procs.items():
            r["rss"][name]["load_max"] = max(rss_load[name]) if rss_load[name] else None
        if tarn_procs:
            time.sleep(1.0)
            for name, proc in tarn_procs.items():
                r["rss"][name]["idle_after"] = proc.rss_kib()
    finally:
        for p in reversed(procs):
            p.stop()
        for d in data_dirs:
            shutil.rmtree(d, ignore_errors=True)
    return r


def f(v, fmt="{:.3f}"):
    return "–" if v is None or v != v else fmt.format(v)  # NaN-safe


def figures(r, args, name):
    """The figures of one Tarn path against the direct path of the same run."""
    def med(path, key):
        v = [x[key] for x in r["rounds"] if x["path"] == path]
        return statistics.median(v) if v else float("nan")

    def pair_median(fn):
        d = [x for x in r["rounds"] if x["path"] == "direct"]
        t = {x["round"]: x for x in r["rounds"] if x["path"] == name}
        v = [fn(a, t[a["round"]]) for a in d if a["round"] in t]
        return statistics.median(v) if v else float("nan")

    g = {"rps": (med("direct", "rps"), med(name, "rps")),
         "ratio": pair_median(lambda a, b: b["rps"] / a["rps"] if a["rps"] else float("nan")),
         "cpu": (med("direct", "cpu_us_per_req"), med(name, "cpu_us_per_req"))}
    for p in ("p50", "p99"):
        g[p] = (med("direct", p), med(name, p), pair_median(lambda a, b: b[p] - a[p]))
    nan = float("nan")
    if "ttfb" in r:
        d, t = r["ttfb"]["direct"], r["ttfb"].get(name)
        g["ttfb"] = (d, t, t[0] - d[0] if t else nan)
    if "concurrent" in r:
        agg = {k: [statistics.median(x[i] for x in v) for i in range(4)] for k, v in r["concurrent"].items()}
        d, t = agg["direct"], agg.get(name)
        g["concurrent"] = (d, t, t[2] - d[2] if t else nan)
    if "big" in r:
        d, t = r["big"]["direct"], r["big"].get(name)
        g["big"] = (d, t, t - d if t is not None else nan)
    return g


def summarize(r, args, name="tarn", fmt="openai", process="tarn", with_rss=True):
    has_tarn = any(x["path"] == name for x in r["rounds"])
    g = figures(r, args, name)
    rows = []

    def row(label, direct, tarn, delta, target, ok):
        verdict = "" if ok is None else ("✅" if ok else "❌")
        rows.append(f"| {label} | {direct} | {tarn} | {delta} | {target} | {verdict} |")

    ratio = g["ratio"]
    if fmt == "openai":
        row("throughput (req/s)", f(g["rps"][0], "{:.0f}"), f(g["rps"][1], "{:.0f}"),
            f"×{f(ratio, '{:.2f}')}", "≥ 0.5× direct", ratio >= 0.5 if has_tarn else None)
    else:  # no target of its own: the CPU target below is the figure
        row("throughput (req/s)", f(g["rps"][0], "{:.0f}"), f(g["rps"][1], "{:.0f}"),
            f"×{f(ratio, '{:.2f}')}", "", None)
    for p, target in (("p50", None), ("p99", 1.0)):
        d, t, added = g[p]
        row(f"{p} latency (ms), {args.connections} conns", f(d), f(t),
            f"+{f(added)}", f"added ≤ {target} ms" if target else "", (added <= target) if has_tarn and target else None)
    cpu = g["cpu"][1]
    cpu_target = CPU_TARGET_US[fmt]
    row("CPU per request (µs)", f(g["cpu"][0], "{:.1f}") + " (mock)",
        f(cpu, "{:.1f}"), "", f"Tarn ≤ {cpu_target} µs", cpu <= cpu_target if has_tarn else None)
    if "ttfb" in g:
        d, t, added = g["ttfb"]
        row("stream TTFB p50 / p99 (ms)", f"{f(d[0])} / {f(d[1])}", f"{f(t[0])} / {f(t[1])}" if t else "–",
            f"+{f(added)}", "added ≤ 0.5 ms", added <= 0.5 if t else None)
    if "concurrent" in g:
        d, t, added = g["concurrent"]
        fmt3 = lambda a: f"{f(a[0], '{:.1f}')} / {f(a[1], '{:.1f}')} / {f(a[2], '{:.1f}')} ({a[3]:.0f} done)"
        row(f"{args.streams} concurrent streams, first chunk p50/p99/max (ms)", fmt3(d),
            fmt3(t) if t else "–", f"max +{f(added, '{:.1f}')}", "within 50 ms of direct",
            (added <= 50 and t[3] >= args.streams) if t else None)
    if "big" in g:
        d, t, added = g["big"]
        row("1 MiB request body, median (ms)", f(d), f(t) if t is not None else "–", f"+{f(added)}",
            "added ≤ 3 ms", added <= 3 if t is not None else None)
    rss = r["rss"].get(process, {})
    if has_tarn and with_rss:
        mib = lambda k: k / 1024.0 if k else float("nan")
        row("Tarn RSS idle (MiB)", "", f(mib(rss.get("idle")), "{:.1f}"), "", "≤ 25 MiB",
            mib(rss.get("idle")) <= 25)
        row("Tarn RSS under load, max (MiB)", "", f(mib(rss.get("load_max")), "{:.1f}"), "", "≤ 40 MiB",
            mib(rss.get("load_max")) <= 40)
        cps = rss.get("checkpoints", [])
        after = next((kib for n, kib in cps if n >= 100000), None)
        if cps:
            first_kib = cps[0][1]
            last_kib = cps[-1][1]
            growth = mib(last_kib) - mib(after if after else first_kib)
            row("Tarn RSS after requests (MiB)", "",
                " → ".join(f"{n // 1000}k: {mib(k):.1f}" for n, k in cps),
                f"{growth:+.1f} since ≥100k" if after else "(< 100k requests served)",
                "flat over 100k requests", abs(growth) <= 2 if after else None)
        if rss.get("idle_after"):
            row("Tarn RSS idle after the run (MiB)", "", f(mib(rss["idle_after"]), "{:.1f}"), "", "", None)
    head = ["| figure | direct | through Tarn | added / ratio | target | |", "|---|---|---|---|---|---|"]
    return "\n".join(head + rows)


def comparison(r, args):
    """One column per Tarn path: its figures against the direct path of the same run."""
    names = [n for n, _, process in r["paths"] if process]
    cols = {n: figures(r, args, n) for n in names}
    rows = [("throughput ratio vs direct", lambda g: f"×{f(g['ratio'], '{:.2f}')}"),
            ("Tarn CPU per request (µs)", lambda g: f(g["cpu"][1], "{:.1f}")),
            ("p50 added (ms)", lambda g: f"+{f(g['p50'][2])}"),
            ("p99 added (ms)", lambda g: f"+{f(g['p99'][2])}"),
            ("stream TTFB p50 added (ms)", lambda g: f"+{f(g['ttfb'][2])}" if "ttfb" in g else "–"),
            (f"{args.streams} streams, first chunk max added (ms)",
             lambda g: f"+{f(g['concurrent'][2], '{:.1f}')}" if "concurrent" in g else "–"),
            ("1 MiB body added (ms)", lambda g: f"+{f(g['big'][2])}" if "big" in g else "–")]
    out = ["| figure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label, fn in rows:
        out.append(f"| {label} | " + " | ".join(fn(cols[n]) for n in names) + " |")
    return "\n".join(out)


def environment(args):
    def cmd(c):
        try:
            return subprocess.run(c, capture_output=True, text=True, timeout=5).stdout.strip()
        except OSError:
            return "?"
    rev = cmd(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    wrk_v = (cmd(["wrk", "-v"]).splitlines() or ["?"])[0]
    text = (f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}, commit {rev}\n"
            f"- {os.cpu_count()} CPUs, kernel {os.uname().release}, {wrk_v.split(' [')[0]}\n"
            f"- wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s, {args.rounds} alternating "
            f"rounds; mock threads {args.mock_threads}; {args.stream_requests} sequential streams; "
            f"{args.streams} concurrent streams; {args.big_requests} × 1 MiB bodies")
    if args.formats != ["openai"] or args.base_tarn:
        text += (f"\n- client formats through Tarn: {', '.join(args.formats)} (direct: OpenAI to the mock); "
                 f"tarn = {args.tarn}" + (f"; base = {args.base_tarn}" if args.base_tarn else ""))
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tarn", default=os.path.join(ROOT, "build/release/app/tarn"))
    ap.add_argument("--mock", default=os.path.join(ROOT, "build/release/bench/tarn_bench_mock"))
    ap.add_argument("--base-tarn", help="a second Tarn binary measured in the same rounds (paths 'base…')")
    ap.add_argument("--client-format", default="openai",
                    help="what clients send through Tarn: openai (/v1/chat/completions), anthropic "
                         "(/v1/messages, translated to the OpenAI channel), responses (/v1/responses, "
                         "likewise), or several: openai,anthropic,responses")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=5, help="seconds per wrk round")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--mock-threads", type=int, default=1)
    ap.add_argument("--stream-requests", type=int, default=200)
    ap.add_argument("--streams", type=int, default=256)
    ap.add_argument("--big-requests", type=int, default=20)
    ap.add_argument("--direct-only", action="store_true", help="measure the mock alone (no Tarn)")
    ap.add_argument("--write", action="store_true", help="write bench/results/YYYY-MM-DD-LABEL.md")
    ap.add_argument("--label", default="bench", help="results file label (no host names)")
    args = ap.parse_args()
    args.formats = [x.strip() for x in args.client_format.split(",") if x.strip()]
    if not args.formats or any(x not in FORMATS for x in args.formats) or len(set(args.formats)) != len(args.formats):
        sys.exit(f"--client-format {args.client_format}: a comma-separated list of {', '.join(FORMATS)}")
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get install -y wrk")
    checks = [(args.mock, "--mock"), (args.tarn, "--tarn")] + ([(args.base_tarn, "--base-tarn")] if args.base_tarn else [])
    for path, what in checks:
        if not os.access(path, os.X_OK) and not (what != "--mock" and args.direct_only):
            sys.exit(f"{what} {path}: not an executable (build it, or pass {what} PATH)")
    try:
        r = measure(args)
    except BenchError as e:
        sys.exit(f"benchmark failed: {e}")
    tarn_paths = [(n, fmt, process) for n, fmt, process in r["paths"] if process]
    if len(tarn_paths) <= 1:
        name, fmt, process = tarn_paths[0] if tarn_paths else ("tarn", args.formats[0], "tarn")
        body = summarize(r, args, name, fmt, process)
    else:
        parts = [comparison(r, args)]
        seen = set()
        for name, fmt, process in tarn_paths:
            parts.append(f"### {name}: {fmt} client through {process}\n\n"
                         + summarize(r, args, name, fmt, process, with_rss=process not in seen))
            seen.add(process)
        body = "\n\n".join(parts)
    report = f"# Tarn proxy benchmark ({args.label})\n\n{environment(args)}\n\n{body}\n"
    if r["tarn_error"]:
        report += f"\n**Tarn part not measured:** {r['tarn_error']}\n"
    for error in r["errors"]:
        report += f"\n**Not measured:** {error}\n"
    print("\n" + report)
    if args.write:
        label = re.sub(r"[^A-Za-z0-9._-]+", "-", args.label).strip("-") or "bench"
        out_dir = os.path.join(HERE, "results")
        os.makedirs(out_dir, exist_ok=True)
        path = os.path.join(out_dir, f"{datetime.date.today().isoformat()}-{label}.md")
        with open(path, "w") as out:
            out.write(report)
        print(f"wrote {path}")
    return 1 if r["tarn_error"] or r["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
