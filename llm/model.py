"""The Transformer, top to bottom: embeddings, positions, attention, MLP, norms, logits.

One module builds Llama-style decoders, GPT-2-style decoders and BERT-style encoders from
a `ModelConfig`. Linear layers are named by role (q, k, v, o, gate, up, down) so that
LoRA can target them by name. Decoding reads and writes a `KVCache` (llm/kv_cache.py);
the special attention kernels live in llm/attention.py, fusion in llm/fuse.py, and the
compiled decode step in llm/compile.py.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from llm.attention import SHARED_PREFIX_MIN, shared_prefix_attention
from llm.config import ModelConfig
from llm.fuse import fuse_linears, fused_parts
from llm.kv_cache import KVCache, LayerCache
from llm.linear import Linear, linear


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


class Attention(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.n_head, self.n_kv_head, self.head_dim = config.n_head, config.n_kv_head, config.head_dim
        kv_dim = config.n_kv_head * config.head_dim
        self.q = Linear(config.d_model, config.d_model, bias=config.bias)
        self.k = Linear(config.d_model, kv_dim, bias=config.bias)
        self.v = Linear(config.d_model, kv_dim, bias=config.bias)
        self.o = Linear(config.d_model, config.d_model, bias=config.bias)
        self.causal = config.causal
        # (q, k, v, fused): one matmul for all three (`Transformer.fuse_projections`). It is
        # used while q, k, v are these modules or LoRA wrappers around them (`fused_parts`:
        # the adapters' deltas are added to its output). A tuple, so not a submodule: kept
        # out of state_dict and named_modules.
        self.fused: tuple[nn.Module, ...] | None = None
        self.joined_lora: dict = {}  # the wrapped parts' adapter factors, joined (`fused_parts`)

    def project(self, x: Tensor) -> Tensor:
        """q, k and v side by side: (B, T, (n_head + 2 * n_kv_head) * head_dim)."""
        y = fused_parts(self.fused, (self.q, self.k, self.v), x, self.joined_lora)
        return y if y is not None else torch.cat([self.q(x), self.k(x), self.v(x)], dim=-1)

    def forward(self, x: Tensor, rope: tuple[Tensor, Tensor] | None, mask: Tensor | None,
                cache: LayerCache | None) -> Tensor:
        B, T, _ = x.shape
        nq, nkv = self.n_head, self.n_kv_head
        qkv = self.project(x).view(B, T, nq + 2 * nkv, self.head_dim)  # (B, T, n_head + 2 * n_kv_head, hd)
        if cache is not None:
            qkv = qkv.to(cache.kv.dtype)  # attention runs in the cache's dtype (fp32)
        if rope is not None:
            cos, sin = rope
            apply_rope_(qkv[:, :, : nq + nkv], cos.to(qkv.dtype), sin.to(qkv.dtype))  # q and k heads
        qkv = qkv.transpose(1, 2)  # (B, n_head + 2 * n_kv_head, T, hd)
        q, kv = qkv[:, :nq], qkv[:, nq:]  # (B, n_head, T, hd), (B, 2 * n_kv_head, T, hd)
        if cache is not None:
            kv = cache.update(kv)  # (B, 2 * n_kv_head, end, hd): every position so far
        k, v = kv[:, :nkv], kv[:, nkv:]
        gqa = nq != nkv
        if cache is not None and B > 1 and T == 1 and cache.shared >= SHARED_PREFIX_MIN:
            y = shared_prefix_attention(q, k, v, min(cache.shared, cache.end - 1))
        elif mask is None:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal and T > 1, enable_gqa=gqa)
        else:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=gqa)
        y = y.transpose(1, 2).reshape(B, T, -1)  # (B, n_head, T, hd) -> (B, T, d_model)
        return self.o(y.to(x.dtype))


class MLP(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.activation = config.activation
        if config.activation == "swiglu":
            self.gate = Linear(config.d_model, config.d_ff, bias=config.bias)
        self.up = Linear(config.d_model, config.d_ff, bias=config.bias)
        self.down = Linear(config.d_ff, config.d_model, bias=config.bias)
        self.fused: tuple[nn.Module, ...] | None = None  # (gate, up, fused), as in Attention
        self.joined_lora: dict = {}

    def forward(self, x: Tensor) -> Tensor:
        if self.activation == "swiglu":
            joined = fused_parts(self.fused, (self.gate, self.up), x, self.joined_lora)
            if joined is not None:
                gate, up = joined.chunk(2, dim=-1)  # (B, T, 2 * d_ff) -> (B, T, d_ff) each
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

    def forward(self, x: Tensor, rope: tuple[Tensor, Tensor] | None, mask: Tensor | None,
                cache: LayerCache | None) -> Tensor:
        if self.pre_norm:
            x = x + self.attn(self.attn_norm(x), rope, mask, cache)
            return x + self.mlp(self.mlp_norm(x))
        x = self.attn_norm(x + self.attn(x, rope, mask, cache))
        return self.mlp_norm(x + self.mlp(x))


def _embedding(num: int, dim: int) -> nn.Embedding:
    """An embedding left for `Transformer._init_weights` to fill: on the meta device (a model
    about to be loaded) it is not drawn at all, since a process's first `normal_` there
    costs ~1.3 s of one-off set-up, a quarter of `kigi ask`'s start."""
    return nn.Embedding(num, dim, _weight=torch.empty(num, dim))


class Transformer(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.tok_emb = _embedding(config.vocab_size, config.d_model)
        if config.positions == "learned":
            self.pos_emb = _embedding(config.max_seq_len, config.d_model)
        if config.type_vocab_size:
            self.type_emb = _embedding(config.type_vocab_size, config.d_model)
        self.emb_norm = make_norm(config) if config.embedding_norm else None
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.final_norm = make_norm(config) if config.pre_norm else None
        self.lm_head = None if config.tie_embeddings else Linear(config.d_model, config.vocab_size, bias=False)
        self.kv_cache: KVCache | None = None  # read and written when forward gets input_pos
        # the adapter active now (set by llm.lora's AdapterSet; None: the plain weights): the
        # cache's keys are reused only under the weights that computed them
        self.weights_state: str | None = None
        self.init_buffers()
        self.apply(self._init_weights)

    def init_buffers(self) -> None:
        """(Re)compute the position tables; a model built on the meta device needs this."""
        device = self.device
        with torch.device("cpu"):  # computed on the CPU even while building on meta (cheap there)
            self._register_position_tables(device)

    def _register_position_tables(self, device: torch.device) -> None:
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
        if getattr(module, "weight", None) is not None and module.weight.is_meta:
            return  # built on the meta device to be loaded: nothing to draw
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
        """For inference: q/k/v and gate/up become one matmul each (llm/fuse.py).

        Moving or casting the model afterwards (`.to(...)`) drops the fusion again.
        """
        for block in self.blocks:
            attn, mlp = block.attn, block.mlp
            qkv = fuse_linears([attn.q, attn.k, attn.v])
            attn.fused = None if qkv is None else (attn.q, attn.k, attn.v, qkv)
            if mlp.activation == "swiglu":
                gate_up = fuse_linears([mlp.gate, mlp.up])
                mlp.fused = None if gate_up is None else (mlp.gate, mlp.up, gate_up)

    def _apply(self, fn, recurse=True):  # noqa: ANN001, ANN202 - nn.Module's own signature
        # Every move or cast (`.to`, `.float`, ...) passes here. What the model holds outside
        # its submodules would go stale: the fused weights (the parts get new storage) and
        # the KV cache (left on the old device and dtype). Both are dropped and rebuilt.
        for block in self.blocks:
            block.attn.fused = block.mlp.fused = None
        self.kv_cache = None
        return super()._apply(fn, recurse)

    # -- KV cache ---------------------------------------------------------------------
    def setup_cache(self, batch_size: int, max_len: int | None = None, keep: int = 0) -> None:
        """Preallocate the KV cache once; decoding then writes into it without allocating.
        `keep` positions of the old cache's first row are copied over (a grown cache keeps
        its prefix)."""
        max_len = min(max_len or self.config.max_seq_len, self.config.max_seq_len)
        old, self.kv_cache = self.kv_cache, KVCache(self.config, batch_size, max_len, self.device)
        if old is not None:
            self.kv_cache.keep_prefix(old, keep)

    def clear_cache(self) -> None:
        self.kv_cache = None

    def adapter_version(self) -> int:
        """How often the active adapter's tensors were changed in place (an optimizer step, a
        load): keys cached under the same adapter name before a change are stale. Read from
        the LoRA layers in the blocks, whoever attached them; 0 for the plain weights."""
        name = self.weights_state
        if name is None:
            return 0
        return sum(module.lora_A[name]._version + module.lora_B[name]._version for module in self.modules()
                   if name in getattr(module, "lora_A", ()))

    @property
    def cached_tokens(self) -> list[int]:
        """The tokens every cache row holds under the weights active now ([] without a cache,
        or when its keys were computed under other weights)."""
        cache = self.kv_cache
        return [] if cache is None or cache.weights != self.weights_state else cache.tokens

    # -- forward ----------------------------------------------------------------------
    def forward(self, idx: Tensor, input_pos: Tensor | None = None, *,
                token_type_ids: Tensor | None = None, attention_mask: Tensor | None = None,
                return_hidden: bool = False, last_only: bool = False, cache_row: int | None = None) -> Tensor:
        """Logits (B, T, vocab), or hidden states (B, T, d_model) with `return_hidden`.

        With `input_pos` (positions of idx's tokens) the KV cache is read and written; then
        the tokens attend to every cached position up to their own. `attention_mask`
        (B, T) marks real tokens (1) and padding (0) for uncached batches; with the cache it
        is (B, end), every cached position (left-padded prompts of different lengths).
        `cache_row`: write and read the cache's rows from there on only (a prompt joining
        a batch that is already decoding).
        """
        T = idx.size(1)
        cache = self.kv_cache if input_pos is not None else None
        positions = input_pos if input_pos is not None else torch.arange(T, device=idx.device)
        start, end = int(positions[0]), int(positions[-1]) + 1
        if end > self.config.max_seq_len or (cache is not None and end > cache.length):
            raise ValueError(f"position {end - 1} is beyond the context window ({self.config.max_seq_len})")
        layers = None
        if cache is not None:
            if cache_row is not None:
                cache.tokens = []  # one row written: the rows no longer hold a common prefix
                layers = cache.at(positions, end, 0, cache_row)
            else:
                shared = cache.begin(idx, start, end, self.weights_state)  # which tokens the rows hold now
                layers = cache.at(positions, end, shared)
        mask = self._mask(positions, start, end, attention_mask, cache is not None)
        return self._run(idx, positions, mask, layers, token_type_ids, return_hidden, last_only)

    def packed_hidden(self, idx: Tensor, positions: Tensor, visible: Tensor) -> Tensor:
        """Final hidden states (B, T, d_model) of rows that hold several sequences: each token
        at its own position (`positions`, (B, T)), attending to the keys `visible` allows
        ((B, 1, T, T) bool). Answers that share a prompt read it once (llm.train.shared_prompt)."""
        return self._run(idx, positions, visible, None, return_hidden=True)

    def decode_step(self, idx: Tensor, positions: Tensor, end: int, shared: int) -> Tensor:
        """Logits of one new token per row through the cache, once `KVCache.begin` has
        booked the step: pure tensor code, so it compiles as one graph (llm/compile.py)."""
        return self._run(idx, positions, None, self.kv_cache.at(positions, end, shared))

    def _run(self, idx: Tensor, positions: Tensor, mask: Tensor | None, layers: list[LayerCache] | None,
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
        for block, cache in zip(self.blocks, layers or [None] * len(self.blocks), strict=True):
            x = block(x, rope, mask, cache)
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
            return linear(x, self.tok_emb.weight)
        return self.tok_emb.attend(x)  # a quantized embedding (llm.quant_model.QuantEmbedding)

    def _mask(self, positions: Tensor, start: int, end: int, attention_mask: Tensor | None,
              cached: bool) -> Tensor | None:
        """Which keys each query sees: a boolean mask that broadcasts to (B, n_head, T, end),
        or None when SDPA's own causal flag suffices (or, for one new token, no mask at all)."""
        T = positions.size(0)
        if attention_mask is None and (not cached or T == 1 or (start == 0 and end == T)):
            return None
        keys = torch.arange(end, device=positions.device)  # (end,)
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
