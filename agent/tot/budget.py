"""A search's budget: model calls, generated tokens and seconds, and the exceptions that
stop a search when one runs out."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from agent.tot.protocols import Completion


class BudgetExhausted(Exception):
    """Raised inside a search when a budget forbids the next model call."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Meter:
    """Counts model calls, generated tokens and seconds against a search's budget."""

    def __init__(
        self,
        max_tokens: int | None = None,
        max_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_tokens = max_tokens
        self.max_seconds = max_seconds
        self.clock = clock
        self.start = clock()
        self.tokens = 0
        self.calls = 0
        self.cache_hits = 0

    @property
    def seconds(self) -> float:
        return self.clock() - self.start

    def tokens_per_sample(self, max_tokens: int, n: int) -> int:
        """Check the clock and return the `max_tokens` a call of `n` samples may use."""
        self.check_time()
        if self.max_tokens is None:
            return max_tokens
        allowed = min(max_tokens, (self.max_tokens - self.tokens) // n)
        if allowed < 1:
            raise BudgetExhausted("max_tokens")
        return allowed

    def check_time(self) -> None:
        if self.max_seconds is not None and self.seconds >= self.max_seconds:
            raise BudgetExhausted("max_seconds")

    def record(self, tokens: int = 0) -> None:
        self.calls += 1
        self.tokens += tokens

    def sample(
        self,
        call: Callable[[int, int | None], Sequence[Completion]],
        *,
        max_tokens: int,
        n: int,
        seeds: Seeds,
        count: int = 1,
    ) -> list[Completion]:
        """One sampling call within the budget: `call(max_tokens, seed)` gets `max_tokens`
        cut to what is left for `n` samples and the next seed (`count` are taken: one per
        prompt of a batch; a call the budget refuses takes none), then its tokens count."""
        allowed = self.tokens_per_sample(max_tokens, n)
        completions = list(call(allowed, seeds.take(count)))
        self.record(sum(c.tokens for c in completions))
        return completions


class Seeds:
    """The seeds of one generator's or evaluator's successive calls: base, base + 1, ...,
    so that a seeded search repeats exactly; None throughout when there is no base."""

    def __init__(self, base: int | None) -> None:
        self.base = base
        self.taken = 0

    def take(self, count: int = 1) -> int | None:
        seed = None if self.base is None else self.base + self.taken
        self.taken += count
        return seed


class PartialScores(BudgetExhausted):
    """A budget ran out part way through a batch of evaluations; carries what was scored."""

    def __init__(self, reason: str, scores: list[float | None]) -> None:
        super().__init__(reason)
        self.scores = scores
