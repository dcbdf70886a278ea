"""Two-number states beyond the puzzles' numbers, for the value and propose roles.

A search over the test puzzles reaches almost every pair of small numbers that makes 24,
and those states are refused as training prompts, so the training puzzles leave the roles
ten solvable two-number states to learn from. Pairs drawn here make 24 by each
operator with operands the puzzles rarely produce (37 13, 24/7 7, 5/2 48), and their
negatives are near misses (one operand a little off) as well as random pairs, half and
half; every state a search over the test puzzles can show is still refused.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterator
from fractions import Fraction

from agent.tasks.game24.arithmetic import TARGET, sorted_values
from agent.tasks.game24.solver import solvable

State = tuple[Fraction, ...]


def operand(rng: random.Random) -> Fraction:
    """A number like those a two-number state holds: mostly small whole numbers, some
    larger, some simple fractions."""
    roll = rng.random()
    if roll < 0.7:
        return Fraction(rng.randint(1, 40))
    if roll < 0.85:
        return Fraction(rng.randint(41, 150))
    denominator = rng.choice((2, 3, 4, 5, 6))
    numerator = rng.choice([n for n in range(1, 8 * denominator) if n % denominator])
    return Fraction(numerator, denominator)


def sure_pair(rng: random.Random) -> State:
    """Two numbers that make 24 by one operator, the operator drawn first."""
    target = Fraction(TARGET)
    while True:
        x, op = operand(rng), rng.choice("+-*/")
        if op == "+" and x < target:
            return sorted_values((x, target - x))
        if op == "-":
            return sorted_values((x + target, x))
        if op == "*" and x <= target and (target / x).denominator <= 6:
            return sorted_values((target / x, x))
        if op == "/" and x <= 12:
            return sorted_values((target * x, x))


def impossible_pair(rng: random.Random) -> State:
    """Two numbers that cannot make 24: a solvable pair with one number moved by 1-3
    (a near miss) two times in three, else a random pair."""
    while True:
        if rng.random() < 2 / 3:
            pair = list(sure_pair(rng))
            i = rng.randrange(2)
            pair[i] += rng.choice((-3, -2, -1, 1, 2, 3))
            if pair[i] <= 0:
                continue
            state = sorted_values(pair)
        else:
            state = sorted_values((operand(rng), operand(rng)))
        if not solvable(state):
            return state


def value_pairs(count: int, refused: Collection[State], seed: int = 0) -> Iterator[tuple[State, bool]]:
    """`count` distinct two-number states with their verdict (solvable or not), alternating
    sure and impossible, none in `refused` (the states a test search can reach)."""
    rng = random.Random(seed)
    seen: set[State] = set()
    made = 0
    while made < count:
        sure = made % 2 == 0
        state = sure_pair(rng) if sure else impossible_pair(rng)
        if state in seen or state in refused:
            continue
        seen.add(state)
        made += 1
        yield state, sure
