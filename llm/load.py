"""Loading, one pipeline in one direction: weights (llm/weights.py) → model
(`build_model`) → quantize (llm/quant.py) → fuse (llm/fuse.py) → cache (and, at int4,
the layers' bf16 copies for prefill: llm/dense_prefill.py).

The cache keeps a quantized model beside the weights it came from, in a file named by
everything its bytes depend on (kind, group size, head, the kernels' packed layout, the
torch version, the format version). A later load reads the model back from it and skips
the stages before fuse, without reading the float weights at all.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import cast

import torch
from torch import nn

from llm.config import PRECISIONS, ModelConfig, Precision
from llm.dense_prefill import attach_dense
from llm.errors import IncompatibleWeightsError
from llm.kernel_probes import int4_kernel_available, int8_kernel_available
from llm.model import Transformer
from llm.quant import QuantKind, aligned
from llm.quant_model import quantize_model
from llm.tokenizer import Tokenizer
from llm.weights import (
    CHECKPOINT_CONFIG,
    CHECKPOINT_TOKENIZER,
    LoadedWeights,
    build_model,
    load_weights_cached,
)

DTYPES: dict[str, torch.dtype] = {"fp32": torch.float32, "bf16": torch.bfloat16}
QUANT_CACHE_VERSION = 4


def load_model(path: Path, precision: Precision = "fp32",
               cache_dir: Path | None = None) -> tuple[LoadedWeights, Transformer]:
    """The model at `path` at `precision`, fused for inference, and what came with its
    weights (config, tokenizer, metadata). fp32 is exact; bf16 casts; int8/int4 quantize
    weight-only, and are cached under `cache_dir` (which the caller keys by the source
    file's content, so a stale copy is never met)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    kind = cast("QuantKind | None", None if precision in DTYPES else precision)
    model = None
    if kind and cache_dir and (header := cached_header(cache_dir, kind)):  # config and tokenizer, no tensors
        weights, model = header, cached_quantized(header.config, kind, cache_dir)
    if model is None:
        weights = read_weights(path, cache_dir)
        if kind and cache_dir:  # a directory's cache holds the quantized file but no checkpoint header
            model = cached_quantized(weights.config, kind, cache_dir)
    fresh = model is None
    if fresh:
        model = build_model(weights, DTYPES.get(precision, torch.float32))
        if kind:
            model = quantize_model(model, kind)
    model.fuse_projections()  # a cached model's parts are views of one storage already: nothing is copied
    if fresh and kind and cache_dir:
        store_quantized(model, kind, cache_dir)  # stored fused, so the next load fuses for free
    if kind == "int4" and cache_dir:
        attach_dense(model, quantized_cache_file(cache_dir, kind))  # prefills at bf16 speed
    return weights, model


def read_weights(path: Path, cache_dir: Path | None) -> LoadedWeights:
    """Weights an engine can generate with (a GGUF is dequantized once into `cache_dir`)."""
    weights = load_weights_cached(path, cache_dir)
    if weights.tokenizer is None:
        raise IncompatibleWeightsError(f"{path}: no tokenizer found beside the weights")
    if not weights.config.causal:
        raise IncompatibleWeightsError(f"{path}: an encoder model cannot generate text")
    return weights


# -- the cache stage ------------------------------------------------------------------
def quantized_cache_file(cache_dir: Path, kind: QuantKind, group_size: int = 32, head: QuantKind | None = None) -> Path:
    """Where a quantized copy of the model in `cache_dir` lives. The name holds everything
    the stored bytes depend on (the kernels' packed layout comes with the torch version)."""
    layout = f"k{int(int8_kernel_available())}{int(int4_kernel_available())}"
    name = (f"{kind}-g{group_size}-head{head or kind}-{layout}-torch{torch.__version__.replace('+', '_')}"
            f"-v{QUANT_CACHE_VERSION}.pt")
    return Path(cache_dir) / name


def save_quantized(model: nn.Module, file: Path) -> None:
    """Write a quantized model's state; parts that share storage (after `fuse_projections`)
    are written, and loaded, as views of one storage.

    `torch.save`, not safetensors: loading then allocates each tensor 64-byte aligned, as
    the int8 kernel needs (safetensors' tensors would each need copying: seconds here).
    """
    file = Path(file)
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_name(f"{file.name}.{os.getpid()}.partial")
    try:
        torch.save(model.state_dict(), partial)
        os.replace(partial, file)
    except OSError:
        partial.unlink(missing_ok=True)  # no space, or another process won the race: no cache


def load_quantized(config: ModelConfig, file: Path, kind: QuantKind, *, group_size: int = 32,
                   head: QuantKind | None = None) -> Transformer:
    """Rebuild a quantized `Transformer` from `save_quantized`'s file without requantizing.

    Raises `ValueError` (or torch.load's error) when the file does not fit the model.
    """
    with torch.device("meta"):
        model = quantize_model(Transformer(config), kind, group_size=group_size, head=head)
    state = {key: aligned(tensor) for key, tensor in torch.load(Path(file), weights_only=True, mmap=True).items()}
    try:
        model.load_state_dict(state, strict=True, assign=True)
    except RuntimeError as exc:
        raise ValueError(f"{file}: does not fit the model ({exc})") from None
    model.init_buffers()
    return model.eval()


def cached_header(cache_dir: Path, kind: QuantKind) -> LoadedWeights | None:
    """Config, tokenizer and metadata of a cached checkpoint, without its float tensors,
    when quantized weights of `kind` are cached beside it (saves reading ~0.5 GB)."""
    if not quantized_cache_file(cache_dir, kind).is_file():
        return None
    try:
        data = json.loads((Path(cache_dir) / CHECKPOINT_CONFIG).read_text(encoding="utf-8"))
        if data.pop("format", None) != "kigi":
            return None
        metadata = data.pop("metadata", {})
        tokenizer = Tokenizer.load(Path(cache_dir) / CHECKPOINT_TOKENIZER)
        return LoadedWeights(ModelConfig.from_dict(data), {}, tokenizer, {**metadata, "format": "kigi"})
    except (OSError, ValueError, TypeError, KeyError):
        return None  # whatever is amiss, the full load sorts it out


def cached_quantized(config: ModelConfig, kind: QuantKind, cache_dir: Path) -> Transformer | None:
    """The quantized model stored under `cache_dir`, or None (a damaged copy is deleted)."""
    file = quantized_cache_file(cache_dir, kind)
    if not file.is_file():
        return None
    try:
        return load_quantized(config, file, kind)
    except Exception:  # noqa: BLE001 - a damaged cache is rebuilt, never trusted
        file.unlink(missing_ok=True)
        return None


def store_quantized(model: nn.Module, kind: QuantKind, cache_dir: Path) -> None:
    """Keep a freshly quantized model under `cache_dir`, in place of older formats of it."""
    file = quantized_cache_file(cache_dir, kind)
    for stale in file.parent.glob(f"{kind}-*"):
        stale.unlink(missing_ok=True)
    save_quantized(model, file)
