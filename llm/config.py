"""`ModelConfig`: one typed description of every Transformer the core can build.

Llama (RMSNorm, SwiGLU, RoPE, grouped KV heads), GPT-2 (LayerNorm, GELU, learned
positions, biases) and BERT-style encoders (bidirectional, post-norm, token types) are
all points in this one space, so the model file has no per-family forks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

Norm = Literal["rms", "layer"]
Activation = Literal["swiglu", "gelu", "gelu_tanh"]
Positions = Literal["rope", "learned", "sinusoidal"]


# Weight formats an engine can load (llm/quant.py); fp32 is the exact one.
Precision = Literal["fp32", "bf16", "int8", "int4"]
PRECISIONS: tuple[str, ...] = ("fp32", "bf16", "int8", "int4")


@dataclass(frozen=True)
class ModelConfig:
    vocab_size: int
    d_model: int
    n_layer: int
    n_head: int
    n_kv_head: int | None = None  # None: as many KV heads as query heads
    d_ff: int | None = None  # None: 4 * d_model
    norm: Norm = "rms"
    norm_eps: float = 1e-5
    activation: Activation = "swiglu"
    positions: Positions = "rope"
    rope_theta: float = 10000.0
    tie_embeddings: bool = True
    causal: bool = True  # False: a bidirectional encoder (BERT-style, for embeddings/MLM)
    max_seq_len: int = 2048
    bias: bool = False  # biases on every linear layer (GPT-2, BERT)
    pre_norm: bool = True  # False: post-norm blocks (BERT)
    embedding_norm: bool = False  # a norm right after the embeddings (BERT)
    type_vocab_size: int = 0  # token-type (segment) embeddings (BERT: 2)
    name: str = "custom"

    def __post_init__(self) -> None:
        for field in ("vocab_size", "d_model", "n_layer", "n_head", "max_seq_len"):
            if getattr(self, field) <= 0:
                raise ValueError(f"ModelConfig.{field} must be positive, got {getattr(self, field)}")
        if self.n_kv_head is None:
            object.__setattr__(self, "n_kv_head", self.n_head)
        if self.d_ff is None:
            object.__setattr__(self, "d_ff", 4 * self.d_model)
        if self.d_model % self.n_head:
            raise ValueError(f"ModelConfig.n_head ({self.n_head}) must divide d_model ({self.d_model})")
        if self.n_head % self.n_kv_head:
            raise ValueError(
                f"ModelConfig.n_kv_head ({self.n_kv_head}) must divide n_head ({self.n_head})"
            )
        if self.norm not in ("rms", "layer"):
            raise ValueError(f"ModelConfig.norm must be 'rms' or 'layer', got {self.norm!r}")
        if self.activation not in ("swiglu", "gelu", "gelu_tanh"):
            raise ValueError(f"ModelConfig.activation is not supported: {self.activation!r}")
        if self.positions not in ("rope", "learned", "sinusoidal"):
            raise ValueError(f"ModelConfig.positions is not supported: {self.positions!r}")
        if self.positions == "rope" and self.head_dim % 2:
            raise ValueError(f"ModelConfig: RoPE needs an even head_dim, got {self.head_dim}")

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_head

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"ModelConfig: unknown field(s) {', '.join(unknown)}")
        return cls(**data)

    @classmethod
    def from_hf_config(cls, hf: dict[str, Any]) -> ModelConfig:
        """Map a Hugging Face `config.json` (Llama, GPT-2 or BERT families) onto ours."""
        model_type = hf.get("model_type", "")
        if model_type in ("llama", "mistral", "qwen2"):
            return cls(
                vocab_size=hf["vocab_size"],
                d_model=hf["hidden_size"],
                n_layer=hf["num_hidden_layers"],
                n_head=hf["num_attention_heads"],
                n_kv_head=hf.get("num_key_value_heads") or hf["num_attention_heads"],
                d_ff=hf["intermediate_size"],
                norm="rms",
                norm_eps=hf.get("rms_norm_eps", 1e-6),
                activation="swiglu",
                positions="rope",
                rope_theta=float(hf.get("rope_theta") or (hf.get("rope_parameters") or {}).get("rope_theta", 1e4)),
                tie_embeddings=bool(hf.get("tie_word_embeddings", False)),
                max_seq_len=hf.get("max_position_embeddings", 2048),
                name=model_type,
            )
        if model_type == "gpt2":
            return cls(
                vocab_size=hf["vocab_size"],
                d_model=hf["n_embd"],
                n_layer=hf["n_layer"],
                n_head=hf["n_head"],
                d_ff=hf.get("n_inner") or 4 * hf["n_embd"],
                norm="layer",
                norm_eps=hf.get("layer_norm_epsilon", 1e-5),
                activation="gelu_tanh",
                positions="learned",
                tie_embeddings=True,
                max_seq_len=hf["n_positions"],
                bias=True,
                name=model_type,
            )
        if model_type == "bert":
            return cls(
                vocab_size=hf["vocab_size"],
                d_model=hf["hidden_size"],
                n_layer=hf["num_hidden_layers"],
                n_head=hf["num_attention_heads"],
                d_ff=hf["intermediate_size"],
                norm="layer",
                norm_eps=hf.get("layer_norm_eps", 1e-12),
                activation="gelu",
                positions="learned",
                tie_embeddings=True,  # BERT's MLM decoder shares the word embeddings
                causal=False,
                max_seq_len=hf["max_position_embeddings"],
                bias=True,
                pre_norm=False,
                embedding_norm=True,
                type_vocab_size=hf.get("type_vocab_size", 2),
                name=model_type,
            )
        raise ValueError(f"unsupported Hugging Face model_type {model_type!r}")
