#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Instructions per request, by scenario, with valgrind's callgrind (deterministic where wrk is noisy).

Starts tarn_bench_mock, then Tarn under `valgrind --tool=callgrind` with a fresh data directory
(the same two channels run_bench.py uses for Anthropic clients), and for each scenario sends
--warmup requests, zeroes the counters, sends --requests sequential keep-alive requests and dumps.
Prints Ir per request per scenario and leaves the dumps (callgrind.out.PID.N) in --out for
callgrind_annotate. Scenarios: openai:plain, openai:stream, anthropic:plain, anthropic:stream
(streams: 2 content chunks 1 ms apart).

    python3 bench/profile_requests.py --tarn /tmp/rel-new/app/tarn --out /tmp/cg-new
    callgrind_annotate --inclusive=yes /tmp/cg-new/callgrind.out.*.2 | less

The counts include everything in the process (the usage writer's thread, Qt's and curl's event
loops), so a few percent move with timing (how many usage rows share a transaction, how often the
loops wake); compare builds with two runs each.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import run_bench as rb


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tarn", default=os.path.join(rb.ROOT, "build/release/app/tarn"))
    ap.add_argument("--mock", default=os.path.join(rb.ROOT, "build/release/bench/tarn_bench_mock"))
    ap.add_argument("--out", default=None, help="directory for the dumps (default: a new temporary one)")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("scenarios", nargs="*",
                    default=["openai:plain", "anthropic:plain", "openai:stream", "anthropic:stream"])
    args = ap.parse_args()
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found (apt-get install -y valgrind)")
    out = args.out or tempfile.mkdtemp(prefix="tarn-callgrind-")
    os.makedirs(out, exist_ok=True)
    data_dir = tempfile.mkdtemp(prefix="tarn-profile-")
    mock = rb.Proc([args.mock, "--port", "0"], "tarn_bench_mock")
    procs = [mock]
    try:
        _, mport = mock.wait_listening(5)
        # Channels as run_bench.py makes them (start_tarn), then Tarn itself under callgrind.
        rb.start_tarn(args.tarn, mport, data_dir, stream_channel=True).stop()
        tarn = rb.Proc(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/callgrind.out.%p",
                        args.tarn, "--headless", "--data-dir", data_dir, "--listen", "127.0.0.1:0"], "tarn")
        procs.append(tarn)
        listen = tarn.wait_listening(120)
        pid = str(tarn.p.pid)
        for scenario in args.scenarios:
            fmt, _, kind = scenario.partition(":")
            if fmt not in rb.FORMATS or kind not in ("plain", "stream"):
                sys.exit(f"unknown scenario {scenario}: FORMAT:plain|stream, FORMAT one of {', '.join(rb.FORMATS)}")
            path = rb.Path(scenario, listen, tarn, rb.FORMATS[fmt], "tarn")
            client = rb.RawClient(*listen)
            body = path.body(kind)
            expect = path.fmt.done if kind == "stream" else path.fmt.ok

            def send(n):
                for _ in range(n):
                    status, _, _, answer = path.exchange(client, body)
                    if status != 200 or expect not in answer:
                        raise rb.BenchError(f"{scenario}: HTTP {status}, {answer[:200]!r}")

            send(args.warmup)
            subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
            t0 = time.perf_counter()
            send(args.requests)
            seconds = time.perf_counter() - t0
            subprocess.run(["callgrind_control", "-d", scenario.replace(":", "-"), pid], check=True,
                           capture_output=True)
            client.close()
            print(f"{scenario:18} dumped ({args.requests} requests, {seconds:.1f} s under valgrind)", flush=True)
    except rb.BenchError as e:
        sys.exit(f"profile failed: {e}")
    finally:
        for p in reversed(procs):
            p.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    print()
    for name in sorted(os.listdir(out), key=lambda n: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", n)]):
        with open(os.path.join(out, name), errors="replace") as f:
            head = f.read(4096)
        trigger = re.search(r"Trigger: dump (\S+)", head)
        total = re.search(r"^summary: (\d+)", head, re.M)
        if trigger and total:
            print(f"{trigger.group(1):18} {int(total.group(1)) / args.requests / 1000:8.1f}k Ir per request   {out}/{name}")


if __name__ == "__main__":
    main()
