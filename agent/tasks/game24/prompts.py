"""Prompt texts of the Game of 24 and the chat messages built from them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

from agent.tasks.game24.arithmetic import as_fraction, fmt
from agent.tot.protocols import Message

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

# The line with which a reply gives its final expression.
ANSWER_PREFIX = "Answer: "

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


def numbers_text(values: Iterable[Fraction | int]) -> str:
    """Numbers as prompts and state keys show them: sorted, space-separated."""
    return " ".join(fmt(x) for x in sorted(as_fraction(v) for v in values))


def _chat(prompt: str, numbers: Iterable[Fraction | int], shots: Iterable[tuple[str, str]],
          few_shot: bool) -> list[Message]:
    """The prompt for `numbers`, after the examples as earlier turns when `few_shot`."""
    messages: list[Message] = []
    if few_shot:
        for example, reply in shots:
            messages.append({"role": "user", "content": prompt.format(numbers=example)})
            messages.append({"role": "assistant", "content": reply})
    messages.append({"role": "user", "content": prompt.format(numbers=numbers_text(numbers))})
    return messages


def propose_messages(numbers: Iterable[Fraction | int], few_shot: bool = False) -> list[Message]:
    return _chat(PROPOSE_PROMPT, numbers, [_SHOT_PROPOSE], few_shot)


def sample_messages(numbers: Iterable[Fraction | int], few_shot: bool = False) -> list[Message]:
    shot = (_SHOT_PROPOSE[0], _SHOT_PROPOSE[1].split("\n")[0])
    return _chat(SAMPLE_PROMPT, numbers, [shot], few_shot)


def value_messages(numbers: Iterable[Fraction | int], few_shot: bool = False) -> list[Message]:
    return _chat(VALUE_PROMPT, numbers, _SHOT_VALUE, few_shot)


def judge_messages(puzzle: Sequence[int], answer: str) -> list[Message]:
    content = JUDGE_PROMPT.format(numbers=numbers_text(puzzle), answer=answer)
    return [{"role": "user", "content": content}]


def answer_messages(puzzle: Sequence[int], steps: str, few_shot: bool = False) -> list[Message]:
    messages: list[Message] = []
    if few_shot:
        example = ANSWER_PROMPT.format(numbers=_SHOT_ANSWER[0], steps=_SHOT_ANSWER[1])
        messages += [{"role": "user", "content": example},
                     {"role": "assistant", "content": _SHOT_ANSWER[2]}]
    content = ANSWER_PROMPT.format(numbers=numbers_text(puzzle), steps=steps.strip())
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
