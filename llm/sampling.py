"""The plain types that generation speaks: the settings an answer is sampled with and the
finished completion. They hold no tensors, so a client of a remote model (`llm.remote`)
uses them without importing torch."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SamplingConfig:
    max_new_tokens: int = 512
    temperature: float = 0.0  # 0 means greedy
    top_k: int = 0  # 0 means no top-k cut
    top_p: float = 1.0
    repetition_penalty: float = 1.0
    seed: int | None = None
    stop_token_ids: tuple[int, ...] = ()
    stop_strings: tuple[str, ...] = ()
    # (token id, bias) added to the logits the first token is chosen from, and to no later
    # ones: a reader's abstention can be made to need a margin over the best answer
    first_token_bias: tuple[tuple[int, float], ...] = ()
    # stop an answer that says one stretch of tokens 3 times in a row once the repeats fill
    # this many tokens (finish_reason "loop"; see llm/loops.py); 0: never
    loop_stop: int = 0

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError(f"SamplingConfig.max_new_tokens must be >= 1, got {self.max_new_tokens}")
        if self.temperature < 0:
            raise ValueError(f"SamplingConfig.temperature must be >= 0, got {self.temperature}")
        if self.top_k < 0:
            raise ValueError(f"SamplingConfig.top_k must be >= 0, got {self.top_k}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"SamplingConfig.top_p must be in (0, 1], got {self.top_p}")
        if self.repetition_penalty <= 0:
            raise ValueError(
                f"SamplingConfig.repetition_penalty must be > 0, got {self.repetition_penalty}")
        if self.loop_stop < 0:
            raise ValueError(f"SamplingConfig.loop_stop must be >= 0, got {self.loop_stop}")
        for token, bias in self.first_token_bias:
            if token < 0 or not math.isfinite(bias):
                raise ValueError(f"SamplingConfig.first_token_bias needs token ids >= 0 and finite biases, "
                                 f"got {(token, bias)}")

    @property
    def greedy(self) -> bool:
        return self.temperature == 0


@dataclass
class Completion:
    """One finished sequence: its ids, text and why it stopped."""

    token_ids: list[int] = field(default_factory=list)
    text: str = ""
    finish_reason: str = "length"  # stop | length | loop | interrupted
