"""PPO for language models: a LoRA policy with a value head, rewarded by a reward model and
kept near its reference (the same base with the adapter off, or the adapter it started from)
by a per-token KL penalty.

    reward = RewardModel.load(model, store_dir / "judge", render)
    run = PPORun.prepare(model, render, Path("prompts.txt"), "concise", reward, LoRAConfig(), PPOConfig(),
                         TrainConfig(lr=1e-4), stop_token_ids=(im_end,))
    run.fit(on_iteration=...)     # resumable: a checkpoint after every iteration
    run.save(directory)           # PEFT adapter + value_head.safetensors + training card

One iteration:
1. rollouts: `prompts_per_iteration` prompts, `samples_per_prompt` answers to each, sampled
   from the policy (the adapter on);
2. the reward model reads each whole exchange and gives one score, at its last token;
3. per-token rewards r_t = −β·(log π(a_t) − log πref(a_t)), plus the score on the last token;
4. the value head gives V_t; advantages by GAE(γ, λ), whitened over the batch;
5. `ppo_epochs` passes over the rollouts in minibatches, one optimizer step each, on the
   clipped policy loss + vf_coef · the clipped value loss (+ the anchors' language-model
   loss, added or kept apart: `llm.train.anchor`, `PPOConfig.anchor`).

Policy, reference and reward model share one copy of the base weights: only the active
adapter changes (policy: ours; reference: none; reward: the reward model's). This module
is the run; the maths of steps 3–5 is `llm.train.ppo_maths`, sampling and reading
rollouts `llm.train.rollouts`.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from llm.lora import LoRAConfig, LoRAError, adapters_of
from llm.sampling import SamplingConfig
from llm.train.anchor import (
    AnchorConfig,
    Anchors,
    anchor_loss,
    anchored,
    anchors_info,
    prepare_anchors,
    save_anchors,
    seeded_walk,
)
from llm.train.config import TrainConfig
from llm.train.data import Render
from llm.train.lm import model_window
from llm.train.loop import STATE_FILE, DataError, Trainer
from llm.train.ppo_maths import gae, kl_penalized_rewards, masked_mean, ppo_policy_loss, ppo_value_loss, whiten
from llm.train.ppo_record import PPOIteration, PPOResult, prompts_sha256
from llm.train.reports import LossOutput, StepInfo
from llm.train.reward import RewardModel, reward_fn_of
from llm.train.rollouts import RolloutBatch, Rollouts, logprobs_and_values, prompt_list, rendered, sample_rollouts
from llm.train.scalar_head import ScalarHead
from llm.train.start import attach_adapter

VALUE_HEAD_FILE = "value_head.safetensors"
ITERATIONS_FILE = "iterations.json"

# (queries, responses) as token ids -> one score per rollout
RewardFn = Callable[[Sequence[Sequence[int]], Sequence[Sequence[int]]], "Sequence[float] | Tensor"]


@dataclass(frozen=True)
class PPOConfig:
    iterations: int = 20  # rollout + update rounds
    prompts_per_iteration: int = 8
    samples_per_prompt: int = 2
    max_new_tokens: int = 64
    temperature: float = 1.0  # rollouts are sampled, and log-probs computed, at this temperature
    top_k: int = 0
    kl_coef: float = 0.05  # β of the per-token KL penalty to the reference
    gamma: float = 1.0
    lam: float = 0.95
    ppo_epochs: int = 4  # passes over each iteration's rollouts
    minibatch_size: int = 8  # rollouts per optimizer step
    clip_range: float = 0.2
    value_clip: float = 0.2
    vf_coef: float = 0.1
    whiten_advantages: bool = True
    missing_eos_penalty: float = 0.0  # subtracted from the score of an answer cut at max_new_tokens
    rollout_batch: int = 16  # answers decoded together (the same answers whatever the size: only faster)
    shared_prompts: bool = True  # answers to one prompt read it once in the forward passes (the same numbers)
    anchor: AnchorConfig = AnchorConfig()  # for a run given anchor prompts (`llm.train.anchor`)

    def __post_init__(self) -> None:
        for name in ("iterations", "prompts_per_iteration", "samples_per_prompt", "max_new_tokens", "ppo_epochs",
                     "minibatch_size", "rollout_batch"):
            if getattr(self, name) < 1:
                raise ValueError(f"PPOConfig.{name} must be >= 1, got {getattr(self, name)!r}")
        if not self.temperature > 0:
            raise ValueError(f"PPOConfig.temperature must be positive (rollouts are sampled), got {self.temperature!r}")
        for name in ("top_k", "kl_coef", "vf_coef", "missing_eos_penalty"):
            if getattr(self, name) < 0:
                raise ValueError(f"PPOConfig.{name} must be >= 0, got {getattr(self, name)!r}")
        for name in ("gamma", "lam"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"PPOConfig.{name} must be in [0, 1], got {getattr(self, name)!r}")
        for name in ("clip_range", "value_clip"):
            if not getattr(self, name) > 0:
                raise ValueError(f"PPOConfig.{name} must be positive, got {getattr(self, name)!r}")

    @property
    def rollouts_per_iteration(self) -> int:
        return self.prompts_per_iteration * self.samples_per_prompt

    @property
    def steps_per_iteration(self) -> int:
        return self.ppo_epochs * math.ceil(self.rollouts_per_iteration / self.minibatch_size)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PPORun:
    model: nn.Module
    adapter: str
    lora: LoRAConfig
    config: PPOConfig
    train: TrainConfig
    prompts: list[list[dict[str, str]]]
    queries: list[list[int]]
    reward_fn: RewardFn
    reward_name: str | None
    value_head: ScalarHead
    stop_token_ids: tuple[int, ...]
    pad_id: int = 0
    base_name: str | None = None
    prompts_source: str = "prompts"
    init: dict[str, str] | None = None  # the adapter the policy started from (name, weights hash)
    reference: str | None = None  # the adapter the KL penalty keeps the policy near (None: the base)
    anchors: Anchors | None = None  # answers held to by a language-model loss (`llm.train.anchor`)
    anchors_dropped: int = 0  # anchor prompts whose reference answer looped
    history: list[PPOIteration] = field(default_factory=list)
    result: PPOResult | None = None
    started: float = field(default_factory=time.time)

    kind = "ppo"

    @classmethod
    def prepare(cls, model: nn.Module, render: Render, prompts: Path | Sequence[Any], adapter: str,
                reward: RewardModel | RewardFn, lora: LoRAConfig, config: PPOConfig | None = None,
                train: TrainConfig | None = None, *, stop_token_ids: Sequence[int] = (), pad_id: int = 0,
                base_name: str | None = None, reward_name: str | None = None, init: Path | None = None,
                anchor_prompts: Path | Sequence[Any] | None = None, resume_from: Path | None = None) -> PPORun:
        """Render the prompts (one that fills the context window is refused), attach a fresh
        policy adapter and value head. `reward` is a RewardModel loaded on this same model
        (one copy of the base), or any `(queries, responses) -> scores`. With `init` the
        policy starts as a copy of that saved adapter, and a frozen copy is its reference:
        the KL penalty keeps it near the adapter it improves, not near the plain base. With
        `anchor_prompts` (as `prompts`) the reference answers them first (sampled), and the policy
        is held to those answers by a language-model loss (`llm.train.anchor`); resuming a run
        (`resume_from`: its checkpoint directory), they are read from there, not answered again."""
        config, train = config or PPOConfig(), train or TrainConfig()
        source = Path(prompts).name if isinstance(prompts, str | Path) else "prompts"
        window, messages = model_window(model), prompt_list(prompts, "prompts to sample answers to")
        queries = rendered(messages, render, window, "prompt")
        if isinstance(reward, RewardModel):
            if reward.model is not model:
                raise LoRAError("the reward model must be loaded on the policy's model: they share one base")
            if reward.adapter == adapter:
                raise LoRAError(f"the policy adapter cannot be the reward model itself ({adapter!r})")
            reward_name = reward_name or reward.adapter
            reward_fn: RewardFn = reward_fn_of(reward)
        else:
            reward_fn = reward
        adapters = adapters_of(model)
        if adapter in adapters:
            raise LoRAError(f"an adapter named {adapter!r} is already attached to this model")
        lora, started = attach_adapter(model, adapter, lora, train.seed, base_name, init)
        reference = None if init is None else adapters.load(init, f"{adapter[:54]}-reference").name
        anchors, dropped = (None, 0) if anchor_prompts is None else prepare_anchors(
            model, anchor_prompts, render, stop_token_ids, config.anchor, reference=reference, seed=train.seed,
            resume_from=resume_from)
        value_head = ScalarHead(model.config.d_model, zero=True).to(next(model.parameters()).device)
        return cls(model, adapter, lora, config, train, messages, queries, reward_fn, reward_name, value_head,
                   tuple(stop_token_ids), pad_id, base_name, source, started, reference, anchors, dropped)

    # -- pieces of an iteration -------------------------------------------------------------------
    @property
    def total_steps(self) -> int:
        return self.config.iterations * self.config.steps_per_iteration

    def sampling(self) -> SamplingConfig:
        return SamplingConfig(max_new_tokens=self.config.max_new_tokens, temperature=self.config.temperature,
                              top_k=self.config.top_k, stop_token_ids=self.stop_token_ids)

    def prompts_of_iteration(self, iteration: int) -> list[int]:
        """Prompt indices of iteration `iteration` (0-based): the prompt list is walked in a
        fresh seeded order each pass, so every prompt is used before any repeats."""
        per = self.config.prompts_per_iteration
        return seeded_walk(len(self.queries), self.train.seed, iteration * per, (iteration + 1) * per)

    @torch.no_grad()
    def score_rollouts(self, rollouts: Rollouts) -> RolloutBatch:
        """Old log-probs and values (policy), reference log-probs, scores, rewards, advantages."""
        config, adapters = self.config, adapters_of(self.model)
        batch = RolloutBatch.build(rollouts.queries, rollouts.responses, self.pad_id)
        was_training = self.model.training
        self.model.eval()
        try:
            with adapters.using(self.adapter):
                old_logprobs, old_values, _ = logprobs_and_values(self.model, self.value_head, batch,
                                                                  config.temperature, share=config.shared_prompts)
            with adapters.using(self.reference):
                ref_logprobs, _, _ = logprobs_and_values(self.model, None, batch, config.temperature,
                                                         share=config.shared_prompts)
            scores = torch.as_tensor(self.reward_fn(rollouts.queries, rollouts.responses), dtype=torch.float32)
        finally:
            self.model.train(was_training)
        if scores.shape != (len(rollouts),):
            raise DataError(f"the reward gave {tuple(scores.shape)} scores for {len(rollouts)} rollouts")
        mask = batch.mask.to(old_logprobs.device)
        scores = scores.to(old_logprobs.device)
        if config.missing_eos_penalty:
            unfinished = ~torch.tensor(rollouts.finished, device=scores.device)
            scores = scores - config.missing_eos_penalty * unfinished.float()
        rewards, _ = kl_penalized_rewards(scores, old_logprobs, ref_logprobs, mask, config.kl_coef)
        advantages, returns = gae(rewards, old_values, mask, config.gamma, config.lam)
        if config.whiten_advantages:
            advantages = whiten(advantages, mask)
        batch.old_logprobs, batch.ref_logprobs, batch.old_values = old_logprobs, ref_logprobs, old_values
        batch.advantages, batch.returns, batch.scores = advantages, returns, scores
        return batch

    def loss(self, batch: RolloutBatch, anchors: RolloutBatch | None = None) -> LossOutput:
        config = self.config
        logprobs, values, entropy = logprobs_and_values(self.model, self.value_head, batch, config.temperature,
                                                        with_entropy=True, share=config.shared_prompts)
        mask = batch.mask.to(logprobs.device)
        old = batch.old_logprobs.to(logprobs.device)
        policy_loss, clipfrac = ppo_policy_loss(logprobs, old, batch.advantages.to(logprobs.device), mask,
                                                config.clip_range)
        value_loss, value_clipfrac = ppo_value_loss(values, batch.old_values.to(values.device),
                                                    batch.returns.to(values.device), mask, config.value_clip)
        approx_kl = 0.5 * masked_mean((logprobs.detach() - old) ** 2, mask)
        loss = policy_loss + config.vf_coef * value_loss
        metrics = {"policy_loss": policy_loss.item(), "value_loss": value_loss.item(), "clipfrac": clipfrac.item(),
                   "value_clipfrac": value_clipfrac.item(), "approx_kl": approx_kl.item(), "entropy": float(entropy)}
        return anchored(LossOutput(loss, tokens=int(batch.input_ids.numel()), weight=float(mask.sum()),
                                   metrics=metrics), None if anchors is None else anchor_loss(self.model, anchors),
                        config.anchor)

    def _anchor_parts(self, step: int, parts: int) -> list[RolloutBatch | None]:
        """Optimizer step `step`'s anchors split over its `parts` micro-batches (None: none)."""
        if self.anchors is None:
            return [None] * parts
        return self.anchors.parts(step, self.config.anchor.per_step, parts, self.train.seed, self.pad_id)

    def run_info(self) -> dict[str, Any]:
        return {"kind": "ppo", "adapter": self.adapter, "prompts_sha256": prompts_sha256(self.prompts),
                "reward": self.reward_name, "init": self.init, "lora": self.lora.to_dict(),
                "ppo": self.config.to_dict(), "base_name": self.base_name,
                "anchors": anchors_info(self.anchors, self.anchors_dropped),
                "base_fingerprint": adapters_of(self.model).fingerprint}

    # -- the loop -----------------------------------------------------------------------------------
    def fit(self, *, checkpoint_dir: Path | None = None, resume: bool = False,
            on_step: Callable[[StepInfo], None] | None = None,
            on_iteration: Callable[[PPOIteration], None] | None = None) -> PPOResult:
        """Run the iterations; with `checkpoint_dir`, a checkpoint is saved after each one and
        `resume` continues from the last (the same rollouts are redrawn: sampling is seeded)."""
        config, adapters = self.config, adapters_of(self.model)
        adapters.unmerge()
        adapters.activate(self.adapter)
        adapters.train_only(self.adapter)
        params = {**adapters.named_parameters(self.adapter), **self.value_head.named_tensors("value_head")}
        trainer = Trainer(self.model, params, lambda micro: self.loss(*micro), self.train, run_info=self.run_info(),
                          on_step=on_step)
        trainer.plan(self.total_steps)
        state_dir = Path(checkpoint_dir) / "trainer" if checkpoint_dir else None
        start = 0
        if checkpoint_dir is not None and self.anchors is not None:
            save_anchors(Path(checkpoint_dir), self.anchors, self.anchors_dropped)  # a resumed run reads them
        if resume and state_dir is not None and (state_dir / STATE_FILE).is_file():
            trainer.load_checkpoint(state_dir)
            start = trainer.step // config.steps_per_iteration
            saved = Path(checkpoint_dir) / ITERATIONS_FILE
            if saved.is_file():
                rows = json.loads(saved.read_text(encoding="utf-8"))[:start]
                self.history = [PPOIteration(**row) for row in rows]
        else:
            torch.manual_seed(self.train.seed)
            random.seed(self.train.seed)
        began = time.perf_counter()
        try:
            for iteration in range(start, config.iterations):
                info = self._iteration(trainer, iteration)
                self.history.append(info)
                if state_dir is not None:
                    trainer.save_checkpoint(state_dir)
                    (Path(checkpoint_dir) / ITERATIONS_FILE).write_text(
                        json.dumps([asdict(h) for h in self.history]), encoding="utf-8")
                if on_iteration is not None:
                    on_iteration(info)
        finally:
            for param in params.values():
                param.requires_grad_(False)
            self.model.eval()
        self.result = PPOResult(list(self.history), trainer.step, time.perf_counter() - began)
        return self.result

    def _iteration(self, trainer: Trainer, iteration: int) -> PPOIteration:
        config = self.config
        cpu0, t0 = time.process_time(), time.perf_counter()
        indices = self.prompts_of_iteration(iteration)
        seed = random.Random(self.train.seed * 7_919 + iteration).randrange(2**31)
        adapters_of(self.model).activate(self.adapter)
        rollouts = sample_rollouts(self.model, [self.queries[i] for i in indices],
                                   replace(self.sampling(), seed=seed), config.samples_per_prompt, indices,
                                   batch_rows=config.rollout_batch)
        batch = self.score_rollouts(rollouts)
        t1 = time.perf_counter()
        mask = batch.mask.to(batch.old_logprobs.device)
        kl = ((batch.old_logprobs - batch.ref_logprobs) * mask).sum(1)
        steps: list[StepInfo] = []
        generator = torch.Generator().manual_seed(self.train.seed * 1_000_003 + iteration)
        for _ in range(config.ppo_epochs):
            order = torch.randperm(len(batch), generator=generator)
            for begin in range(0, len(batch), config.minibatch_size):
                index = order[begin:begin + config.minibatch_size]
                micro = [batch.select(part) for part in index.chunk(min(self.train.grad_accum, len(index)))]
                steps.append(trainer.train_step(list(zip(micro, self._anchor_parts(trainer.step, len(micro)),
                                                         strict=True))))
                if trainer.on_step is not None:
                    trainer.on_step(steps[-1])
        self.model.eval()

        def mean_metric(key: str) -> float:
            return sum(s.metrics.get(key, 0.0) for s in steps) / len(steps)

        return PPOIteration(
            iteration=iteration + 1, total=config.iterations, score=batch.scores.mean().item(),
            kl=kl.mean().item(), reward=(batch.scores - config.kl_coef * kl).mean().item(),
            response_tokens=sum(map(len, rollouts.responses)) / len(rollouts),
            finished=sum(rollouts.finished) / len(rollouts), loss=sum(s.loss for s in steps) / len(steps),
            policy_loss=mean_metric("policy_loss"), value_loss=mean_metric("value_loss"),
            clipfrac=mean_metric("clipfrac"), approx_kl=mean_metric("approx_kl"), entropy=mean_metric("entropy"),
            steps=trainer.step, rollout_s=t1 - t0, update_s=time.perf_counter() - t1, cpu_s=time.process_time() - cpu0,
            anchor_nll=mean_metric("anchor_nll"), grad_norm=sum(s.grad_norm for s in steps) / len(steps),
            anchor_grad_norm=mean_metric("apart_grad_norm"))

    # -- the artifact -------------------------------------------------------------------------------
    def card(self) -> dict[str, Any]:
        return {
            "kind": "ppo",
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.started)),
            "data": {"prompts": self.prompts_source, "sha256": prompts_sha256(self.prompts),
                     "count": len(self.prompts)},
            "reward": self.reward_name,
            "init": self.init,
            "anchors": anchors_info(self.anchors, self.anchors_dropped),
            "seed": self.train.seed,
            "train_config": self.train.to_dict(),
            "ppo_config": self.config.to_dict(),
            "result": self.result.summary() if self.result else None,
            "history": [{k: round(getattr(h, k), 4) for k in ("score", "kl", "response_tokens", "loss")}
                        | {"iteration": h.iteration} for h in self.history],
        }

    def save(self, directory: Path, *, base_name: str | None = None) -> Path:
        directory = adapters_of(self.model).save(self.adapter, directory, base_name=base_name or self.base_name,
                                                 metadata={"training": self.card()})
        self.value_head.save(directory / VALUE_HEAD_FILE)
        return directory
