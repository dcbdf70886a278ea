"""Judging answers by ground truth, not by a model's taste (issue 16).

A simulated rater that prefers the shorter answer taught kigi's policies to evade, and win
rates judged by the reward model that trained the policy are circular. Here the rater and
the judge know the accepted answers (the `kigi eval rag` question format: `"answers": [...]`,
`[]` for a question nothing answers, where only an abstention is right):

- `rate` prefers the correct answer, then the better grounded one (the share of its
  sentences the sources support; 1.0 with no sources), then the shorter one, and says why;
- `TruthJudge` scores an answer 1 when correct and 0 otherwise, so a win rate judged by it
  counts answers that are right where the other is not, and its mean scores are accuracies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from agent.errors import AgentError
from agent.grounding import Citation, check_groundedness
from agent.rag_eval import RagQuestion, is_correct, read_questions

Choice = Literal["a", "b", "tie"]


@dataclass(frozen=True)
class Verdict:
    correct: bool
    grounded: float  # share of the sentences that need support and have it (1.0: nothing to check)
    length: int  # characters, stripped

    def key(self) -> tuple[bool, float, int]:
        return self.correct, round(self.grounded, 6), -self.length


def verdict(answer: str, question: RagQuestion, citations: Sequence[Citation] = ()) -> Verdict:
    grounded = check_groundedness(answer, citations).rate if citations else 1.0
    return Verdict(is_correct(answer, question), grounded, len(answer.strip()))


def rate(a: Verdict, b: Verdict) -> tuple[Choice, str]:
    """Which answer the rater prefers, and the reason in words (kept in the log)."""
    if a.correct != b.correct:
        return ("a", "only A is correct") if a.correct else ("b", "only B is correct")
    both = "both correct" if a.correct else "neither correct"
    if round(a.grounded, 6) != round(b.grounded, 6):
        better = "a" if a.grounded > b.grounded else "b"
        return better, f"{both}; {better.upper()} is better grounded ({a.grounded:.2f} vs {b.grounded:.2f})"
    if a.length != b.length:
        shorter = "a" if a.length < b.length else "b"
        return shorter, f"{both}, equally grounded; {shorter.upper()} is shorter ({a.length} vs {b.length} chars)"
    return "tie", f"{both}, equally grounded and as long"


class TruthError(AgentError):
    """A prompt the truth file has no answer for."""


@dataclass
class TruthJudge:
    """A pair judge (`agent.pref_evals.PairJudge`) by ground truth: 1 for a correct answer."""

    questions: dict[str, RagQuestion]
    name: str = "truth"

    @classmethod
    def from_file(cls, path: Path) -> TruthJudge:
        questions = read_questions(path)
        return cls({q.question.strip(): q for q in questions}, name=f"truth:{path.name}")

    def question_of(self, prompt: Sequence[Mapping[str, str]]) -> RagQuestion:
        users = [m["content"] for m in prompt if m["role"] == "user"]
        asked = users[-1].strip() if users else ""
        if asked not in self.questions:
            raise TruthError(f"no expected answer for the prompt {asked[:60]!r} in {self.name}")
        return self.questions[asked]

    def __call__(self, prompt: Sequence[Mapping[str, str]], first: str, second: str) -> tuple[float, float]:
        question = self.question_of(prompt)
        return float(is_correct(first, question)), float(is_correct(second, question))

    def prompts(self) -> list[list[dict[str, str]]]:
        """The truth file's questions as prompts (for a win rate on exactly them)."""
        return [[{"role": "user", "content": q}] for q in self.questions]
