"""Training word problems: multi-step arithmetic stories with exact integer answers and a
solver-written trace of steps, one computation per step.

They are training data for the step-proposer, evaluator and answerer role adapters. The
held-out benchmark (`evals/questions/heldout.jsonl`) is written by other code with other
scenarios and wording, so that it is never a paraphrase of what was trained on; nothing
here may be imported by it. The templates are in `templates.py`, then `templates_more.py`
and `templates_extra.py`; how they write is in `stories.py`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from agent.tasks.word_problems.stories import Redraw, Template, Trace
from agent.tasks.word_problems.templates import NAMES
from agent.tasks.word_problems.templates import TEMPLATES as FIRST_TEMPLATES
from agent.tasks.word_problems.templates_more import MORE_TEMPLATES

__all__ = ["NAMES", "TEMPLATES", "TEMPLATE_IDS", "WordProblem", "draw", "generate"]

TEMPLATES: tuple[tuple[str, Template], ...] = FIRST_TEMPLATES + MORE_TEMPLATES
TEMPLATE_IDS = tuple(name for name, _ in TEMPLATES)
DISTRACTOR_RATE = 0.3
MAX_DRAWS = 200  # per problem; a template needs a handful at most


@dataclass(frozen=True)
class WordProblem:
    """One problem: the story, its integer answer and the solver's steps that reach it."""

    question: str
    answer: int
    steps: tuple[str, ...]
    template: str

    def __post_init__(self) -> None:
        if not isinstance(self.answer, int) or self.answer < 0:
            raise ValueError(f"answer must be an integer >= 0, got {self.answer!r}")
        if not 2 <= len(self.steps) <= 4:
            raise ValueError(f"steps must hold 2-4 computations, got {len(self.steps)}")

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "answer": self.answer, "steps": list(self.steps),
                "template": self.template}

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> WordProblem:
        return cls(question=str(record["question"]), answer=int(record["answer"]),
                   steps=tuple(str(s) for s in record["steps"]), template=str(record["template"]))


def draw(template_id: str, template: Template, rng: random.Random) -> WordProblem:
    """One problem from a template; numbers that break integer arithmetic are drawn again."""
    for _ in range(MAX_DRAWS):
        trace = Trace()
        try:
            story = template(rng, trace)
        except Redraw:
            continue
        facts, ask = rng.choice(story.phrasings)
        if rng.random() < DISTRACTOR_RATE:
            facts = f"{facts} {rng.choice(story.distractors)}"
        if not 2 <= len(trace.steps) <= 4:
            raise RuntimeError(f"template {template_id} wrote {len(trace.steps)} steps, not 2-4")
        return WordProblem(f"{facts} {ask}", trace.result, tuple(trace.steps), template_id)
    raise RuntimeError(f"template {template_id} found no integer problem in {MAX_DRAWS} draws")


def generate(n: int, seed: int) -> list[WordProblem]:
    """`n` distinct problems, the templates taken in turn so each gets its share; the same
    seed gives the same list."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    rng = random.Random(seed)
    seen: set[str] = set()
    problems = []
    for i in range(n):
        template_id, template = TEMPLATES[i % len(TEMPLATES)]
        for _ in range(MAX_DRAWS):
            problem = draw(template_id, template, rng)
            if problem.question not in seen:
                break
        else:
            raise RuntimeError(f"template {template_id} ran out of distinct questions")
        seen.add(problem.question)
        problems.append(problem)
    return problems
