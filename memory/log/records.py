"""The records the log hands out: what callers read, compare and export. Frozen dataclasses,
so a record read from the log cannot drift from the row it came from."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant"]
Label = Literal["good", "bad"]
Outcome = Literal["a", "b", "tie", "both_bad"]

ROLES: tuple[str, ...] = ("system", "user", "assistant")
OUTCOMES: tuple[str, ...] = ("a", "b", "tie", "both_bad")


@dataclass(frozen=True)
class Generation:
    """How one answer was produced, logged so any answer can be explained and reproduced."""

    model: str
    adapter: str | None = None
    prompt_version: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)  # sampling params, JSON-shaped
    seed: int | None = None
    chunk_ids: Sequence[str] = ()  # retrieved memory chunks, in prompt order
    tot_tree: Any = None  # the Tree-of-Thoughts search tree, JSON-shaped
    tokens_in: int | None = None
    tokens_out: int | None = None
    latency_s: float | None = None
    ttft_s: float | None = None  # time to first token
    interrupted: bool = False
    withheld: str | None = None  # the answer shown as an abstention, as its sources did not support it

    def __post_init__(self) -> None:
        if not isinstance(self.model, str) or not self.model:
            raise ValueError("model: must be a non-empty string")
        if not isinstance(self.params, Mapping):
            raise ValueError("params: must be a mapping")
        if isinstance(self.chunk_ids, str) or not all(isinstance(c, str) for c in self.chunk_ids):
            raise ValueError("chunk_ids: must be a sequence of strings")
        object.__setattr__(self, "chunk_ids", tuple(self.chunk_ids))
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int)):
            raise ValueError("seed: must be an integer or None")
        for name in ("tokens_in", "tokens_out"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError(f"{name}: must be an integer or None")
            if value is not None and value < 0:
                raise ValueError(f"{name}: must be >= 0, got {value}")
        for name in ("latency_s", "ttft_s"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, int | float) and math.isfinite(value)):
                raise ValueError(f"{name}: must be a finite number or None")
            if value is not None and value < 0:
                raise ValueError(f"{name}: must be >= 0, got {value}")
        if not isinstance(self.interrupted, bool):
            raise ValueError("interrupted: must be a bool")
        if self.withheld is not None and not isinstance(self.withheld, str):
            raise ValueError("withheld: must be a string or None")


@dataclass(frozen=True)
class Message:
    """One message of a conversation; `generation` is set for logged assistant answers."""

    id: str
    conversation_id: str
    position: int
    role: str
    content: str
    created: str
    generation: Generation | None = None

    def chat(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class Conversation:
    """A conversation with its messages in order."""

    id: str
    created: str
    updated: str
    title: str | None
    model: str | None
    system: str | None
    messages: tuple[Message, ...] = ()

    def chat(self) -> list[dict[str, str]]:
        """The messages as chat dicts, the system prompt first: what a template renders."""
        head = [{"role": "system", "content": self.system}] if self.system else []
        return head + [m.chat() for m in self.messages]


@dataclass(frozen=True)
class ConversationSummary:
    """One line of `kigi logs`."""

    id: str
    created: str
    updated: str
    title: str | None
    model: str | None
    message_count: int


@dataclass(frozen=True)
class Candidate:
    """One answer to a user turn; index 0 is the answer logged in the conversation."""

    id: str
    turn_id: str  # the user message it answers
    index: int
    content: str
    created: str
    message_id: str | None = None  # the assistant message, when it is in the conversation
    generation_id: str | None = None
    generation: Generation | None = None


@dataclass(frozen=True)
class Rating:
    """A 1-5 score and/or a good/bad label on one candidate."""

    id: str
    candidate_id: str
    score: int | None
    label: str | None
    rater: str
    created: str


@dataclass(frozen=True)
class Turn:
    """A user turn with its candidates: what `kigi rate` shows side by side."""

    conversation_id: str
    message: Message
    prompt: tuple[dict[str, str], ...]
    candidates: tuple[Candidate, ...]
    judgements: int  # preferences already recorded for this turn


@dataclass(frozen=True)
class PreferencePair:
    """A comparison of two candidates: `a` was shown first, `outcome` is what the rater said."""

    id: str
    turn_id: str
    conversation_id: str
    prompt: tuple[dict[str, str], ...]
    a: Candidate
    b: Candidate
    outcome: str
    rater: str
    created: str
    reason: str | None = None  # the rater's own words, when it gave any

    @property
    def chosen(self) -> Candidate | None:
        return {"a": self.a, "b": self.b}.get(self.outcome)

    @property
    def rejected(self) -> Candidate | None:
        return {"a": self.b, "b": self.a}.get(self.outcome)

    def record(self) -> dict[str, Any] | None:
        """The TRL conversational preference record, or None for a tie or both bad."""
        chosen, rejected = self.chosen, self.rejected
        if chosen is None or rejected is None:
            return None
        gen_c, gen_r = chosen.generation, rejected.generation
        return {
            "prompt": [dict(m) for m in self.prompt],
            "chosen": [{"role": "assistant", "content": chosen.content}],
            "rejected": [{"role": "assistant", "content": rejected.content}],
            "metadata": {
                "pair_id": self.id,
                "conversation_id": self.conversation_id,
                "turn_id": self.turn_id,
                "chosen_candidate_id": chosen.id,
                "rejected_candidate_id": rejected.id,
                "model": gen_c.model if gen_c else None,
                "adapter": gen_c.adapter if gen_c else None,
                "prompt_version": gen_c.prompt_version if gen_c else None,
                "rejected_model": gen_r.model if gen_r else None,
                "rejected_adapter": gen_r.adapter if gen_r else None,
                "rejected_prompt_version": gen_r.prompt_version if gen_r else None,
                "rater": self.rater,
                "reason": self.reason,
                "created": self.created,
                "shown_first": "chosen" if self.outcome == "a" else "rejected",
            },
        }


@dataclass(frozen=True)
class PrefsStats:
    """Counts for `kigi prefs stats`; `first_shown_won` against `pairs` shows position bias."""

    pairs: int
    ties: int
    both_bad: int
    first_shown_won: int
    turns_ready: int  # user turns with two or more candidates
    turns_judged: int
    candidates: int
    ratings: int
    good: int
    bad: int
    mean_score: float | None


@dataclass(frozen=True)
class EvalRun:
    """The parameters and summary of one `kigi eval` run."""

    id: str
    name: str
    params: dict[str, Any]
    summary: dict[str, Any]
    created: str



@dataclass(frozen=True)
class PromptVersion:
    """The texts of one version of a named prompt, and when the log first saw it."""

    name: str
    version: str
    texts: dict[str, str]
    first_seen: str
