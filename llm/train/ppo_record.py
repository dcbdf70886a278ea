"""What a PPO run did, iteration by iteration: the record `PPORun` keeps, checkpoints
(iterations.json) and summarises on its training card."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from llm.train.data import ChatMessage


@dataclass
class PPOIteration:
    """What one iteration did: the rollouts' scores, KL and lengths, and the updates' losses."""

    iteration: int  # 1-based
    total: int
    score: float  # mean reward-model score of the rollouts
    kl: float  # mean Σ_t log π − log πref per rollout
    reward: float  # score − kl_coef · kl
    response_tokens: float  # mean answer length
    finished: float  # share of answers that ended with a stop token
    loss: float
    policy_loss: float
    value_loss: float
    clipfrac: float
    approx_kl: float  # ½·mean (log π_new − log π_old)² over the updates: how far one iteration moved
    entropy: float
    steps: int  # optimizer steps so far
    rollout_s: float
    update_s: float
    cpu_s: float  # process CPU time of the iteration
    anchor_nll: float = 0.0  # the anchors' mean loss over the updates (0 without anchors)
    grad_norm: float = 0.0  # mean gradient norm before clipping (PPO's alone with anchors kept apart)
    anchor_grad_norm: float = 0.0  # the anchors' kept apart (`AnchorConfig.apart`; else 0)

    def to_dict(self) -> dict[str, Any]:
        return {k: round(v, 5) if isinstance(v, float) else v for k, v in asdict(self).items()}


@dataclass
class PPOResult:
    iterations: list[PPOIteration]
    steps: int
    seconds: float

    def summary(self) -> dict[str, Any]:
        first, last = (self.iterations[0], self.iterations[-1]) if self.iterations else (None, None)

        def pick(it: PPOIteration | None) -> dict[str, Any] | None:
            return None if it is None else {k: round(getattr(it, k), 4)
                                            for k in ("score", "kl", "reward", "response_tokens", "finished")}

        return {"iterations": len(self.iterations), "steps": self.steps, "seconds": round(self.seconds, 2),
                "first": pick(first), "last": pick(last)}


def prompts_sha256(prompts: Sequence[Sequence[ChatMessage]]) -> str:
    return hashlib.sha256(json.dumps([list(map(dict, p)) for p in prompts], sort_keys=True).encode()).hexdigest()
