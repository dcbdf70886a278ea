"""The exact solver: every step from a set of numbers, whether 24 can be reached, one way
there. Training data and evaluation use it; the ToT task never does (tests check the
imports), so a search cannot find answers by asking it."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache

from agent.tasks.game24.arithmetic import TARGET, Step, as_fraction, combine, compose_answer, sorted_values


def next_steps(numbers: Sequence[Fraction | int], *, nonnegative: bool = True) -> list[Step]:
    """Every distinct step from `numbers`: each pair, each operator, both orders where
    they differ (only non-negative results unless asked; they always suffice for 1-13)."""
    return list(_next_steps(sorted_values(as_fraction(x) for x in numbers), nonnegative))


@lru_cache(maxsize=1 << 16)
def _next_steps(values: tuple[Fraction, ...], nonnegative: bool) -> tuple[Step, ...]:
    steps: list[Step] = []
    pairs_done: set[tuple[Fraction, Fraction]] = set()
    for i in range(len(values)):
        for j in range(i + 1, len(values)):
            lo, hi = values[i], values[j]  # values are sorted
            if (lo, hi) in pairs_done:
                continue
            pairs_done.add((lo, hi))
            rest = values[:i] + values[i + 1 : j] + values[j + 1 :]
            moves = [(hi, "+", lo), (hi, "*", lo), (hi, "-", lo)]
            if lo != 0:
                moves.append((hi, "/", lo))
            if hi != lo:
                if hi != 0:
                    moves.append((lo, "/", hi))
                if not nonnegative:
                    moves.append((lo, "-", hi))
            for a, op, b in moves:
                result = combine(a, op, b)
                steps.append(Step(a, op, b, result, sorted_values([*rest, result])))
    return tuple(steps)


@lru_cache(maxsize=1 << 17)
def _solvable(values: tuple[Fraction, ...]) -> bool:
    if len(values) == 1:
        return values[0] == TARGET
    return any(_solvable(step.left) for step in _next_steps(values, False))


def solvable(numbers: Sequence[Fraction | int]) -> bool:
    """True when the numbers can make 24 (exact, every operator order tried)."""
    return bool(numbers) and _solvable(sorted_values(as_fraction(x) for x in numbers))


def solve_steps(numbers: Sequence[Fraction | int]) -> list[Step] | None:
    """One list of steps that reaches 24, non-negative ones preferred, or None."""
    values = sorted_values(as_fraction(x) for x in numbers)
    if not values or not _solvable(values):
        return None
    steps: list[Step] = []
    while len(values) > 1:
        options = next_steps(values) + next_steps(values, nonnegative=False)
        step = next(s for s in options if _solvable(s.left))
        steps.append(step)
        values = step.left
    return steps


def solve(numbers: Sequence[int]) -> str | None:
    """One expression that makes 24 from `numbers` (without `= 24`), or None."""
    steps = solve_steps(numbers)
    return None if steps is None else compose_answer(numbers, steps)
