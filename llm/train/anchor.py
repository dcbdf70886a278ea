"""Anchors: answers a PPO policy must stay able to write (InstructGPT's "PPO-ptx", Ouyang et
al. 2022). A language-model loss on fixed (prompt, answer) pairs — for instance the
reference's own answers to everyday questions (`answered_anchors`) — is added to each PPO
step, so what the reward pays for on its prompts does not leak into answers to prompts it
never sees: the KL penalty watches only the sampled tokens of the prompts PPO is given, and
drift elsewhere (an everyday answer that starts to loop) goes unseen by it.

The answers are the reference's samples at temperature 1, so the loss is, up to the
reference's entropy, the forward KL from the reference on those prompts. Its greedy answers
would teach its mode instead and sharpen the policy everywhere: tried on the default model,
the rollouts' KL to the base rose to 3-5 nats in 13 iterations against ~1 without anchors.

A run keeps its anchors beside its checkpoint (`save_anchors`) and a resumed run reads them
back (`saved_anchors`): sampled again they can differ (they did, in a run resumed later: a
matmul's last bits may follow its thread count, which a generation fits to the idle cores)."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor, nn

from llm.loops import loops
from llm.lora import adapters_of
from llm.registry import write_text_atomic
from llm.sampling import SamplingConfig
from llm.train.loop import DataError, TrainingError
from llm.train.ppo_maths import masked_mean
from llm.train.rollouts import RolloutBatch, logprobs_and_values, sample_rollouts

ANCHORS_FILE = "anchors.json"  # in a run's checkpoint directory


def seeded_walk(count: int, seed: int, begin: int, end: int) -> list[int]:
    """Positions begin..end-1 of an endless walk over `count` items, in a fresh seeded order
    each pass: every item is used once before any repeats, and position p is the same item
    whoever asks (a resumed run walks on where it stopped)."""
    out = []
    for position in range(begin, end):
        order = list(range(count))
        random.Random(seed * 1_000_003 + position // count).shuffle(order)
        out.append(order[position % count])
    return out


@dataclass(frozen=True)
class Anchors:
    """(query, answer) token ids the policy is held to, a few of them each optimizer step."""

    queries: tuple[tuple[int, ...], ...]
    responses: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if not self.queries or len(self.queries) != len(self.responses):
            raise DataError(f"anchors need as many answers as prompts, at least one "
                            f"(got {len(self.queries)} prompts, {len(self.responses)} answers)")
        if any(not r for r in self.responses):
            raise DataError("an anchor has an empty answer")

    @classmethod
    def of(cls, queries: Sequence[Sequence[int]], responses: Sequence[Sequence[int]]) -> Anchors:
        return cls(tuple(map(tuple, queries)), tuple(map(tuple, responses)))

    def __len__(self) -> int:
        return len(self.queries)

    def sha256(self) -> str:
        return hashlib.sha256(json.dumps([self.queries, self.responses]).encode()).hexdigest()

    def for_step(self, step: int, count: int, seed: int, pad_id: int = 0) -> RolloutBatch:
        """The `count` anchors of optimizer step `step` (0-based), as one padded batch."""
        if count < 1:
            raise ValueError(f"anchors per step must be >= 1, got {count!r}")
        picked = seeded_walk(len(self), seed, step * count, (step + 1) * count)
        return RolloutBatch.build([self.queries[i] for i in picked], [self.responses[i] for i in picked], pad_id)


def anchor_loss(model: nn.Module, batch: RolloutBatch) -> Tensor:
    """Mean negative log-likelihood of the anchors' answer tokens under the active adapter."""
    logprobs, _, _ = logprobs_and_values(model, None, batch)
    return -masked_mean(logprobs, batch.mask.to(logprobs.device))


@torch.no_grad()
def answered_anchors(model: nn.Module, queries: Sequence[Sequence[int]], stop_token_ids: Sequence[int],
                     adapter: str | None = None, max_new_tokens: int = 128, temperature: float = 1.0,
                     seed: int = 0) -> tuple[Anchors, int]:
    """An answer by `adapter` (None: the plain base) to each of `queries`, sampled at
    `temperature` (seeded; 0: greedy) and cut at `max_new_tokens`: what the policy is to stay
    able to write. An answer that loops (`llm.loops`, as `kigi ask` would end it) is dropped,
    not taught. Also: how many were dropped."""
    sampling = SamplingConfig(max_new_tokens=max_new_tokens, temperature=temperature, seed=seed,
                              stop_token_ids=tuple(stop_token_ids))
    with adapters_of(model).using(adapter):
        rollouts = sample_rollouts(model, queries, sampling)
    stops = set(stop_token_ids)
    kept = [(query, answer) for query, answer in zip(rollouts.queries, rollouts.responses, strict=True)
            if answer and not loops(answer, stops)]
    if not kept:
        raise DataError(f"every one of the {len(queries)} anchor answers loops or is empty")
    return Anchors.of([q for q, _ in kept], [a for _, a in kept]), len(queries) - len(kept)


def save_anchors(directory: Path, anchors: Anchors, dropped: int) -> None:
    """Keep a run's anchors (and how many prompts' answers were dropped) in its checkpoint directory."""
    write_text_atomic(Path(directory) / ANCHORS_FILE, json.dumps(
        {"queries": anchors.queries, "responses": anchors.responses, "dropped": dropped}))


def saved_anchors(directory: Path | None, queries: Sequence[Sequence[int]]) -> tuple[Anchors, int] | None:
    """The anchors a run kept in `directory` (`save_anchors`) for these anchor prompts, and the
    dropped count; None when it kept none. Anchors of other prompts are refused."""
    file = None if directory is None else Path(directory) / ANCHORS_FILE
    if file is None or not file.is_file():
        return None
    try:
        saved = json.loads(file.read_text(encoding="utf-8"))
        anchors, dropped = Anchors.of(saved["queries"], saved["responses"]), int(saved["dropped"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DataError(f"{file}: not a run's anchors ({error}); start afresh without resuming") from None
    asked = {tuple(query) for query in queries}
    if len(anchors) + dropped != len(queries) or not asked.issuperset(anchors.queries):
        raise TrainingError(f"{file}: the anchors of other prompts; start afresh without resuming")
    return anchors, dropped
