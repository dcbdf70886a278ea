"""Supervised fine-tuning of a LoRA adapter on chat data (`{"messages": [...]}` JSONL).

    run = SFTRun.prepare(model, render, Path("data.jsonl"), "propose", LoRAConfig(), SFTConfig(), TrainConfig())
    run.fit(on_step=...)                  # the shared loop; checkpoints resume exactly
    run.save(directory, base_name=...)    # PEFT layout + kigi side file with the training card

The loss is the mean next-token cross-entropy over assistant tokens only.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from torch import nn

from llm.lora import LoRAConfig, adapters_of
from llm.train.config import TrainConfig
from llm.train.data import (
    DataStats,
    Example,
    Render,
    SFTBatches,
    TokenBatch,
    file_sha256,
    read_jsonl,
    sft_examples,
    split_records,
)
from llm.train.lm import lm_loss
from llm.train.loop import Trainer
from llm.train.reports import LossFn, LossOutput, StepInfo, TrainResult
from llm.train.start import attach_adapter


@dataclass(frozen=True)
class SFTConfig:
    batch_size: int = 8  # rows per micro-batch
    seq_len: int = 256  # tokens per row (inputs)
    packed: bool = True  # several short examples per row
    eval_fraction: float = 0.05  # held out by group (e.g. puzzle), never trained on
    max_eval_examples: int = 256  # keep evaluation cheap on a CPU

    def __post_init__(self) -> None:
        for name in ("batch_size", "seq_len", "max_eval_examples"):
            if getattr(self, name) < 1:
                raise ValueError(f"SFTConfig.{name} must be >= 1, got {getattr(self, name)!r}")
        if not 0 <= self.eval_fraction < 1:
            raise ValueError(f"SFTConfig.eval_fraction must be in [0, 1), got {self.eval_fraction!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sft_loss_fn(model: nn.Module) -> LossFn:
    def loss(batch: TokenBatch) -> LossOutput:
        value = lm_loss(model, batch.input_ids, batch.targets)
        return LossOutput(value, tokens=batch.n_tokens, weight=batch.n_targets)

    return loss


def record_group(record: Mapping[str, Any]) -> str:
    """Records of one puzzle (or other `meta.group`/`meta.puzzle`) stay on one side of the split."""
    meta = record.get("meta") if isinstance(record.get("meta"), Mapping) else {}
    key = meta.get("group", meta.get("puzzle"))
    return json.dumps(key) if key is not None else json.dumps(record.get("messages"), sort_keys=True)


@dataclass
class SFTRun:
    model: nn.Module
    adapter: str
    lora: LoRAConfig
    sft: SFTConfig
    train: TrainConfig
    data_path: Path
    data_sha256: str
    batches: SFTBatches
    eval_batches: list[TokenBatch]
    train_stats: DataStats
    eval_stats: DataStats | None
    records: int
    base_name: str | None = None
    init: dict[str, str] | None = None  # the adapter this one started from (name, weights hash), if not fresh
    result: TrainResult | None = None
    started: float = field(default_factory=time.time)

    @classmethod
    def prepare(cls, model: nn.Module, render: Render, data_path: Path, adapter: str, lora: LoRAConfig,
                sft: SFTConfig | None = None, train: TrainConfig | None = None, *, pad_id: int = 0,
                base_name: str | None = None, init: Path | None = None) -> SFTRun:
        """Read and tokenize the data, split off the held-out set, attach a fresh adapter (or,
        with `init`, a copy of the adapter saved there, whose rank and targets then win:
        continued training on new data without paying again for what it already learned)."""
        sft, train = sft or SFTConfig(), train or TrainConfig()
        data_path = Path(data_path)
        records = read_jsonl(data_path)
        train_records, eval_records = split_records(records, sft.eval_fraction, train.seed, record_group)
        examples, train_stats = sft_examples(train_records, render, sft.seq_len)
        eval_examples: list[Example] = []
        eval_stats = None
        if eval_records:
            eval_examples, eval_stats = sft_examples(eval_records[: sft.max_eval_examples], render, sft.seq_len)
        batches = SFTBatches(examples, sft.batch_size, sft.seq_len, packed=sft.packed, seed=train.seed, pad_id=pad_id)
        eval_batches = (SFTBatches(eval_examples, sft.batch_size, sft.seq_len, packed=sft.packed, pad_id=pad_id,
                                   shuffle=False).epoch(0) if eval_examples else [])
        lora, started_from = attach_adapter(model, adapter, lora, train.seed, base_name, init)
        return cls(model, adapter, lora, sft, train, data_path, file_sha256(data_path), batches, eval_batches,
                   train_stats, eval_stats, len(records), base_name, started_from)

    @property
    def total_steps(self) -> int:
        return self.train.max_steps or self.train.epochs * -(-len(self.batches) // self.train.grad_accum)

    def run_info(self) -> dict[str, Any]:
        """What a checkpoint must share with this run to be resumed by it."""
        return {"kind": "sft", "adapter": self.adapter, "data_sha256": self.data_sha256,
                "lora": self.lora.to_dict(), "sft": self.sft.to_dict(), "base_name": self.base_name,
                "init": self.init,
                "base_fingerprint": adapters_of(self.model).fingerprint}

    def fit(self, *, checkpoint_dir: Path | None = None, resume: bool = False,
            on_step: Callable[[StepInfo], None] | None = None) -> TrainResult:
        adapters = adapters_of(self.model)
        adapters.unmerge()
        adapters.activate(self.adapter)
        adapters.train_only(self.adapter)
        trainer = Trainer(self.model, adapters.named_parameters(self.adapter), sft_loss_fn(self.model), self.train,
                          checkpoint_dir=checkpoint_dir, run_info=self.run_info(), on_step=on_step)
        try:
            self.result = trainer.fit(self.batches, self.eval_batches or None, resume=resume)
        finally:
            for param in adapters.parameters(self.adapter):
                param.requires_grad_(False)
        return self.result

    def card(self) -> dict[str, Any]:
        """The training card saved beside the adapter: data recipe, settings, losses, time."""
        result = self.result
        return {
            "kind": "sft",
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.started)),
            "data": {"file": self.data_path.name, "sha256": self.data_sha256, "records": self.records,
                     "train": self.train_stats.to_dict(),
                     "eval": self.eval_stats.to_dict() if self.eval_stats else None,
                     "rows": len(self.batches.rows), "tokens_per_epoch": self.batches.tokens_per_epoch},
            "seed": self.train.seed,
            "init": self.init,
            "train_config": self.train.to_dict(),
            "sft_config": self.sft.to_dict(),
            "result": result.summary() if result else None,
        }

    def save(self, directory: Path, *, base_name: str | None = None) -> Path:
        return adapters_of(self.model).save(self.adapter, directory, base_name=base_name or self.base_name,
                                            metadata={"training": self.card()})
