"""Peak memory of `kigi ask` when far more is piped in than the model could read.

    python benchmarks/stdin_memory.py [--megabytes 1 8 64] [--model smollm2-135m-instruct]

Pipes N MB of text into `kigi ask summarise` (a real process, as a user's shell would) and
prints its exit code, what it said, and its peak RSS. kigi reads piped input with a cap of
8 bytes a token of the context window and refuses what is past it before decoding or
tokenising, so the peak should not grow with N. Never pass/fail. The model is pulled into
KIGI_HOME if needed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from _root import ROOT

BLOCK = b"all work and no play makes a dull log line\n" * 1524  # ~64 KiB of ordinary text


def pipe_into_kigi(megabytes: int, model: str) -> tuple[int, str, float, float]:
    """(exit code, last stderr line, peak RSS in MB, seconds) of one `kigi ask` fed `megabytes`."""
    start = time.perf_counter()
    kigi = subprocess.Popen([sys.executable, "-m", "cli", "ask", "-m", model, "summarise"], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(megabytes * (1 << 20) // len(BLOCK)):
            kigi.stdin.write(BLOCK)
        kigi.stdin.close()
    except BrokenPipeError:
        pass  # kigi stopped reading at its cap
    err = kigi.stderr.read().decode(errors="replace").strip().splitlines()
    _, status, usage = os.wait4(kigi.pid, 0)  # this child's own peak, not the largest so far
    kigi.returncode = os.waitstatus_to_exitcode(status)
    return kigi.returncode, (err or [""])[-1], usage.ru_maxrss / 1024, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--megabytes", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--model", default=os.environ.get("KIGI_MODEL", "smollm2-135m-instruct"))
    args = parser.parse_args()
    print(f"{'stdin MB':>8}  {'exit':>4}  {'peak RSS MB':>11}  {'seconds':>7}  message")
    for megabytes in sorted(args.megabytes):
        code, message, peak, seconds = pipe_into_kigi(megabytes, args.model)
        print(f"{megabytes:>8}  {code:>4}  {peak:>11.0f}  {seconds:>7.2f}  {message[:90]}")


if __name__ == "__main__":
    main()
