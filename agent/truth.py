"""Judging answers by ground truth, not by a model's taste (issue 16).

A simulated rater that prefers the shorter answer taught kigi's policies to evade, and win
rates judged by the reward model that trained the policy are circular. Here the rater and
the judge know the accepted answers (the `kigi eval rag` question format: `"answers": [...]`,
`[]` for a question nothing answers, where only an abstention is right):

- `rate` prefers the correct answer, then the better grounded one (the share of its
  sentences the sources support; 1.0 with no sources), then the shorter one, and says why;
- `TruthJudge` scores an answer 1 when correct and 0 otherwise, so a win rate judged by it
  counts answers that are right where the other is not, and its mean scores are accuracies;
- `truth_reward` is PPO's reward from the same truth (a verifiable reward, no reward model
  to learn and to fool): 1 for a correct answer, less a little for its length.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from agent.errors import AgentError
from agent.grounding import Citation, check_groundedness, shown_answer
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


def truth_file(spec: str) -> Path | None:
    """`truth:FILE` (a judge's or a reward's spec) -> FILE; None for any other spec."""
    kind, _, name = spec.partition(":")
    return Path(name) if kind == "truth" and name else None


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


Render = Callable[[Sequence[Mapping[str, str]], bool], list[int]]  # messages -> ids, as PPO renders them
Decode = Callable[[Sequence[int]], str]


@dataclass(frozen=True)
class TruthReward:
    """PPO's reward by ground truth, for the rollouts of known prompts: 1 for a correct
    answer, minus `length_cost` times its share of `long_chars` (at most the whole cost).
    So any right answer outscores every wrong one (the rater's first rule) and, of two right
    ones, the shorter wins (its last): an answer that lists every name the sources hold, to
    contain the accepted one somewhere, pays for its length. `stop_ids` are cut from a
    response before it is read. A prompt with `sources` is judged on the answer kigi would
    show (`agent.grounding.shown_answer`): one its cited source does not support is withheld,
    so it scores as the abstention would, and a right name cited from the wrong source earns
    nothing, as in `kigi ask`."""

    questions: Mapping[tuple[int, ...], RagQuestion]  # by the prompt's rendered ids
    decode: Decode
    stop_ids: frozenset[int] = frozenset()
    length_cost: float = 0.1
    long_chars: int = 400
    sources: Mapping[tuple[int, ...], Sequence[Citation]] = field(default_factory=dict)  # by the prompt's ids

    def __call__(self, queries: Sequence[Sequence[int]], responses: Sequence[Sequence[int]]) -> list[float]:
        scores = []
        for query, response in zip(queries, responses, strict=True):
            key = tuple(query)
            question = self.questions.get(key)
            if question is None:
                raise TruthError("a rollout of a prompt that has no expected answer")
            text = self.decode([t for t in response if t not in self.stop_ids]).strip()
            cost = self.length_cost * min(1.0, len(text) / self.long_chars)
            scores.append(float(correct_as_shown(text, question, self.sources.get(key))) - cost)
        return scores


def correct_as_shown(answer: str, question: RagQuestion, sources: Sequence[Citation] | None = None) -> bool:
    """Whether `answer` is right as kigi would show it: withheld where `sources` (the numbered
    sources its prompt held) do not support it; read as written where there are none."""
    shown = shown_answer(answer, sources, question=question.question)[0] if sources else answer
    return is_correct(shown, question)


def truth_reward(prompts: Sequence[Sequence[Mapping[str, str]]], questions: Sequence[RagQuestion], render: Render,
                 decode: Decode, stop_ids: Sequence[int] = (),
                 sources: Sequence[Sequence[Citation]] | None = None) -> TruthReward:
    """The reward for PPO on `prompts`, each with its question (the accepted answers) and,
    given `sources`, the numbered sources its answer is checked against."""
    queries = [tuple(render(prompt, True)) for prompt in prompts]
    return TruthReward(dict(zip(queries, questions, strict=True)), decode, frozenset(stop_ids),
                       sources=dict(zip(queries, sources, strict=True)) if sources is not None else {})
