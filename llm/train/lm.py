"""What the trainers ask of a causal language model: its context window, log-probs of
target tokens and the cross-entropy on them, with IGNORE_INDEX marking the positions that
are context only."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from llm.train.loop import DataError

IGNORE_INDEX = -100


def model_window(model: nn.Module) -> int:
    """The context window in tokens (unbounded for a model without a config)."""
    config = getattr(model, "config", None)
    return int(getattr(config, "max_seq_len", 1 << 30))


def lm_logits_at(model: nn.Module, input_ids: Tensor, positions: Tensor) -> Tensor:
    """Logits (N, vocab) at the (row, column) `positions` (N, 2) only.

    Projecting just the positions that carry a target through the 49k-word head saves
    most of the head's cost when the prompt part of a sequence is masked out.
    """
    hidden = model(input_ids, return_hidden=True)  # (B, T, d_model)
    picked = hidden[positions[:, 0], positions[:, 1]]  # (N, d_model)
    if hasattr(model, "logits"):
        return model.logits(picked)
    head = getattr(model, "lm_head", None)
    return head(picked) if head is not None else F.linear(picked, model.tok_emb.weight)


def target_logprobs(model: nn.Module, input_ids: Tensor, targets: Tensor) -> Tensor:
    """log p(target) at every position (B, T); 0 where the target is IGNORE_INDEX."""
    mask = targets != IGNORE_INDEX
    positions = mask.nonzero()
    logits = lm_logits_at(model, input_ids, positions).float()
    picked = logits.log_softmax(-1).gather(-1, targets[mask][:, None])[:, 0]
    out = torch.zeros(targets.shape, dtype=picked.dtype, device=picked.device)
    out[mask] = picked
    return out


def lm_loss(model: nn.Module, input_ids: Tensor, targets: Tensor) -> Tensor:
    """Mean cross-entropy over the targets that are not IGNORE_INDEX."""
    mask = targets != IGNORE_INDEX
    if not mask.any():
        raise DataError("a batch has no target tokens")
    logits = lm_logits_at(model, input_ids, mask.nonzero()).float()
    return F.cross_entropy(logits, targets[mask])
