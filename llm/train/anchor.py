"""Anchors: answers a policy must stay able to write (InstructGPT's "PPO-ptx", Ouyang et
al. 2022). A language-model loss on fixed (prompt, answer) pairs — for instance the
reference's own answers to everyday questions (`answered_anchors`) — is added to each PPO
or DPO step, so what the training pays for on its prompts does not leak into answers to
prompts it never sees: PPO's KL penalty watches only the sampled tokens of its own prompts,
DPO has no KL term at all, and drift elsewhere (an everyday answer that starts to loop)
goes unseen by either. The loss is added to the run's own (`AnchorConfig.coef`), or kept
apart: its gradient added after the run's is clipped, never more than `coef` × its norm
(`AnchorConfig.apart`, `LossOutput.apart`).

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
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from llm.loops import loops
from llm.lora import adapters_of
from llm.registry import write_text_atomic
from llm.sampling import SamplingConfig
from llm.train.data import Render
from llm.train.lm import model_window
from llm.train.loop import BatchSource, DataError, TrainingError
from llm.train.ppo_maths import masked_mean
from llm.train.reports import LossOutput
from llm.train.rollouts import RolloutBatch, logprobs_and_values, prompt_list, rendered, sample_rollouts

ANCHORS_FILE = "anchors.json"  # in a run's checkpoint directory


@dataclass(frozen=True)
class AnchorConfig:
    """How a run given anchor prompts holds its policy to their answers."""

    coef: float = 1.0  # weight of the anchors' language-model loss (apart: the most their gradient is, × the run's)
    per_step: int = 2  # anchors in each optimizer step
    max_tokens: int = 128  # the reference's answers to the anchor prompts are cut here
    temperature: float = 1.0  # they are sampled at this temperature (0: greedy)
    apart: bool = False  # their gradient added after the run's is clipped, kept to <= coef x its norm

    def __post_init__(self) -> None:
        for name in ("per_step", "max_tokens"):
            if getattr(self, name) < 1:
                raise ValueError(f"AnchorConfig.{name} must be >= 1, got {getattr(self, name)!r}")
        for name in ("coef", "temperature"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"AnchorConfig.{name} must be >= 0, got {getattr(self, name)!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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

    def parts(self, step: int, count: int, parts: int, seed: int, pad_id: int = 0) -> list[RolloutBatch | None]:
        """Step `step`'s `count` anchors split over its `parts` micro-batches (None: none for that one)."""
        batch = self.for_step(step, count, seed, pad_id)
        split = [batch.select(part) for part in torch.arange(len(batch)).chunk(parts)]
        return split + [None] * (parts - len(split))


@dataclass(frozen=True)
class AnchoredBatches:
    """A run's micro-batches, each paired with its share of the anchors of the optimizer step
    it belongs to (None without anchors): a BatchSource, as exact to resume as the one it wraps."""

    batches: BatchSource
    anchors: Anchors | None
    config: AnchorConfig
    grad_accum: int
    seed: int
    pad_id: int = 0

    def __len__(self) -> int:
        return len(self.batches)

    def epoch(self, index: int) -> list[tuple[Any, RolloutBatch | None]]:
        return list(zip(self.batches.epoch(index), self._anchors_of(index), strict=True))

    def _anchors_of(self, index: int) -> Iterator[RolloutBatch | None]:
        """Each optimizer step's anchors, built once and split over its micro-batches (the
        last step of an epoch may have fewer)."""
        size, accum = len(self.batches), self.grad_accum
        for first in range(0, size, accum):
            parts = min(accum, size - first)
            if self.anchors is None:
                yield from [None] * parts
            else:
                step = index * math.ceil(size / accum) + first // accum
                yield from self.anchors.parts(step, self.config.per_step, parts, self.seed, self.pad_id)


def anchored(output: LossOutput, nll: Tensor | None, config: AnchorConfig) -> LossOutput:
    """A run's loss with its anchors' (`anchor_loss`; None: no anchors this micro-batch)."""
    if nll is None:
        return output
    metrics = {**output.metrics, "anchor_nll": nll.item()}
    if config.apart:
        return replace(output, metrics=metrics, apart=nll, apart_ratio=config.coef)
    return replace(output, loss=output.loss + config.coef * nll, metrics=metrics)


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


def prepare_anchors(model: nn.Module, prompts: Path | Sequence[Any], render: Render,
                    stop_token_ids: Sequence[int], config: AnchorConfig, *, reference: str | None = None,
                    seed: int = 0, resume_from: Path | None = None) -> tuple[Anchors, int]:
    """A run's anchors: `prompts` (a file or records, as a run's own prompts) answered by
    `reference` (None: the plain base) as `config` says, or read back from the run's
    checkpoint directory `resume_from` (`save_anchors`); and how many looping answers were dropped."""
    queries = rendered(prompt_list(prompts, "anchor prompts"), render, model_window(model), "anchor prompt")
    return saved_anchors(resume_from, queries) or answered_anchors(
        model, queries, stop_token_ids, reference, config.max_tokens, config.temperature, seed)


def anchors_info(anchors: Anchors | None, dropped: int) -> dict[str, Any] | None:
    """What a run's card and checkpoints say of its anchors (None: it has none)."""
    return None if anchors is None else {"count": len(anchors), "dropped": dropped, "sha256": anchors.sha256()}


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
