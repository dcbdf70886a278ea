"""Game of 24: solver, verifier, puzzle file, prompts, the ToT task and training data.

Four numbers, + - * / and parentheses, each number used exactly once, to make 24. The
puzzle list (`game24.csv`, columns `Rank,Puzzles,...`) is read by path and never copied
into the repository; ranks 901-1000 are the paper's test set, kept out of training data.

A ToT state is the steps taken so far, one per line, as in the paper:
`4 + 8 = 12 (left: 4 6 12)`; the root is the empty string. Model text is parsed, never
`eval`-ed: numbers are exact `Fraction`s throughout.
"""

from __future__ import annotations

import csv
import random
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from agent.errors import AgentError
from agent.tot import Message, Render, Task, plain_render

TARGET = 24
# The Tree-of-Thoughts paper's test set: ranks 901-1000 of game24.csv. Never train on it.
TEST_RANKS = range(901, 1001)
OPS = "+-*/"


class Game24Error(AgentError):
    """A puzzle file, rank range or puzzle that cannot be used."""


class HeldOutPuzzleError(Game24Error):
    """A test-set puzzle reached code that makes training data."""


# -- numbers -----------------------------------------------------------------------------


def fmt(x: Fraction | int) -> str:
    """A number as the prompts write it: `12`, `8/3`, `-4`."""
    x = _frac(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def _apply(a: Fraction, op: str, b: Fraction) -> Fraction:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return a / b  # ZeroDivisionError is the caller's to handle


def _key(values: Iterable[Fraction]) -> tuple[Fraction, ...]:
    return tuple(sorted(values))


def _frac(x: Fraction | int | str) -> Fraction:
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


def next_steps(numbers: Sequence[Fraction | int], *, nonnegative: bool = True) -> list[Step]:
    """Every distinct step from `numbers`: each pair, each operator, both orders where
    they differ (only non-negative results unless asked; they always suffice for 1-13)."""
    return list(_next_steps(_key(_frac(x) for x in numbers), nonnegative))


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
                result = _apply(a, op, b)
                steps.append(Step(a, op, b, result, _key([*rest, result])))
    return tuple(steps)


@lru_cache(maxsize=1 << 17)
def _solvable(values: tuple[Fraction, ...]) -> bool:
    if len(values) == 1:
        return values[0] == TARGET
    return any(_solvable(step.left) for step in _next_steps(values, False))


def solvable(numbers: Sequence[Fraction | int]) -> bool:
    """True when the numbers can make 24 (exact, every operator order tried)."""
    return bool(numbers) and _solvable(_key(_frac(x) for x in numbers))


def solve_steps(numbers: Sequence[Fraction | int]) -> list[Step] | None:
    """One list of steps that reaches 24, non-negative ones preferred, or None."""
    values = _key(_frac(x) for x in numbers)
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


def compose_answer(numbers: Sequence[Fraction | int], steps: Sequence[Step]) -> str | None:
    """Steps rewritten as one expression over the original numbers, or None when a step
    uses a number that is not there. No arithmetic is checked: the verifier does that."""
    # pool items: (value, expression, its top operator or "" for a bare number)
    pool: list[tuple[Fraction, str, str]] = [(_frac(x), fmt(_frac(x)), "") for x in numbers]
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


# -- verifier ----------------------------------------------------------------------------


class ExpressionError(ValueError):
    """Text that is not an arithmetic expression over + - * / and parentheses."""


_NORMALISE = str.maketrans({"×": "*", "÷": "/", "−": "-", "–": "-", "·": "*"})
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|(\S))")
_MAX_EXPRESSION = 200

Ast = Any  # ("num", Fraction) | (op, Ast, Ast)


def parse_expression(text: str) -> Ast:
    """Parse `text` into a tiny syntax tree; raises ExpressionError."""
    text = text.translate(_NORMALISE).strip()
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
    return _apply(left, tree[0], right)


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


def _strip_markup(text: str) -> str:
    """Markdown around an answer: code ticks, math dollars, bold stars (`**` is never
    exponentiation here; a space keeps `1**2` from becoming 12)."""
    return text.replace("`", "").replace("$", "").replace("**", " ").strip()


def _expression_part(text: str) -> str:
    """`Answer: (6 - 4) * (4 + 8) = 24` -> `(6 - 4) * (4 + 8)`."""
    text = _strip_markup(text)
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
    wanted = Counter(_frac(x) for x in numbers)
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


# -- the puzzle file ---------------------------------------------------------------------


@dataclass(frozen=True)
class Puzzle:
    rank: int
    numbers: tuple[int, ...]

    @property
    def text(self) -> str:
        return " ".join(str(x) for x in self.numbers)

    @property
    def is_test(self) -> bool:
        return self.rank in TEST_RANKS


def default_data_path() -> Path:
    """`../shared/data/game24.csv`, beside the repository root."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "data" / "game24.csv"


def load_puzzles(path: str | Path) -> list[Puzzle]:
    """All puzzles of a game24.csv file (columns `Rank`, `Puzzles`), in file order."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = {"Rank", "Puzzles"} - set(reader.fieldnames or ())
            if missing:
                raise Game24Error(f"{path}: missing column(s) {', '.join(sorted(missing))}")
            puzzles = []
            for line, row in enumerate(reader, start=2):
                try:
                    numbers = tuple(int(x) for x in row["Puzzles"].split())
                    puzzles.append(Puzzle(int(row["Rank"]), numbers))
                except (ValueError, AttributeError) as exc:
                    raise Game24Error(f"{path}:{line}: bad row {row!r}") from exc
                if len(numbers) != 4:
                    raise Game24Error(
                        f"{path}:{line}: expected 4 numbers, got {row['Puzzles']!r}"
                    )
    except FileNotFoundError:
        raise Game24Error(f"no puzzle file at {path}") from None
    return puzzles


def parse_rank_range(text: str) -> tuple[int, int]:
    """`901-1000` -> (901, 1000), inclusive; `5` -> (5, 5)."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", text)
    if not match:
        raise Game24Error(f"range must look like 901-1000, got {text!r}")
    lo = int(match.group(1))
    hi = int(match.group(2) or lo)
    if lo < 1 or hi < lo:
        raise Game24Error(f"range must be 1 <= first <= last, got {text!r}")
    return lo, hi


def select_ranks(puzzles: Iterable[Puzzle], ranks: str | tuple[int, int]) -> list[Puzzle]:
    lo, hi = parse_rank_range(ranks) if isinstance(ranks, str) else ranks
    return [p for p in puzzles if lo <= p.rank <= hi]


# -- prompts -----------------------------------------------------------------------------
# Short, zero-shot prompts: a 135M model reads them and adapters are trained on them.
# Few-shot variants (examples as earlier chat turns) are for the base model only.

STEP_FORMAT = "a op b = c (left: numbers now)"
PROPOSE_PROMPT = (
    "Game of 24. Numbers: {numbers}\n"
    "Combine two numbers with +, -, * or /. List possible next steps, one per line, "
    f"as: {STEP_FORMAT}"
)
SAMPLE_PROMPT = (
    "Game of 24. Numbers: {numbers}\n"
    f"Combine two numbers with +, -, * or /. Write one next step as: {STEP_FORMAT}"
)
VALUE_PROMPT = (
    "Game of 24. Numbers: {numbers}\n"
    "Can these numbers make 24 with +, -, * and /, each used once? "
    "Answer sure, likely or impossible."
)
JUDGE_PROMPT = (
    "Game of 24. Numbers: {numbers}\nAnswer: {answer}\n"
    "Does it use each number once and equal 24? Answer sure or impossible."
)
ANSWER_PROMPT = (
    "Game of 24. Numbers: {numbers}\nSteps:\n{steps}\n"
    "Write these steps as one expression, as: Answer: expression = 24"
)
VOTE_PROMPT = (
    "Game of 24. Which of these is most likely to reach 24?\n{choices}\n"
    "Answer with the number of the best choice."
)
IO_PROMPT = (
    "Use the numbers {numbers} and +, -, * and / to make 24, each number exactly once. "
    "Reply as: Answer: expression = 24"
)
COT_PROMPT = (
    "Use the numbers {numbers} and +, -, * and / to make 24, each number exactly once. "
    f"Go step by step, each step as: {STEP_FORMAT}. Then reply: Answer: expression = 24"
)
# Every prompt text by role, for versioning by content hash.
PROMPTS = {
    "propose": PROPOSE_PROMPT, "sample": SAMPLE_PROMPT, "value": VALUE_PROMPT,
    "judge": JUDGE_PROMPT, "answer": ANSWER_PROMPT, "vote": VOTE_PROMPT,
    "io": IO_PROMPT, "cot": COT_PROMPT,
}

# Few-shot examples, none from the test ranks (tests check them with the solver).
_SHOT_PROPOSE = (
    "2 3 5 12",
    "12 / 2 = 6 (left: 3 5 6)\n12 * 2 = 24 (left: 3 5 24)\n5 - 3 = 2 (left: 2 2 12)\n"
    "3 + 2 = 5 (left: 5 5 12)\n12 - 5 = 7 (left: 2 3 7)",
)
_SHOT_VALUE = (("4 6", "sure"), ("1 1 2", "impossible"), ("2 3 9", "sure"))
_SHOT_ANSWER = (
    "4 4 6 8",
    "6 - 4 = 2 (left: 2 4 8)\n8 - 2 = 6 (left: 4 6)\n6 * 4 = 24 (left: 24)",
    "Answer: (8 - (6 - 4)) * 4 = 24",
)
_SHOT_IO = (
    ("4 4 6 8", "Answer: (4 + 8) * (6 - 4) = 24"),
    ("1 2 3 4", "Answer: 1 * 2 * 3 * 4 = 24"),
)
_SHOT_COT = (
    "4 4 6 8",
    "4 + 8 = 12 (left: 4 6 12)\n6 - 4 = 2 (left: 2 12)\n2 * 12 = 24 (left: 24)\n"
    "Answer: (6 - 4) * (4 + 8) = 24",
)


def _numbers_text(values: Iterable[Fraction | int]) -> str:
    return " ".join(fmt(x) for x in sorted(_frac(v) for v in values))


def _chat(prompt: str, numbers: Iterable[Fraction | int], shots: Iterable[tuple[str, str]],
          few_shot: bool) -> list[Message]:
    """The prompt for `numbers`, after the examples as earlier turns when `few_shot`."""
    messages: list[Message] = []
    if few_shot:
        for example, reply in shots:
            messages.append({"role": "user", "content": prompt.format(numbers=example)})
            messages.append({"role": "assistant", "content": reply})
    messages.append({"role": "user", "content": prompt.format(numbers=_numbers_text(numbers))})
    return messages


def propose_messages(numbers: Iterable[Fraction | int], few_shot: bool = False) -> list[Message]:
    return _chat(PROPOSE_PROMPT, numbers, [_SHOT_PROPOSE], few_shot)


def sample_messages(numbers: Iterable[Fraction | int], few_shot: bool = False) -> list[Message]:
    shot = (_SHOT_PROPOSE[0], _SHOT_PROPOSE[1].split("\n")[0])
    return _chat(SAMPLE_PROMPT, numbers, [shot], few_shot)


def value_messages(numbers: Iterable[Fraction | int], few_shot: bool = False) -> list[Message]:
    return _chat(VALUE_PROMPT, numbers, _SHOT_VALUE, few_shot)


def judge_messages(puzzle: Sequence[int], answer: str) -> list[Message]:
    content = JUDGE_PROMPT.format(numbers=_numbers_text(puzzle), answer=answer)
    return [{"role": "user", "content": content}]


def answer_messages(puzzle: Sequence[int], steps: str, few_shot: bool = False) -> list[Message]:
    messages: list[Message] = []
    if few_shot:
        example = ANSWER_PROMPT.format(numbers=_SHOT_ANSWER[0], steps=_SHOT_ANSWER[1])
        messages += [{"role": "user", "content": example},
                     {"role": "assistant", "content": _SHOT_ANSWER[2]}]
    content = ANSWER_PROMPT.format(numbers=_numbers_text(puzzle), steps=steps.strip())
    return [*messages, {"role": "user", "content": content}]


def vote_messages(choices: Sequence[str]) -> list[Message]:
    lines = "\n".join(f"{i}. {c}" for i, c in enumerate(choices, start=1))
    return [{"role": "user", "content": VOTE_PROMPT.format(choices=lines)}]


def io_messages(numbers: Sequence[int], few_shot: bool = False) -> list[Message]:
    """The IO baseline's prompt: the answer directly."""
    return _chat(IO_PROMPT, numbers, _SHOT_IO, few_shot)


def cot_messages(numbers: Sequence[int], few_shot: bool = False) -> list[Message]:
    """The CoT (and CoT-SC) baseline's prompt: steps, then the answer."""
    return _chat(COT_PROMPT, numbers, [_SHOT_COT], few_shot)


def few_shot_examples() -> list[tuple[str, str]]:
    """Every (numbers, reply) that a few-shot prompt shows; tests check them."""
    return [_SHOT_PROPOSE, *_SHOT_VALUE, (_SHOT_ANSWER[0], _SHOT_ANSWER[2]), *_SHOT_IO, _SHOT_COT]


# -- answers of the baselines ------------------------------------------------------------

_EXPRESSION_LINE = re.compile(r"^[\d\s()+\-*/×÷−–.=]+$")


def extract_answer(text: str) -> str | None:
    """The final expression of a model's reply (without `= 24`), or None.

    The last `Answer:` line wins; otherwise the last line that is only arithmetic and
    has an operator. The verifier decides whether it is right.
    """
    lines = [_strip_markup(line) for line in text.splitlines()]
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


# -- the task for Tree-of-Thoughts -------------------------------------------------------

_NUM = r"-?\d+(?:\.\d+)?(?:/\d+)?"
_STEP_LINE = re.compile(
    rf"({_NUM})\s*([-+*/×÷−–x])\s*({_NUM})\s*=\s*({_NUM})"
    r"(?:\s*\(\s*left\s*:?\s*([^)]*)\))?",
    flags=re.IGNORECASE,
)
_ANSWER_PREFIX = "Answer: "

Check = Literal["drop", "repair", "none"]
AnswerMode = Literal["compose", "model"]


def _parse_numbers(text: str) -> tuple[Fraction, ...] | None:
    items = [x for x in re.split(r"[\s,]+", text.strip()) if x]
    if not items or not all(re.fullmatch(_NUM, x) for x in items):
        return None
    return _key(Fraction(x) for x in items)


ParsedStep = tuple[Fraction, str, Fraction, Fraction, tuple[Fraction, ...] | None]


def parse_step(line: str) -> ParsedStep | None:
    """`4 + 8 = 12 (left: 4 6 12)` -> (4, '+', 8, 12, (4, 6, 12)); the left part may be absent."""
    match = _STEP_LINE.search(line.translate(_NORMALISE))
    if not match:
        return None
    a, op, b, result, left = match.groups()
    op = "*" if op.lower() == "x" else op
    left_values = None
    if left is not None:
        left_values = _parse_numbers(left)
        if left_values is None:
            return None
    return Fraction(a), op, Fraction(b), Fraction(result), left_values


class Game24Task(Task):
    """One puzzle as a ToT task.

    check: what to do with a proposed step whose numbers or arithmetic are wrong:
      drop it (default), repair it (recompute the result and what is left, like a
      calculator; the pair must still be there), or none (keep it as written).
    answer: compose the final expression from the steps (depth 3), or let the model
      write it after the third step (depth 4, the paper's way).
    """

    def __init__(
        self,
        puzzle: Puzzle | Sequence[int | Fraction] | str,
        *,
        render: Render = plain_render,
        few_shot: bool = False,
        check: Check = "drop",
        answer: AnswerMode = "compose",
    ) -> None:
        if isinstance(puzzle, Puzzle):
            puzzle = puzzle.numbers
        elif isinstance(puzzle, str):
            puzzle = puzzle.split()
        # whole numbers as int; a state of a search (`8/3 3 8`) may be a puzzle too
        numbers = tuple(
            int(x) if x.denominator == 1 else x for x in (_frac(v) for v in puzzle)
        )
        if not numbers:
            raise ValueError("puzzle must have at least one number")
        if check not in ("drop", "repair", "none"):
            raise ValueError(f"check must be drop, repair or none, got {check!r}")
        if answer not in ("compose", "model"):
            raise ValueError(f"answer must be compose or model, got {answer!r}")
        self.numbers = numbers
        self.render = render
        self.few_shot = few_shot
        self.check = check
        self.answer = answer

    @property
    def depth(self) -> int:
        """Thoughts from the root to a final answer."""
        return len(self.numbers) - 1 + (self.answer == "model")

    # state helpers
    def _lines(self, state: str) -> list[str]:
        return [line for line in state.splitlines() if line.strip()]

    def _answer_of(self, state: str) -> str | None:
        lines = self._lines(state)
        if lines and lines[-1].startswith(_ANSWER_PREFIX):
            return lines[-1][len(_ANSWER_PREFIX) :]
        return None

    def steps(self, state: str) -> list[Step]:
        steps = []
        for line in self._lines(state):
            if line.startswith(_ANSWER_PREFIX):
                continue
            parsed = parse_step(line)
            if parsed is not None and parsed[4] is not None:
                a, op, b, result, left = parsed
                steps.append(Step(a, op, b, result, left))
        return steps

    def left(self, state: str) -> tuple[Fraction, ...]:
        """The numbers still to combine."""
        steps = self.steps(state)
        return steps[-1].left if steps else _key(Fraction(x) for x in self.numbers)

    # the Task protocol
    def root(self) -> str:
        return ""

    def _needs_model_answer(self, state: str) -> bool:
        return (
            self.answer == "model"
            and self._answer_of(state) is None
            and self.left(state) == (Fraction(TARGET),)
        )

    def propose_prompt(self, state: str) -> str:
        if self._needs_model_answer(state):
            return self.render(answer_messages(self.numbers, state, self.few_shot))
        return self.render(propose_messages(self.left(state), self.few_shot))

    def sample_prompt(self, state: str) -> str:
        if self._needs_model_answer(state):
            return self.render(answer_messages(self.numbers, state, self.few_shot))
        return self.render(sample_messages(self.left(state), self.few_shot))

    def value_prompt(self, state: str) -> str:
        answer = self._answer_of(state)
        if answer is not None:
            return self.render(judge_messages(self.numbers, f"{answer} = {TARGET}"))
        return self.render(value_messages(self.left(state), self.few_shot))

    def vote_prompt(self, states: Sequence[str]) -> str:
        choices = []
        for state in states:
            answer = self._answer_of(state)
            choices.append(
                f"Answer: {answer}" if answer is not None
                else f"Numbers: {_numbers_text(self.left(state))}"
            )
        return self.render(vote_messages(choices))

    def parse_thoughts(self, state: str, text: str) -> list[str]:
        if self._needs_model_answer(state):
            expression = extract_answer(text)
            return [f"{state}{_ANSWER_PREFIX}{expression}\n"] if expression else []
        current = self.left(state)
        if len(current) < 2:
            return []
        children = []
        for line in text.splitlines():
            step = self._checked_step(current, line)
            if step is not None:
                children.append(f"{state}{step.line()}\n")
        return children

    def _checked_step(self, current: tuple[Fraction, ...], line: str) -> Step | None:
        parsed = parse_step(line)
        if parsed is None:
            return None
        a, op, b, result, left = parsed
        rest = list(current)
        for x in (a, b):
            if x in rest:
                rest.remove(x)
            elif self.check != "none":
                return None
        if self.check == "none":
            if left is None:
                return None
            return Step(a, op, b, result, left)
        try:
            true_result = _apply(a, op, b)
        except ZeroDivisionError:
            return None
        true_left = _key([*rest, true_result])
        if self.check == "drop" and (result != true_result or left != true_left):
            return None
        return Step(a, op, b, true_result, true_left)

    def is_final(self, state: str) -> bool:
        if self._answer_of(state) is not None:
            return True
        left = self.left(state)
        if len(left) > 1:
            return False
        return self.answer == "compose" or left != (Fraction(TARGET),)

    def final_answer(self, state: str) -> str | None:
        answer = self._answer_of(state)
        if answer is not None:
            return f"{answer} = {TARGET}"
        if self.answer == "compose" and self.left(state) == (Fraction(TARGET),):
            expression = compose_answer(self.numbers, self.steps(state))
            return None if expression is None else f"{expression} = {TARGET}"
        return None

    def judge(self, answer: str) -> bool:
        return verify(self.numbers, answer).ok

    def state_key(self, state: str) -> str:
        answer = self._answer_of(state)
        key = f"{len(self.steps(state))}:{_numbers_text(self.left(state))}"
        return key if answer is None else key + "|" + re.sub(r"\s+", "", answer)

    def describe(self, state: str) -> str:
        lines = self._lines(state)
        return lines[-1] if lines else f"Numbers: {_numbers_text(self.numbers)}"


# -- training data -----------------------------------------------------------------------

ExampleKind = Literal["propose", "value", "answer"]


@dataclass(frozen=True)
class TrainingExample:
    """One chat SFT example (`{"messages": [...]}`) and where it came from."""

    kind: ExampleKind
    rank: int
    puzzle: tuple[int, ...]
    state: str  # the numbers the prompt shows
    messages: tuple[dict[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "messages": [dict(m) for m in self.messages],
            "meta": {"task": "game24", "kind": self.kind, "rank": self.rank,
                     "puzzle": list(self.puzzle), "state": self.state},
        }


def held_out_numbers(puzzles: Iterable[Puzzle]) -> set[tuple[int, ...]]:
    """The numbers (sorted) of the test-rank puzzles in `puzzles`."""
    return {tuple(sorted(p.numbers)) for p in puzzles if p.rank in TEST_RANKS}


def check_not_test(puzzle: Puzzle, test_numbers: Collection[tuple[int, ...]] = ()) -> None:
    """Raise HeldOutPuzzleError when `puzzle` is a test puzzle (by rank or by numbers)."""
    if puzzle.rank in TEST_RANKS or tuple(sorted(puzzle.numbers)) in test_numbers:
        raise HeldOutPuzzleError(
            f"puzzle {puzzle.text} (rank {puzzle.rank}) is in the test set "
            f"(ranks {TEST_RANKS.start}-{TEST_RANKS.stop - 1}); it must not be trained on"
        )


def training_puzzles(
    puzzles: Sequence[Puzzle], ranks: str | tuple[int, int] | None = None
) -> list[Puzzle]:
    """Puzzles that training may use: `ranks` (default: all) minus the test set.

    Asking for a range that overlaps the test ranks is an error, not a silent skip.
    """
    held_out = held_out_numbers(puzzles)
    if ranks is not None:
        lo, hi = parse_rank_range(ranks) if isinstance(ranks, str) else ranks
        if lo <= TEST_RANKS.stop - 1 and hi >= TEST_RANKS.start:
            raise HeldOutPuzzleError(
                f"ranks {lo}-{hi} overlap the test set "
                f"(ranks {TEST_RANKS.start}-{TEST_RANKS.stop - 1})"
            )
        puzzles = select_ranks(puzzles, (lo, hi))
    return [p for p in puzzles if not p.is_test and tuple(sorted(p.numbers)) not in held_out]


def _propose_target(values: tuple[Fraction, ...], lines: int, rng: random.Random) -> str:
    """Next steps that can still reach 24 first (whole numbers before fractions), then
    others; one step per distinct result, so every line is a different child of the search;
    shuffled within each group so position carries no enumeration order."""
    groups: list[list[Step]] = [[], [], []]
    seen: set[tuple[Fraction, ...]] = set()
    steps = next_steps(values)
    rng.shuffle(steps)
    for step in steps:
        if step.left in seen:
            continue
        seen.add(step.left)
        if _solvable(step.left):
            groups[0 if step.result.denominator == 1 else 1].append(step)
        else:
            groups[2].append(step)
    return "\n".join(s.line() for s in (groups[0] + groups[1] + groups[2])[:lines])


def _random_state(
    numbers: tuple[int, ...], depth: int, rng: random.Random
) -> tuple[Fraction, ...]:
    values = [_frac(x) for x in numbers]
    for _ in range(depth):
        i, j = rng.sample(range(len(values)), 2)
        a, b = max(values[i], values[j]), min(values[i], values[j])
        op = rng.choice("+-*/") if b != 0 else rng.choice("+-*")
        if op == "/" and a != 0 and rng.random() < 0.25:
            a, b = b, a  # now and then the smaller over the larger, as in 5 * (5 - 1 / 5)
        result = _apply(a, op, b)
        values = [v for k, v in enumerate(values) if k not in (i, j)] + [result]
    return _key(values)


def generate_training_examples(
    puzzles: Sequence[Puzzle],
    *,
    kinds: Sequence[ExampleKind] = ("propose", "value"),
    states_per_puzzle: int = 4,
    propose_lines: int = 6,
    test_numbers: Collection[tuple[int, ...]] = (),
    seed: int = 0,
) -> list[TrainingExample]:
    """Zero-shot SFT examples whose targets come from the solver.

    propose: the puzzle and `states_per_puzzle` states after one or two random steps,
    target = up to `propose_lines` next steps, the ones that can still reach 24 first.
    value: the same kind of states, half that can reach 24 ("sure") and half that
    cannot ("impossible") where both exist. answer: the solver's steps -> the expression.
    Raises HeldOutPuzzleError if any puzzle is a test puzzle (filter with
    `training_puzzles` first); identical prompts are emitted once.
    """
    if states_per_puzzle < 1:
        raise ValueError(f"states_per_puzzle must be >= 1, got {states_per_puzzle}")
    if propose_lines < 1:
        raise ValueError(f"propose_lines must be >= 1, got {propose_lines}")
    unknown = set(kinds) - {"propose", "value", "answer"}
    if unknown:
        raise ValueError(f"kinds must be propose, value or answer, got {sorted(unknown)}")
    for puzzle in puzzles:
        check_not_test(puzzle, test_numbers)
    rng = random.Random(seed)
    examples: list[TrainingExample] = []
    seen: set[str] = set()

    def emit(
        kind: ExampleKind, puzzle: Puzzle, state: str, messages: list[Message], reply: str
    ) -> None:
        prompt = messages[-1]["content"]
        if prompt in seen:
            return
        seen.add(prompt)
        check_not_test(puzzle, test_numbers)  # the last guard before anything leaves
        full = (*({**m} for m in messages), {"role": "assistant", "content": reply})
        examples.append(TrainingExample(kind, puzzle.rank, puzzle.numbers, state, full))

    for puzzle in puzzles:
        root = _key(Fraction(x) for x in puzzle.numbers)
        states = [root]
        sure: list[tuple[Fraction, ...]] = []
        impossible: list[tuple[Fraction, ...]] = []
        for _ in range(8 * states_per_puzzle):
            state = _random_state(puzzle.numbers, rng.choice((1, 2)), rng)
            bucket = sure if _solvable(state) else impossible
            if state not in sure and state not in impossible:
                bucket.append(state)
        half = states_per_puzzle // 2
        picked = sure[: states_per_puzzle - min(half, len(impossible))]
        picked += impossible[: states_per_puzzle - len(picked)]
        states += picked
        for state in states:
            text = _numbers_text(state)
            if "propose" in kinds:
                target = _propose_target(state, propose_lines, rng)
                emit("propose", puzzle, text, propose_messages(state), target)
            if "value" in kinds:
                label = "sure" if _solvable(state) else "impossible"
                emit("value", puzzle, text, value_messages(state), label)
        if "answer" in kinds:
            steps = solve_steps(puzzle.numbers)
            if steps is not None:
                lines = "\n".join(s.line() for s in steps)
                expression = compose_answer(puzzle.numbers, steps)
                reply = f"{_ANSWER_PREFIX}{expression} = {TARGET}"
                messages = answer_messages(puzzle.numbers, lines)
                emit("answer", puzzle, _numbers_text(root), messages, reply)
    return examples


def training_examples_from_csv(
    path: str | Path, ranks: str | tuple[int, int] | None = None, **options: Any
) -> list[TrainingExample]:
    """Load the puzzle file, drop the test set, and generate examples (see above)."""
    puzzles = load_puzzles(path)
    return generate_training_examples(
        training_puzzles(puzzles, ranks), test_numbers=held_out_numbers(puzzles), **options
    )
