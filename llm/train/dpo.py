"""Direct Preference Optimization of a LoRA policy on preference pairs.

    run = DPORun.prepare(model, render, Path("prefs.jsonl"), "concise", LoRAConfig(), DPOConfig(beta=0.1))
    run.fit(on_step=...)
    run.save(directory, base_name=...)

The loss is −log σ(β[(log πθ(y⁺) − log πref(y⁺)) − (log πθ(y⁻) − log πref(y⁻))]), log π(y)
summed over the answer's tokens. The reference πref is the same base with the adapter
switched off (`adapters.using(None)`): no second copy of the weights. A fresh adapter
starts equal to the reference, so the first loss is log 2. The loss has no KL term, so the
policy's drift from the reference is measured on its own answers during training and
bounded by an early stop (`llm.train.drift`, `DPORun.drift`). Given anchor prompts, the
policy is also held to the reference's answers to them by a language-model loss
(`llm.train.anchor`): DPO has no term that keeps answers it is not shown as they were.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from llm.lora import LoRAConfig, adapters_of
from llm.train.anchor import (
    AnchorConfig,
    AnchoredBatches,
    Anchors,
    anchor_loss,
    anchored,
    anchors_info,
    prepare_anchors,
    save_anchors,
)
from llm.train.config import TrainConfig
from llm.train.data import PreferenceBatch, Render
from llm.train.drift import DriftConfig, DriftMonitor, answer_prompts
from llm.train.lm import target_logprobs
from llm.train.loop import Trainer
from llm.train.preferences import PreferenceRun
from llm.train.reports import LossFn, LossOutput, StepInfo
from llm.train.rollouts import RolloutBatch
from llm.train.start import attach_adapter


def dpo_loss(policy_chosen: Tensor, policy_rejected: Tensor, ref_chosen: Tensor, ref_rejected: Tensor,
             beta: float) -> tuple[Tensor, Tensor, Tensor]:
    """(mean loss, chosen rewards, rejected rewards) from sequence log-probs (B,) each.

    The implicit rewards β(log πθ(y) − log πref(y)) are returned detached, for logging.
    """
    chosen = policy_chosen - ref_chosen
    rejected = policy_rejected - ref_rejected
    loss = -F.logsigmoid(beta * (chosen - rejected)).mean()
    return loss, (beta * chosen).detach(), (beta * rejected).detach()


def sequence_logprobs(model: nn.Module, input_ids: Tensor, targets: Tensor) -> Tensor:
    """log π(answer) per row (B,): the target tokens' log-probs summed."""
    return target_logprobs(model, input_ids, targets).sum(-1)


def answer_logprobs(model: nn.Module, batch: PreferenceBatch) -> Tensor:
    """log π(answer) per row of `batch.both`, read from its shared-prompt rows when it has them."""
    if batch.shared is not None:
        return batch.shared.answer_logprobs(model)
    return sequence_logprobs(model, batch.both.input_ids, batch.both.targets)


@dataclass(frozen=True)
class DPOConfig:
    beta: float = 0.1  # strength of the pull towards the reference (higher: stay closer)
    batch_size: int = 4  # pairs per micro-batch
    seq_len: int = 256  # capped at the model's context window
    eval_fraction: float = 0.1
    max_eval_pairs: int = 128
    anchor: AnchorConfig = AnchorConfig()  # for a run given anchor prompts (`llm.train.anchor`)

    def __post_init__(self) -> None:
        if not self.beta > 0:
            raise ValueError(f"DPOConfig.beta must be positive, got {self.beta!r}")
        for name in ("batch_size", "seq_len", "max_eval_pairs"):
            if getattr(self, name) < 1:
                raise ValueError(f"DPOConfig.{name} must be >= 1, got {getattr(self, name)!r}")
        if not 0 <= self.eval_fraction < 1:
            raise ValueError(f"DPOConfig.eval_fraction must be in [0, 1), got {self.eval_fraction!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def dpo_loss_fn(model: nn.Module, adapter: str, beta: float, anchor: AnchorConfig | None = None) -> LossFn:
    """The loss of a micro-batch of pairs and its share of the step's anchors (`AnchoredBatches`)."""
    adapters, anchor = adapters_of(model), anchor or AnchorConfig()

    def loss(micro: tuple[PreferenceBatch, RolloutBatch | None]) -> LossOutput:
        batch, anchors = micro
        with torch.no_grad(), adapters.using(None):
            ref_chosen, ref_rejected = batch.split(answer_logprobs(model, batch))
        with adapters.using(adapter):
            chosen, rejected = batch.split(answer_logprobs(model, batch))
            nll = None if anchors is None else anchor_loss(model, anchors)
        value, chosen_rewards, rejected_rewards = dpo_loss(chosen, rejected, ref_chosen, ref_rejected, beta)
        margin = chosen_rewards - rejected_rewards
        return anchored(LossOutput(value, tokens=batch.n_tokens, weight=batch.n_pairs, metrics={
            "accuracy": (margin > 0).float().mean().item(), "margin": margin.mean().item(),
            "chosen_reward": chosen_rewards.mean().item(), "rejected_reward": rejected_rewards.mean().item(),
            "chosen_logp": chosen.detach().mean().item(), "rejected_logp": rejected.detach().mean().item()}),
            nll, anchor)

    return loss


@dataclass
class DPORun(PreferenceRun):
    config: DPOConfig = field(default_factory=DPOConfig)
    drift_config: DriftConfig = field(default_factory=DriftConfig)
    stop_token_ids: tuple[int, ...] = ()
    drift: DriftMonitor | None = None
    anchors: Anchors | None = None  # answers held to by a language-model loss (`llm.train.anchor`)
    anchors_dropped: int = 0  # anchor prompts whose reference answer looped

    kind = "dpo"

    @classmethod
    def prepare(cls, model: nn.Module, render: Render, data: Path | Sequence[Mapping[str, Any]], adapter: str,
                lora: LoRAConfig, config: DPOConfig | None = None, train: TrainConfig | None = None, *,
                pad_id: int = 0, base_name: str | None = None, drift: DriftConfig | None = None,
                stop_token_ids: Sequence[int] = (), anchor_prompts: Path | Sequence[Any] | None = None,
                resume_from: Path | None = None) -> DPORun:
        """Read and tokenize the pairs (a file, or records from the log), split off the
        held-out set, attach a fresh policy adapter (equal to the reference until trained).
        `drift`: how KL to the reference is measured (on held-out prompts first) and bounded.
        With `anchor_prompts` the base answers them first (`llm.train.anchor`; read back from
        the checkpoint directory `resume_from` when the run resumes)."""
        config, train = config or DPOConfig(), train or TrainConfig()
        prepared, batches, eval_batches = cls._prepare_data(
            model, render, data, config.seq_len, config.eval_fraction, config.max_eval_pairs, config.batch_size,
            train.seed, pad_id)
        anchors, dropped = (None, 0) if anchor_prompts is None else prepare_anchors(
            model, anchor_prompts, render, stop_token_ids, config.anchor, seed=train.seed, resume_from=resume_from)
        lora, _ = attach_adapter(model, adapter, lora, train.seed, base_name)
        return cls(model, adapter, lora, train, prepared,
                   AnchoredBatches(batches, anchors, config.anchor, train.grad_accum, train.seed, pad_id),
                   [(batch, None) for batch in eval_batches], base_name, config=config,
                   drift_config=drift or DriftConfig(), stop_token_ids=tuple(stop_token_ids), anchors=anchors,
                   anchors_dropped=dropped)

    def settings(self) -> dict[str, Any]:
        return {**self.config.to_dict(), "drift": self.drift_config.to_dict(),
                "anchors": anchors_info(self.anchors, self.anchors_dropped)}

    def before_checkpoints(self, directory: Path) -> None:
        if self.anchors is not None:
            save_anchors(directory, self.anchors, self.anchors_dropped)  # a resumed run reads them

    def before_fit(self, params: dict[str, nn.Parameter]) -> None:
        pairs = self.data.held_out + self.data.train
        prompts = answer_prompts([p.chosen.ids[:p.prompt_len] for p in pairs], self.drift_config.prompts)
        self.drift = DriftMonitor(self.model, self.adapter, dict(params), prompts, self.stop_token_ids,
                                  self.drift_config)

    def after_step(self, trainer: Trainer, info: StepInfo) -> None:
        if self.drift is not None:
            self.drift.after_step(trainer, info)

    def card(self) -> dict[str, Any]:
        return {**super().card(), "drift": self.drift.report() if self.drift else None}

    def loss_fn(self) -> LossFn:
        return dpo_loss_fn(self.model, self.adapter, self.config.beta, self.config.anchor)
