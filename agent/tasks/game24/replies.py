"""Reading the model's replies: one step line of a proposal, the final answer of a
baseline's reply, and CoT-SC's majority answer. The verifier decides what is right."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction

from agent.tasks.game24.arithmetic import sorted_values
from agent.tasks.game24.verifier import NORMALISE, strip_markup

_EXPRESSION_LINE = re.compile(r"^[\d\s()+\-*/×÷−–.=]+$")

_NUM = r"-?\d+(?:\.\d+)?(?:/\d+)?"
_STEP_LINE = re.compile(
    rf"({_NUM})\s*([-+*/×÷−–x])\s*({_NUM})\s*=\s*({_NUM})"
    r"(?:\s*\(\s*left\s*:?\s*([^)]*)\))?",
    flags=re.IGNORECASE,
)


def extract_answer(text: str) -> str | None:
    """The final expression of a model's reply (without `= 24`), or None.

    The last `Answer:` line wins; otherwise the last line that is only arithmetic and
    has an operator. The verifier decides whether it is right.
    """
    lines = [strip_markup(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    for line in reversed(lines):
        match = re.search(r"answer\s*:", line, flags=re.IGNORECASE)
        if match:
            expression = line[match.end() :].split("=")[0].strip().rstrip(".")
            return expression or None
    for line in reversed(lines):
        if _EXPRESSION_LINE.match(line) and re.search(r"[+\-*/×÷−–]", line):
            expression = line.split("=")[0].strip()
            return expression or None
    return None


def majority_answer(texts: Iterable[str]) -> str | None:
    """CoT-SC: the answer extracted most often (spacing ignored); ties go to the first seen."""
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for text in texts:
        answer = extract_answer(text)
        if answer is None:
            continue
        key = re.sub(r"\s+", "", answer)
        counts[key] += 1
        first.setdefault(key, answer)
    if not counts:
        return None
    best = max(counts.values())
    return next(first[k] for k in first if counts[k] == best)


def _numbers(texts: Iterable[str]) -> list[Fraction] | None:
    """Numbers the model wrote, or None when one is not a number (`14/0`)."""
    try:
        return [Fraction(x) for x in texts]
    except ZeroDivisionError:
        return None


def _parse_numbers(text: str) -> tuple[Fraction, ...] | None:
    items = [x for x in re.split(r"[\s,]+", text.strip()) if x]
    if not items or not all(re.fullmatch(_NUM, x) for x in items):
        return None
    values = _numbers(items)
    return None if values is None else sorted_values(values)


ParsedStep = tuple[Fraction, str, Fraction, Fraction, tuple[Fraction, ...] | None]


def parse_step(line: str) -> ParsedStep | None:
    """`4 + 8 = 12 (left: 4 6 12)` -> (4, '+', 8, 12, (4, 6, 12)); the left part may be absent."""
    match = _STEP_LINE.search(line.translate(NORMALISE))
    if not match:
        return None
    a, op, b, result, left = match.groups()
    op = "*" if op.lower() == "x" else op
    left_values = None
    if left is not None:
        left_values = _parse_numbers(left)
        if left_values is None:
            return None
    numbers = _numbers((a, b, result))
    if numbers is None:
        return None
    first, second, value = numbers
    return first, op, second, value, left_values


def number_or_close(token: str) -> bool:
    """A token that finishes the number being written or closes the list: `4`, `/3`, `)`."""
    rest = token.lstrip("0123456789/")
    return rest == "" or rest.startswith(")")


def close(token: str) -> bool:
    return token.lstrip(" ").startswith(")")


@dataclass(frozen=True)
class LeftListRule:
    """Constrained decoding for a step line (`llm.text_rules`): its `(left: …)` list holds
    at most `count` numbers. After the last one only its digits or `)` may follow, so a step
    is not lost to one number too many (`8 * 3 = 24 (left: 24 8)` at `3 8`); the numbers,
    and whether they are right, stay the model's (the calculator check still judges them)."""

    count: int

    def __call__(self, text: str) -> Callable[[str], bool] | None:
        line = text.rsplit("\n", 1)[-1]
        at = line.lower().rfind("left")
        if at < 0:
            return None
        listed = line[at + 4:].lstrip(" :")
        if ")" in listed or len(listed.split()) < self.count:
            return None
        return close if listed[-1:].isspace() else number_or_close
