"""One puzzle as a Tree-of-Thoughts task.

A state is the steps taken so far, one per line, as in the paper:
`4 + 8 = 12 (left: 4 6 12)`; the root is the empty string. The task checks steps like a
calculator and composes the answer; it never imports the solver (tests check it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

from agent.tasks.game24.arithmetic import TARGET, Step, as_fraction, combine, compose_answer, sorted_values
from agent.tasks.game24.prompts import (
    ANSWER_PREFIX,
    answer_messages,
    judge_messages,
    numbers_text,
    propose_messages,
    sample_messages,
    value_messages,
    vote_messages,
)
from agent.tasks.game24.puzzles import Puzzle
from agent.tasks.game24.replies import LeftListRule, extract_answer, parse_step
from agent.tasks.game24.verifier import verify
from agent.tot.protocols import Render, Task, plain_render

Check = Literal["drop", "repair", "none"]
AnswerMode = Literal["compose", "model"]


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
        left_guard: bool = False,
    ) -> None:
        if isinstance(puzzle, Puzzle):
            puzzle = puzzle.numbers
        elif isinstance(puzzle, str):
            puzzle = puzzle.split()
        # whole numbers as int; a state of a search (`8/3 3 8`) may be a puzzle too
        numbers = tuple(
            int(x) if x.denominator == 1 else x for x in (as_fraction(v) for v in puzzle)
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
        self.left_guard = left_guard

    @property
    def depth(self) -> int:
        """Thoughts from the root to a final answer."""
        return len(self.numbers) - 1 + (self.answer == "model")

    # state helpers
    def _lines(self, state: str) -> list[str]:
        return [line for line in state.splitlines() if line.strip()]

    def _answer_of(self, state: str) -> str | None:
        lines = self._lines(state)
        if lines and lines[-1].startswith(ANSWER_PREFIX):
            return lines[-1][len(ANSWER_PREFIX) :]
        return None

    def steps(self, state: str) -> list[Step]:
        steps = []
        for line in self._lines(state):
            if line.startswith(ANSWER_PREFIX):
                continue
            parsed = parse_step(line)
            if parsed is not None and parsed[4] is not None:
                a, op, b, result, left = parsed
                steps.append(Step(a, op, b, result, left))
        return steps

    def left(self, state: str) -> tuple[Fraction, ...]:
        """The numbers still to combine."""
        steps = self.steps(state)
        return steps[-1].left if steps else sorted_values(Fraction(x) for x in self.numbers)

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

    def format_rule(self, state: str) -> LeftListRule | None:
        """With `left_guard`, constrained decoding holds a proposal's `(left: …)` lists to
        as many numbers as a step leaves (`llm.text_rules`)."""
        count = len(self.left(state)) - 1
        if not self.left_guard or count < 1 or self._needs_model_answer(state):
            return None
        return LeftListRule(count)

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
                else f"Numbers: {numbers_text(self.left(state))}"
            )
        return self.render(vote_messages(choices))

    def parse_thoughts(self, state: str, text: str) -> list[str]:
        if self._needs_model_answer(state):
            expression = extract_answer(text)
            return [f"{state}{ANSWER_PREFIX}{expression}\n"] if expression else []
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
            true_result = combine(a, op, b)
        except ZeroDivisionError:
            return None
        true_left = sorted_values([*rest, true_result])
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
        key = f"{len(self.steps(state))}:{numbers_text(self.left(state))}"
        return key if answer is None else key + "|" + re.sub(r"\s+", "", answer)

    def describe(self, state: str) -> str:
        lines = self._lines(state)
        return lines[-1] if lines else f"Numbers: {numbers_text(self.numbers)}"
