"""Loaders into `model.py`: GGUF files, Hugging Face directories and our own checkpoints.

Every loader returns a `LoadedWeights` (config, state dict in our names, tokenizer,
metadata) and `build_model` turns it into a `Transformer`, refusing anything that does
not fit with a message that names the tensor or field.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from llm.config import ModelConfig
from llm.errors import CorruptWeightsError, IncompatibleWeightsError, ModelNotFoundError
from llm.gguf import gguf_config, gguf_tensors, gguf_tokenizer, read_gguf_header
from llm.model import Transformer
from llm.tokenizer import Tokenizer

CHECKPOINT_CONFIG = "config.json"
CHECKPOINT_WEIGHTS = "model.safetensors"
CHECKPOINT_TOKENIZER = "tokenizer.kigi.json"


@dataclass
class LoadedWeights:
    config: ModelConfig
    state_dict: dict[str, Tensor]
    tokenizer: Tokenizer | None
    metadata: dict[str, Any] = field(default_factory=dict)


# -- name maps: their tensor names -> ours ----------------------------------------------
GGUF_NAMES = [
    (r"token_embd\.weight", "tok_emb.weight"),
    (r"output_norm\.weight", "final_norm.weight"),
    (r"output\.weight", "lm_head.weight"),
    (r"blk\.(\d+)\.attn_norm\.weight", r"blocks.\1.attn_norm.weight"),
    (r"blk\.(\d+)\.ffn_norm\.weight", r"blocks.\1.mlp_norm.weight"),
    (r"blk\.(\d+)\.attn_q\.weight", r"blocks.\1.attn.q.weight"),
    (r"blk\.(\d+)\.attn_k\.weight", r"blocks.\1.attn.k.weight"),
    (r"blk\.(\d+)\.attn_v\.weight", r"blocks.\1.attn.v.weight"),
    (r"blk\.(\d+)\.attn_output\.weight", r"blocks.\1.attn.o.weight"),
    (r"blk\.(\d+)\.ffn_gate\.weight", r"blocks.\1.mlp.gate.weight"),
    (r"blk\.(\d+)\.ffn_up\.weight", r"blocks.\1.mlp.up.weight"),
    (r"blk\.(\d+)\.ffn_down\.weight", r"blocks.\1.mlp.down.weight"),
]
LLAMA_NAMES = [
    (r"model\.embed_tokens\.weight", "tok_emb.weight"),
    (r"model\.norm\.weight", "final_norm.weight"),
    (r"lm_head\.weight", "lm_head.weight"),
    (r"model\.layers\.(\d+)\.input_layernorm\.weight", r"blocks.\1.attn_norm.weight"),
    (r"model\.layers\.(\d+)\.post_attention_layernorm\.weight", r"blocks.\1.mlp_norm.weight"),
    (r"model\.layers\.(\d+)\.self_attn\.([qkvo])_proj\.(weight|bias)", r"blocks.\1.attn.\2.\3"),
    (r"model\.layers\.(\d+)\.mlp\.(gate|up|down)_proj\.weight", r"blocks.\1.mlp.\2.weight"),
]
GPT2_NAMES = [
    (r"(?:transformer\.)?wte\.weight", "tok_emb.weight"),
    (r"(?:transformer\.)?wpe\.weight", "pos_emb.weight"),
    (r"(?:transformer\.)?ln_f\.(weight|bias)", r"final_norm.\1"),
    (r"(?:transformer\.)?h\.(\d+)\.ln_1\.(weight|bias)", r"blocks.\1.attn_norm.\2"),
    (r"(?:transformer\.)?h\.(\d+)\.ln_2\.(weight|bias)", r"blocks.\1.mlp_norm.\2"),
    (r"(?:transformer\.)?h\.(\d+)\.attn\.c_attn\.(weight|bias)", r"blocks.\1.attn.qkv.\2"),
    (r"(?:transformer\.)?h\.(\d+)\.attn\.c_proj\.(weight|bias)", r"blocks.\1.attn.o.\2"),
    (r"(?:transformer\.)?h\.(\d+)\.mlp\.c_fc\.(weight|bias)", r"blocks.\1.mlp.up.\2"),
    (r"(?:transformer\.)?h\.(\d+)\.mlp\.c_proj\.(weight|bias)", r"blocks.\1.mlp.down.\2"),
]
BERT_NAMES = [
    (r"(?:bert\.)?embeddings\.word_embeddings\.weight", "tok_emb.weight"),
    (r"(?:bert\.)?embeddings\.position_embeddings\.weight", "pos_emb.weight"),
    (r"(?:bert\.)?embeddings\.token_type_embeddings\.weight", "type_emb.weight"),
    (r"(?:bert\.)?embeddings\.LayerNorm\.(weight|bias)", r"emb_norm.\1"),
    (r"(?:bert\.)?encoder\.layer\.(\d+)\.attention\.self\.query\.(weight|bias)", r"blocks.\1.attn.q.\2"),
    (r"(?:bert\.)?encoder\.layer\.(\d+)\.attention\.self\.key\.(weight|bias)", r"blocks.\1.attn.k.\2"),
    (r"(?:bert\.)?encoder\.layer\.(\d+)\.attention\.self\.value\.(weight|bias)", r"blocks.\1.attn.v.\2"),
    (r"(?:bert\.)?encoder\.layer\.(\d+)\.attention\.output\.dense\.(weight|bias)", r"blocks.\1.attn.o.\2"),
    (r"(?:bert\.)?encoder\.layer\.(\d+)\.attention\.output\.LayerNorm\.(weight|bias)", r"blocks.\1.attn_norm.\2"),
    (r"(?:bert\.)?encoder\.layer\.(\d+)\.intermediate\.dense\.(weight|bias)", r"blocks.\1.mlp.up.\2"),
    (r"(?:bert\.)?encoder\.layer\.(\d+)\.output\.dense\.(weight|bias)", r"blocks.\1.mlp.down.\2"),
    (r"(?:bert\.)?encoder\.layer\.(\d+)\.output\.LayerNorm\.(weight|bias)", r"blocks.\1.mlp_norm.\2"),
]
# Tensors that carry nothing our model needs (derived buffers, heads we do not use).
IGNORED = re.compile(r".*(rotary_emb\.inv_freq|position_ids|attn\.bias|attn\.masked_bias|pooler\..*|cls\..*)$")


def rename(state: dict[str, Tensor], names: list[tuple[str, str]], source: str) -> dict[str, Tensor]:
    renamed: dict[str, Tensor] = {}
    for key, tensor in state.items():
        for pattern, target in names:
            if re.fullmatch(pattern, key):
                renamed[re.sub(pattern, target, key)] = tensor
                break
        else:
            if not IGNORED.match(key):
                raise IncompatibleWeightsError(f"{source}: unexpected tensor {key!r}")
    return renamed


# -- GGUF (read by llm/gguf.py) ---------------------------------------------------------------
def load_gguf(path: Path) -> LoadedWeights:
    path = Path(path)
    if not path.is_file():
        raise ModelNotFoundError(f"no such GGUF file: {path}")
    try:
        header = read_gguf_header(path)
        config = gguf_config(header, path)
        state = gguf_tensors(path, header, config)
        tokenizer = gguf_tokenizer(header)
        metadata = {"chat_template": header.get("tokenizer.chat_template"), "format": "gguf"}
    except (CorruptWeightsError, IncompatibleWeightsError, ModelNotFoundError):
        raise
    except Exception as exc:  # the gguf reader raises many kinds on damaged files
        raise CorruptWeightsError(f"{path}: not a readable GGUF file ({type(exc).__name__}: {exc})") from None
    return LoadedWeights(config, rename(state, GGUF_NAMES, str(path)), tokenizer, metadata)


# -- Hugging Face directories ---------------------------------------------------------------
def read_safetensors(files: list[Path]) -> dict[str, Tensor]:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    state: dict[str, Tensor] = {}
    for file in files:
        try:
            state.update(load_file(file))
        except (SafetensorError, OSError, ValueError) as exc:
            raise CorruptWeightsError(f"{file}: not a readable safetensors file ({exc})") from None
    return state


def split_gpt2(state: dict[str, Tensor], config: ModelConfig) -> dict[str, Tensor]:
    """GPT-2 stores Conv1D weights as (in, out) and fuses q, k, v; split and transpose."""
    out: dict[str, Tensor] = {}
    for key, tensor in state.items():
        is_conv = re.search(r"attn\.(qkv|o)\.weight|mlp\.(up|down)\.weight", key)
        tensor = tensor.t().contiguous() if is_conv else tensor
        if ".attn.qkv." in key:
            for role, part in zip("qkv", tensor.split(config.d_model, dim=0), strict=True):
                out[key.replace(".qkv.", f".{role}.")] = part.contiguous()
        else:
            out[key] = tensor
    return out


def load_hf_dir(path: Path) -> LoadedWeights:
    path = Path(path)
    config_file = path / "config.json"
    if not config_file.is_file():
        raise ModelNotFoundError(f"{path}: no config.json (not a Hugging Face model directory)")
    hf = json.loads(config_file.read_text(encoding="utf-8"))
    try:
        config = ModelConfig.from_hf_config(hf)
    except (ValueError, KeyError) as exc:
        raise IncompatibleWeightsError(f"{config_file}: {exc}") from None
    files = sorted(path.glob("*.safetensors"))
    if not files:
        raise ModelNotFoundError(f"{path}: no *.safetensors weights")
    state = read_safetensors(files)
    names = {"llama": LLAMA_NAMES, "gpt2": GPT2_NAMES, "bert": BERT_NAMES}.get(hf["model_type"], LLAMA_NAMES)
    state = rename(state, names, str(path))
    if hf["model_type"] == "gpt2":
        state = split_gpt2(state, config)
    tokenizer_file = path / "tokenizer.json"
    tokenizer = None
    if tokenizer_file.is_file() and config.causal:
        tokenizer = Tokenizer.from_hf_tokenizer_json(tokenizer_file)
    return LoadedWeights(config, state, tokenizer, {"format": "hf"})


# -- our checkpoints ------------------------------------------------------------------------
def save_checkpoint(weights: LoadedWeights, directory: Path) -> None:
    """Write config + safetensors + tokenizer ranks; metadata (chat template...) rides along."""
    from safetensors.torch import save_file

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    config = {"format": "kigi", **weights.config.to_dict(), "metadata": weights.metadata}
    (directory / CHECKPOINT_CONFIG).write_text(json.dumps(config, indent=2), encoding="utf-8")
    save_file({k: v.contiguous() for k, v in weights.state_dict.items()}, directory / CHECKPOINT_WEIGHTS)
    if weights.tokenizer is not None:
        weights.tokenizer.save(directory / CHECKPOINT_TOKENIZER)


def load_checkpoint(directory: Path) -> LoadedWeights:
    directory = Path(directory)
    data = json.loads((directory / CHECKPOINT_CONFIG).read_text(encoding="utf-8"))
    data.pop("format", None)
    metadata = data.pop("metadata", {})
    try:
        config = ModelConfig.from_dict(data)
    except (TypeError, ValueError) as exc:
        raise IncompatibleWeightsError(f"{directory / CHECKPOINT_CONFIG}: {exc}") from None
    state = read_safetensors([directory / CHECKPOINT_WEIGHTS])
    tokenizer_file = directory / CHECKPOINT_TOKENIZER
    tokenizer = Tokenizer.load(tokenizer_file) if tokenizer_file.is_file() else None
    return LoadedWeights(config, state, tokenizer, {**metadata, "format": "kigi"})


def is_checkpoint(path: Path) -> bool:
    config = Path(path) / CHECKPOINT_CONFIG
    return config.is_file() and json.loads(config.read_text(encoding="utf-8")).get("format") == "kigi"


def load_weights(path: Path) -> LoadedWeights:
    """Dispatch on what `path` is: a .gguf file, our checkpoint, or an HF directory."""
    path = Path(path)
    if path.is_file():
        return load_gguf(path)
    if not path.exists():
        raise ModelNotFoundError(f"no such model file or directory: {path}")
    return load_checkpoint(path) if is_checkpoint(path) else load_hf_dir(path)


def read_config(path: Path) -> ModelConfig:
    """The config of the model at `path` from its header alone, no tensors read: what a
    caller needs to size its inputs (the context window) before paying for a load."""
    path = Path(path)
    if path.is_file():
        try:
            return gguf_config(read_gguf_header(path), path)
        except (CorruptWeightsError, IncompatibleWeightsError):
            raise
        except Exception as exc:  # noqa: BLE001 - as in load_gguf: damaged files raise many kinds
            raise CorruptWeightsError(f"{path}: not a readable GGUF file ({type(exc).__name__}: {exc})") from None
    if is_checkpoint(path):
        data = json.loads((path / CHECKPOINT_CONFIG).read_text(encoding="utf-8"))
        return ModelConfig.from_dict({k: v for k, v in data.items() if k not in ("format", "metadata")})
    config_file = path / "config.json"
    if not config_file.is_file():
        raise ModelNotFoundError(f"no such model file or directory: {path}")
    return ModelConfig.from_hf_config(json.loads(config_file.read_text(encoding="utf-8")))


def load_weights_cached(path: Path, cache_dir: Path | None) -> LoadedWeights:
    """Like `load_weights`, but a GGUF is dequantized once and kept as our checkpoint in
    `cache_dir` (None: no cache, as `load_weights`).

    `cache_dir` must be unique to the file's content (the caller keys it by sha256), so a
    changed source file never meets a stale cache.
    """
    path = Path(path)
    if not path.is_file() or cache_dir is None:
        return load_weights(path)
    cache_dir = Path(cache_dir)
    if is_checkpoint(cache_dir):
        try:
            return load_checkpoint(cache_dir)
        except (CorruptWeightsError, IncompatibleWeightsError, json.JSONDecodeError):
            shutil.rmtree(cache_dir, ignore_errors=True)  # a damaged cache is rebuilt, not trusted
    weights = load_gguf(path)
    partial = cache_dir.with_name(cache_dir.name + f".{os.getpid()}.partial")
    try:
        save_checkpoint(weights, partial)
        os.replace(partial, cache_dir)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)  # another process won the race, or no space
    return weights


def allocated(model: nn.Module) -> nn.Module:
    """A meta model's tensors given real, uninitialised storage on the CPU. (`to_empty` does
    this through `empty_like`, whose meta path imports sympy: ~0.5 s of a process's start,
    before the first token of an answer that searches the memory.)"""
    return model._apply(lambda t: torch.empty(t.shape, dtype=t.dtype))


def build_model(weights: LoadedWeights, dtype: torch.dtype = torch.float32) -> Transformer:
    """A `Transformer` holding `weights`; a missing, extra or misshapen tensor is named."""
    with torch.device("meta"):  # no random init of weights that are overwritten at once
        model = Transformer(weights.config)
    expected = {k: v.shape for k, v in model.state_dict().items()}
    missing = sorted(set(expected) - set(weights.state_dict))
    extra = sorted(set(weights.state_dict) - set(expected))
    if missing:
        raise IncompatibleWeightsError(f"weights lack tensor {missing[0]!r} ({len(missing)} missing)")
    if extra:
        raise IncompatibleWeightsError(f"weights have unexpected tensor {extra[0]!r}")
    for key, shape in expected.items():
        got = weights.state_dict[key].shape
        if got != shape:
            raise IncompatibleWeightsError(f"tensor {key!r} has shape {tuple(got)}, expected {tuple(shape)}")
    model = allocated(model.to(dtype))  # allocated once, at the dtype it runs at
    model.load_state_dict(weights.state_dict, strict=True)  # copies, rounding to that dtype
    model.init_buffers()
    return model.to(dtype).eval()  # the position tables, computed in fp32, at that dtype too
