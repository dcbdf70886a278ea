"""Each Game of 24 role adapter on states of the test puzzles (ranks 901-1000), which the
training data may no longer contain (`reachable_states`): the value adapter's accuracy and
AUC on 2- and 3-number states, the propose adapter's share of steps that keep 24 reachable.

    python benchmarks/game24_roles.py [--value game24-value] [--propose game24-propose]
                                      [--states 200] [--propose-states 60] [--propose-tokens 96]
                                      [--precision int8]
                                      [--skip-propose | --skip-value]

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
sample and a sample of solvable ones. Prints figures; never pass/fail.
"""

from __future__ import annotations

import argparse
import random
from fractions import Fraction

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


def repaired_children(state: State, text: str) -> set[State]:
    """The numbers left after each line once the search's own `--check repair` rewrote it."""
    task = Game24Task(state, check="repair")
    return {task.left(child) for child in task.parse_thoughts(task.root(), text)}


def measure_propose(lm: EngineLM, states: list[State], max_tokens: int = 96) -> str:
    lines = valid = keeps = first_keeps = solvable_states = way_on = way_on_repaired = 0
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
            way_on_repaired += any(solvable(child) for child in repaired_children(state, text))
    return (f"{len(states)} states, {lines} steps parsed: {valid / max(lines, 1):.3f} valid, "
            f"{keeps / max(lines, 1):.3f} keep 24 reachable; first line keeps it in "
            f"{first_keeps / len(states):.3f} of states; children covered {coverage / len(states):.3f}; "
            f"a way on listed in {way_on}/{solvable_states} solvable states "
            f"({way_on_repaired} once repaired, as --check repair does)")


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
    args = parser.parse_args()
    home = KigiHome.resolve().ensure()
    engine = load_engine(home, precision=args.precision)
    store = AdapterStore.of(home)
    puzzles = held_out_numbers(load_puzzles(default_data_path()))
    states = search_states(puzzles)
    rng = random.Random(0)
    print(f"test-puzzle states (non-negative steps): {len(states[3])} with 3 numbers, {len(states[2])} with 2")
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
    print(f"propose ({args.propose}), the 100 test puzzles: {measure_propose(propose, roots, args.propose_tokens)}")
    sample = rng.sample(states[3], min(args.propose_states, len(states[3])))
    print(f"propose ({args.propose}), 3 numbers: {measure_propose(propose, sample, args.propose_tokens)}")
    # few random three-number states are solvable (8 of 60): the ones a search must get past
    ways = [state for state in states[3] if solvable(state)]
    sample = rng.sample(ways, min(args.propose_states, len(ways)))
    print(f"propose ({args.propose}), 3 numbers, solvable: {measure_propose(propose, sample, args.propose_tokens)}")


if __name__ == "__main__":
    main()
