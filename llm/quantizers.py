"""Weights to integer formats: per-row int8 and grouped int4 (the layers of `llm.quant` hold
them; the row kernel's adapter updates use the int8 one too). A module of its own, below
both, so each can import it."""

from __future__ import annotations

import torch
from torch import Tensor


def quantize_int8(weight: Tensor) -> tuple[Tensor, Tensor]:
    """Symmetric per-row int8: weight ≈ q * scale[:, None]. Returns (q int8 (N, K), scale fp32 (N,))."""
    if weight.is_meta:  # a skeleton to load a cached copy into: shapes only
        return torch.empty(weight.shape, dtype=torch.int8, device="meta"), torch.empty(weight.shape[0], device="meta")
    weight = weight.detach().float()
    scale = (weight.abs().amax(dim=1) / 127.0).clamp(min=1e-12)
    q = torch.round(weight / scale[:, None]).clamp(-127, 127).to(torch.int8)
    return q, scale


def quantize_int4(weight: Tensor, group_size: int) -> tuple[Tensor, Tensor]:
    """Asymmetric grouped int4: weight ≈ (q - 8) * scale + zero, per group of `group_size` inputs.

    Returns (q int32 in [0, 15] (N, K), scales_and_zeros fp32 (K // group_size, N, 2)), the
    layout of `_weight_int4pack_mm_for_cpu`. min/max per group reproduces a llama.cpp Q4_1
    grid exactly when the group size divides 32.
    """
    N, K = weight.shape
    if weight.is_meta:
        return (torch.empty(N, K, dtype=torch.int32, device="meta"),
                torch.empty(K // group_size, N, 2, device="meta"))
    weight = weight.detach().float()
    groups = weight.reshape(N, K // group_size, group_size)
    low, high = groups.amin(dim=-1, keepdim=True), groups.amax(dim=-1, keepdim=True)
    scale = ((high - low) / 15.0).clamp(min=1e-12)
    q = torch.round((groups - low) / scale).clamp(0, 15).to(torch.int32).reshape(N, K)
    zero = low + 8.0 * scale  # the kernel computes (q - 8) * scale + zero
    scales_and_zeros = torch.stack([scale.reshape(N, -1), zero.reshape(N, -1)], dim=-1)  # (N, G, 2)
    return q, scales_and_zeros.transpose(0, 1).contiguous()
