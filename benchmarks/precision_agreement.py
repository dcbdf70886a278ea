"""The default-precision gate's second test (agent/precision.py), spelled out: where each
precision's greedy answer parts from fp32's on the gate's 40 everyday prompts, and how sure
fp32 itself was there.

    python benchmarks/precision_agreement.py [--precisions bf16 int8 int4] [--model NAME]

Per precision: the mean share of fp32's answer reproduced before the first different token,
the answers that part within their first AGREED_START tokens with fp32's top-2
log-probability margin at each (below SURE_MARGIN fp32 was at a coin flip, and the gate
does not count the parting), and the seconds the answers took. Prints figures; never
pass/fail.
"""

from __future__ import annotations

import argparse
import time

import _root  # noqa: F401  (the repository root on sys.path)

from agent.home import KigiHome  # noqa: E402
from agent.models import DEFAULT_MODEL, load_engine  # noqa: E402
from agent.precision import AGREED_START, QUALITY_PROMPTS, SURE_MARGIN, agreement, parting, reference_answers  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--precisions", nargs="+", default=["bf16", "int8", "int4"])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()
    home = KigiHome.resolve().ensure()
    start = time.perf_counter()
    expected = reference_answers(load_engine(home, args.model, precision="fp32"))
    print(f"{len(QUALITY_PROMPTS)} prompts, greedy answers against fp32 ({args.model}; fp32's answers and margins "
          f"in {time.perf_counter() - start:.0f} s)")
    for precision in args.precisions:
        engine = load_engine(home, args.model, precision=precision)
        start = time.perf_counter()
        partings = [parting(engine, answer) for answer in expected]
        seconds = time.perf_counter() - start
        share, early, sure = agreement(partings, expected)
        print(f"{precision}: greedy prefix kept {share:.3f}; {early}/{len(expected)} part within {AGREED_START} "
              f"tokens, {sure} where fp32 led by {SURE_MARGIN} nats or more; decoded until parting in {seconds:.0f} s")
        for text, answer, at in zip(QUALITY_PROMPTS, expected, partings, strict=True):
            if at < min(AGREED_START, len(answer.tokens)):
                print(f"  '{text[:30]}' at token {at}, fp32 margin {answer.margins[at]:.2f}")
        del engine


if __name__ == "__main__":
    main()
