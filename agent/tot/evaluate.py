"""State evaluation: the label words' probabilities, sampled judgements, votes, or any
scorer (a reward model)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from agent.tot.budget import BudgetExhausted, Meter, PartialScores, Seeds
from agent.tot.protocols import LanguageModel, Task

# The paper's weights: one "sure" outweighs many "likely"; "impossible" is nearly zero.
VALUE_LABELS: dict[str, float] = {"sure": 20.0, "likely": 1.0, "impossible": 0.001}

EvaluateMode = Literal["value", "sampled_value", "vote", "scorer"]
Scorer = Callable[[Task, Sequence[str]], Sequence[float]]


class StateEvaluator:
    """Scores of states; higher is better.

    value: the label words' probabilities as the next token after the value prompt, one
    forward pass per state, score = their probability-weighted weight (VALUE_LABELS).
    sampled_value: the paper's way, `n` sampled judgements, mean weight of the labels said.
    vote: `n` sampled votes over all states at once; score = votes received.
    scorer: any callable `(task, states) -> scores`, e.g. a reward model.
    Value and vote results are cached by prompt, across searches.
    """

    def __init__(
        self,
        lm: LanguageModel | None = None,
        mode: EvaluateMode = "value",
        *,
        labels: Mapping[str, float] | None = None,
        scorer: Scorer | None = None,
        temperature: float = 0.7,
        max_tokens: int = 16,
        seed: int | None = None,
        cache: bool = True,
    ) -> None:
        if mode not in ("value", "sampled_value", "vote", "scorer"):
            raise ValueError(f"mode must be value, sampled_value, vote or scorer, got {mode!r}")
        if mode == "scorer" and scorer is None:
            raise ValueError("scorer must be given when mode is 'scorer'")
        if mode != "scorer" and lm is None:
            raise ValueError(f"lm must be given when mode is {mode!r}")
        self.lm = lm
        self.mode = mode
        self.labels = dict(VALUE_LABELS if labels is None else labels)
        if not self.labels:
            raise ValueError("labels must not be empty")
        self.scorer = scorer
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.seeds = Seeds(seed)
        self.cache: dict[tuple[str, str], Any] | None = {} if cache else None

    @classmethod
    def from_scorer(cls, scorer: Scorer) -> StateEvaluator:
        return cls(mode="scorer", scorer=scorer)

    def evaluate(
        self, task: Task, states: Sequence[str], n: int = 1, meter: Meter | None = None
    ) -> list[float | None]:
        """Scores of `states`, in order; None for those a budget left unscored."""
        meter = meter or Meter()
        if not states:
            return []
        if self.mode == "scorer":
            assert self.scorer is not None
            meter.check_time()
            scored = [float(s) for s in self.scorer(task, states)]
            meter.record(0)
            if len(scored) != len(states):
                raise ValueError(f"scorer returned {len(scored)} scores for {len(states)} states")
            return list(scored)
        if self.mode == "vote":
            return list(self._votes(task, states, n, meter))
        scores: list[float | None] = []
        for state in states:
            try:
                scores.append(self._value(task, state, n, meter))
            except BudgetExhausted as exc:
                scores.extend([None] * (len(states) - len(scores)))
                raise PartialScores(exc.reason, scores) from None
        return scores

    def _cached(self, key: tuple[str, str], meter: Meter) -> Any:
        if self.cache is not None and key in self.cache:
            meter.cache_hits += 1
            return self.cache[key]
        return None

    def _store(self, key: tuple[str, str], value: Any) -> None:
        if self.cache is not None:
            self.cache[key] = value

    def _sample(self, prompt: str, n: int, meter: Meter) -> list[str]:
        """`n` sampled judgements of one prompt, within the budget."""
        assert self.lm is not None
        lm = self.lm
        completions = meter.sample(
            lambda max_tokens, seed: lm.complete(
                prompt, n=n, max_tokens=max_tokens, temperature=self.temperature, seed=seed,
            ),
            max_tokens=self.max_tokens, n=n, seeds=self.seeds,
        )
        return [c.text for c in completions]

    def _value(self, task: Task, state: str, n: int, meter: Meter) -> float:
        assert self.lm is not None
        prompt = task.value_prompt(state)
        key = (self.mode, prompt)
        cached = self._cached(key, meter)
        if cached is not None:
            return cached
        words = list(self.labels)
        if self.mode == "value":
            meter.check_time()
            probs = self.lm.label_probs(prompt, words)
            meter.record(0)
            total = sum(probs)
            score = sum(p * self.labels[w] for p, w in zip(probs, words, strict=True)) / total if (
                total > 0
            ) else 0.0
        else:
            said = [_last_label(text, words) for text in self._sample(prompt, n, meter)]
            score = sum(self.labels[w] for w in said if w is not None) / max(len(said), 1)
        self._store(key, score)
        return score

    def _votes(self, task: Task, states: Sequence[str], n: int, meter: Meter) -> list[float]:
        prompt = task.vote_prompt(states)
        key = ("vote", prompt)
        cached = self._cached(key, meter)
        if cached is not None:
            return list(cached)
        votes = [0.0] * len(states)
        for text in self._sample(prompt, n, meter):
            choice = task.parse_vote(text, len(states))
            if choice is not None:
                votes[choice] += 1
        self._store(key, tuple(votes))
        return votes


def _last_label(text: str, words: Sequence[str]) -> str | None:
    pattern = r"\b(" + "|".join(re.escape(w) for w in words) + r")\b"
    found = re.findall(pattern, text.lower())
    return found[-1] if found else None
