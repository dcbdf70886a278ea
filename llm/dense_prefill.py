"""Prefill through dense bf16 weights: an int4 model's layers keep a bf16 copy of their
weights for inputs of many rows (`DENSE_MIN_ROWS`), and decode one row at a time through
the int4 kernel as before.

Why: a token decoded alone reads every weight once, so 4-bit weights (a quarter of bf16's
bytes) are what makes it fast. A prompt's prefill multiplies hundreds of rows by each
weight, so it is bound by arithmetic, and there torch's int4 kernel, which unpacks and
scales every weight as it goes, is the slow side: on the default model's shapes (2-core
AVX-512 machine) the bf16 matmul took 155 ms for 256 rows where the int4 kernel took 337,
1.7× faster at 32 rows, even at 16, slower below. On a CPU with no bf16 instructions (AVX2
only) a bf16 matmul is emulated and slower than the int4 kernel, so there the copy is widened
to fp32 as each layer uses it (`quant.dense_matmul`): prefill 42 → 226 tokens/s on a 2-core
AVX2 machine, fp32's own speed, at bf16's memory. The copy costs memory (~212 MB for the
default model's layers; the head, which a prefill runs on one row, keeps none), so it is
kept in a file beside the int4 cache and mapped, not read: pages come in when a prefill
first needs them.

The copy is the int4 weights dequantized (what the kernel computes with), built once when
the file is missing or unreadable.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

from llm.quant import COMPUTE_DTYPE, Int4Linear

FILE_SUFFIX = ".dense-bf16.pt"


def prefill_layers(model: nn.Module) -> dict[str, Int4Linear]:
    """The int4 layers a forward pass runs (fused q/k/v and gate/up where fused; an
    adapter's wrapper unwrapped), by a name that is stable across loads."""
    found: dict[str, Int4Linear] = {}
    for i, block in enumerate(getattr(model, "blocks", ())):
        attn, mlp = block.attn, block.mlp
        runs = {"o": attn.o, "down": mlp.down}
        runs.update({"qkv": attn.fused[-1]} if attn.fused else {"q": attn.q, "k": attn.k, "v": attn.v})
        runs.update({"gate_up": mlp.fused[-1]} if mlp.fused else {"gate": mlp.gate, "up": mlp.up})
        for name, layer in runs.items():
            layer = getattr(layer, "base", layer)
            if isinstance(layer, Int4Linear) and layer.use_kernel:
                found[f"blocks.{i}.{name}"] = layer
    return found


def attach_dense(model: nn.Module, quantized_file: Path) -> None:
    """Give the model's int4 layers their bf16 copies, from the file beside
    `quantized_file` (the int4 cache), built and written first if it is missing or damaged."""
    layers = prefill_layers(model)
    if not layers:
        return
    path = Path(quantized_file).with_name(Path(quantized_file).name + FILE_SUFFIX)
    dense = _read(path, layers)
    if dense is None:
        with torch.inference_mode():
            dense = {name: layer.dequantize().to(COMPUTE_DTYPE).contiguous() for name, layer in layers.items()}
        _write(path, dense)
    for name, layer in layers.items():
        layer.dense = dense[name]


def drop_dense(model: nn.Module) -> None:
    """Forget the copies once the int4 weights changed in place (an adapter folded in for
    good): they would prefill with the old weights; the kernel reads the new ones."""
    for layer in prefill_layers(model).values():
        layer.dense = None


def _read(path: Path, layers: dict[str, Int4Linear]) -> dict[str, torch.Tensor] | None:
    try:
        dense = torch.load(path, weights_only=True, mmap=True)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged file fails in many ways: it is built again
        path.unlink(missing_ok=True)
        return None
    fits = isinstance(dense, dict) and all(
        isinstance(dense.get(name), torch.Tensor) and dense[name].shape == (layer.out_features, layer.in_features)
        and dense[name].dtype == COMPUTE_DTYPE for name, layer in layers.items())
    return dense if fits else None


def _write(path: Path, dense: dict[str, torch.Tensor]) -> None:
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        torch.save(dense, partial)
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)  # no space, or another process won the race: kept in memory only
