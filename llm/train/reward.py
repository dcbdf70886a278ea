"""Reward models: the base core + a LoRA adapter + a scalar head on the last token, trained
with the Bradley–Terry loss on preference pairs.

    run = RewardRun.prepare(model, render, Path("prefs.jsonl"), "judge", LoRAConfig(), RewardConfig(), TrainConfig())
    run.fit(on_step=...)                  # the shared loop; checkpoints resume exactly
    run.save(directory, base_name=...)    # PEFT adapter + reward_head.safetensors + training card

    reward = RewardModel.load(model, directory, render)   # refuses a reward model of another base
    reward.score(["Paris.", "It is Paris, a city ..."], prompt=[{"role": "user", "content": "Capital of France?"}])

The reward of a conversation is the head applied to the final hidden state of its last
token (the answer's end-of-turn marker): the token that has read the whole exchange.
The preference-data helpers here (reading, splitting by prompt, refusing empty or
one-sided sets) are shared with DPO.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from llm.lora import AdapterFormatError, AdapterMismatchError, LoRAConfig, LoRAError, adapters_of
from llm.train.config import TrainConfig
from llm.train.data import (
    ChatMessage,
    PreferenceBatch,
    PreferenceBatches,
    PreferencePair,
    Render,
    chat_example,
    check_messages,
    file_sha256,
    preference_pairs,
    read_jsonl,
    split_records,
)
from llm.train.loop import DataError, LossFn, LossOutput, StepInfo, Trainer, TrainResult

REWARD_HEAD_FILE = "reward_head.safetensors"


# -- losses ------------------------------------------------------------------------------------
def bradley_terry_loss(chosen: Tensor, rejected: Tensor, center_coef: float = 0.0) -> Tensor:
    """Mean of −log σ(r⁺ − r⁻) over pairs, plus `center_coef`·mean((r⁺ + r⁻)²), which pulls
    the rewards towards zero mean (reward centring: the BT loss alone leaves their offset free)."""
    loss = -F.logsigmoid(chosen - rejected).mean()
    if center_coef:
        loss = loss + center_coef * ((chosen + rejected) ** 2).mean()
    return loss


def pair_metrics(chosen: Tensor, rejected: Tensor) -> dict[str, float]:
    """Accuracy (the chosen side scored strictly higher), mean margin and mean rewards."""
    chosen, rejected = chosen.detach().float(), rejected.detach().float()
    return {"accuracy": (chosen > rejected).float().mean().item(), "margin": (chosen - rejected).mean().item(),
            "chosen": chosen.mean().item(), "rejected": rejected.mean().item()}


# -- the scalar head ----------------------------------------------------------------------------
class ScalarHead(nn.Module):
    """d_model -> one number, in fp32 whatever the model's dtype (a reward or a value)."""

    def __init__(self, d_model: int, *, seed: int | None = 0, zero: bool = False) -> None:
        super().__init__()
        self.proj = nn.Linear(d_model, 1)
        with torch.no_grad():
            self.proj.bias.zero_()
            if zero:
                self.proj.weight.zero_()
            else:
                generator = torch.Generator().manual_seed(seed) if seed is not None else None
                self.proj.weight.normal_(0.0, 1.0 / (d_model + 1) ** 0.5, generator=generator)

    @property
    def d_model(self) -> int:
        return self.proj.in_features

    def forward(self, hidden: Tensor) -> Tensor:
        """(..., d_model) -> (...)."""
        return self.proj(hidden.float())[..., 0]

    def at_last(self, hidden: Tensor, lengths: Tensor) -> Tensor:
        """The head on each row's last real token: hidden (B, T, d), lengths (B,) -> (B,)."""
        rows = torch.arange(hidden.size(0), device=hidden.device)
        return self(hidden[rows, lengths.to(hidden.device) - 1])

    def named_tensors(self, prefix: str) -> dict[str, nn.Parameter]:
        return {f"{prefix}.{name}": param for name, param in self.proj.named_parameters()}

    def save(self, path: Path) -> None:
        from safetensors.torch import save_file

        save_file({k: v.detach().float().cpu().contiguous() for k, v in self.proj.state_dict().items()}, path)

    @classmethod
    def load(cls, path: Path, d_model: int) -> ScalarHead:
        """A saved head; one made for another width is an AdapterMismatchError."""
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            tensors = load_file(path)
        except (SafetensorError, OSError, ValueError) as exc:
            raise AdapterFormatError(f"{path}: not a readable safetensors file ({exc})") from None
        weight = tensors.get("weight")
        if weight is None or "bias" not in tensors or weight.ndim != 2 or weight.size(0) != 1:
            raise AdapterFormatError(f"{path}: expected a (1, d_model) 'weight' and a 'bias'")
        if weight.size(1) != d_model:
            raise AdapterMismatchError(f"{path}: the head reads {weight.size(1)}-wide hidden states, the model "
                                       f"has d_model={d_model} (trained on another base)")
        head = cls(d_model, seed=None, zero=True)
        head.proj.load_state_dict(tensors)
        return head


# -- preference data (shared with DPO) ------------------------------------------------------------
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


def model_window(model: nn.Module) -> int:
    config = getattr(model, "config", None)
    return int(getattr(config, "max_seq_len", 1 << 30))


# -- training ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RewardConfig:
    batch_size: int = 8  # pairs per micro-batch (2x rows: chosen and rejected)
    seq_len: int = 256  # tokens per row; capped at the model's context window
    eval_fraction: float = 0.1  # held out by prompt, never trained on
    max_eval_pairs: int = 256
    center_coef: float = 0.0  # reward centring: weight of mean((r+ + r-)^2); 0.01 is a common choice

    def __post_init__(self) -> None:
        for name in ("batch_size", "seq_len", "max_eval_pairs"):
            if getattr(self, name) < 1:
                raise ValueError(f"RewardConfig.{name} must be >= 1, got {getattr(self, name)!r}")
        if not 0 <= self.eval_fraction < 1:
            raise ValueError(f"RewardConfig.eval_fraction must be in [0, 1), got {self.eval_fraction!r}")
        if self.center_coef < 0:
            raise ValueError(f"RewardConfig.center_coef must be >= 0, got {self.center_coef!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def reward_loss_fn(model: nn.Module, head: ScalarHead, center_coef: float = 0.0) -> LossFn:
    def loss(batch: PreferenceBatch) -> LossOutput:
        hidden = model(batch.both.input_ids, return_hidden=True)  # (2B, T, d)
        chosen, rejected = batch.split(head.at_last(hidden, batch.both.lengths))
        value = bradley_terry_loss(chosen, rejected, center_coef)
        return LossOutput(value, tokens=batch.both.n_tokens, weight=batch.n_pairs,
                          metrics=pair_metrics(chosen, rejected))

    return loss


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
    batches: PreferenceBatches
    eval_batches: list[PreferenceBatch]
    base_name: str | None = None
    result: TrainResult | None = None
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    started: float = field(default_factory=time.time)

    kind = "preference"

    @staticmethod
    def _prepare_data(model: nn.Module, render: Render, data: Path | Sequence[Mapping[str, Any]], seq_len: int,
                      eval_fraction: float, max_eval_pairs: int, batch_size: int, seed: int, pad_id: int,
                      ) -> tuple[PreferenceData, PreferenceBatches, list[PreferenceBatch]]:
        records, source, sha = load_preference_records(data)
        prepared = prepare_preferences(records, render, min(seq_len, model_window(model)),
                                       eval_fraction=eval_fraction, max_eval_pairs=max_eval_pairs, seed=seed,
                                       source=source, sha256=sha)
        batches = PreferenceBatches(prepared.train, batch_size, seed=seed, pad_id=pad_id)
        eval_batches = (PreferenceBatches(prepared.held_out, batch_size, pad_id=pad_id, shuffle=False).epoch(0)
                        if prepared.held_out else [])
        return prepared, batches, eval_batches

    @staticmethod
    def _attach(model: nn.Module, adapter: str, lora: LoRAConfig, seed: int, base_name: str | None) -> None:
        adapters = adapters_of(model)
        if adapter in adapters:
            raise LoRAError(f"an adapter named {adapter!r} is already attached to this model")
        adapters.add(adapter, lora, seed=seed, base_name=base_name)

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
                "base_fingerprint": adapters_of(self.model).fingerprint}

    def fit(self, *, checkpoint_dir: Path | None = None, resume: bool = False,
            on_step: Callable[[StepInfo], None] | None = None) -> TrainResult:
        adapters = adapters_of(self.model)
        adapters.unmerge()
        adapters.activate(self.adapter)
        adapters.train_only(self.adapter)
        params = {**adapters.named_parameters(self.adapter), **self.extra_params()}
        trainer = RecordingTrainer(self.model, params, self.loss_fn(), self.train, checkpoint_dir=checkpoint_dir,
                                   run_info=self.run_info(), on_step=on_step)
        try:
            self.result = trainer.fit(self.batches, self.eval_batches or None, resume=resume)
        finally:
            for param in params.values():
                param.requires_grad_(False)
            self.evaluations = trainer.evaluations
        return self.result

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


@dataclass
class RewardRun(PreferenceRun):
    config: RewardConfig = field(default_factory=RewardConfig)
    head: ScalarHead | None = None

    kind = "reward"

    @classmethod
    def prepare(cls, model: nn.Module, render: Render, data: Path | Sequence[Mapping[str, Any]], adapter: str,
                lora: LoRAConfig, config: RewardConfig | None = None, train: TrainConfig | None = None, *,
                pad_id: int = 0, base_name: str | None = None) -> RewardRun:
        """Read and tokenize the pairs (a file, or records from the log), split off the
        held-out set, attach a fresh adapter and a fresh head."""
        config, train = config or RewardConfig(), train or TrainConfig()
        prepared, batches, eval_batches = cls._prepare_data(
            model, render, data, config.seq_len, config.eval_fraction, config.max_eval_pairs, config.batch_size,
            train.seed, pad_id)
        cls._attach(model, adapter, lora, train.seed, base_name)
        head = ScalarHead(model.config.d_model, seed=train.seed).to(next(model.parameters()).device)
        return cls(model, adapter, lora, train, prepared, batches, eval_batches, base_name, config=config, head=head)

    def settings(self) -> dict[str, Any]:
        return self.config.to_dict()

    def loss_fn(self) -> LossFn:
        return reward_loss_fn(self.model, self.head, self.config.center_coef)

    def extra_params(self) -> dict[str, nn.Parameter]:
        return self.head.named_tensors("reward_head")

    def metadata(self) -> dict[str, Any]:
        return {"training": self.card(),
                "reward": {"head": REWARD_HEAD_FILE, "d_model": self.head.d_model, "seq_len": self.data.seq_len}}

    def save(self, directory: Path, *, base_name: str | None = None) -> Path:
        directory = super().save(directory, base_name=base_name)
        self.head.save(directory / REWARD_HEAD_FILE)
        return directory

    def reward_model(self, render: Render | None = None, pad_id: int = 0) -> RewardModel:
        """The trained reward model, ready to score (no save/load round trip)."""
        return RewardModel(self.model, self.adapter, self.head, render, seq_len=self.data.seq_len, pad_id=pad_id)


# -- scoring ---------------------------------------------------------------------------------------
class RewardModel:
    """A trained reward model on a loaded base: `score(answers, prompt=...)` -> rewards.

    It shares the base's weights with everything else on the model (its adapter is switched
    on only while it scores), so a policy and its reward model fit in one copy of the base.
    """

    def __init__(self, model: nn.Module, adapter: str, head: ScalarHead, render: Render | None = None, *,
                 seq_len: int = 256, pad_id: int = 0, batch_size: int = 8) -> None:
        self.model, self.adapter, self.head, self.render = model, adapter, head, render
        self.seq_len, self.pad_id, self.batch_size = min(seq_len, model_window(model)), pad_id, batch_size

    @classmethod
    def load(cls, model: nn.Module, directory: Path, render: Render | None = None, name: str | None = None, *,
             pad_id: int = 0) -> RewardModel:
        """Attach the reward model saved in `directory` (once; a second load reuses it).
        One trained on another base model is refused with AdapterMismatchError."""
        directory = Path(directory)
        head_file = directory / REWARD_HEAD_FILE
        if not head_file.is_file():
            raise AdapterFormatError(f"{directory} is not a reward model (no {REWARD_HEAD_FILE}; train one with "
                                     "`kigi train reward`)")
        adapters = adapters_of(model)
        name = name or directory.name
        if name in adapters:
            info = adapters.info(name)
        else:
            try:
                info = adapters.load(directory, name)
            except AdapterMismatchError as exc:
                raise AdapterMismatchError(f"reward model {name!r} cannot score with this model: {exc}") from None
        head = ScalarHead.load(head_file, model.config.d_model).to(next(model.parameters()).device)
        meta = info.metadata.get("reward") or {}
        return cls(model, info.name, head, render, seq_len=int(meta.get("seq_len", 256)), pad_id=pad_id)

    @torch.no_grad()
    def score_ids(self, rows: Sequence[Sequence[int]]) -> Tensor:
        """Rewards (N,) of token rows, each read at its last token; a row longer than the
        context window is refused."""
        out = []
        adapters = adapters_of(self.model)
        was_training = self.model.training
        self.model.eval()
        try:
            with adapters.using(self.adapter):
                for start in range(0, len(rows), self.batch_size):
                    chunk = [list(r) for r in rows[start:start + self.batch_size]]
                    if any(not r for r in chunk):
                        raise DataError("cannot score an empty token row")
                    width = max(len(r) for r in chunk)
                    if width > model_window(self.model):
                        raise DataError(f"a scored row is {width} tokens; the context window holds "
                                        f"{model_window(self.model)}")
                    ids = torch.full((len(chunk), width), self.pad_id, dtype=torch.long)
                    for i, r in enumerate(chunk):
                        ids[i, :len(r)] = torch.tensor(r)
                    lengths = torch.tensor([len(r) for r in chunk])
                    device = next(self.model.parameters()).device
                    hidden = self.model(ids.to(device), return_hidden=True)
                    out.append(self.head.at_last(hidden, lengths).cpu())
        finally:
            self.model.train(was_training)
        return torch.cat(out) if out else torch.zeros(0)

    def conversation_ids(self, prompt: Sequence[ChatMessage], answer: str) -> list[int]:
        """The tokens a pair's side is scored on in training: the rendered exchange up to the
        answer's end-of-turn marker (the row `collate` makes, without its last token)."""
        if self.render is None:
            raise ValueError("this reward model has no chat template (render) to score text with")
        prompt = check_messages(list(prompt), "prompt") if prompt else []
        example = chat_example([*prompt, {"role": "assistant", "content": answer}], self.render,
                               train_from=len(prompt), where="scored answer")
        first_target = example.mask.index(True)
        if first_target >= self.seq_len:
            raise DataError(f"the prompt is {first_target} tokens, which leaves no room for an answer within "
                            f"{self.seq_len} tokens")
        return list(example.truncated(self.seq_len + 1).ids[:-1])

    def score(self, answers: Sequence[str], prompt: Sequence[ChatMessage] | None = None, *,
              prompts: Sequence[Sequence[ChatMessage]] | None = None) -> list[float]:
        """Rewards of `answers`, each to `prompt` (shared) or to its own entry of `prompts`."""
        if prompts is not None and len(prompts) != len(answers):
            raise ValueError(f"{len(answers)} answers but {len(prompts)} prompts")
        rows = [self.conversation_ids(prompts[i] if prompts is not None else (prompt or []), answer)
                for i, answer in enumerate(answers)]
        return self.score_ids(rows).tolist()

    def scorer(self, prompt: Sequence[ChatMessage] | None = None) -> Callable[[Sequence[str]], list[float]]:
        """`(texts) -> scores` for rerankers and search: each text is an answer to `prompt`."""
        def score(texts: Sequence[str]) -> list[float]:
            return self.score(list(texts), prompt)

        return score
