"""How a training word problem is written: a template draws numbers into a `Trace` (each
computation becomes one step, `a op b = c, so ...`) and returns a `Story` (phrasings of
the problem, and facts the answer does not need); `Redraw` asks for other numbers."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


class Redraw(Exception):
    """The numbers drawn give a fraction or a negative value somewhere: draw again."""


class Trace:
    """The steps of one problem, written as they are computed: `a op b = c, so ...`.
    `so` names the result; `#` in it stands for the result."""

    def __init__(self) -> None:
        self.steps: list[str] = []
        self.result = 0  # of the last step: the answer once the template returns

    def add(self, a: int, b: int, so: str) -> int:
        return self._step(a, "+", b, a + b, so)

    def sub(self, a: int, b: int, so: str) -> int:
        return self._step(a, "-", b, a - b, so)

    def mul(self, a: int, b: int, so: str) -> int:
        return self._step(a, "×", b, a * b, so)

    def div(self, a: int, b: int, so: str) -> int:
        if b == 0 or a % b:
            raise Redraw
        return self._step(a, "÷", b, a // b, so)

    def _step(self, a: int, op: str, b: int, result: int, so: str) -> int:
        if result < 0:
            raise Redraw
        self.steps.append(f"{a} {op} {b} = {result}, so {so.replace('#', str(result))}.")
        self.result = result
        return result


@dataclass(frozen=True)
class Story:
    """What a template drew: phrasings of one problem, each (facts, question), and facts
    irrelevant to the answer, one of which may be slipped in before the question."""

    phrasings: tuple[tuple[str, str], ...]
    distractors: tuple[str, ...]


Template = Callable[[random.Random, Trace], Story]
