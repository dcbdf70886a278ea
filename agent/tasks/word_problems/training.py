"""Training data for the ToT roles on ordinary questions, from solver-written traces.

Every example is a prompt the search really sends (`agent.tasks.open_question`: its step,
value and answer prompts, built by the task itself) with the answer a solver would give:
- step: the trace so far -> its next computation, or "So the answer is N." once done
  (which ends the path: the task treats an answer step as final);
- value: a path -> "sure" (it reaches the answer), "likely" (right so far), "impossible"
  (a computation with a wrong result, a right computation on the wrong set-up — another
  operation, or a number the step does not need — or a step that talks about reasoning);
- answer: the notes of a finished path -> "The answer is N."
The thoughts the adapter learns are computations, never sentences about reasoning.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from agent.tasks.open_question import OpenQuestionTask
from agent.tasks.step_check import evaluate
from agent.tasks.word_problems.generator import WordProblem, generate

RoleKind = Literal["step", "value", "answer"]
META_STEPS = (
    "Let's think about the problem step by step.", "First, we need to understand the question.",
    "The next step is to find the answer.", "We can solve this by reasoning carefully.",
    "Consider what the question is asking.", "This can be represented by a simple equation.",
)
_RESULT = re.compile(r"=\s*(\d+)")
_COMPUTATION = re.compile(r"^(\d+) ([-+×÷]) (\d+) = (\d+)(, so .*)$")
_OPERATIONS = ("+", "-", "×", "÷")


@dataclass(frozen=True)
class RoleDataConfig:
    problems: int = 600
    seed: int = 0
    wrong_paths: float = 0.5  # value examples: share of paths with a wrong or meta step
    values: int = 2  # value examples per problem
    depth: int = 5  # the search's depth the prompts are written for

    def __post_init__(self) -> None:
        if self.problems < 1:
            raise ValueError(f"RoleDataConfig.problems must be >= 1, got {self.problems}")
        if not 0 <= self.wrong_paths <= 1:
            raise ValueError(f"RoleDataConfig.wrong_paths must be in [0, 1], got {self.wrong_paths}")
        if self.values < 0:
            raise ValueError(f"RoleDataConfig.values must be >= 0, got {self.values}")
        if self.depth < 2:
            raise ValueError(f"RoleDataConfig.depth must be >= 2, got {self.depth}")


def trace(problem: WordProblem) -> list[str]:
    """The solver's steps, then the answer step that ends a path."""
    return [*problem.steps, f"So the answer is {problem.answer}."]


def _user_text(messages: Sequence[Any]) -> str:
    """A render that keeps the user's words: the task builds the prompt, the example holds it."""
    last = messages[-1]
    return last["content"] if isinstance(last, dict) else last.content


def _example(kind: RoleKind, problem: WordProblem, prompt: str, target: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": target}],
            "meta": {"task": "word_problems", "kind": kind, "template": problem.template}}


def _wrong_step(step: str, rng: random.Random) -> str | None:
    """The step with its result changed (None if it states none)."""
    match = _RESULT.search(step)
    if match is None:
        return None
    right = int(match.group(1))
    wrong = right + rng.choice([-10, -2, -1, 1, 2, 10, right or 3])
    return step[:match.start(1)] + str(max(wrong, 0) if wrong != right else right + 1) + step[match.end(1):]


def _wrong_setup(step: str, numbers: Sequence[int], rng: random.Random) -> str | None:
    """The step's arithmetic done right on the wrong set-up: another operation, or one operand
    swapped for another number of the problem — the mistake a small model makes most (None
    if no other integer set-up exists). The words after "so" keep the step's meaning."""
    match = _COMPUTATION.match(step)
    if match is None:
        return None
    a, op, b, result, so = int(match[1]), match[2], int(match[3]), int(match[4]), match[5]
    options = [(a, other, b) for other in _OPERATIONS if other != op]
    options += [(n, op, b) for n in numbers if n != a] + [(a, op, n) for n in numbers if n != b]
    rng.shuffle(options)
    for x, o, y in options:
        value = evaluate(f"{x} {o} {y}")  # the search's own calculator
        if value is not None and value.denominator == 1 and 0 <= value != result:
            return f"{x} {o} {y} = {value}" + re.sub(rf"(?<!\d){result}(?!\d)", str(value), so)
    return None


def _judged_path(steps: list[str], problem: WordProblem, rng: random.Random,
                 config: RoleDataConfig) -> tuple[list[str], str]:
    """A path for the evaluator and its label: a right prefix, or one ending in a wrong step
    (a wrong set-up half the time, a wrong result or a sentence about reasoning otherwise)."""
    cut = rng.randint(1, len(steps))
    if rng.random() >= config.wrong_paths:
        return steps[:cut], "sure" if cut == len(steps) else "likely"
    at = rng.randrange(min(cut, len(problem.steps)))
    kind = rng.random()
    if kind < 0.5:
        numbers = [int(n) for n in re.findall(r"\d+", problem.question)]
        wrong = _wrong_setup(steps[at], numbers, rng)
    else:
        wrong = _wrong_step(steps[at], rng) if kind < 0.85 else None
    return [*steps[:at], wrong or rng.choice(META_STEPS)], "impossible"


def role_examples(problem: WordProblem, rng: random.Random, config: RoleDataConfig) -> Iterator[dict[str, Any]]:
    task = OpenQuestionTask(problem.question, steps=config.depth, render=_user_text)
    steps = trace(problem)
    for i, step in enumerate(steps):
        yield _example("step", problem, task.sample_prompt("\n".join(steps[:i])), step)
    for _ in range(config.values):
        path, label = _judged_path(steps, problem, rng, config)
        yield _example("value", problem, task.value_prompt("\n".join(path)), label)
    yield _example("answer", problem, _user_text(task.answer_messages(steps)), f"The answer is {problem.answer}.")


def role_data(config: RoleDataConfig | None = None) -> Iterator[dict[str, Any]]:
    """The examples of `config.problems` generated training problems, the same for the same seed."""
    config = config or RoleDataConfig()
    rng = random.Random(config.seed)
    for problem in generate(config.problems, config.seed):
        yield from role_examples(problem, rng, config)
