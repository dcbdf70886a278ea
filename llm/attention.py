"""Attention kernels beyond `scaled_dot_product_attention`: decode attention for rows that
share a prompt, built on the CPU flash kernel's log-sum-exp.

`torch.ops.aten._scaled_dot_product_flash_attention_for_cpu` is a private op: it returns
the log-sum-exp of the scores that SDPA keeps to itself, which is what lets two partial
softmaxes merge. Whether this torch has it is probed once, outside any compiled graph.
"""

from __future__ import annotations

import functools

import torch
from torch import Tensor

# Below this many shared cache positions, plain attention per row is as fast.
SHARED_PREFIX_MIN = 64


def flash_with_lse(q: Tensor, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
    """Attention output (B, heads, T, hd) and the log-sum-exp of its scores (B, heads, T)."""
    out, lse = torch.ops.aten._scaled_dot_product_flash_attention_for_cpu(q, k, v)
    return out, lse


@functools.cache
def lse_attention_available() -> bool:
    try:
        x = torch.ones(1, 1, 2, 8)
        out, lse = flash_with_lse(x, x, x)
        return out.shape == x.shape and lse.shape == (1, 1, 2)
    except (AttributeError, RuntimeError, NotImplementedError):
        return False


def shared_prefix_attention(q: Tensor, k: Tensor, v: Tensor, prefix: int) -> Tensor:
    """Decode attention for rows that share their first `prefix` keys (n samples of one
    prompt): the shared part is read once for all rows, not once per row.

    q: (B, n_head, 1, hd); k, v: (B, n_kv, end, hd) whose first `prefix` positions are
    alike in every row. The two partial softmaxes merge by their log-sum-exps.
    """
    B, nq, _, hd = q.shape
    nkv = k.size(1)
    group = q.view(B, nkv, nq // nkv, hd)  # a KV head's query heads, side by side
    together = group.transpose(0, 1).reshape(1, nkv, -1, hd)  # every row's queries at once
    out1, lse1 = flash_with_lse(together, k[:1, :, :prefix], v[:1, :, :prefix])
    out2, lse2 = flash_with_lse(group, k[:, :, prefix:], v[:, :, prefix:])
    out1 = out1.view(nkv, B, -1, hd).transpose(0, 1)
    lse1 = lse1.view(nkv, B, -1).transpose(0, 1)
    share = torch.sigmoid(lse1 - lse2).unsqueeze(-1)  # the prefix's share of the softmax mass
    return torch.lerp(out2, out1, share).view(B, nq, 1, hd)
