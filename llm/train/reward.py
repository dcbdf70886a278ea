"""Reward models: the base core + a LoRA adapter + a scalar head on the last token, trained
with the Bradley–Terry loss on preference pairs.

    run = RewardRun.prepare(model, render, Path("prefs.jsonl"), "judge", LoRAConfig(), RewardConfig(), TrainConfig())
    run.fit(on_step=...)                  # the shared loop; checkpoints resume exactly
    run.save(directory, base_name=...)    # PEFT adapter + reward_head.safetensors + training card

    reward = RewardModel.load(model, directory, render)   # refuses a reward model of another base
    reward.score(["Paris.", "It is Paris, a city ..."], prompt=[{"role": "user", "content": "Capital of France?"}])

The reward of a conversation is the head (`llm.train.scalar_head`) applied to the final
hidden state of its last token (the answer's end-of-turn marker): the token that has read
the whole exchange. With `pool="sum"` it is the head applied to every answer token, summed
(a reward per token, the form of DPO's implicit reward): an answer's length then counts by
itself, where a last-token head has to infer it. In training the answers to one prompt
share one row (`llm.train.shared_prompt`): the prompt is read once, not once per answer.
Preference data and the run itself are shared with DPO (`llm.train.preferences`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from llm.lora import AdapterFormatError, AdapterMismatchError, LoRAConfig, adapters_of
from llm.train.config import TrainConfig
from llm.train.data import ChatMessage, PreferenceBatch, Render, chat_example, check_messages
from llm.train.lm import IGNORE_INDEX, model_window
from llm.train.loop import DataError
from llm.train.preferences import PreferenceRun
from llm.train.reports import LossFn, LossOutput
from llm.train.scalar_head import ScalarHead
from llm.train.shared_prompt import SharedPromptRows, share_prompts
from llm.train.start import attach_adapter

REWARD_HEAD_FILE = "reward_head.safetensors"
POOLS = ("last", "sum")  # where the head reads an answer: its last token, or every token summed


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


# -- training ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RewardConfig:
    batch_size: int = 8  # pairs per micro-batch (2x rows: chosen and rejected)
    seq_len: int = 256  # tokens per row; capped at the model's context window
    eval_fraction: float = 0.1  # held out by prompt, never trained on
    max_eval_pairs: int = 256
    center_coef: float = 0.0  # reward centring: weight of mean((r+ + r-)^2); 0.01 is a common choice
    pool: str = "last"  # one of POOLS

    def __post_init__(self) -> None:
        for name in ("batch_size", "seq_len", "max_eval_pairs"):
            if getattr(self, name) < 1:
                raise ValueError(f"RewardConfig.{name} must be >= 1, got {getattr(self, name)!r}")
        if not 0 <= self.eval_fraction < 1:
            raise ValueError(f"RewardConfig.eval_fraction must be in [0, 1), got {self.eval_fraction!r}")
        if self.center_coef < 0:
            raise ValueError(f"RewardConfig.center_coef must be >= 0, got {self.center_coef!r}")
        if self.pool not in POOLS:
            raise ValueError(f"RewardConfig.pool must be one of {', '.join(POOLS)}, got {self.pool!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pooled(head: ScalarHead, hidden: Tensor, lengths: Tensor, starts: Tensor | None, pool: str) -> Tensor:
    """Each row's reward (B,): the head at its last real token, or summed over its answer's
    tokens (`starts`: where each row's answer begins)."""
    if pool == "last":
        return head.at_last(hidden, lengths)
    if starts is None:
        raise ValueError("a reward summed over the answer needs where each answer starts")
    return head.summed(hidden, starts, lengths)


def shared_rewards(model: nn.Module, head: ScalarHead, rows: SharedPromptRows, pool: str) -> Tensor:
    """Each answer's reward (A,) from rows that read each prompt once."""
    hidden = rows.hidden(model)  # (R, L, d)
    return head(rows.at_last(hidden)) if pool == "last" else rows.summed(head(hidden))


def answer_starts(targets: Tensor) -> Tensor:
    """Where each row's answer begins: the first input token that is itself a target (the
    token after the first position with a learned target)."""
    return (targets != IGNORE_INDEX).int().argmax(dim=1) + 1


def reward_loss_fn(model: nn.Module, head: ScalarHead, center_coef: float = 0.0, pool: str = "last") -> LossFn:
    def loss(batch: PreferenceBatch) -> LossOutput:
        chosen, rejected = batch.split(rewards(batch))
        value = bradley_terry_loss(chosen, rejected, center_coef)
        return LossOutput(value, tokens=batch.n_tokens, weight=batch.n_pairs, metrics=pair_metrics(chosen, rejected))

    def rewards(batch: PreferenceBatch) -> Tensor:
        """One reward per row of `batch.both` (per answer), read from the shared-prompt rows when there are."""
        if batch.shared is not None:
            return shared_rewards(model, head, batch.shared, pool)
        both = batch.both
        hidden = model(both.input_ids, return_hidden=True)  # (2B, T, d)
        return pooled(head, hidden, both.lengths, answer_starts(both.targets), pool)

    return loss


@dataclass
class RewardRun(PreferenceRun):
    config: RewardConfig = field(default_factory=RewardConfig)
    head: ScalarHead | None = None

    kind = "reward"

    @classmethod
    def prepare(cls, model: nn.Module, render: Render, data: Path | Sequence[Mapping[str, Any]], adapter: str,
                lora: LoRAConfig, config: RewardConfig | None = None, train: TrainConfig | None = None, *,
                pad_id: int = 0, base_name: str | None = None, init: Path | None = None) -> RewardRun:
        """Read and tokenize the pairs (a file, or records from the log), split off the
        held-out set, attach a fresh adapter (or, with `init`, a copy of a saved one: a reward
        model started from the reader already reads the sources) and a head: fresh, or the
        saved one when `init` is a reward model (another epoch continues where it stopped)."""
        config, train = config or RewardConfig(), train or TrainConfig()
        prepared, batches, eval_batches = cls._prepare_data(
            model, render, data, config.seq_len, config.eval_fraction, config.max_eval_pairs, config.batch_size,
            train.seed, pad_id)
        lora, started_from = attach_adapter(model, adapter, lora, train.seed, base_name, init)
        saved_head = None if init is None else Path(init) / REWARD_HEAD_FILE
        # a fresh summed head is zero: a random one, summed over an answer's tokens, starts at rewards of tens
        head = ScalarHead.load(saved_head, model.config.d_model) if saved_head is not None and saved_head.is_file() \
            else ScalarHead(model.config.d_model, seed=train.seed, zero=config.pool == "sum")
        head = head.to(next(model.parameters()).device)
        return cls(model, adapter, lora, train, prepared, batches, eval_batches, base_name, config=config, head=head,
                   init=started_from)

    def settings(self) -> dict[str, Any]:
        return self.config.to_dict()

    def loss_fn(self) -> LossFn:
        return reward_loss_fn(self.model, self.head, self.config.center_coef, self.config.pool)

    def extra_params(self) -> dict[str, nn.Parameter]:
        return self.head.named_tensors("reward_head")

    def metadata(self) -> dict[str, Any]:
        return {"training": self.card(),
                "reward": {"head": REWARD_HEAD_FILE, "d_model": self.head.d_model, "seq_len": self.data.seq_len,
                           "pool": self.config.pool}}

    def save(self, directory: Path, *, base_name: str | None = None) -> Path:
        directory = super().save(directory, base_name=base_name)
        self.head.save(directory / REWARD_HEAD_FILE)
        return directory

    def reward_model(self, render: Render | None = None, pad_id: int = 0) -> RewardModel:
        """The trained reward model, ready to score (no save/load round trip)."""
        return RewardModel(self.model, self.adapter, self.head, render, seq_len=self.data.seq_len, pad_id=pad_id,
                           pool=self.config.pool)


# -- scoring ---------------------------------------------------------------------------------------
class RewardModel:
    """A trained reward model on a loaded base: `score(answers, prompt=...)` -> rewards.

    It shares the base's weights with everything else on the model (its adapter is switched
    on only while it scores), so a policy and its reward model fit in one copy of the base.
    """

    def __init__(self, model: nn.Module, adapter: str, head: ScalarHead, render: Render | None = None, *,
                 seq_len: int = 256, pad_id: int = 0, batch_size: int = 8, pool: str = "last") -> None:
        if pool not in POOLS:
            raise AdapterFormatError(f"unknown reward pooling {pool!r} (known: {', '.join(POOLS)})")
        self.model, self.adapter, self.head, self.render, self.pool = model, adapter, head, render, pool
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
        return cls(model, info.name, head, render, seq_len=int(meta.get("seq_len", 256)), pad_id=pad_id,
                   pool=str(meta.get("pool", "last")))

    @torch.no_grad()
    def score_ids(self, rows: Sequence[Sequence[int]], answer_from: Sequence[int] | None = None) -> Tensor:
        """Rewards (N,) of token rows, each read at its last token or over its answer (which
        begins at `answer_from[i]`, needed to sum; given, the answers to one prompt share its
        row); a row longer than the context window is refused."""
        if any(not r for r in rows):
            raise DataError("cannot score an empty token row")
        if rows and (width := max(len(r) for r in rows)) > model_window(self.model):
            raise DataError(f"a scored row is {width} tokens; the context window holds {model_window(self.model)}")
        out = []
        was_training = self.model.training
        self.model.eval()
        try:
            with adapters_of(self.model).using(self.adapter):
                for start in range(0, len(rows), self.batch_size):
                    chunk = [list(r) for r in rows[start:start + self.batch_size]]
                    if answer_from is None:
                        out.append(self._at_last(chunk))
                    else:  # answers to one prompt read it once
                        begins = answer_from[start:start + self.batch_size]
                        shared = share_prompts(list(zip(chunk, begins, strict=True)), self.pad_id)
                        out.append(shared_rewards(self.model, self.head, shared, self.pool).cpu())
        finally:
            self.model.train(was_training)
        return torch.cat(out) if out else torch.zeros(0)

    def _at_last(self, chunk: list[list[int]]) -> Tensor:
        """Rewards of rows read at their last token, a row each, padded on the right."""
        ids = torch.full((len(chunk), max(len(r) for r in chunk)), self.pad_id, dtype=torch.long)
        for i, r in enumerate(chunk):
            ids[i, :len(r)] = torch.tensor(r)
        hidden = self.model(ids.to(next(self.model.parameters()).device), return_hidden=True)
        return pooled(self.head, hidden, torch.tensor([len(r) for r in chunk]), None, self.pool).cpu()

    def scored_row(self, prompt: Sequence[ChatMessage], answer: str) -> tuple[list[int], int]:
        """The tokens a pair's side is scored on in training: the rendered exchange up to the
        answer's end-of-turn marker (the row `collate` makes, without its last token), and
        where its answer begins."""
        if self.render is None:
            raise ValueError("this reward model has no chat template (render) to score text with")
        prompt = check_messages(list(prompt), "prompt") if prompt else []
        example = chat_example([*prompt, {"role": "assistant", "content": answer}], self.render,
                               train_from=len(prompt), where="scored answer")
        first_target = example.mask.index(True)
        if first_target >= self.seq_len:
            raise DataError(f"the prompt is {first_target} tokens, which leaves no room for an answer within "
                            f"{self.seq_len} tokens")
        return list(example.truncated(self.seq_len + 1).ids[:-1]), first_target

    def score(self, answers: Sequence[str], prompt: Sequence[ChatMessage] | None = None, *,
              prompts: Sequence[Sequence[ChatMessage]] | None = None) -> list[float]:
        """Rewards of `answers`, each to `prompt` (shared) or to its own entry of `prompts`."""
        if prompts is not None and len(prompts) != len(answers):
            raise ValueError(f"{len(answers)} answers but {len(prompts)} prompts")
        scored = [self.scored_row(prompts[i] if prompts is not None else (prompt or []), answer)
                  for i, answer in enumerate(answers)]
        return self.score_ids([row for row, _ in scored], [start for _, start in scored]).tolist()

    def scorer(self, prompt: Sequence[ChatMessage] | None = None) -> Callable[[Sequence[str]], list[float]]:
        """`(texts) -> scores` for rerankers and search: each text is an answer to `prompt`."""
        def score(texts: Sequence[str]) -> list[float]:
            return self.score(list(texts), prompt)

        return score


def reward_fn_of(reward: RewardModel) -> Callable[[Sequence[Sequence[int]], Sequence[Sequence[int]]], Tensor]:
    """A RewardModel as PPO's reward: it reads query + response, as in its training."""
    def score(queries: Sequence[Sequence[int]], responses: Sequence[Sequence[int]]) -> Tensor:
        return reward.score_ids([list(q) + list(r) for q, r in zip(queries, responses, strict=True)],
                                [len(q) for q in queries])

    return score
