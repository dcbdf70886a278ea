"""The training loop every trainer shares: SFT, reward models, DPO and PPO.

A trainer is a loss function over batches plus the parameters it trains; this module does
the rest: AdamW on those parameters only, linear warmup then cosine decay, gradient
accumulation, clipping, seeding, checkpoints that resume exactly (trained tensors,
optimizer, step, position in the data, RNG state), evaluation on held-out batches, and a
callback after each step (the library never prints; the CLI draws the progress).

    trainer = Trainer(model, named_params, loss_fn, TrainConfig(lr=2e-4, max_steps=100))
    result = trainer.fit(batches, eval_batches)          # batches: a BatchSource

or, for a trainer that makes its own batches (PPO's rollouts), `trainer.plan(total)` and
then `trainer.train_step(micro_batches)` per step. The settings are `llm.train.config`'s
TrainConfig; the causal-LM losses the trainers build on are in `llm.train.lm`.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import Tensor, nn

from llm.errors import LLMError
from llm.train.config import TrainConfig
from llm.train.reports import LossFn, StepInfo, TrainResult

TRAINABLE_FILE = "trainable.safetensors"
STATE_FILE = "trainer_state.pt"
RUN_FILE = "run.json"


class TrainingError(LLMError):
    """Training that cannot start or go on (bad data, a diverged loss, a checkpoint that does not fit)."""


class DataError(TrainingError):
    """Training data that cannot be used (the record or line is named)."""


class BatchSource(Protocol):
    """Micro-batches, epoch by epoch; `epoch(i)` must give the same order every time it
    is asked for epoch i (that is what makes resuming exact)."""

    def __len__(self) -> int: ...

    def epoch(self, index: int) -> Iterable[Any]: ...


class ListBatches:
    """A BatchSource over a list, reshuffled per epoch with a fixed seed."""

    def __init__(self, batches: Sequence[Any], seed: int | None = 0) -> None:
        self.batches, self.seed = list(batches), seed

    def __len__(self) -> int:
        return len(self.batches)

    def epoch(self, index: int) -> list[Any]:
        if self.seed is None:
            return list(self.batches)
        order = list(range(len(self.batches)))
        random.Random(self.seed * 1_000_003 + index).shuffle(order)
        return [self.batches[i] for i in order]


class Trainer:
    def __init__(self, model: nn.Module, params: Mapping[str, nn.Parameter], loss_fn: LossFn,
                 config: TrainConfig | None = None, *, eval_fn: LossFn | None = None,
                 checkpoint_dir: Path | None = None, run_info: Mapping[str, Any] | None = None,
                 on_step: Callable[[StepInfo], None] | None = None) -> None:
        """`params`: the trained tensors by a stable name (used in checkpoints); everything
        else in `model` is left alone. `run_info`: what must match for a resume (data hash,
        configs), stored with each checkpoint."""
        if not params:
            raise TrainingError("nothing to train: no parameters were given")
        self.model, self.params, self.loss_fn = model, dict(params), loss_fn
        self.eval_fn = eval_fn or loss_fn
        self.config = config or TrainConfig()
        self.checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir else None
        self.run_info = json.loads(json.dumps(dict(run_info or {})))  # plain JSON, compared on resume
        self.on_step = on_step
        for param in self.params.values():
            param.requires_grad_(True)
        decay = [p for p in self.params.values() if p.ndim >= 2]
        no_decay = [p for p in self.params.values() if p.ndim < 2]
        groups = [{"params": decay, "weight_decay": self.config.weight_decay}]
        if no_decay:
            groups.append({"params": no_decay, "weight_decay": 0.0})
        self.optimizer = torch.optim.AdamW(groups, lr=self.config.lr, betas=self.config.betas)
        self.step = 0
        self.epoch = 0
        self.batch_in_epoch = 0  # micro-batches of the current epoch already trained on
        self.total_steps = self.config.max_steps or 1
        self.history: list[StepInfo] = []
        self.initial_eval_loss: float | None = None
        self._tokens = 0
        self._train_seconds = 0.0
        self._updating = False
        self._rng_at_step_start = torch.get_rng_state()
        self.stop_reason: str | None = None

    def request_stop(self, reason: str) -> None:
        """End `fit` after the current step (a hook decided: e.g. the policy drifted too far)."""
        self.stop_reason = reason

    # -- one step ---------------------------------------------------------------------------
    def plan(self, total_steps: int) -> None:
        """Fix the schedule's length (fit does this itself)."""
        self.total_steps = max(1, int(total_steps))

    def train_step(self, micro_batches: Sequence[Any]) -> StepInfo:
        """One optimizer step over `micro_batches` (their gradients are averaged)."""
        if not micro_batches:
            raise TrainingError("a training step needs at least one batch")
        start = time.perf_counter()
        self._rng_at_step_start = torch.get_rng_state()
        self.model.train()
        lr = self.config.lr_at(self.step, self.total_steps)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        losses, tokens, metrics = [], 0, {}
        params = list(self.params.values())
        apart: list[Tensor] | None = None
        for batch in micro_batches:
            out = self.loss_fn(batch)
            if not all(torch.isfinite(t) for t in (out.loss, out.apart) if t is not None):
                raise TrainingError(f"the loss became {out.loss.item()} at step {self.step + 1}; "
                                    "try a lower learning rate")
            if out.apart is not None:
                grads = torch.autograd.grad(out.apart / len(micro_batches), params, retain_graph=True,
                                            allow_unused=True)
                grads = [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads, strict=True)]
                apart = grads if apart is None else [a + g for a, g in zip(apart, grads, strict=True)]
                apart_ratio = out.apart_ratio
            (out.loss / len(micro_batches)).backward()
            losses.append(out.loss.item())
            tokens += out.tokens
            for key, value in out.metrics.items():
                metrics[key] = metrics.get(key, 0.0) + float(value) / len(micro_batches)
        if self.config.clip_norm is not None:
            grad_norm = float(torch.nn.utils.clip_grad_norm_(params, self.config.clip_norm))
        else:
            grad_norm = float(torch.linalg.vector_norm(
                torch.stack([p.grad.norm() for p in params if p.grad is not None])))
        if apart is not None:  # capped by the main gradient's norm as clipped
            clipped = min(grad_norm, self.config.clip_norm or math.inf)
            metrics["apart_grad_norm"] = self._add_apart(params, apart, apart_ratio * clipped)
        self._updating = True  # from here on, an interrupted step cannot be rolled back
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step += 1
        self._updating = False
        self._tokens += tokens
        self._train_seconds += time.perf_counter() - start
        info = StepInfo(self.step, self.total_steps, self.epoch, sum(losses) / len(losses), lr, grad_norm,
                        self._tokens, self._tokens / max(self._train_seconds, 1e-9), self._train_seconds, metrics)
        self.history.append(info)
        return info

    @torch.no_grad()
    def _add_apart(self, params: list[Tensor], grads: list[Tensor], most: float) -> float:
        """Add the apart objective's gradient (`LossOutput.apart`), its norm capped at `most`; its norm."""
        norm = float(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])))
        scale = min(1.0, most / (norm + 1e-12))
        for param, grad in zip(params, grads, strict=True):
            param.grad = grad * scale if param.grad is None else param.grad.add_(grad, alpha=scale)
        return norm

    @torch.no_grad()
    def evaluate(self, batches: Iterable[Any]) -> tuple[float, dict[str, float]]:
        """Mean loss (weighted by each batch's units) and metrics over `batches`."""
        was_training = self.model.training
        self.model.eval()
        total, weight, metrics = 0.0, 0.0, {}
        try:
            for batch in batches:
                out = self.eval_fn(batch)
                total += out.loss.item() * out.weight
                weight += out.weight
                for key, value in out.metrics.items():
                    metrics[key] = metrics.get(key, 0.0) + float(value) * out.weight
        finally:
            self.model.train(was_training)
        if weight == 0:
            raise TrainingError("the evaluation set is empty")
        return total / weight, {k: v / weight for k, v in metrics.items()}

    # -- the whole run ------------------------------------------------------------------------
    def steps_per_epoch(self, train: BatchSource) -> int:
        return math.ceil(len(train) / self.config.grad_accum)

    def fit(self, train: BatchSource, eval_batches: Sequence[Any] | None = None, *,
            resume: bool = False) -> TrainResult:
        """Train to `max_steps` (or `epochs`), evaluating and checkpointing on the way.

        With `resume`, a checkpoint in `checkpoint_dir` (if there is one) is loaded first and
        training continues exactly where it stopped.
        """
        if len(train) == 0:
            raise TrainingError("no training batches")
        per_epoch = self.steps_per_epoch(train)
        self.plan(self.config.max_steps or self.config.epochs * per_epoch)
        resumed = resume and self.checkpoint_dir is not None and self.load_checkpoint(self.checkpoint_dir)
        if not resumed:
            torch.manual_seed(self.config.seed)
            random.seed(self.config.seed)
            if eval_batches:
                self.initial_eval_loss, _ = self.evaluate(eval_batches)
        try:
            for group in self._groups(train) if self.step < self.total_steps else ():
                try:
                    info = self.train_step(group)
                except KeyboardInterrupt:
                    self._checkpoint_interrupted(len(group))
                    raise
                last = self.step >= self.total_steps
                self._after_step(info, eval_batches, last)
                if self.on_step is not None:
                    self.on_step(info)
                if self.stop_reason is not None and not last:  # a hook stopped the run and may have set
                    self._after_step(info, eval_batches, True)  # weights back: score and keep those
                if last or self.stop_reason is not None:
                    break
        finally:
            self.model.eval()
        losses = [h.loss for h in self.history]
        tail = losses[-max(1, len(losses) // 10):] if losses else []
        eval_loss = next((h.eval_loss for h in reversed(self.history) if h.eval_loss is not None), None)
        return TrainResult(
            steps=self.step, total_steps=self.total_steps, initial_loss=losses[0] if losses else None,
            final_loss=sum(tail) / len(tail) if tail else None, initial_eval_loss=self.initial_eval_loss,
            final_eval_loss=eval_loss, tokens=self._tokens, seconds=self._train_seconds, history=list(self.history),
            stopped=self.stop_reason)

    def _after_step(self, info: StepInfo, eval_batches: Sequence[Any] | None, last: bool) -> None:
        """Held-out loss and checkpoint, on schedule and always after the last step."""
        if eval_batches and (last or (self.config.eval_every and self.step % self.config.eval_every == 0)):
            info.eval_loss, info.eval_metrics = self.evaluate(eval_batches)
        if self.checkpoint_dir is not None and (
                last or (self.config.checkpoint_every and self.step % self.config.checkpoint_every == 0)):
            self.save_checkpoint(self.checkpoint_dir)

    def _groups(self, train: BatchSource) -> Iterator[list[Any]]:
        """Groups of `grad_accum` micro-batches, epoch after epoch, from the saved position."""
        accum = self.config.grad_accum
        while True:
            group: list[Any] = []
            for batch in islice(train.epoch(self.epoch), self.batch_in_epoch, None):
                group.append(batch)
                if len(group) == accum:
                    self.batch_in_epoch += len(group)
                    yield group
                    group = []
            if group:
                self.batch_in_epoch += len(group)
                yield group
            self.epoch += 1
            self.batch_in_epoch = 0

    # -- checkpoints --------------------------------------------------------------------------
    def _checkpoint_interrupted(self, group_size: int) -> None:
        """Ctrl-C inside a step: undo the unfinished step (its data and randomness) and save,
        so that a resume loses nothing and stays exact."""
        if self.checkpoint_dir is None or self._updating:
            return
        self.optimizer.zero_grad(set_to_none=True)
        self.batch_in_epoch -= group_size
        torch.set_rng_state(self._rng_at_step_start)
        self.save_checkpoint(self.checkpoint_dir)

    def save_checkpoint(self, directory: Path) -> None:
        """Trained tensors, optimizer, step, data position and RNG state; written whole or not at all."""
        from safetensors.torch import save_file

        directory = Path(directory)
        partial = directory.with_name(directory.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        save_file({k: v.detach().contiguous() for k, v in self.params.items()}, partial / TRAINABLE_FILE)
        torch.save({
            "optimizer": self.optimizer.state_dict(), "step": self.step, "epoch": self.epoch,
            "batch_in_epoch": self.batch_in_epoch, "total_steps": self.total_steps,
            "tokens": self._tokens, "seconds": self._train_seconds, "initial_eval_loss": self.initial_eval_loss,
            "history": [asdict(h) for h in self.history],
            "rng": {"torch": torch.get_rng_state(), "python": random.getstate()},
        }, partial / STATE_FILE)
        (partial / RUN_FILE).write_text(json.dumps({"config": self.config.to_dict(), "run": self.run_info},
                                                   indent=2), encoding="utf-8")
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            os.replace(directory, old)
        os.replace(partial, directory)
        shutil.rmtree(old, ignore_errors=True)

    def load_checkpoint(self, directory: Path) -> bool:
        """Restore a checkpoint; False when there is none. A checkpoint of another run
        (different parameters, data or settings) is refused."""
        from safetensors.torch import load_file

        directory = Path(directory)
        if not (directory / STATE_FILE).is_file():
            return False
        saved = json.loads((directory / RUN_FILE).read_text(encoding="utf-8"))
        config = self.config.to_dict()
        for key in sorted(set(saved["config"]) | set(config)):
            if key not in ("eval_every", "checkpoint_every") and saved["config"].get(key) != config.get(key):
                raise TrainingError(f"{directory}: the checkpoint was made with {key}={saved['config'].get(key)!r}, "
                                    f"not {config.get(key)!r}; start afresh or use the same settings")
        for key in sorted(set(saved["run"]) | set(self.run_info)):
            if saved["run"].get(key) != self.run_info.get(key):
                raise TrainingError(f"{directory}: the checkpoint belongs to another run ({key} differs: "
                                    f"{saved['run'].get(key)!r} vs {self.run_info.get(key)!r})")
        tensors = load_file(directory / TRAINABLE_FILE)
        if set(tensors) != set(self.params):
            missing = sorted(set(self.params) ^ set(tensors))
            raise TrainingError(f"{directory}: the checkpoint's tensors do not match the trained ones "
                                f"({missing[0]!r} differs)")
        with torch.no_grad():
            for name, param in self.params.items():
                if tensors[name].shape != param.shape:
                    raise TrainingError(f"{directory}: tensor {name!r} has shape {tuple(tensors[name].shape)}, "
                                        f"expected {tuple(param.shape)}")
                param.copy_(tensors[name])
        state = torch.load(directory / STATE_FILE, weights_only=True)
        self.optimizer.load_state_dict(state["optimizer"])
        self.step, self.epoch, self.batch_in_epoch = state["step"], state["epoch"], state["batch_in_epoch"]
        self.total_steps = state["total_steps"]
        self._tokens, self._train_seconds = state["tokens"], state["seconds"]
        self.initial_eval_loss = state["initial_eval_loss"]
        self.history = [StepInfo(**h) for h in state["history"]]
        torch.set_rng_state(state["rng"]["torch"])
        python_state = state["rng"]["python"]
        random.setstate((python_state[0], tuple(python_state[1]), python_state[2]))
        return True
