"""How much ordinary answers repeat themselves, per policy (issue 16: "without making
ordinary answers degenerate").

    python benchmarks/ordinary_repeats.py RUN/results.json [more ...]

Reads what `preference_loop.py --stages ...,ordinary,ordinary-more` kept (each policy's
greedy answers to the same ten everyday questions, and to the forty of
`evals/ordinary/prompts.txt` or the fifty of `fresh.txt`) and prints, per run, set and policy, seq-rep-4
(`llm.loops.repeated_ngrams`: the share of an answer's 4-grams, in tokens, that repeat an
earlier one), the mean over the set and the worst answer, and how many answers the loop
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
    print(f"{'run':<28} {'set':<20} {'policy':<12} {'seq-rep-4 mean':>14} {'worst':>6}  loops  worst answer")
    for path in args.results:
        run = json.loads(path.read_text(encoding="utf-8"))
        if "ordinary" not in run:
            print(f"{path.parent.name:<28} (no ordinary stage)")
        for key in (key for key in run if key.startswith("ordinary")):
            for policy, rows in run.get(key, {}).items():
                ids = [tokenizer.encode(row["answer"]) for row in rows]
                reps = [repeated_ngrams(answer) for answer in ids]
                worst = max(range(len(rows)), key=reps.__getitem__)
                print(f"{path.parent.name:<28} {f'{key} ({len(rows)})':<20} {policy:<12} "
                      f"{sum(reps) / len(reps):>14.3f} {reps[worst]:>6.3f}  {sum(map(loops, ids)):>5}  "
                      f"{rows[worst]['prompt']}")


if __name__ == "__main__":
    main()
