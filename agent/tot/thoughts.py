"""Thought generation: the children of a state, proposed in one completion or sampled one
per completion."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, cast

from agent.tot.budget import BudgetExhausted, Meter, Seeds
from agent.tot.protocols import BatchingLanguageModel, Completion, LanguageModel, Task

if TYPE_CHECKING:
    from llm.text_rules import TextRule

GenerateMode = Literal["propose", "sample"]


class ThoughtGenerator:
    """Children of a state from the model.

    propose: each call's completion lists several thoughts, one per line (the paper runs
    one such call; `n` > 1 samples the list `n` times, in one batch). A greedy list (the
    default) is the same every time, so with `n` > 1 the first list stays greedy and the
    other `n` - 1 are sampled at `spread_temperature`: they list steps the greedy one
    misses (Game of 24, unseen puzzles: a step that keeps 24 reachable was listed for 23 of
    40 by the greedy list alone, for 38 with four lists sampled at 1.0 beside it).
    sample: `n` independent completions of one prompt, each one thought, in one batch.
    """

    def __init__(
        self,
        lm: LanguageModel,
        mode: GenerateMode = "propose",
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
        stop: Sequence[str] = (),
        seed: int | None = None,
        spread_temperature: float = 1.0,
    ) -> None:
        if mode not in ("propose", "sample"):
            raise ValueError(f"mode must be 'propose' or 'sample', got {mode!r}")
        self.lm = lm
        self.mode = mode
        if temperature is None:
            temperature = 0.0 if mode == "propose" else 0.7
        if max_tokens is None:
            max_tokens = 128 if mode == "propose" else 48
        self.temperature = temperature
        self.max_tokens = max_tokens
        for name, value in (("temperature", temperature), ("spread_temperature", spread_temperature)):
            if value < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")
        self.spread_temperature = spread_temperature
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be >= 1, got {self.max_tokens}")
        self.stop = tuple(stop)
        self.seeds = Seeds(seed)

    def generate(
        self, task: Task, state: str, n: int = 1, meter: Meter | None = None
    ) -> list[str]:
        meter = meter or Meter()
        if self.mode == "propose":
            prompt = task.propose_prompt(state)
        else:
            prompt = task.sample_prompt(state)
        completions = self._completions(prompt, n, meter, _format_rule(task, state))
        children: list[str] = []
        for completion in completions:
            children.extend(task.parse_thoughts(state, completion.text))
        return children

    def _completions(self, prompt: str, n: int, meter: Meter, rule: TextRule | None) -> list[Completion]:
        """`n` completions of `prompt`: one call, or a greedy list and `n` - 1 sampled ones
        (when the budget refuses the second call, the greedy list's children still count).
        A format `rule` is passed only when there is one: models without constrained
        decoding never see the argument."""
        ruled = {} if rule is None else {"rule": rule}
        calls = [(n, self.temperature)]
        if self.mode == "propose" and self.temperature == 0 and n > 1:
            calls = [(1, 0.0), (n - 1, self.spread_temperature)]
        completions: list[Completion] = []
        for count, temperature in calls:
            try:
                completions += meter.sample(
                    lambda max_tokens, seed, count=count, temperature=temperature: self.lm.complete(
                        prompt, n=count, max_tokens=max_tokens, temperature=temperature, stop=self.stop, seed=seed,
                        **ruled,
                    ),
                    max_tokens=self.max_tokens, n=count, seeds=self.seeds,
                )
            except BudgetExhausted:
                if not completions:
                    raise
                break
        return completions

    def batches(self, n: int) -> bool:
        """Whether `generate_each` decodes several states as one batch (else it costs the same
        as one `generate` call per state, and a budget is better checked between them)."""
        return n == 1 and callable(getattr(self.lm, "complete_each", None))

    def generate_each(
        self, task: Task, states: Sequence[str], meter: Meter | None = None
    ) -> list[list[str]]:
        """The children of each state, one thought list per state, decoded as one batch
        (frontier-wide: ToT's b states of a level cost one decode, not b)."""
        if not self.batches(1):
            raise TypeError("generate_each needs a model with complete_each")
        meter = meter or Meter()
        prompt_of = task.propose_prompt if self.mode == "propose" else task.sample_prompt
        lm = cast(BatchingLanguageModel, self.lm)
        prompts = [prompt_of(state) for state in states]
        rules = [_format_rule(task, state) for state in states]
        ruled = {"rules": rules} if any(rule is not None for rule in rules) else {}
        completions = meter.sample(
            lambda max_tokens, seed: lm.complete_each(
                prompts, max_tokens=max_tokens, temperature=self.temperature, stop=self.stop, seed=seed, **ruled,
            ),
            max_tokens=self.max_tokens, n=len(states), seeds=self.seeds, count=len(states),
        )
        return [task.parse_thoughts(state, c.text) for state, c in zip(states, completions, strict=True)]


def _format_rule(task: Task, state: str) -> TextRule | None:
    """The rule constrained decoding keeps a reply to, when the task has one for `state`
    (`format_rule`, e.g. the Game of 24's `(left: …)` guard)."""
    format_rule = getattr(task, "format_rule", None)
    return None if format_rule is None else format_rule(state)
