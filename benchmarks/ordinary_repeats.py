"""How much the ten ordinary answers repeat themselves, per policy (issue 16: "without making
ordinary answers degenerate").

    python benchmarks/ordinary_repeats.py RUN/results.json [more ...]

Reads what `preference_loop.py --stages ...,ordinary` kept (each policy's greedy answers to
the same ten everyday questions) and prints, per run and policy, seq-rep-4
(`llm.loops.repeated_ngrams`: the share of an answer's 4-grams, in tokens, that repeat an
earlier one), the mean over the ten and the worst answer, and how many answers the loop
stop would end (`llm.loops.loops`). `loops` is yes or no and misses a sentence said three
times apart; seq-rep-4 grades it. Prints figures; never pass/fail.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import _root  # noqa: F401  (the repository root on sys.path)

from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402
from llm.loops import loops, repeated_ngrams  # noqa: E402
from llm.registry import DEFAULT_MODEL  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, nargs="+", help="results.json of preference_loop.py runs")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="whose tokenizer counts the tokens")
    args = parser.parse_args()
    tokenizer = load_engine(KigiHome.resolve().ensure(), args.model).tokenizer
    print(f"{'run':<28} {'policy':<12} {'seq-rep-4 mean':>14} {'worst':>6}  loops  worst answer")
    for path in args.results:
        ordinary = json.loads(path.read_text(encoding="utf-8")).get("ordinary")
        if not ordinary:
            print(f"{path.parent.name:<28} (no ordinary stage)")
            continue
        for policy, rows in ordinary.items():
            ids = [tokenizer.encode(row["answer"]) for row in rows]
            reps = [repeated_ngrams(answer) for answer in ids]
            worst = max(range(len(rows)), key=reps.__getitem__)
            print(f"{path.parent.name:<28} {policy:<12} {sum(reps) / len(reps):>14.3f} {reps[worst]:>6.3f}  "
                  f"{sum(map(loops, ids)):>5}  {rows[worst]['prompt']}")


if __name__ == "__main__":
    main()
