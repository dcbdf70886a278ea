"""The KV cache: every layer's keys and values, preallocated and written in place at
`input_pos` (as gpt-fast does), and the tokens they hold, so that a prompt which starts
like the last one reuses its keys instead of recomputing them.

The model holds one `KVCache` and hands each block a `LayerCache`: its own slot plus
where this forward step writes and how far it reads (as nanochat passes a cache into
forward), so the blocks need no other bookkeeping.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import torch
from torch import Tensor

from llm.attention import lse_attention_available
from llm.config import ModelConfig


class LayerCache(NamedTuple):
    """One layer's keys and values as one forward step sees them."""

    kv: Tensor  # (rows, 2 * n_kv_head, length, head_dim): the keys' heads, then the values'
    pos: Tensor  # (T,) the positions this step writes
    end: int  # the step reads positions [0, end)
    shared: int  # leading positions every row holds alike (0: attend per row)
    row: int | None = None  # write and read only rows row.. (a row joining a running batch)

    def update(self, kv: Tensor) -> Tensor:
        """Write kv: (B, 2 * n_kv_head, T, head_dim) at `pos`; return every position up to
        `end`: (B, 2 * n_kv_head, end, head_dim).

        A write of batch 1 into a cache of n rows fills every row at once (broadcast), so n
        samples of one prompt share a single prefill; a smaller batch reads the first rows.
        With `row`, the batch writes and reads rows row..row + B only.
        """
        batch, rows = kv.size(0), self.kv.size(0)
        if self.row is not None:
            self.kv[self.row: self.row + batch].index_copy_(2, self.pos, kv)
            return self.kv[self.row: self.row + batch, :, : self.end]
        if batch == 1 and rows > 1:
            kv = kv.expand(rows, -1, -1, -1)
        self.kv[: kv.size(0)].index_copy_(2, self.pos, kv)
        return self.kv[:batch, :, : self.end]


class KVCache:
    """Keys and values of every layer, (rows, 2 * n_kv_head, length, head_dim) each.

    fp32 whatever the activations: on CPU, attention over bf16 keys is several times
    slower than over fp32 ones (and rounds the scores).
    """

    def __init__(self, config: ModelConfig, rows: int, length: int, device: torch.device) -> None:
        shape = (rows, 2 * config.n_kv_head, length, config.head_dim)
        self.layers = [torch.zeros(shape, dtype=torch.float32, device=device) for _ in range(config.n_layer)]
        # The token ids whose keys/values every row holds, position by position (the
        # prefix a later call may reuse instead of recomputing), and the weights (the active
        # adapter's name, None: the plain model) that computed them: an adapter switched on
        # for one answer and off again leaves the keys of the turns before it reusable.
        self.tokens: list[int] = []
        self.weights: str | None = None
        self.version = 0  # the adapter's tensor versions at the last prefill (`Transformer.adapter_version`)

    @property
    def rows(self) -> int:
        return self.layers[0].size(0)

    @property
    def length(self) -> int:
        return self.layers[0].size(2)

    def keep_prefix(self, old: KVCache, keep: int) -> None:
        """Take over the first `keep` positions of `old`'s first row (a grown cache keeps
        its prefix), as far as `old` holds known tokens there."""
        keep = min(keep, self.length, old.length, len(old.tokens))
        if keep:
            for new, prev in zip(self.layers, old.layers, strict=True):
                new[:, :, :keep] = prev[:1, :, :keep]
        self.tokens = old.tokens[:keep]
        self.weights, self.version = old.weights, old.version

    def reusable_prefix(self, prompt_ids: Sequence[int], weights: str | None = None, version: int = 0) -> int:
        """How many leading prompt tokens already sit in the cache, computed under `weights`
        at `version` (the last one is always recomputed: its logits are needed)."""
        if weights != self.weights or version != self.version:
            return 0
        shared = 0
        for cached, new in zip(self.tokens, prompt_ids, strict=False):
            if cached != new:
                break
            shared += 1
        return min(shared, len(prompt_ids) - 1)

    def begin(self, idx: Tensor, start: int, end: int, weights: str | None = None) -> int:
        """Book a step that writes idx: (B, T) at positions start..end under `weights`,
        keeping `tokens` true (keys from other weights before `start` make the prefix
        unknown). Returns the rows' common cached prefix for `shared_prefix_attention` (0
        where the kernel is missing: probed here, outside the compilable decode step)."""
        if weights != self.weights:
            self.tokens, self.weights = [], weights
        known = self.tokens[:start]
        if idx.size(0) == 1 and end - start == idx.size(1) and len(known) == start:
            known += idx[0].tolist()  # a batch-1 write fills every row alike
        self.tokens = known
        return len(known) if lse_attention_available() else 0

    def pack_rows(self, keep: Tensor) -> None:
        """Move rows `keep` (indices, in order) to the front: a batch of len(keep) rows then
        reads and writes them there (`LayerCache.update`), and the other rows are free."""
        for layer in self.layers:
            layer[: keep.numel()] = layer.index_select(0, keep)

    def at(self, pos: Tensor, end: int, shared: int, row: int | None = None) -> list[LayerCache]:
        """Each layer's view of one step (see `LayerCache`)."""
        return [LayerCache(kv, pos, end, shared, row) for kv in self.layers]
