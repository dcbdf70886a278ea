"""A calculator for reasoning steps: find `A op B (op C ...) = R` in a step and check R.

A 135M model sets up "4 × 21" right and then writes "= 88". The ToT search for ordinary
questions can drop such a step (`drop`) or put the right result in its place (`repair`),
as the Game of 24 search does with its own arithmetic check. It is a tool, not the
model's reasoning, so results with it are reported as their own row.

Given the question and the steps so far (`StepContext`), the check also drops a step that
computes with a number from nowhere (neither in the question, nor an earlier step, nor a
common unit factor such as 60 or 100), and holds an answer step ("So the answer is N") to
the last result: repaired to it, or dropped.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

StepCheck = Literal["none", "drop", "repair"]
STEP_CHECKS: tuple[str, ...] = ("none", "drop", "repair")

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_EQUATION = re.compile(rf"(?P<left>[£$€]?{_NUM}(?:\s*[-+×x*/÷]\s*[£$€]?{_NUM})+)\s*=\s*(?P<right>[£$€]?{_NUM})")
_ANSWER = re.compile(rf"^(?P<lead>so the answer is\s*:?\s*[£$€]?)(?P<value>{_NUM})", re.IGNORECASE)
_NUMBER = re.compile(_NUM)
UNIT_FACTORS = frozenset(Fraction(n) for n in (2, 3, 4, 7, 10, 12, 24, 52, 60, 100, 1000))
_OPS = {ast.Add: Fraction.__add__, ast.Sub: Fraction.__sub__, ast.Mult: Fraction.__mul__,
        ast.Div: Fraction.__truediv__}


def _value(node: ast.AST) -> Fraction:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return Fraction(str(node.value))
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_value(node.left), _value(node.right))
    raise ValueError("not arithmetic")


def evaluate(expression: str) -> Fraction | None:
    """The value of `4 × 21 + 3` (× x * ÷ / + -, usual precedence); None if it is not that."""
    text = re.sub(r"[£$€,]", "", expression).replace("×", "*").replace("÷", "/")
    text = re.sub(r"(?<=\d)\s*x\s*(?=\d)", "*", text)
    try:
        return _value(ast.parse(text.strip(), mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError):
        return None


def _number(text: str) -> Fraction:
    return Fraction(re.sub(r"[£$€,]", "", text))


def _written(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def check_step(step: str) -> tuple[bool, str]:
    """Whether every equation in `step` holds, and the step with each wrong result replaced
    by the right one, there and where the step repeats it ("= 88, so they pay £88")."""
    ok, at = True, 0
    while match := _EQUATION.search(step, at):
        value = evaluate(match.group("left"))
        wrong = match.group("right").lstrip("£$€")
        if value is None or value == _number(wrong):
            at = match.end()
            continue
        ok = False
        right = _written(value)
        start = match.end() - len(wrong)
        rest = re.sub(rf"(?<![\d.,]){re.escape(wrong)}(?![\d]|[.,]\d)", right, step[match.end():])
        step = step[:start] + right + rest
        at = start + len(right)
    return ok, step


def _numbers(text: str) -> list[Fraction]:
    return [_number(n) for n in _NUMBER.findall(text)]


@dataclass(frozen=True)
class StepContext:
    """What a new step may compute with: the numbers of the question and of the steps so
    far; `last` is the latest result, the one an answer step must give."""

    known: frozenset[Fraction]
    last: Fraction | None = None

    @classmethod
    def of(cls, question: str, steps: Sequence[str]) -> StepContext:
        results = [_number(m.group("right")) for s in steps for m in _EQUATION.finditer(s)]
        known = {*_numbers(question), *(n for s in steps for n in _numbers(s))}
        return cls(frozenset(known), results[-1] if results else None)

    def grounded(self, step: str) -> bool:
        """Whether every number the step computes with is one it was given (or a unit factor)."""
        return all(n in self.known or n in UNIT_FACTORS
                   for m in _EQUATION.finditer(step) for n in _numbers(m.group("left")))


def _checked_answer(step: str, mode: StepCheck, last: Fraction) -> str | None:
    match = _ANSWER.match(step)
    if match is None or _number(match.group("value")) == last:
        return step
    return None if mode == "drop" else match.group("lead") + _written(last) + step[match.end():]


def apply_check(step: str, mode: StepCheck, context: StepContext | None = None) -> str | None:
    """The step as the search keeps it: unchanged (`none`), dropped if wrong (`drop`, None),
    or with its results corrected (`repair`). With a `context`, a step computing with a
    number from nowhere is dropped in both modes, and an answer step is held to the last
    result."""
    if mode == "none":
        return step
    if context is not None:
        if not context.grounded(step):
            return None
        if context.last is not None and _ANSWER.match(step):
            return _checked_answer(step, mode, context.last)
    ok, repaired = check_step(step)
    if ok:
        return step
    return None if mode == "drop" else repaired
