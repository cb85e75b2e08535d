#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Measures Tarn's proxy overhead against a fast mock upstream, direct vs through Tarn.

Starts tarn_bench_mock and a headless Tarn (fresh data dir, one channel pointing at the mock) on
127.0.0.1, then runs alternating rounds (direct, tarn, direct, tarn, ...) so drift in machine load
hits both paths alike. See bench/README.md for what each figure means and the targets.
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
MODEL = "bench-model"


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


def start_tarn(args, mock_port, data_dir):
    add = [args.tarn, "--data-dir", data_dir, "channel", "add", "--name", "mock", "--type", "openai",
           "--base-url", f"http://127.0.0.1:{mock_port}/v1", "--key", "sk-bench", "--models", MODEL]
    try:
        r = subprocess.run(add, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise BenchError(f"tarn channel add failed: {e}")
    if r.returncode != 0:
        raise BenchError(f"tarn channel add exited with {r.returncode}: {' '.join(add)}\n"
                         f"    {r.stdout.strip()}\n    {r.stderr.strip()}")
    try:
        tarn = Proc([args.tarn, "--headless", "--data-dir", data_dir, "--listen", "127.0.0.1:0"], "tarn")
    except OSError as e:
        raise BenchError(f"cannot run {args.tarn}: {e}")
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


def run_wrk(args, host, port, proc=None):
    url = f"http://{host}:{port}{CHAT_PATH}"
    cmd = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
           "-s", os.path.join(HERE, "post.lua"), url]
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


def request_bytes(host, port, body, path=CHAT_PATH):
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


class RawClient:
    """A keep-alive HTTP/1.1 client on a plain socket that timestamps the first body byte."""

    def __init__(self, host, port):
        self.host, self.port, self.sock = host, port, None

    def _connect(self):
        self.sock = socket.create_connection((self.host, self.port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def exchange(self, body, path=CHAT_PATH):
        """Returns (status, seconds to first body byte, seconds to the end, body)."""
        if self.sock is None:
            self._connect()
        t0 = time.perf_counter()
        self.sock.sendall(request_bytes(self.host, self.port, body, path))
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


async def one_stream(host, port, body, start_event):
    reader, writer = await asyncio.open_connection(host, port)
    await start_event.wait()
    t0 = time.perf_counter()
    writer.write(request_bytes(host, port, body))
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
    while b"[DONE]" not in buf and b"\r\n0\r\n\r\n" not in buf:
        data = await reader.read(65536)
        if not data:
            break
        buf += data
    writer.close()
    return first, b"[DONE]" in buf


async def concurrent_streams(host, port, n):
    body = ('{"model":"%s","stream":true,"messages":[{"role":"user","content":"hi"}]}' % MODEL).encode()
    start = asyncio.Event()
    tasks = [asyncio.ensure_future(one_stream(host, port, body, start)) for _ in range(n)]
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

def measure(args):
    mock = Proc([args.mock, "--port", "0", "--threads", str(args.mock_threads)], "tarn_bench_mock")
    procs = [mock]
    data_dir = tempfile.mkdtemp(prefix="tarn-bench-")
    r = {"rounds": [], "tarn_error": None, "rss": {}, "errors": []}
    try:
        mhost, mport = mock.wait_listening(5)
        tarn = None
        if not args.direct_only:
            try:
                tarn = start_tarn(args, mport, data_dir)
                procs.append(tarn)
                time.sleep(1.0)
                r["rss"]["idle"] = tarn.rss_kib()
                status, _, _, body = RawClient(*tarn.listen).exchange(chat_body(False))
                if status != 200:
                    raise BenchError(f"a request through Tarn got HTTP {status}: {body[:300]!r}")
            except BenchError as e:
                r["tarn_error"] = str(e)
                print(f"\n!! Tarn part skipped: {e}\n", file=sys.stderr)
                if tarn:
                    tarn.stop()
                tarn = None
        paths = [("direct", (mhost, mport), mock)] + ([("tarn", tarn.listen, tarn)] if tarn else [])

        # RSS is sampled every 200 ms through all the load phases below.
        rss_load = []
        sampling = threading.Event()
        if tarn:
            def sample():
                while not sampling.wait(0.2):
                    rss_load.append(tarn.rss_kib())
            threading.Thread(target=sample, daemon=True).start()

        # 1. Throughput and latency, alternating rounds.
        served = 0
        r["rss"]["checkpoints"] = []
        for i in range(args.rounds):
            for name, (host, port), proc in paths:
                res = run_wrk(args, host, port, proc)
                res["path"], res["round"] = name, i
                r["rounds"].append(res)
                print(f"round {i + 1} {name:6}: {res['rps']:9.0f} req/s  p50 {res['p50']:.3f} ms  "
                      f"p99 {res['p99']:.3f} ms  cpu {res['cpu_us_per_req']:.1f} us/req"
                      + (f"  non-2xx {res['non2xx']}" if res["non2xx"] else "")
                      + (f"  socket errors {res['socket_errors']}" if res["socket_errors"] else ""),
                      flush=True)
                if name == "tarn":
                    served += res["requests"]
                    r["rss"]["checkpoints"].append((served, proc.rss_kib()))

        clients = {name: RawClient(host, port) for name, (host, port), _ in paths}
        # 2. Sequential stream time to first byte (interleaved per request).
        try:
            ttfb = {name: [] for name in clients}
            n = args.stream_requests
            for i in range(n):
                for name, c in clients.items():
                    status, first, total, body = c.exchange(chat_body(True))
                    if status != 200 or b"[DONE]" not in body:
                        raise BenchError(f"{name} stream {i}: HTTP {status}, body {body[:200]!r}")
                    ttfb[name].append(first * 1000)
                    if i == 0 and total > 0.1 and n > 50:
                        print(f"note: {name} streams take {total * 1000:.0f} ms (mock_chunks not forwarded?); "
                              "using 50 requests", file=sys.stderr)
                        n = 50
                if i + 1 >= n:
                    break
            r["ttfb"] = {k: (statistics.median(v), pct(v, 99)) for k, v in ttfb.items()}
        except (BenchError, OSError) as e:
            r["errors"].append(f"stream TTFB: {e}")
            print(f"!! stream TTFB failed: {e}", file=sys.stderr)
            for c in clients.values():
                c.close()
        # 3. Concurrent streams' first chunk.
        try:
            concurrent = {}
            for _ in range(args.rounds):
                for name, (host, port), _ in paths:
                    firsts, complete = asyncio.run(concurrent_streams(host, port, args.streams))
                    concurrent.setdefault(name, []).append(
                        (pct(firsts, 50), pct(firsts, 99), max(firsts) if firsts else float("nan"), complete))
            r["concurrent"] = concurrent
        except (BenchError, OSError) as e:
            r["errors"].append(f"concurrent streams: {e}")
            print(f"!! concurrent streams failed: {e}", file=sys.stderr)
            for c in clients.values():
                c.close()
        # 4. A 1 MiB request body.
        try:
            big = {name: [] for name in clients}
            pad = 1024 * 1024 - len(chat_body(False, content=""))
            body = chat_body(False, content="x" * pad)
            for _ in range(args.big_requests):
                for name, c in clients.items():
                    status, _, total, resp = c.exchange(body)
                    if status != 200:
                        raise BenchError(f"{name} 1 MiB body: HTTP {status}, {resp[:200]!r}")
                    big[name].append(total * 1000)
            r["big"] = {k: statistics.median(v) for k, v in big.items()}
        except (BenchError, OSError) as e:
            r["errors"].append(f"1 MiB body: {e}")
            print(f"!! 1 MiB body failed: {e}", file=sys.stderr)
            for c in clients.values():
                c.close()
        for c in clients.values():
            c.close()
        sampling.set()
        r["rss"]["load_max"] = max(rss_load) if rss_load else None
        if tarn:
            time.sleep(1.0)
            r["rss"]["idle_after"] = tarn.rss_kib()
    finally:
        for p in reversed(procs):
            p.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    return r


def summarize(r, args):
    def med(path, key):
        v = [x[key] for x in r["rounds"] if x["path"] == path]
        return statistics.median(v) if v else float("nan")

    def pair_median(fn):
        d = [x for x in r["rounds"] if x["path"] == "direct"]
        t = [x for x in r["rounds"] if x["path"] == "tarn"]
        v = [fn(a, b) for a, b in zip(d, t)]
        return statistics.median(v) if v else float("nan")

    has_tarn = any(x["path"] == "tarn" for x in r["rounds"])
    rows = []

    def row(name, direct, tarn, delta, target, ok):
        verdict = "" if ok is None else ("✅" if ok else "❌")
        rows.append(f"| {name} | {direct} | {tarn} | {delta} | {target} | {verdict} |")

    f = lambda v, fmt="{:.3f}": "–" if v != v else fmt.format(v)  # NaN-safe
    ratio = pair_median(lambda a, b: b["rps"] / a["rps"] if a["rps"] else float("nan"))
    row("throughput (req/s)", f(med("direct", "rps"), "{:.0f}"), f(med("tarn", "rps"), "{:.0f}"),
        f"×{f(ratio, '{:.2f}')}", "≥ 0.5× direct", ratio >= 0.5 if has_tarn else None)
    for p, target in (("p50", None), ("p99", 1.0)):
        added = pair_median(lambda a, b: b[p] - a[p])
        row(f"{p} latency (ms), {args.connections} conns", f(med("direct", p)), f(med("tarn", p)),
            f"+{f(added)}", f"added ≤ {target} ms" if target else "", (added <= target) if has_tarn and target else None)
    cpu = med("tarn", "cpu_us_per_req")
    row("CPU per request (µs)", f(med("direct", "cpu_us_per_req"), "{:.1f}") + " (mock)",
        f(cpu, "{:.1f}"), "", "Tarn ≤ 30 µs", cpu <= 30 if has_tarn else None)
    if "ttfb" in r:
        d, t = r["ttfb"].get("direct"), r["ttfb"].get("tarn")
        added = t[0] - d[0] if t else float("nan")
        row("stream TTFB p50 / p99 (ms)", f"{f(d[0])} / {f(d[1])}", f"{f(t[0])} / {f(t[1])}" if t else "–",
            f"+{f(added)}", "added ≤ 0.5 ms", added <= 0.5 if t else None)
    if "concurrent" in r:
        agg = {k: [statistics.median(x[i] for x in v) for i in range(4)] for k, v in r["concurrent"].items()}
        d, t = agg.get("direct"), agg.get("tarn")
        fmt3 = lambda a: f"{f(a[0], '{:.1f}')} / {f(a[1], '{:.1f}')} / {f(a[2], '{:.1f}')} ({a[3]:.0f} done)"
        added = t[2] - d[2] if t else float("nan")
        row(f"{args.streams} concurrent streams, first chunk p50/p99/max (ms)", fmt3(d),
            fmt3(t) if t else "–", f"max +{f(added, '{:.1f}')}", "within 50 ms of direct",
            (added <= 50 and t[3] >= args.streams) if t else None)
    if "big" in r:
        d, t = r["big"].get("direct"), r["big"].get("tarn")
        added = t - d if t is not None else float("nan")
        row("1 MiB request body, median (ms)", f(d), f(t) if t is not None else "–", f"+{f(added)}",
            "added ≤ 3 ms", added <= 3 if t is not None else None)
    rss = r["rss"]
    if has_tarn:
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


def environment(args):
    def cmd(c):
        try:
            return subprocess.run(c, capture_output=True, text=True, timeout=5).stdout.strip()
        except OSError:
            return "?"
    rev = cmd(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    wrk_v = (cmd(["wrk", "-v"]).splitlines() or ["?"])[0]
    return (f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}, commit {rev}\n"
            f"- {os.cpu_count()} CPUs, kernel {os.uname().release}, {wrk_v.split(' [')[0]}\n"
            f"- wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s, {args.rounds} alternating "
            f"rounds; mock threads {args.mock_threads}; {args.stream_requests} sequential streams; "
            f"{args.streams} concurrent streams; {args.big_requests} × 1 MiB bodies")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tarn", default=os.path.join(ROOT, "build/release/app/tarn"))
    ap.add_argument("--mock", default=os.path.join(ROOT, "build/release/bench/tarn_bench_mock"))
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
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get install -y wrk")
    for path, what in ((args.mock, "--mock"), (args.tarn, "--tarn")):
        if not os.access(path, os.X_OK) and not (what == "--tarn" and args.direct_only):
            sys.exit(f"{what} {path}: not an executable (build it, or pass {what} PATH)")
    try:
        r = measure(args)
    except BenchError as e:
        sys.exit(f"benchmark failed: {e}")
    table = summarize(r, args)
    report = f"# Tarn proxy benchmark ({args.label})\n\n{environment(args)}\n\n{table}\n"
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
        with open(path, "w") as f:
            f.write(report)
        print(f"wrote {path}")
    return 1 if r["tarn_error"] or r["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
