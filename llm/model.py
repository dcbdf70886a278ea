"""The Transformer, top to bottom: embeddings, positions, attention, MLP, norms, KV cache.

One module builds Llama-style decoders, GPT-2-style decoders and BERT-style encoders from
a `ModelConfig`. Linear layers are named by role (q, k, v, o, gate, up, down) so that
LoRA can target them by name.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from llm.attention import SHARED_PREFIX_MIN, lse_attention_available, shared_prefix_attention
from llm.config import ModelConfig
from llm.errors import CompileFallbackWarning


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: Tensor) -> Tensor:
        # One fused op; for bf16 it accumulates in fp32 and rounds once (closer to the
        # fp32 result than normalising in fp32 and then scaling in bf16).
        return F.rms_norm(x, (x.size(-1),), self.weight, self.eps)


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


def apply_rope_(x: Tensor, cos: Tensor, signed_sin: Tensor) -> Tensor:
    """Rotate x: (B, T, heads, head_dim) in place by cos/signed_sin: (T, 1, head_dim).

    HF's rotate_half(x) * sin equals roll(x, half) * signed_sin with the first half of sin
    negated: three ops instead of seven, and it runs 60 times a token.
    """
    rolled = x.roll(x.size(-1) // 2, -1)
    return x.mul_(cos).addcmul_(rolled, signed_sin)


class KVCache(nn.Module):
    """A preallocated cache of keys and values side by side, (B, 2 * n_kv_head, max_len,
    head_dim), written in place at `input_pos`.

    A write of batch 1 into a cache of n rows fills every row at once (broadcast), so n
    samples of one prompt share a single prefill, and a smaller batch reads the first rows.
    """

    def __init__(self, batch_size: int, max_len: int, n_kv_head: int, head_dim: int,
                 dtype: torch.dtype) -> None:
        super().__init__()
        self.n_kv_head = n_kv_head
        self.register_buffer("kv", torch.zeros((batch_size, 2 * n_kv_head, max_len, head_dim), dtype=dtype),
                             persistent=False)

    @property
    def k(self) -> Tensor:
        return self.kv[:, : self.n_kv_head]

    @property
    def v(self) -> Tensor:
        return self.kv[:, self.n_kv_head :]

    def update(self, input_pos: Tensor, end: int, kv: Tensor) -> tuple[Tensor, Tensor]:
        """Write kv: (B, 2 * n_kv_head, T, head_dim) at input_pos; keys and values up to end."""
        batch, rows = kv.size(0), self.kv.size(0)
        if batch == 1 and rows > 1:
            kv = kv.expand(rows, -1, -1, -1)
        self.kv[: kv.size(0)].index_copy_(2, input_pos, kv)
        cached = self.kv[:batch, :, :end]
        return cached[:, : self.n_kv_head], cached[:, self.n_kv_head :]


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
        # (q, k, v, fused): one matmul for all three, valid while q, k, v are these modules
        # (a LoRA wrapper put in their place turns it off). A tuple, so not a submodule.
        self.fused: tuple[nn.Module, ...] | None = None

    def project(self, x: Tensor) -> Tensor:
        """q, k and v side by side: (B, T, (n_head + 2 * n_kv_head) * head_dim)."""
        fused = self.fused
        if fused is not None and fused[0] is self.q and fused[1] is self.k and fused[2] is self.v:
            return fused[3](x)
        return torch.cat([self.q(x), self.k(x), self.v(x)], dim=-1)

    def forward(self, x: Tensor, rope: tuple[Tensor, Tensor] | None, input_pos: Tensor | None,
                end: int, mask: Tensor | None, shared: int = 0) -> Tensor:
        """`shared`: how many leading cache positions every row holds alike (0: attend per row)."""
        B, T, _ = x.shape
        nq, nkv = self.n_head, self.n_kv_head
        qkv = self.project(x).view(B, T, nq + 2 * nkv, self.head_dim)
        cached = self.cache is not None and input_pos is not None
        if cached:
            qkv = qkv.to(self.cache.kv.dtype)  # attention runs in the cache's dtype (fp32)
        if rope is not None:
            cos, sin = rope
            apply_rope_(qkv[:, :, : nq + nkv], cos.to(qkv.dtype), sin.to(qkv.dtype))  # q and k heads
        qkv = qkv.transpose(1, 2)  # (B, heads, T, hd)
        q = qkv[:, :nq]
        if cached:
            k, v = self.cache.update(input_pos, end, qkv[:, nq:])  # (B, n_kv, end, hd) each
        else:
            k, v = qkv[:, nq : nq + nkv], qkv[:, nq + nkv :]
        gqa = nq != nkv
        if cached and B > 1 and T == 1 and shared >= SHARED_PREFIX_MIN:
            y = shared_prefix_attention(q, k, v, min(shared, end - 1))
        elif mask is None:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal and T > 1, enable_gqa=gqa)
        else:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=gqa)
        return self.o(y.transpose(1, 2).reshape(B, T, -1).to(x.dtype))


class MLP(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.activation = config.activation
        if config.activation == "swiglu":
            self.gate = nn.Linear(config.d_model, config.d_ff, bias=config.bias)
        self.up = nn.Linear(config.d_model, config.d_ff, bias=config.bias)
        self.down = nn.Linear(config.d_ff, config.d_model, bias=config.bias)
        self.fused: tuple[nn.Module, ...] | None = None  # (gate, up, fused), as in Attention

    def forward(self, x: Tensor) -> Tensor:
        if self.activation == "swiglu":
            fused = self.fused
            if fused is not None and fused[0] is self.gate and fused[1] is self.up:
                gate, up = fused[2](x).chunk(2, dim=-1)
            else:
                gate, up = self.gate(x), self.up(x)
            return self.down(F.silu(gate) * up)
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
                end: int, mask: Tensor | None, shared: int = 0) -> Tensor:
        if self.pre_norm:
            x = x + self.attn(self.attn_norm(x), rope, input_pos, end, mask, shared)
            return x + self.mlp(self.mlp_norm(x))
        x = self.attn_norm(x + self.attn(x, rope, input_pos, end, mask, shared))
        return self.mlp_norm(x + self.mlp(x))


class CompiledOrEager:
    """`fn` compiled (shapes dynamic: one graph for every cache length), or `fn`
    itself from the first call the compiler fails on (no C++ toolchain, an unsupported op).
    The fallback is told once, as a `CompileFallbackWarning`: the library never prints, the
    face decides how to show it."""

    def __init__(self, fn: Callable[..., Tensor]) -> None:
        self.fn = fn
        self.compiled: Callable[..., Tensor] | None = torch.compile(fn, dynamic=True)

    @property
    def eager(self) -> bool:
        return self.compiled is None

    def __call__(self, *args: Any) -> Tensor:
        if self.compiled is not None:
            try:
                return self.compiled(*args)
            except Exception as exc:  # noqa: BLE001 - any compiler failure: decode eagerly from now on
                self.compiled = None
                reason = next((line.strip()[:200] for line in str(exc).splitlines() if line.strip()), None)
                cause = f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__
                warnings.warn(f"torch.compile failed ({cause}); decoding eagerly (slower, same tokens)",
                              CompileFallbackWarning, stacklevel=2)
        return self.fn(*args)


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
        # The token ids whose keys/values every cache row holds, position by position (the
        # prefix a later call may reuse instead of recomputing).
        self.cached_tokens: list[int] = []
        # `decode_step` compiled by `compile_decode` (opt-in), else None: eager.
        self.compiled_step: CompiledOrEager | None = None
        self.init_buffers()
        self.apply(self._init_weights)

    def init_buffers(self) -> None:
        """(Re)compute the position tables; a model built on the meta device needs this."""
        device = self.device
        if self.config.positions == "rope":
            cos, sin = rope_tables(self.config)
            half = self.config.head_dim // 2
            sin[:, :half] = -sin[:, :half]  # signed for apply_rope_'s roll
            # (max_seq_len, 1, head_dim): broadcasts over (B, T, heads, head_dim)
            self.register_buffer("rope_cos", cos[:, None].to(device), persistent=False)
            self.register_buffer("rope_sin", sin[:, None].to(device), persistent=False)
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

    @property
    def device(self) -> torch.device:
        return self.blocks[0].attn_norm.weight.device

    @property
    def dtype(self) -> torch.dtype:
        """The dtype activations flow in (weights may be stored quantized)."""
        return self.blocks[0].attn_norm.weight.dtype

    def fuse_projections(self) -> None:
        """For inference: q/k/v and gate/up become one matmul each (see `llm.quant.fuse_linears`).

        Moving or casting the model afterwards (`.to(...)`) drops the fusion again.
        """
        from llm.quant import fuse_linears

        for block in self.blocks:
            attn, mlp = block.attn, block.mlp
            qkv = fuse_linears([attn.q, attn.k, attn.v])
            attn.fused = None if qkv is None else (attn.q, attn.k, attn.v, qkv)
            if mlp.activation == "swiglu":
                gate_up = fuse_linears([mlp.gate, mlp.up])
                mlp.fused = None if gate_up is None else (mlp.gate, mlp.up, gate_up)

    def compile_decode(self) -> None:
        """Opt-in: `torch.compile` the batch-1 decode step (`decode_step`) as one graph:
        inductor fuses the ~20 small ops per layer (norms, rotary, residuals, SiLU) that
        otherwise cost as much as the matmuls. It compiles on the first step (~20 s here;
        torch caches the code on disk) and, should compiling fail, decodes eagerly."""
        self.compiled_step = CompiledOrEager(self.decode_step)

    def _apply(self, fn, recurse=True):  # noqa: ANN001, ANN202 - nn.Module's own signature
        for block in self.blocks:  # fused weights would go stale: the parts get new storage
            block.attn.fused = block.mlp.fused = None
        return super()._apply(fn, recurse)

    # -- KV cache ---------------------------------------------------------------------
    def setup_cache(self, batch_size: int, max_len: int | None = None, keep: int = 0) -> None:
        """Preallocate the KV cache once; decoding then writes into it without allocating.

        The cache is fp32 whatever the activations: on CPU, attention over bf16 keys is
        several times slower than over fp32 ones (and rounds the scores). `keep` positions
        of the old cache's first row are copied over (a grown cache keeps its prefix).
        """
        max_len = min(max_len or self.config.max_seq_len, self.config.max_seq_len)
        keep = min(keep, max_len, self.cache_len, len(self.cached_tokens))
        for block in self.blocks:
            old = block.attn.cache
            new = KVCache(batch_size, max_len, self.config.n_kv_head, self.config.head_dim, torch.float32)
            block.attn.cache = new.to(self.device)
            if old is not None and keep:
                block.attn.cache.kv[:, :, :keep] = old.kv[:1, :, :keep]
        self.cached_tokens = self.cached_tokens[:keep]

    def clear_cache(self) -> None:
        for block in self.blocks:
            block.attn.cache = None
        self.cached_tokens = []

    @property
    def cache_len(self) -> int:
        cache = self.blocks[0].attn.cache
        return 0 if cache is None else cache.kv.size(2)

    @property
    def cache_rows(self) -> int:
        cache = self.blocks[0].attn.cache
        return 0 if cache is None else cache.kv.size(0)

    def _note_cached(self, idx: Tensor, start: int, end: int) -> None:
        """Keep `cached_tokens` true: what every row holds after writing idx at start..end."""
        known = self.cached_tokens[:start]
        if idx.size(0) == 1 and end - start == idx.size(1) and len(known) == start:
            known += idx[0].tolist()  # a batch-1 write fills every row alike
        self.cached_tokens = known

    # -- forward ----------------------------------------------------------------------
    def forward(self, idx: Tensor, input_pos: Tensor | None = None, *,
                token_type_ids: Tensor | None = None, attention_mask: Tensor | None = None,
                return_hidden: bool = False, last_only: bool = False) -> Tensor:
        """Logits (B, T, vocab), or hidden states (B, T, d_model) with `return_hidden`.

        With `input_pos` (positions of idx's tokens) the KV cache is read and written; then
        the tokens attend to every cached position up to their own. `attention_mask`
        (B, T) marks real tokens (1) and padding (0) for uncached batches; with the cache it
        is (B, end), every cached position (left-padded prompts of different lengths).
        """
        B, T = idx.shape
        cached = input_pos is not None and self.blocks[0].attn.cache is not None
        positions = input_pos if input_pos is not None else torch.arange(T, device=idx.device)
        start, end = int(positions[0]), int(positions[-1]) + 1
        if end > self.config.max_seq_len or (cached and end > self.cache_len):
            raise ValueError(f"position {end - 1} is beyond the context window ({self.config.max_seq_len})")
        if cached:
            self._note_cached(idx, start, end)

        # Rows' common cached prefix, read once for all rows (`shared_prefix_attention`);
        # the kernel probe runs here, outside the compilable step.
        shared = len(self.cached_tokens) if cached and lse_attention_available() else 0
        if cached and T == 1 and attention_mask is None and token_type_ids is None and not return_hidden:
            # The compiled step serves batch 1, where per-op overhead dominates; a batch
            # shares that overhead among its rows and decodes eagerly (measured no slower,
            # and without compiling a second graph).
            step = self.compiled_step if self.compiled_step is not None and B == 1 else self.decode_step
            return step(idx, positions, end, shared)
        mask = self._mask(positions, start, end, attention_mask, cached, idx.device)
        return self._run(idx, positions, end, mask, cached, shared, token_type_ids, return_hidden, last_only)

    def decode_step(self, idx: Tensor, positions: Tensor, end: int, shared: int) -> Tensor:
        """Logits of one new token per row, read from and written to the cache: pure tensor
        code (the bookkeeping stays in `forward`), so it compiles as one graph."""
        return self._run(idx, positions, end, None, True, shared)

    def _run(self, idx: Tensor, positions: Tensor, end: int, mask: Tensor | None, cached: bool, shared: int,
             token_type_ids: Tensor | None = None, return_hidden: bool = False, last_only: bool = False) -> Tensor:
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
            rope = (self.rope_cos[positions], self.rope_sin[positions])  # (T, 1, hd), fp32
        for block in self.blocks:
            x = block(x, rope, positions if cached else None, end, mask, shared)
        if self.final_norm is not None:
            x = self.final_norm(x)
        if last_only:
            x = x[:, -1:]
        if return_hidden:
            return x
        return self.logits(x)

    def logits(self, x: Tensor) -> Tensor:
        """The LM head; tied to the token embedding unless the model has its own."""
        if self.lm_head is not None:
            return self.lm_head(x)
        if isinstance(self.tok_emb, nn.Embedding):
            return F.linear(x, self.tok_emb.weight)
        return self.tok_emb.attend(x)  # a quantized embedding (llm.quant.QuantEmbedding)

    def _mask(self, positions: Tensor, start: int, end: int, attention_mask: Tensor | None, cached: bool,
              device: torch.device) -> Tensor | None:
        """A boolean (.., T, keys) mask, or None when SDPA's own causal flag suffices."""
        T = positions.size(0)
        if attention_mask is None and (not cached or T == 1 or (start == 0 and end == T)):
            return None  # SDPA's own causal flag (or no mask at all for one new token) suffices
        keys = torch.arange(end, device=device)
        mask = None
        if self.config.causal and (cached or attention_mask is not None):
            mask = keys[None, :] <= positions[:, None]  # (T, end)
        if attention_mask is not None:
            padding = attention_mask.bool()[:, None, None, :end]  # (B, 1, 1, end)
            mask = padding if mask is None else mask[None, None] & padding
            if cached:  # a left-padded row's pads see themselves: no all-masked row, no NaN in the cache
                mask = mask | (keys[None, :] == positions[:, None])
        return mask

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
