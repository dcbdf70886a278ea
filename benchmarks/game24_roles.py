"""Each Game of 24 role adapter on states of the test puzzles (ranks 901-1000), which the
training data may no longer contain (`reachable_states`): the value adapter's accuracy and
AUC on 2- and 3-number states, the propose adapter's share of steps that keep 24 reachable.

    python benchmarks/game24_roles.py [--value game24-value] [--propose game24-propose]
                                      [--states 200] [--propose-states 60] [--propose-tokens 96]
                                      [--precision int8]
                                      [--skip-propose | --skip-value]
                                      [--puzzles dev.csv [--exclude-data train.jsonl ...]]

States are those a search reaches with non-negative steps (what the proposer writes),
sampled with seed 0: for the value role half solvable and half not (where there are enough
solvable ones: few two-number states make 24), so that AUC means something; for the
propose role the 100 test puzzles themselves (the search's first step) and a sample of
three-number states. Value: P(sure) against P(impossible)
from one forward pass (`label_probs`), "right" when the larger one matches the solver.
Propose: one greedy call per state; each parsed line is a step of the state (right
arithmetic, numbers it has) or not, and keeps 24 reachable or not; per state, the share of
its distinct children (sets of numbers left) the valid lines cover, and for a solvable
state whether any valid line keeps 24 reachable (a way on is listed: what the search
needs from the proposer), and whether any line does once its result is recomputed (what
`--check repair`, the default, keeps); three-number states are measured twice, a random
sample and a sample of solvable ones; solvable two-number states too (the last step: whether
the line to 24 survives `--check drop`). `--puzzles FILE` measures the states of other
puzzles (development ones), leaving out every test state and the states of `--exclude-data`
files: figures to choose on. Prints figures; never pass/fail.
"""

from __future__ import annotations

import argparse
import json
import random
from fractions import Fraction
from pathlib import Path

import _root  # noqa: F401  (the repository root on sys.path)

from agent.adapters import AdapterStore  # noqa: E402
from agent.home import KigiHome  # noqa: E402
from agent.lm import EngineLM  # noqa: E402
from agent.models import load_engine  # noqa: E402
from agent.tasks.game24 import (  # noqa: E402
    Game24Task,
    default_data_path,
    held_out_numbers,
    load_puzzles,
    next_steps,
    parse_step,
    propose_messages,
    reachable_states,
    solvable,
    value_messages,
)
from agent.tasks.game24.arithmetic import combine, sorted_values  # noqa: E402

State = tuple[Fraction, ...]


def balanced(states: list[State], count: int, rng: random.Random) -> list[State]:
    """Up to `count` states, half solvable and half not where both are plentiful."""
    good = [s for s in states if solvable(s)]
    bad = [s for s in states if not solvable(s)]
    take_good = min(len(good), count // 2)
    return rng.sample(good, take_good) + rng.sample(bad, min(len(bad), count - take_good))


def search_states(puzzles: set[tuple[int, ...]]) -> dict[int, list[State]]:
    """States with 3 and 2 numbers left that non-negative steps reach from `puzzles`."""
    by_size: dict[int, set[State]] = {3: set(), 2: set()}
    frontier = {sorted_values(Fraction(x) for x in p) for p in puzzles}
    while frontier:
        frontier = {step.left for state in frontier if len(state) > 2 for step in next_steps(state)}
        for state in frontier:
            by_size[len(state)].add(state)
    return {size: sorted(states) for size, states in by_size.items()}


def auc(scores: list[float], positive: list[bool]) -> float:
    """Probability that a random solvable state scores above a random unsolvable one."""
    pos = [s for s, p in zip(scores, positive, strict=True) if p]
    neg = [s for s, p in zip(scores, positive, strict=True) if not p]
    if not pos or not neg:
        return float("nan")
    wins = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg)
    return wins / (len(pos) * len(neg))


def measure_value(lm: EngineLM, states: list[State]) -> str:
    truth = [solvable(s) for s in states]
    probs = [lm.label_probs(lm.render(value_messages(s)), ["sure", "impossible"]) for s in states]
    scores = [p[0] / (p[0] + p[1] + 1e-12) for p in probs]
    right = sum((score > 0.5) == t for score, t in zip(scores, truth, strict=True))
    return (f"{len(states)} states ({sum(truth)} solvable): accuracy {right / len(states):.3f}, "
            f"AUC {auc(scores, truth):.3f}")


def is_step_of(state: State, parsed) -> bool:
    a, op, b, result, _ = parsed
    values = list(state)
    for x in (a, b):
        if x not in values:
            return False
        values.remove(x)
    try:
        return combine(a, op, b) == result
    except ZeroDivisionError:
        return False


def checked_children(state: State, text: str, check: str) -> set[State]:
    """The numbers left after each line the search's own `--check drop|repair` keeps."""
    task = Game24Task(state, check=check)
    return {task.left(child) for child in task.parse_thoughts(task.root(), text)}


def measure_propose(lm: EngineLM, states: list[State], max_tokens: int = 96) -> str:
    lines = valid = keeps = first_keeps = solvable_states = way_on = way_on_dropped = way_on_repaired = 0
    coverage = 0.0
    for state in states:
        text = lm.complete(lm.render(propose_messages(state)), max_tokens=max_tokens)[0].text
        parsed = [p for p in (parse_step(line) for line in text.splitlines()) if p is not None]
        lines += len(parsed)
        children: set[State] = set()
        for n, step in enumerate(parsed):
            if not is_step_of(state, step):
                continue
            valid += 1
            left = list(state)
            left.remove(step[0])
            left.remove(step[2])
            child = sorted_values([*left, step[3]])
            children.add(child)
            ok = solvable(child)
            keeps += ok
            first_keeps += ok and n == 0
        every = {step.left for step in next_steps(state)}
        coverage += len(children & every) / len(every)
        if solvable(state):
            solvable_states += 1
            way_on += any(solvable(child) for child in children)
            way_on_dropped += any(solvable(child) for child in checked_children(state, text, "drop"))
            way_on_repaired += any(solvable(child) for child in checked_children(state, text, "repair"))
    return (f"{len(states)} states, {lines} steps parsed: {valid / max(lines, 1):.3f} valid, "
            f"{keeps / max(lines, 1):.3f} keep 24 reachable; first line keeps it in "
            f"{first_keeps / len(states):.3f} of states; children covered {coverage / len(states):.3f}; "
            f"a way on listed in {way_on}/{solvable_states} solvable states "
            f"({way_on_dropped} kept by --check drop, its `left:` list right too; "
            f"{way_on_repaired} once repaired, as --check repair does)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--value", default="game24-value")
    parser.add_argument("--propose", default="game24-propose")
    parser.add_argument("--states", type=int, default=200, help="value: states sampled per size")
    parser.add_argument("--propose-states", type=int, default=60, help="propose: 3-number states sampled")
    parser.add_argument("--propose-tokens", type=int, default=96,
                        help="propose: tokens per reply (a proposer that lists every step needs ~384)")
    parser.add_argument("--precision", default="int8")
    parser.add_argument("--skip-propose", action="store_true")
    parser.add_argument("--skip-value", action="store_true",
                        help="measure only the proposer (the value samples are still drawn: same states)")
    parser.add_argument("--propose-sizes", type=int, nargs="+", default=[4, 3, 2], choices=[4, 3, 2],
                        help="propose: the state sizes measured (4: the puzzles themselves)")
    parser.add_argument("--puzzles", type=Path, default=None,
                        help="the states of these puzzles (a CSV like game24.csv, e.g. from "
                             "game24_dev_puzzles.py) instead of the test puzzles': to choose on; "
                             "states a test search can show are left out")
    parser.add_argument("--exclude-data", type=Path, nargs="*", default=[],
                        help="training JSONL files whose states (meta.state) are left out")
    args = parser.parse_args()
    home = KigiHome.resolve().ensure()
    engine = load_engine(home, precision=args.precision)
    store = AdapterStore.of(home)
    test_puzzles = held_out_numbers(load_puzzles(default_data_path()))
    puzzles = test_puzzles
    left_out: set[State] = {state for path in args.exclude_data for state in trained_states(path)}
    if args.puzzles is not None:
        puzzles = {tuple(sorted(p.numbers)) for p in load_puzzles(args.puzzles)}
        left_out |= reachable_states(test_puzzles)
    states = {size: [s for s in found if s not in left_out] for size, found in search_states(puzzles).items()}
    rng = random.Random(0)
    kind = "test-puzzle" if args.puzzles is None else args.puzzles.name
    print(f"{kind} states (non-negative steps): {len(states[3])} with 3 numbers, {len(states[2])} with 2")
    value = None
    if not args.skip_value:
        value = EngineLM(engine, adapter=store.load_onto(engine, args.value, activate=True).name)
    for size in (3, 2):
        sample = balanced(states[size], args.states, rng)  # drawn either way: the propose sample stays the same
        if value is not None:
            print(f"value ({args.value}), {size} numbers: {measure_value(value, sample)}")
    if args.skip_propose:
        return
    propose = EngineLM(engine, adapter=store.load_onto(engine, args.propose, activate=True).name)
    roots = sorted(sorted_values(Fraction(x) for x in p) for p in puzzles)
    # each sample is drawn whether measured or not, so a size measured alone sees the same states
    samples = {
        "the puzzles": roots,
        "3 numbers": sample_of(states[3], args.propose_states, rng),
        # few random three-number states are solvable (8 of 60): the ones a search must get past
        "3 numbers, solvable": sample_of([s for s in states[3] if solvable(s)], args.propose_states, rng),
        # the last step: from two numbers that make 24, the line to 24 (what --check drop keeps)
        "2 numbers, solvable": sample_of([s for s in states[2] if solvable(s)], args.propose_states, rng),
    }
    for label, sample in samples.items():
        if sample and len(sample[0]) in args.propose_sizes:
            print(f"propose ({args.propose}), {label}: {measure_propose(propose, sample, args.propose_tokens)}")


def sample_of(states: list[State], count: int, rng: random.Random) -> list[State]:
    """Up to `count` of `states`, drawn by `rng` (all of them when there are fewer)."""
    return rng.sample(states, min(count, len(states)))


def trained_states(path: Path) -> set[State]:
    """The states (`meta.state`) of a training JSONL file."""
    with path.open(encoding="utf-8") as lines:
        return {sorted_values(Fraction(x) for x in json.loads(line)["meta"]["state"].split())
                for line in lines if line.strip()}


if __name__ == "__main__":
    main()
