"""Seconds a user waits for `kigi ask` with the model resident in a running `kigi serve`
against loading it in the process (issue 20: every `kigi ask` paid 2.7–3.1 s of start-up).

    python benchmarks/resident.py [--runs 3] [--max-tokens 16] [--port 8765]

Starts `kigi serve` (default model, default precision) on a free port, then runs the same
`kigi ask --json` questions both ways (`--no-server` for the in-process load), checks the
answers are the same text, and prints the median wall-clock seconds per ask and their
ratio from one run. Never pass/fail: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ["What is the capital of France?", "Name a colour of the sky.", "What is 2 + 2?"]


def kigi(*args: str, env: dict[str, str]) -> tuple[float, dict]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, env=env, cwd=ROOT,
                          input=b"", timeout=600)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"kigi {' '.join(args)} failed: {done.stderr.decode().strip()}")
    return seconds, json.loads(done.stdout)


def wait_healthy(url: str, server: subprocess.Popen, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"kigi serve exited: {server.stderr.read().decode() if server.stderr else ''}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("kigi serve did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="asks per question and way")
    parser.add_argument("--max-tokens", type=int, default=16)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "KIGI_SERVER": url}
    server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(args.port), "--no-log"],
                              cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        wait_healthy(url, server)
        times: dict[str, list[float]] = {"resident": [], "in-process": []}
        same = 0
        for question in QUESTIONS:
            for _ in range(args.runs):
                common = ("ask", "--json", "--no-log", "--max-tokens", str(args.max_tokens), question)
                resident_s, resident = kigi(*common, env=env)
                local_s, local = kigi(*common, "--no-server", env=env)
                times["resident"].append(resident_s)
                times["in-process"].append(local_s)
                same += resident["answer"] == local["answer"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    asks = len(QUESTIONS) * args.runs
    for way, seconds in times.items():
        print(f"{way:>10}: median {statistics.median(seconds):.2f} s per `kigi ask` "
              f"(min {min(seconds):.2f}, max {max(seconds):.2f}, {asks} asks)")
    ratio = statistics.median(times["in-process"]) / statistics.median(times["resident"])
    print(f"resident is {ratio:.2f}x faster per ask; same answer text {same}/{asks}")


if __name__ == "__main__":
    main()
