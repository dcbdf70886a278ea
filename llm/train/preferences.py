"""What reward-model and DPO training share: preference data made ready (read, tokenized,
pairs with identical answers dropped, split by prompt so held-out prompts are unseen) and
`PreferenceRun`, the run both build on (adapter, loop, card, save)."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from torch import nn

from llm.lora import LoRAConfig, adapters_of
from llm.train.config import TrainConfig
from llm.train.data import (
    PreferenceBatch,
    PreferenceBatches,
    PreferencePair,
    Render,
    file_sha256,
    preference_pairs,
    read_jsonl,
    split_records,
)
from llm.train.lm import model_window
from llm.train.loop import BatchSource, DataError, Trainer
from llm.train.reports import LossFn, StepInfo, TrainResult


# -- preference data ----------------------------------------------------------------------------
@dataclass
class PreferenceData:
    """Pairs ready for training: split by prompt, with what was dropped and why."""

    source: str  # a file name, or "log"
    sha256: str
    records: int
    train: list[PreferencePair]
    held_out: list[PreferencePair]
    identical: int  # pairs whose two answers are the same tokens: dropped, they teach nothing
    seq_len: int

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "sha256": self.sha256, "records": self.records, "train_pairs": len(self.train),
                "held_out_pairs": len(self.held_out), "identical_dropped": self.identical, "seq_len": self.seq_len}


def records_sha256(records: Sequence[Mapping[str, Any]]) -> str:
    digest = hashlib.sha256()
    for record in records:
        digest.update(json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n")
    return digest.hexdigest()


def load_preference_records(data: Path | Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], str, str]:
    """(records, source name, sha256) of a preference JSONL file or of records in memory
    (e.g. `ConversationLog.preference_records()`)."""
    if isinstance(data, str | Path):
        path = Path(data)
        return read_jsonl(path), path.name, file_sha256(path)
    records = [dict(r) for r in data]
    if not records:
        raise DataError("no preference pairs: rate some answers first (`kigi rate`), or pass a JSONL file")
    return records, "log", records_sha256(records)


def prompt_group(record: Mapping[str, Any]) -> str:
    """Pairs on one prompt stay on one side of the split, so held-out prompts are unseen."""
    return json.dumps(record.get("prompt"), sort_keys=True)


def prepare_preferences(records: Sequence[Mapping[str, Any]], render: Render, seq_len: int, *,
                        eval_fraction: float, max_eval_pairs: int, seed: int, source: str = "records",
                        sha256: str | None = None) -> PreferenceData:
    """Tokenize every record (a prompt without room for an answer is refused, naming the
    record), drop pairs with identical answers, split by prompt. An empty set, or one with
    no two different answers, is a DataError."""
    if not records:
        raise DataError("no preference pairs")
    pairs = preference_pairs(records, render, seq_len)
    kept = [(r, p) for r, p in zip(records, pairs, strict=True) if p.chosen.ids != p.rejected.ids]
    identical = len(pairs) - len(kept)
    if not kept:
        raise DataError(f"one-sided preference data: in all {len(pairs)} pair(s) the chosen and the rejected "
                        "answer are the same, so there is nothing to prefer")
    train, held = split_records(kept, eval_fraction, seed, group=lambda item: prompt_group(item[0]))
    if not train:
        raise DataError("no training pairs are left after holding out the evaluation split")
    return PreferenceData(source, sha256 or records_sha256(records), len(records), [p for _, p in train],
                          [p for _, p in held][:max_eval_pairs], identical, seq_len)


# -- the run ------------------------------------------------------------------------------------
class RecordingTrainer(Trainer):
    """A Trainer that keeps every evaluation's metrics (the loop reports only the loss of the
    first one), so a card can say how held-out accuracy moved."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.evaluations: list[dict[str, Any]] = []

    def evaluate(self, batches: Any) -> tuple[float, dict[str, float]]:
        loss, metrics = super().evaluate(batches)
        self.evaluations.append({"step": self.step, "loss": round(loss, 5),
                                 **{k: round(v, 5) for k, v in metrics.items()}})
        return loss, metrics


@dataclass
class PreferenceRun:
    """What reward and DPO runs share: data, adapter, loop, card, save."""

    model: nn.Module
    adapter: str
    lora: LoRAConfig
    train: TrainConfig
    data: PreferenceData
    batches: BatchSource  # PreferenceBatches, or DPO's with their anchors (`AnchoredBatches`)
    eval_batches: list[Any]
    base_name: str | None = None
    result: TrainResult | None = None
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    started: float = field(default_factory=time.time)
    init: dict[str, str] | None = None  # the adapter this one started from (name, weights hash), if not fresh

    kind = "preference"

    @staticmethod
    def _prepare_data(model: nn.Module, render: Render, data: Path | Sequence[Mapping[str, Any]], seq_len: int,
                      eval_fraction: float, max_eval_pairs: int, batch_size: int, seed: int, pad_id: int,
                      ) -> tuple[PreferenceData, PreferenceBatches, list[PreferenceBatch]]:
        records, source, sha = load_preference_records(data)
        prepared = prepare_preferences(records, render, min(seq_len, model_window(model)),
                                       eval_fraction=eval_fraction, max_eval_pairs=max_eval_pairs, seed=seed,
                                       source=source, sha256=sha)
        batches = PreferenceBatches(prepared.train, batch_size, seed=seed, pad_id=pad_id, shared_prompts=True)
        eval_batches = (PreferenceBatches(prepared.held_out, batch_size, pad_id=pad_id, shuffle=False,
                                          shared_prompts=True).epoch(0)
                        if prepared.held_out else [])
        return prepared, batches, eval_batches

    @property
    def total_steps(self) -> int:
        return self.train.max_steps or self.train.epochs * -(-len(self.batches) // self.train.grad_accum)

    def settings(self) -> dict[str, Any]:
        raise NotImplementedError

    def loss_fn(self) -> LossFn:
        raise NotImplementedError

    def extra_params(self) -> dict[str, nn.Parameter]:
        return {}

    def run_info(self) -> dict[str, Any]:
        """What a checkpoint must share with this run to be resumed by it."""
        return {"kind": self.kind, "adapter": self.adapter, "data_sha256": self.data.sha256,
                "lora": self.lora.to_dict(), self.kind: self.settings(), "base_name": self.base_name,
                "init": self.init, "base_fingerprint": adapters_of(self.model).fingerprint}

    def fit(self, *, checkpoint_dir: Path | None = None, resume: bool = False,
            on_step: Callable[[StepInfo], None] | None = None) -> TrainResult:
        """Train; with `checkpoint_dir`, checkpoints go to its `trainer` folder and `resume`
        continues from the last (the run may keep more beside it: `before_checkpoints`)."""
        adapters = adapters_of(self.model)
        adapters.unmerge()
        adapters.activate(self.adapter)
        adapters.train_only(self.adapter)
        params = {**adapters.named_parameters(self.adapter), **self.extra_params()}
        self.before_fit(params)

        def step_done(info: StepInfo) -> None:
            self.after_step(trainer, info)
            if on_step is not None:
                on_step(info)

        directory = None if checkpoint_dir is None else Path(checkpoint_dir)
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            self.before_checkpoints(directory)
        trainer = RecordingTrainer(self.model, params, self.loss_fn(), self.train,
                                   checkpoint_dir=None if directory is None else directory / "trainer",
                                   run_info=self.run_info(), on_step=step_done)
        try:
            self.result = trainer.fit(self.batches, self.eval_batches or None, resume=resume)
        finally:
            for param in params.values():
                param.requires_grad_(False)
            self.evaluations = trainer.evaluations
        return self.result

    def before_checkpoints(self, directory: Path) -> None:
        """A hook with the checkpoint directory before training starts (DPO keeps its anchors there)."""

    def before_fit(self, params: dict[str, nn.Parameter]) -> None:
        """A hook with the parameters about to be trained (DPO keeps their starting values)."""

    def after_step(self, trainer: Trainer, info: StepInfo) -> None:
        """A hook after each optimizer step, before it is reported (DPO measures drift here)."""

    def held_out(self) -> dict[str, Any] | None:
        """The first and last held-out evaluations of this process (loss, accuracy, margin)."""
        if not self.evaluations:
            return None
        return {"first": self.evaluations[0], "last": self.evaluations[-1]}

    def card(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.started)),
            "data": self.data.to_dict(),
            "seed": self.train.seed,
            "init": self.init,
            "train_config": self.train.to_dict(),
            f"{self.kind}_config": self.settings(),
            "result": self.result.summary() if self.result else None,
            "held_out": self.held_out(),
        }

    def metadata(self) -> dict[str, Any]:
        return {"training": self.card()}

    def save(self, directory: Path, *, base_name: str | None = None) -> Path:
        return adapters_of(self.model).save(self.adapter, directory, base_name=base_name or self.base_name,
                                            metadata=self.metadata())
