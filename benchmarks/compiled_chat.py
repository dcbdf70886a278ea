"""A chat's decode speed with the compiled step against eager, as `kigi chat --compile` runs it.

    python benchmarks/compiled_chat.py [--answers 3] [--tokens 128] [--typing 3] [--runs 2]

Each mode runs in a process of its own, in turn: the default model at int4 is loaded, the
compiled step's load is started as the chat starts it (`CompiledOrEager.prepare`), the
user "types" for `--typing` seconds, then `--answers` answers of `--tokens` tokens are
decoded greedily. Prints tokens/s after the first token of each answer; never pass/fail.
A first run on a machine owes the compiled step a build: it is built once here (not timed),
as `kigi chat` builds it when it ends.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import _root  # noqa: F401  (the repository root on sys.path)
from adapter_speed import decode_rates  # noqa: E402

from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402

PROMPT = "Write a long story about a lighthouse keeper and a storm."


def chat(compiled: bool, answers: int, tokens: int, typing: float) -> list[float]:
    """Tokens/s after the first token of each answer, in one process."""
    engine = load_engine(KigiHome.resolve().ensure(), precision="int4", compile=compiled)
    if engine.compiled is not None:
        engine.compiled.prepare()
    time.sleep(typing)
    speeds = decode_rates(engine, PROMPT, tokens, answers)
    if engine.compiled is not None and engine.compiled.pending:
        engine.compiled.wait()  # a first run builds what it owes, as the chat does when it ends
    return speeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--typing", type=float, default=3.0, help="seconds before the first question")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--child", choices=("compiled", "eager"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(chat(args.child == "compiled", args.answers, args.tokens, args.typing)))
        return
    base = [sys.executable, __file__, "--answers", str(args.answers), "--tokens", str(args.tokens)]
    subprocess.run([*base, "--typing", "0", "--child", "compiled"], check=True, capture_output=True)  # stored once
    print(f"tokens/s after the first token, {args.answers} answers of {args.tokens} tokens each, int4")
    for run in range(1, args.runs + 1):
        for mode in ("compiled", "eager"):
            out = subprocess.run([*base, "--typing", str(args.typing), "--child", mode], check=True,
                                 capture_output=True, text=True).stdout
            speeds = json.loads(out.strip().splitlines()[-1])
            print(f"run {run} {mode:<9}" + "".join(f"{s:8.1f}" for s in speeds), flush=True)


if __name__ == "__main__":
    main()
