"""What the training loop passes around: a loss function's output for one micro-batch, the
report of each optimizer step, and a run's result (`llm.train.loop` uses them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import Tensor


@dataclass
class LossOutput:
    """What a loss function returns for one micro-batch."""

    loss: Tensor  # a scalar: the mean over the batch's units (target tokens, pairs...)
    tokens: int = 0  # tokens the forward pass read, for tokens/s
    weight: float = 1.0  # the number of units, to average evaluation losses correctly
    metrics: dict[str, float] = field(default_factory=dict)  # e.g. accuracy, reward margin
    # A second objective kept apart: its gradient is added after `loss`'s is clipped, scaled
    # down where needed to `apart_ratio` × that gradient's norm, so it can steer each step but
    # never outweigh the main objective (PPO's anchors beside its policy loss).
    apart: Tensor | None = None
    apart_ratio: float = 1.0


LossFn = Callable[[Any], LossOutput]


@dataclass
class StepInfo:
    """Reported after every optimizer step."""

    step: int  # steps done, 1-based
    total_steps: int
    epoch: int
    loss: float
    lr: float
    grad_norm: float
    tokens: int  # tokens read so far in this run
    tokens_per_s: float
    elapsed_s: float  # training time so far in this run (evaluation excluded)
    metrics: dict[str, float] = field(default_factory=dict)
    eval_loss: float | None = None  # set on the steps that evaluated
    eval_metrics: dict[str, float] = field(default_factory=dict)


@dataclass
class TrainResult:
    steps: int
    total_steps: int
    initial_loss: float | None
    final_loss: float | None  # mean training loss over the last few steps
    initial_eval_loss: float | None
    final_eval_loss: float | None
    tokens: int
    seconds: float
    history: list[StepInfo]
    stopped: str | None = None  # why training stopped before its last step (e.g. a KL bound)

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        def rounded(x: float | None) -> float | None:
            return None if x is None else round(x, 5)

        return {"steps": self.steps, "initial_loss": rounded(self.initial_loss), "final_loss": rounded(self.final_loss),
                "initial_eval_loss": rounded(self.initial_eval_loss),
                "final_eval_loss": rounded(self.final_eval_loss), "tokens": self.tokens,
                "seconds": round(self.seconds, 2), "tokens_per_s": round(self.tokens_per_s, 1),
                **({"stopped": self.stopped} if self.stopped else {})}
