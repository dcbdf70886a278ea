"""Is an answer right: a tiny parser for + - * / and parentheses (no `eval`), then a check
that each puzzle number is used exactly once and the value is exactly 24."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from agent.tasks.game24.arithmetic import OPS, TARGET, as_fraction, combine, fmt


class ExpressionError(ValueError):
    """Text that is not an arithmetic expression over + - * / and parentheses."""


NORMALISE = str.maketrans({"×": "*", "÷": "/", "−": "-", "–": "-", "·": "*"})
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|(\S))")
_MAX_EXPRESSION = 200

Ast = Any  # ("num", Fraction) | (op, Ast, Ast)


def parse_expression(text: str) -> Ast:
    """Parse `text` into a tiny syntax tree; raises ExpressionError."""
    text = text.translate(NORMALISE).strip()
    if not text:
        raise ExpressionError("empty expression")
    if len(text) > _MAX_EXPRESSION:
        raise ExpressionError("expression too long")
    tokens: list[tuple[str, Fraction | None]] = []
    for match in _TOKEN.finditer(text):
        number, symbol = match.groups()
        if number is not None:
            tokens.append(("num", Fraction(number)))
        elif symbol in OPS or symbol in "()":
            tokens.append((symbol, None))
        else:
            raise ExpressionError(f"unexpected character {symbol!r}")
    depth = 0
    for kind, _ in tokens:
        depth += (kind == "(") - (kind == ")")
        if depth < 0:
            break
    if depth != 0:
        raise ExpressionError("unbalanced parentheses")
    parser = _Parser(tokens)
    tree = parser.expr(0)
    if parser.pos != len(tokens):
        kind = tokens[parser.pos][0]
        if kind == ")":
            raise ExpressionError("unbalanced parentheses")
        what = "number" if kind == "num" else repr(kind)
        raise ExpressionError(f"unexpected {what} after the expression")
    return tree


class _Parser:
    """expr := term (('+'|'-') term)* ; term := factor (('*'|'/') factor)* ;
    factor := number | '(' expr ')'. No unary minus, no implicit multiplication."""

    _MAX_DEPTH = 32

    def __init__(self, tokens: list[tuple[str, Fraction | None]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def _peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def expr(self, depth: int) -> Ast:
        node = self.term(depth)
        while self._peek() in ("+", "-"):
            op = self.tokens[self.pos][0]
            self.pos += 1
            node = (op, node, self.term(depth))
        return node

    def term(self, depth: int) -> Ast:
        node = self.factor(depth)
        while self._peek() in ("*", "/"):
            op = self.tokens[self.pos][0]
            self.pos += 1
            node = (op, node, self.factor(depth))
        return node

    def factor(self, depth: int) -> Ast:
        kind = self._peek()
        if kind == "num":
            value = self.tokens[self.pos][1]
            self.pos += 1
            return ("num", value)
        if kind == "(":
            if depth >= self._MAX_DEPTH:
                raise ExpressionError("parentheses nested too deeply")
            self.pos += 1
            node = self.expr(depth + 1)
            if self._peek() != ")":
                raise ExpressionError("unbalanced parentheses")
            self.pos += 1
            return node
        if kind is None:
            raise ExpressionError("expression ends where a number was expected")
        raise ExpressionError(f"expected a number, found {kind!r}")


def _numbers(tree: Ast) -> list[Fraction]:
    if tree[0] == "num":
        return [tree[1]]
    return _numbers(tree[1]) + _numbers(tree[2])


def _value(tree: Ast) -> Fraction:
    if tree[0] == "num":
        return tree[1]
    left, right = _value(tree[1]), _value(tree[2])
    if tree[0] == "/" and right == 0:
        raise ExpressionError("division by zero")
    return combine(left, tree[0], right)


def evaluate_expression(text: str) -> Fraction:
    """The exact value of an arithmetic expression; raises ExpressionError."""
    return _value(parse_expression(text))


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str
    expression: str | None = None
    value: Fraction | None = None

    def __bool__(self) -> bool:
        return self.ok


def strip_markup(text: str) -> str:
    """Markdown around an answer: code ticks, math dollars, bold stars (`**` is never
    exponentiation here; a space keeps `1**2` from becoming 12)."""
    return text.replace("`", "").replace("$", "").replace("**", " ").strip()


def _expression_part(text: str) -> str:
    """`Answer: (6 - 4) * (4 + 8) = 24` -> `(6 - 4) * (4 + 8)`."""
    text = strip_markup(text)
    match = re.search(r"answer\s*:", text, flags=re.IGNORECASE)
    if match:
        text = text[match.end() :]
    return text.split("=")[0].strip()


def verify(numbers: Sequence[int], text: str | None) -> Verdict:
    """Is `text` a correct answer for `numbers`: each used exactly once, exactly 24?"""
    if not text or not text.strip():
        return Verdict(False, "no expression")
    expression = _expression_part(text)
    try:
        tree = parse_expression(expression)
    except ExpressionError as exc:
        return Verdict(False, str(exc), expression)
    used = Counter(_numbers(tree))
    wanted = Counter(as_fraction(x) for x in numbers)
    if used != wanted:
        have = " ".join(fmt(x) for x in sorted(used.elements()))
        need = " ".join(fmt(x) for x in sorted(wanted.elements()))
        return Verdict(False, f"uses {have}, the puzzle is {need}", expression)
    try:
        value = _value(tree)
    except ExpressionError as exc:
        return Verdict(False, str(exc), expression)
    if value != TARGET:
        return Verdict(False, f"equals {fmt(value)}, not {TARGET}", expression, value)
    return Verdict(True, "ok", expression, value)
