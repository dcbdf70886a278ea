"""PPO's maths on (N, L) tensors of response positions (row: a rollout, column: its t-th
answer token, `mask` true where a token is): KL-penalised rewards, GAE, whitening and the
clipped policy and value losses. Pure functions, no model."""

from __future__ import annotations

import torch
from torch import Tensor


def masked_mean(x: Tensor, mask: Tensor) -> Tensor:
    mask = mask.to(x.dtype)
    return (x * mask).sum() / mask.sum().clamp(min=1)


def whiten(x: Tensor, mask: Tensor, eps: float = 1e-8) -> Tensor:
    """(x − mean) / std over the masked entries; 0 outside the mask."""
    mean = masked_mean(x, mask)
    var = masked_mean((x - mean) ** 2, mask)
    return ((x - mean) * torch.rsqrt(var + eps)) * mask


def kl_penalized_rewards(scores: Tensor, logprobs: Tensor, ref_logprobs: Tensor, mask: Tensor,
                         kl_coef: float) -> tuple[Tensor, Tensor]:
    """(per-token rewards, per-token KL estimate), both (N, L).

    kl_t = log π(a_t) − log πref(a_t) (its mean over samples of π is KL(π‖πref));
    r_t = −kl_coef·kl_t, and the sequence's score is added at its last token.
    """
    kl = (logprobs - ref_logprobs) * mask
    rewards = -kl_coef * kl
    last = mask.long().sum(1) - 1
    rows = torch.arange(mask.size(0), device=mask.device)
    rewards[rows, last] += scores.to(rewards.dtype)
    return rewards, kl


def gae(rewards: Tensor, values: Tensor, mask: Tensor, gamma: float, lam: float) -> tuple[Tensor, Tensor]:
    """Generalised advantage estimation over left-aligned responses: (advantages, returns).

    δ_t = r_t + γ·V_{t+1} − V_t (V after the last token is 0), A_t = δ_t + γλ·A_{t+1}.
    """
    mask = mask.to(rewards.dtype)
    advantages = torch.zeros_like(rewards)
    next_value = torch.zeros_like(rewards[:, 0])
    next_advantage = torch.zeros_like(rewards[:, 0])
    for t in reversed(range(rewards.size(1))):
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        advantage = delta + gamma * lam * next_advantage
        advantages[:, t] = advantage * mask[:, t]
        next_value = values[:, t] * mask[:, t]
        next_advantage = advantages[:, t]
    return advantages, (advantages + values) * mask


def ppo_policy_loss(logprobs: Tensor, old_logprobs: Tensor, advantages: Tensor, mask: Tensor,
                    clip_range: float) -> tuple[Tensor, Tensor]:
    """(mean of max(−A·ρ, −A·clip(ρ, 1 ± ε)), share of tokens clipped), ρ = π/π_old."""
    ratio = torch.exp(logprobs - old_logprobs)
    unclipped = -advantages * ratio
    clipped = -advantages * ratio.clamp(1.0 - clip_range, 1.0 + clip_range)
    loss = masked_mean(torch.maximum(unclipped, clipped), mask)
    return loss, masked_mean((clipped > unclipped).float(), mask).detach()


def ppo_value_loss(values: Tensor, old_values: Tensor, returns: Tensor, mask: Tensor,
                   clip_range: float) -> tuple[Tensor, Tensor]:
    """(½·mean of max((V − R)², (V_clipped − R)²), share clipped); V_clipped stays within ε of V_old."""
    clipped_values = old_values + (values - old_values).clamp(-clip_range, clip_range)
    unclipped = (values - returns) ** 2
    clipped = (clipped_values - returns) ** 2
    loss = 0.5 * masked_mean(torch.maximum(unclipped, clipped), mask)
    return loss, masked_mean((clipped > unclipped).float(), mask).detach()
