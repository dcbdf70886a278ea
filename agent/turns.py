"""What one turn of a conversation puts before the model and what it gets back."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agent.prompts import Message
from llm.sampling import SamplingConfig

if TYPE_CHECKING:
    from agent.grounding import Citation
    from memory.log import Generation


@dataclass(frozen=True)
class BestOf:
    """The sampled answers of a best-of-n turn, their scores, and which one was kept."""

    answers: list[str]
    scores: list[float]
    best: int


@dataclass
class TurnResult:
    """What one answer cost and how it ended."""

    text: str
    finish_reason: str  # stop | length | interrupted
    prompt_tokens: int
    completion_tokens: int
    ttft_s: float | None
    seconds: float
    sampling: SamplingConfig
    prompt_version: str
    message_id: str | None = None  # the logged assistant message (or candidate) id
    citations: list[Citation] = field(default_factory=list)  # the sources put in the prompt
    adapter: str | None = None  # the adapter that wrote it, when it was not the session's own
    withheld: str | None = None  # the reader's answer, when its sources did not support it

    @property
    def tokens_per_s(self) -> float:
        decode = self.seconds - (self.ttft_s or 0.0)
        return (self.completion_tokens - 1) / decode if self.completion_tokens > 1 and decode > 0 else 0.0

    def generation(self, model: str, adapter: str | None, tot_tree: object = None) -> Generation:
        """How this answer is logged; `adapter` is the session's own (used when none wrote it)."""
        from memory.log import Generation

        params = {k: v for k, v in dataclasses.asdict(self.sampling).items() if k != "seed"}
        return Generation(model=model, adapter=self.adapter or adapter, prompt_version=self.prompt_version,
                          params=params, seed=self.sampling.seed, tokens_in=self.prompt_tokens,
                          chunk_ids=[c.hit.id for c in self.citations], tokens_out=self.completion_tokens,
                          latency_s=self.seconds, ttft_s=self.ttft_s, interrupted=self.finish_reason == "interrupted",
                          tot_tree=tot_tree, withheld=self.withheld)


@dataclass(frozen=True)
class TurnInput:
    """What one turn puts before the model: the user message, the sources numbered in it,
    and the adapter that reads them (None: the session's own)."""

    user: Message
    citations: list[Citation] = field(default_factory=list)
    reader: str | None = None
    question: str = ""  # the question the sources answer (read with each source alone)
    picked: bool = False  # the sources show the passages picked among them all (agent/passage_pick.py)
