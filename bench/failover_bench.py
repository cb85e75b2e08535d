#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a failover costs: the time Tarn adds beyond the failed attempt itself.

Two tarn_bench_mock upstreams on 127.0.0.1: A answers every chat request at once with 429
(Retry-After: 0, so Tarn tries it again on every request instead of cooling its key) and B answers
normally. One headless Tarn with channel "a" (priority 10) and channel "b", serving four models:

  failover-model  a then b   F: the request fails over (A's 429, then B's answer)
  b-model         b only     B: the same request straight to B
  a-model         a only     A: the failed attempt alone (A's 429 passed back to the client)
  (no such model)            Z: Tarn's own request/answer path with no upstream attempt (404)

Sequential requests on one keep-alive connection, the four kinds interleaved so drift hits them
alike; every request has its own conversation opening so stickiness never skips A. Per round,
"added" = F - B - (A - Z): the failover beyond the failed attempt (A - Z is the attempt: Tarn's
upstream round trip to A; B is everything else a request costs). Medians over rounds.

  python3 bench/failover_bench.py [--requests 2000] [--tarn PATH] [--mock PATH]
"""
import argparse
import datetime
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import run_bench as rb  # noqa: E402  (Proc, RawClient, pct)


def body(model, n):
    return ('{"model":"%s","messages":[{"role":"user","content":"Request %07d: say hello"}]}'
            % (model, n)).encode()


def add_channel(args, data_dir, name, port, models, priority):
    cmd = [args.tarn, "--data-dir", data_dir, "channel", "add", "--name", name, "--type", "openai",
           "--base-url", f"http://127.0.0.1:{port}/v1", "--key", f"sk-bench-{name}", "--models", models,
           "--priority", str(priority)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise rb.BenchError(f"tarn channel add exited with {r.returncode}: {r.stdout} {r.stderr}")


def measure(args):
    procs = []
    data_dir = tempfile.mkdtemp(prefix="tarn-failover-bench-")
    try:
        mock_a = rb.Proc([args.mock, "--port", "0", "--status", "429", "--retry-after", "0"], "mock A (429)")
        procs.append(mock_a)
        mock_b = rb.Proc([args.mock, "--port", "0"], "mock B")
        procs.append(mock_b)
        _, port_a = mock_a.wait_listening(5)
        _, port_b = mock_b.wait_listening(5)
        add_channel(args, data_dir, "a", port_a, "failover-model,a-model", 10)
        add_channel(args, data_dir, "b", port_b, "failover-model,b-model", 0)
        tarn = rb.Proc([args.tarn, "--headless", "--data-dir", data_dir, "--listen", "127.0.0.1:0"], "tarn")
        procs.append(tarn)
        host, port = tarn.wait_listening(15)
        client = rb.RawClient(host, port)
        direct_a = rb.RawClient("127.0.0.1", port_a)
        direct_b = rb.RawClient("127.0.0.1", port_b)
        kinds = [("F", "failover-model", 200), ("B", "b-model", 200), ("A", "a-model", 429),
                 ("Z", "no-such-model", 404)]
        times = {k: [] for k, _, _ in kinds}
        times["direct A"] = []
        times["direct B"] = []
        n = 0
        for i in range(args.warmup + args.requests):
            row = {}
            for kind, model, expected in kinds:
                n += 1
                status, _, total, resp = client.exchange(body(model, n))
                if status != expected:
                    raise rb.BenchError(f"{kind} ({model}): HTTP {status}, expected {expected}: {resp[:200]!r}")
                row[kind] = total * 1000
            for name, c, expected in (("direct A", direct_a, 429), ("direct B", direct_b, 200)):
                n += 1
                status, _, total, resp = c.exchange(body("failover-model", n))
                if status != expected:
                    raise rb.BenchError(f"{name}: HTTP {status}: {resp[:200]!r}")
                row[name] = total * 1000
            if i >= args.warmup:
                for k, v in row.items():
                    times[k].append(v)
        for c in (client, direct_a, direct_b):
            c.close()
        time.sleep(1.5)  # the usage writer flushes its rows
        attempts = usage_attempts(data_dir)
    finally:
        for p in reversed(procs):
            p.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    return times, attempts


def usage_attempts(data_dir):
    """{model: (requests, attempts, attempt-1 ms median)} from Tarn's usage rows."""
    out = {}
    try:
        db = sqlite3.connect(os.path.join(data_dir, "tarn.sqlite3"))
        for model, count, attempts in db.execute(
                "SELECT requested_model, COUNT(*), SUM(attempts) FROM usage GROUP BY requested_model"):
            out[model] = (count, attempts)
        db.close()
    except sqlite3.Error as e:
        print(f"note: cannot read usage rows: {e}", file=sys.stderr)
    return out


def report(times, attempts, args):
    med = {k: statistics.median(v) for k, v in times.items()}
    p90 = {k: rb.pct(v, 90) for k, v in times.items()}
    rounds = len(times["F"])
    added = [f - b - (a - z) for f, b, a, z in zip(times["F"], times["B"], times["A"], times["Z"])]
    failover_vs_b = [f - b for f, b in zip(times["F"], times["B"])]
    attempt = [a - z for a, z in zip(times["A"], times["Z"])]
    lines = [
        "| request | what it measures | median (ms) | p90 (ms) |",
        "|---|---|---|---|",
        f"| F: failover-model | A's 429, then B, through Tarn | {med['F']:.3f} | {p90['F']:.3f} |",
        f"| B: b-model | straight to B through Tarn | {med['B']:.3f} | {p90['B']:.3f} |",
        f"| A: a-model | A's 429 alone through Tarn | {med['A']:.3f} | {p90['A']:.3f} |",
        f"| Z: unknown model | Tarn's 404, no upstream | {med['Z']:.3f} | {p90['Z']:.3f} |",
        f"| direct A | client → mock A (429), no Tarn | {med['direct A']:.3f} | {p90['direct A']:.3f} |",
        f"| direct B | client → mock B (200), no Tarn | {med['direct B']:.3f} | {p90['direct B']:.3f} |",
        "",
        "| figure | median (ms) | p90 (ms) | target |",
        "|---|---|---|---|",
        f"| failed attempt (A − Z, per round) | {statistics.median(attempt):.3f} | {rb.pct(attempt, 90):.3f} | |",
        f"| failover request vs straight to B (F − B) | {statistics.median(failover_vs_b):.3f} | "
        f"{rb.pct(failover_vs_b, 90):.3f} | |",
        f"| **failover beyond the failed attempt (F − B − (A − Z))** | **{statistics.median(added):.3f}** | "
        f"{rb.pct(added, 90):.3f} | ≤ 1 ms {'✅' if statistics.median(added) <= 1.0 else '❌'} |",
    ]
    if attempts:
        fo = attempts.get("failover-model")
        if fo:
            lines.append("")
            lines.append(f"Usage rows: failover-model {fo[0]} requests, {fo[1]} attempts "
                         f"({fo[1] / fo[0]:.2f} per request; 2.00 means A was tried every time).")
    env = (f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}, commit "
           f"{subprocess.run(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()}\n"
           f"- {os.cpu_count()} CPUs, kernel {os.uname().release}; tarn {os.path.relpath(args.tarn, ROOT)}\n"
           f"- {rounds} rounds (after {args.warmup} warm-up) of F, B, A, Z, direct A, direct B on keep-alive "
           f"connections, sequential")
    return env + "\n\n" + "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tarn", default=os.path.join(ROOT, "build/release/app/tarn"))
    ap.add_argument("--mock", default=os.path.join(ROOT, "build/release/bench/tarn_bench_mock"))
    ap.add_argument("--requests", type=int, default=2000, help="rounds measured")
    ap.add_argument("--warmup", type=int, default=200)
    args = ap.parse_args()
    for path, what in ((args.mock, "--mock"), (args.tarn, "--tarn")):
        if not os.access(path, os.X_OK):
            sys.exit(f"{what} {path}: not an executable (build it, or pass {what} PATH)")
    try:
        times, attempts = measure(args)
    except (rb.BenchError, OSError, subprocess.TimeoutExpired) as e:
        sys.exit(f"benchmark failed: {e}")
    print(report(times, attempts, args))
    fo = attempts.get("failover-model")
    return 0 if not fo or fo[1] == 2 * fo[0] else 1


if __name__ == "__main__":
    sys.exit(main())
