"""What happens to next-token logits before a token is picked: repetition penalty,
temperature, top-k and top-p, the first token's bias, constrained decoding's masks, and
the pick itself (one seeded draw per row)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

from llm.sampling import SamplingConfig


def process_logits(logits: Tensor, history: Tensor, config: SamplingConfig) -> Tensor:
    """Apply repetition penalty, temperature, top-k and top-p to (n, vocab) logits."""
    logits = logits.float()
    if config.repetition_penalty != 1.0 and history.numel():
        seen = torch.gather(logits, 1, history)
        seen = torch.where(seen > 0, seen / config.repetition_penalty, seen * config.repetition_penalty)
        logits = logits.scatter(1, history, seen)
    if config.greedy:
        return logits
    logits = logits / config.temperature
    if config.top_k:
        kth = torch.topk(logits, min(config.top_k, logits.size(-1))).values[:, -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if config.top_p < 1.0:
        sorted_logits, order = torch.sort(logits, descending=True)
        cumulative = sorted_logits.softmax(-1).cumsum(-1)
        drop = cumulative - sorted_logits.softmax(-1) >= config.top_p  # keep the token crossing p
        sorted_logits = sorted_logits.masked_fill(drop, float("-inf"))
        logits = torch.full_like(logits, float("-inf")).scatter(1, order, sorted_logits)
    return logits


# Constrained decoding: the tokens a row may take next, given the ids it has generated so
# far — a boolean mask over the vocabulary, or None where any token may come.
TokenFilter = Callable[[list[int]], Tensor | None]


def keep_allowed(logits: Tensor, filters: Sequence[TokenFilter | None], made: Sequence[list[int]]) -> Tensor:
    """(n, vocab) logits with each row's disallowed tokens at -inf; rows without a filter,
    or whose filter allows anything now, as they are."""
    masks = [None if f is None else f(ids) for f, ids in zip(filters, made, strict=True)]
    if all(m is None for m in masks):
        return logits
    logits = logits.clone()
    for row, mask in enumerate(masks):
        if mask is not None:
            logits[row].masked_fill_(~mask, float("-inf"))
    return logits


def bias_first(logits: Tensor, config: SamplingConfig) -> Tensor:
    """The logits the first token is chosen from, with `config.first_token_bias` added."""
    if not config.first_token_bias:
        return logits
    ids, bias = zip(*config.first_token_bias, strict=True)
    logits = logits.clone()
    logits[:, list(ids)] += torch.tensor(bias, dtype=logits.dtype, device=logits.device)
    return logits


def pick_tokens(logits: Tensor, config: SamplingConfig, generators: list[torch.Generator]) -> Tensor:
    """The next token of each row, (n,) int64."""
    if config.greedy:
        return logits.argmax(-1)
    # Inverse-CDF sampling, one uniform draw per row from the row's own generator:
    # `torch.multinomial` draws an exponential per vocabulary entry (~1 ms a row here).
    cdf = logits.softmax(-1).cumsum_(-1)
    draws = torch.cat([torch.rand(1, generator=g) for g in generators])
    targets = (draws * cdf[:, -1]).unsqueeze(1)
    # right=True: the first entry whose cumulative mass exceeds the draw, never a zero-width one
    return torch.searchsorted(cdf, targets, right=True).squeeze(1).clamp_(max=logits.size(-1) - 1)
