"""Reward models on held-out preference pairs, by what decided each pair (issue 16).

    python benchmarks/reward_heldout.py --pairs HELD_OUT.jsonl --judges reading-judge [more ...]

HELD_OUT.jsonl is what `kigi prefs export` writes after the truth rater judged the pairs
(`benchmarks/preference_loop.py --task reading --candidates 4 --stages collect` on prompts
nothing was trained on); the rater's reason in each record's metadata says what decided
it: which answer is correct, which is better grounded, or which is shorter. Each judge
scores each pair once; its pair accuracy is printed overall and for each of the three,
beside a rule that always prefers the shorter answer (what the last rater taught, and what
a judge must beat). Several files (`--pairs A.jsonl B.jsonl`) are pooled into one table.
With `--tie-from FIT.jsonl` each judge also gets a gated row, the rater's own order as a
rule: the reward model decides where its two scores differ by at least τ, the shorter
answer wins where they do not, τ chosen on FIT's pairs (never the held-out ones).
Prints figures; never pass/fail.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
from collections import Counter
from pathlib import Path

import _root  # noqa: F401  (the repository root on sys.path)
from torch import Tensor  # noqa: E402

from agent.adapters import AdapterStore  # noqa: E402
from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402
from agent.pref_evals import accuracy_of, load_reward_model, pair_scores  # noqa: E402

KINDS = ("correct", "grounded", "shorter")


def decided_by(record: dict) -> str:
    """What the truth rater's reason says decided the pair."""
    reason = (record.get("metadata") or {}).get("reason", "")
    return "correct" if "is correct" in reason else "grounded" if "grounded (" in reason else "shorter"


def shorter_wins(records: list[dict]) -> list[bool]:
    return [len(r["chosen"][0]["content"].strip()) < len(r["rejected"][0]["content"].strip()) for r in records]


def read_pairs(paths: list[Path]) -> list[dict]:
    """Preference records of every file, pooled."""
    return [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def print_table(title: str, kinds: list[str], rows: dict[str, list[float | None]]) -> None:
    """A Markdown table: one row of accuracies (all, then each kind) per judge."""
    print(f"| {title} | all ({len(kinds)}) | " + " | ".join(f"{k} ({kinds.count(k)})" for k in KINDS) + " |")
    print("|---|---|" + "---|" * len(KINDS))
    for name, figures in rows.items():
        print(f"| {name} | " + " | ".join("—" if f is None else f"{f:.3f}" for f in figures) + " |")


def by_kind(right: list[bool], kinds: list[str]) -> list[float | None]:
    """Accuracy over all pairs, then over each kind's (None where it has none)."""
    rows = [[r for r, k in zip(right, kinds, strict=True) if k == kind] for kind in KINDS]
    return [sum(right) / len(right)] + [sum(r) / len(r) if r else None for r in rows]


def gated(good: Tensor, bad: Tensor, shorter: list[bool], tau: float) -> list[bool]:
    """Right or wrong per pair: the reward model where |Δ| >= tau, else the shorter answer."""
    confident = ((good - bad).abs() >= tau).tolist()
    return [bool(g > b) if sure else short
            for g, b, sure, short in zip(good.tolist(), bad.tolist(), confident, shorter, strict=True)]


def fit_tie_margin(good: Tensor, bad: Tensor, shorter: list[bool]) -> float:
    """The τ (0 or one of the pairs' own |Δ|) whose gated accuracy on these pairs is best;
    the smallest such τ on a tie. Pairs sorted by |Δ|: at τ the first `bisect_left(τ)` go
    to the length rule, the rest to the reward model, so each τ is two prefix sums."""
    gaps = (good - bad).abs().tolist()
    order = sorted(range(len(gaps)), key=gaps.__getitem__)
    sorted_gaps = [gaps[i] for i in order]
    rule_right = list(itertools.accumulate((shorter[i] for i in order), initial=0))
    wins = (good > bad).tolist()
    model_right = list(itertools.accumulate((wins[i] for i in order), initial=0))

    def right(tau: float) -> int:
        below = bisect.bisect_left(sorted_gaps, tau)
        return rule_right[below] + model_right[-1] - model_right[below]

    return max(sorted({0.0, *gaps}), key=lambda tau: (right(tau), -tau))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=Path, nargs="+", required=True, help="held-out pairs (JSONL), pooled")
    parser.add_argument("--judges", nargs="+", required=True, help="reward models (names in the adapter store)")
    parser.add_argument("--tie-from", type=Path, help="pairs to choose each judge's tie margin on (gated rows)")
    parser.add_argument("--precision", default="fp32")
    args = parser.parse_args()
    records = read_pairs(args.pairs)
    kinds = [decided_by(record) for record in records]
    count = Counter(kinds)
    home = KigiHome.resolve().ensure()
    engine = load_engine(home, precision=args.precision)
    store = AdapterStore.of(home)
    print(f"{len(records)} pairs: " + ", ".join(f"{k} decided {count[k]}" for k in KINDS), flush=True)
    shorter = shorter_wins(records)
    rows = {"shorter answer wins (a rule)": by_kind(shorter, kinds)}
    fit = read_pairs([args.tie_from]) if args.tie_from else []
    fit_shorter = shorter_wins(fit)
    for name in args.judges:
        reward = load_reward_model(engine, store, name)
        good, bad = pair_scores(reward, records)
        rows[f"reward:{name}"] = figures = by_kind((good > bad).tolist(), kinds)
        print(f"reward:{name} scored: {figures[0]:.3f} (margin {accuracy_of(good, bad).margin:+.3f})", flush=True)
        if fit:
            tau = fit_tie_margin(*pair_scores(reward, fit), fit_shorter)
            row = f"reward:{name}, gated at τ={tau:.3f} (fit on {args.tie_from.name})"
            rows[row] = by_kind(gated(good, bad, shorter, tau), kinds)
            print(f"{row}: {rows[row][0]:.3f}", flush=True)
    print_table("judge", kinds, rows)

if __name__ == "__main__":
    main()
