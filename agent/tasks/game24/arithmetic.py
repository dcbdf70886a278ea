"""Exact arithmetic of the Game of 24: numbers as `Fraction`s, one step `a op b = c`, and
steps rewritten as one expression. Model text is parsed, never `eval`-ed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

TARGET = 24
OPS = "+-*/"


def fmt(x: Fraction | int) -> str:
    """A number as the prompts write it: `12`, `8/3`, `-4`."""
    x = as_fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def combine(a: Fraction, op: str, b: Fraction) -> Fraction:
    """`a op b`, exactly: the one place the four operators mean something."""
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return a / b  # ZeroDivisionError is the caller's to handle


def sorted_values(values: Iterable[Fraction]) -> tuple[Fraction, ...]:
    """The numbers left, in the one order that makes equal sets of numbers compare equal."""
    return tuple(sorted(values))


def as_fraction(x: Fraction | int | str) -> Fraction:
    """A Fraction of a number or its text; numpy integers become plain ints first."""
    return x if isinstance(x, Fraction) else Fraction(x if isinstance(x, str) else int(x))


@dataclass(frozen=True)
class Step:
    """One move: `a op b = result`, after which `left` remains (sorted)."""

    a: Fraction
    op: str
    b: Fraction
    result: Fraction
    left: tuple[Fraction, ...]

    def line(self) -> str:
        left = " ".join(fmt(x) for x in self.left)
        return f"{fmt(self.a)} {self.op} {fmt(self.b)} = {fmt(self.result)} (left: {left})"


def compose_answer(numbers: Sequence[Fraction | int], steps: Sequence[Step]) -> str | None:
    """Steps rewritten as one expression over the original numbers, or None when a step
    uses a number that is not there. No arithmetic is checked: the verifier does that."""
    # pool items: (value, expression, its top operator or "" for a bare number)
    pool: list[tuple[Fraction, str, str]] = [(as_fraction(x), fmt(as_fraction(x)), "") for x in numbers]
    for step in steps:
        operands = []
        for value in (step.a, step.b):
            k = next((k for k, item in enumerate(pool) if item[0] == value), None)
            if k is None:
                return None
            operands.append(pool.pop(k))
        (_, left, left_op), (_, right, right_op) = operands
        if step.op in "*/" and left_op in ("+", "-"):
            left = f"({left})"
        if right_op and (
            (step.op == "-" and right_op in "+-") or (step.op == "*" and right_op in "+-")
            or step.op == "/"
        ):
            right = f"({right})"
        pool.append((step.result, f"{left} {step.op} {right}", step.op))
    return pool[0][1] if len(pool) == 1 else None
