"""The Transformer, top to bottom: embeddings, positions, attention, MLP, norms, KV cache.

One module builds Llama-style decoders, GPT-2-style decoders and BERT-style encoders from
a `ModelConfig`. Linear layers are named by role (q, k, v, o, gate, up, down) so that
LoRA can target them by name.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from llm.config import ModelConfig


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: Tensor) -> Tensor:
        # Normalise in fp32 like the reference implementation: bf16 variance is too coarse.
        normed = F.rms_norm(x.float(), (x.size(-1),), eps=self.eps).to(x.dtype)
        return normed * self.weight


def make_norm(config: ModelConfig) -> nn.Module:
    if config.norm == "rms":
        return RMSNorm(config.d_model, config.norm_eps)
    return nn.LayerNorm(config.d_model, eps=config.norm_eps)


def rope_tables(config: ModelConfig) -> tuple[Tensor, Tensor]:
    """cos/sin of shape (max_seq_len, head_dim), in the rotate-half layout of HF Llama."""
    half = config.head_dim // 2
    inv_freq = 1.0 / (config.rope_theta ** (torch.arange(0, half, dtype=torch.float64) / half))
    angles = torch.outer(torch.arange(config.max_seq_len, dtype=torch.float64), inv_freq)
    angles = torch.cat([angles, angles], dim=-1)
    return angles.cos().float(), angles.sin().float()


def sinusoidal_table(config: ModelConfig) -> Tensor:
    """The fixed sin/cos position table of "Attention Is All You Need": (max_seq_len, d_model)."""
    position = torch.arange(config.max_seq_len, dtype=torch.float64)[:, None]
    div = torch.exp(torch.arange(0, config.d_model, 2, dtype=torch.float64) * (-math.log(1e4) / config.d_model))
    table = torch.zeros(config.max_seq_len, config.d_model, dtype=torch.float64)
    table[:, 0::2] = torch.sin(position * div)
    table[:, 1::2] = torch.cos(position * div)[:, : config.d_model // 2]
    return table.float()


def apply_rope(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    # x: (B, n_head, T, head_dim); cos/sin: (T, head_dim)
    half = x.size(-1) // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return (x * cos + rotated * sin).to(x.dtype)


class KVCache(nn.Module):
    """A preallocated cache of keys and values, written in place at `input_pos`.

    A prefill of batch 1 into a cache of batch n writes every row at once (broadcast), so
    n samples of one prompt share a single prefill.
    """

    def __init__(self, batch_size: int, max_len: int, n_kv_head: int, head_dim: int,
                 dtype: torch.dtype) -> None:
        super().__init__()
        shape = (batch_size, n_kv_head, max_len, head_dim)
        self.register_buffer("k", torch.zeros(shape, dtype=dtype), persistent=False)
        self.register_buffer("v", torch.zeros(shape, dtype=dtype), persistent=False)

    def update(self, input_pos: Tensor, end: int, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        batch = k.size(0)
        rows = self.k.size(0)
        self.k.index_copy_(2, input_pos, k.expand(rows, -1, -1, -1))
        self.v.index_copy_(2, input_pos, v.expand(rows, -1, -1, -1))
        return self.k[:batch, :, :end], self.v[:batch, :, :end]


class Attention(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.n_head, self.n_kv_head, self.head_dim = config.n_head, config.n_kv_head, config.head_dim
        kv_dim = config.n_kv_head * config.head_dim
        self.q = nn.Linear(config.d_model, config.d_model, bias=config.bias)
        self.k = nn.Linear(config.d_model, kv_dim, bias=config.bias)
        self.v = nn.Linear(config.d_model, kv_dim, bias=config.bias)
        self.o = nn.Linear(config.d_model, config.d_model, bias=config.bias)
        self.causal = config.causal
        self.cache: KVCache | None = None

    def forward(self, x: Tensor, rope: tuple[Tensor, Tensor] | None, input_pos: Tensor | None,
                end: int, mask: Tensor | None) -> Tensor:
        B, T, _ = x.shape
        q = self.q(x).view(B, T, self.n_head, self.head_dim).transpose(1, 2)  # (B, n_head, T, hd)
        k = self.k(x).view(B, T, self.n_kv_head, self.head_dim).transpose(1, 2)  # (B, n_kv, T, hd)
        v = self.v(x).view(B, T, self.n_kv_head, self.head_dim).transpose(1, 2)
        if rope is not None:
            cos, sin = rope
            q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        if self.cache is not None and input_pos is not None:
            k, v = self.cache.update(input_pos, end, k, v)
        gqa = self.n_head != self.n_kv_head
        if mask is None:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal and T > 1,
                                               enable_gqa=gqa)
        else:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=gqa)
        return self.o(y.transpose(1, 2).reshape(B, T, -1))


class MLP(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.activation = config.activation
        if config.activation == "swiglu":
            self.gate = nn.Linear(config.d_model, config.d_ff, bias=config.bias)
        self.up = nn.Linear(config.d_model, config.d_ff, bias=config.bias)
        self.down = nn.Linear(config.d_ff, config.d_model, bias=config.bias)

    def forward(self, x: Tensor) -> Tensor:
        if self.activation == "swiglu":
            return self.down(F.silu(self.gate(x)) * self.up(x))
        approximate = "tanh" if self.activation == "gelu_tanh" else "none"
        return self.down(F.gelu(self.up(x), approximate=approximate))


class Block(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.pre_norm = config.pre_norm
        self.attn_norm = make_norm(config)
        self.attn = Attention(config)
        self.mlp_norm = make_norm(config)
        self.mlp = MLP(config)

    def forward(self, x: Tensor, rope: tuple[Tensor, Tensor] | None, input_pos: Tensor | None,
                end: int, mask: Tensor | None) -> Tensor:
        if self.pre_norm:
            x = x + self.attn(self.attn_norm(x), rope, input_pos, end, mask)
            return x + self.mlp(self.mlp_norm(x))
        x = self.attn_norm(x + self.attn(x, rope, input_pos, end, mask))
        return self.mlp_norm(x + self.mlp(x))


class Transformer(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.tok_emb = nn.Embedding(config.vocab_size, config.d_model)
        if config.positions == "learned":
            self.pos_emb = nn.Embedding(config.max_seq_len, config.d_model)
        if config.type_vocab_size:
            self.type_emb = nn.Embedding(config.type_vocab_size, config.d_model)
        self.emb_norm = make_norm(config) if config.embedding_norm else None
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.final_norm = make_norm(config) if config.pre_norm else None
        self.lm_head = None if config.tie_embeddings else nn.Linear(config.d_model, config.vocab_size, bias=False)
        self.init_buffers()
        self.apply(self._init_weights)

    def init_buffers(self) -> None:
        """(Re)compute the position tables; a model built on the meta device needs this."""
        device = self.tok_emb.weight.device
        if self.config.positions == "rope":
            cos, sin = rope_tables(self.config)
            self.register_buffer("rope_cos", cos.to(device), persistent=False)
            self.register_buffer("rope_sin", sin.to(device), persistent=False)
        elif self.config.positions == "sinusoidal":
            self.register_buffer("pos_table", sinusoidal_table(self.config).to(device), persistent=False)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)

    # -- KV cache ---------------------------------------------------------------------
    def setup_cache(self, batch_size: int, max_len: int | None = None) -> None:
        """Preallocate the KV cache once; decoding then writes into it without allocating."""
        max_len = min(max_len or self.config.max_seq_len, self.config.max_seq_len)
        dtype = self.tok_emb.weight.dtype
        for block in self.blocks:
            block.attn.cache = KVCache(batch_size, max_len, self.config.n_kv_head,
                                       self.config.head_dim, dtype).to(self.tok_emb.weight.device)

    def clear_cache(self) -> None:
        for block in self.blocks:
            block.attn.cache = None

    @property
    def cache_len(self) -> int:
        cache = self.blocks[0].attn.cache
        return 0 if cache is None else cache.k.size(2)

    # -- forward ----------------------------------------------------------------------
    def forward(self, idx: Tensor, input_pos: Tensor | None = None, *,
                token_type_ids: Tensor | None = None, attention_mask: Tensor | None = None,
                return_hidden: bool = False, last_only: bool = False) -> Tensor:
        """Logits (B, T, vocab), or hidden states (B, T, d_model) with `return_hidden`.

        With `input_pos` (positions of idx's tokens) the KV cache is read and written; then
        the tokens attend to every cached position up to their own. `attention_mask`
        (B, T) marks real tokens (1) and padding (0) for uncached batches.
        """
        B, T = idx.shape
        cached = input_pos is not None and self.blocks[0].attn.cache is not None
        positions = input_pos if input_pos is not None else torch.arange(T, device=idx.device)
        end = int(positions[-1]) + 1
        if end > self.config.max_seq_len or (cached and end > self.cache_len):
            raise ValueError(f"position {end - 1} is beyond the context window ({self.config.max_seq_len})")

        x = self.tok_emb(idx)  # (B, T, d_model)
        if self.config.positions == "learned":
            x = x + self.pos_emb(positions)
        elif self.config.positions == "sinusoidal":
            x = x + self.pos_table[positions].to(x.dtype)
        if self.config.type_vocab_size:
            types = token_type_ids if token_type_ids is not None else torch.zeros_like(idx)
            x = x + self.type_emb(types)
        if self.emb_norm is not None:
            x = self.emb_norm(x)

        rope = None
        if self.config.positions == "rope":
            rope = (self.rope_cos[positions].to(x.dtype), self.rope_sin[positions].to(x.dtype))
        mask = self._mask(positions, end, attention_mask, cached, idx.device)
        for block in self.blocks:
            x = block(x, rope, positions if cached else None, end, mask)
        if self.final_norm is not None:
            x = self.final_norm(x)
        if last_only:
            x = x[:, -1:]
        if return_hidden:
            return x
        head = self.tok_emb.weight if self.lm_head is None else self.lm_head.weight
        return F.linear(x, head)

    def _mask(self, positions: Tensor, end: int, attention_mask: Tensor | None, cached: bool,
              device: torch.device) -> Tensor | None:
        """A boolean (.., T, keys) mask, or None when SDPA's own causal flag suffices."""
        T = positions.size(0)
        if attention_mask is None and (not cached or T == 1 or (T == end and int(positions[0]) == 0)):
            return None  # SDPA's own causal flag (or no mask at all for one new token) suffices
        keys = torch.arange(end, device=device)
        mask = None
        if self.config.causal and (cached or attention_mask is not None):
            mask = keys[None, :] <= positions[:, None]  # (T, end)
        if attention_mask is not None:
            padding = attention_mask.bool()[:, None, None, :end]  # (B, 1, 1, end)
            mask = padding if mask is None else mask[None, None] & padding
        return mask

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
