"""The GGUF format as llama.cpp writes it: a bounded header walk that refuses damaged
files, the model config the header declares, the tensors dequantized (by the `gguf`
package's kernels), and the tokenizer its vocabulary describes. `llm.weights.load_gguf`
maps the result onto our names.
"""

from __future__ import annotations

import math
import mmap
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from llm.config import ModelConfig
from llm.errors import CorruptWeightsError, IncompatibleWeightsError
from llm.tokenizer import Tokenizer


def unpermute_rope(weight: np.ndarray, n_head: int) -> np.ndarray:
    """Undo llama.cpp's Q/K row permutation (interleaved rotary pairs -> rotate-half)."""
    out_dim = weight.shape[0]
    return (weight.reshape(n_head, out_dim // n_head // 2, 2, *weight.shape[1:])
            .swapaxes(1, 2).reshape(weight.shape))


# GGUF value types: scalar formats (struct); 8 is a string, 9 an array.
GGUF_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
GGUF_UINT32, GGUF_STRING, GGUF_ARRAY, GGUF_UINT64 = 4, 8, 9, 10
DEFAULT_ALIGNMENT = 32


@dataclass(frozen=True)
class GGUFTensorInfo:
    name: str
    shape: tuple[int, ...]  # innermost dimension first, as GGUF lists it
    kind: int  # the GGML quantization type
    offset: int  # of its bytes in the file


@dataclass(frozen=True)
class GGUFHeader:
    """A GGUF file's metadata (scalars, strings and arrays as Python values) and where each
    tensor's bytes are."""

    fields: dict[str, Any]
    tensors: list[GGUFTensorInfo]

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)


def read_gguf_header(path: Path) -> GGUFHeader:
    """Read a GGUF header, checking every declared count and length against the file size.

    Why not the `gguf` package's reader: it trusts the counts (a damaged array count makes it
    read empty items past the end of the file, one at a time, for hours), and it builds a
    view per array item, ~4 s for the default model's 49k-token vocabulary, on every read of
    a config. This walk is bounded by the file's length, raises `CorruptWeightsError` naming
    the field at the first count that cannot fit, and reads the header in well under a second.
    """
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size < 24:
            raise CorruptWeightsError(f"{path}: not a readable GGUF file ({size} bytes, too short for a header)")
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            if buf[:4] != b"GGUF":
                raise CorruptWeightsError(f"{path}: not a readable GGUF file (no GGUF magic)")
            order = "<" if struct.unpack_from("<I", buf, 4)[0] & 0xFFFF else ">"  # as the gguf reader guesses
            pos = 8

            def damaged(what: str, detail: str) -> CorruptWeightsError:
                return CorruptWeightsError(
                    f"{path}: not a readable GGUF file (damaged header: {what} {detail}, at offset {pos})")

            def need(count: int, item_size: int, what: str) -> None:
                if count > (size - pos) // item_size:
                    raise damaged(what, f"declares {count} items of {item_size}+ bytes, "
                                        f"more than the {size - pos} bytes left in the file")

            def take(count: int, item_size: int, what: str) -> int:
                nonlocal pos
                need(count, item_size, what)
                start, pos = pos, pos + count * item_size
                return start

            formats = {kind: struct.Struct(order + fmt) for kind, fmt in GGUF_SCALARS.items()}

            def scalar(kind: int, what: str) -> Any:
                return formats[kind].unpack_from(buf, take(1, formats[kind].size, what))[0]

            def string(what: str) -> str:
                length = scalar(GGUF_UINT64, what)
                return bytes(buf[take(length, 1, what):pos]).decode("utf-8", errors="replace")

            def value(kind: int, what: str, depth: int = 0) -> Any:
                if kind in formats:
                    return scalar(kind, what)
                if kind == GGUF_STRING:
                    return string(what)
                if kind != GGUF_ARRAY:
                    raise damaged(what, f"has value type {kind}, which GGUF does not define")
                if depth >= 4:
                    raise damaged(what, "nests arrays more than 4 deep")
                item_kind, count = scalar(GGUF_UINT32, what), scalar(GGUF_UINT64, what)
                if item_kind in formats:
                    dtype = np.dtype(order + GGUF_SCALARS[item_kind])
                    return np.frombuffer(buf, dtype, count, take(count, dtype.itemsize, what)).tolist()
                need(count, 8 if item_kind == GGUF_STRING else 12, what)  # their least size
                return [value(item_kind, what, depth + 1) for _ in range(count)]

            tensor_count, kv_count = scalar(GGUF_UINT64, "tensor count"), scalar(GGUF_UINT64, "metadata count")
            need(kv_count, 12, "metadata count")  # a key's length and a value type at least
            need(tensor_count, 24, "tensor count")  # name length, dims, type, offset at least
            fields = {}
            for _ in range(kv_count):
                key = string("a metadata key")
                fields[key] = value(scalar(GGUF_UINT32, repr(key)), repr(key))
            infos = []
            for _ in range(tensor_count):
                name = string("a tensor name")
                dims = scalar(GGUF_UINT32, repr(name))
                shape = tuple(np.frombuffer(buf, np.dtype(order + "Q"), dims, take(dims, 8, repr(name))).tolist())
                infos.append((name, shape, scalar(GGUF_UINT32, repr(name)), scalar(GGUF_UINT64, repr(name))))
            alignment = fields.get("general.alignment", DEFAULT_ALIGNMENT)
            if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
                raise damaged("general.alignment", f"is {alignment!r}, not a power of two")
            data_start = -(-pos // alignment) * alignment
            tensors = [GGUFTensorInfo(name, shape, kind, data_start + offset) for name, shape, kind, offset in infos]
    for tensor in tensors:
        if tensor.offset + tensor_bytes(tensor) > size:
            raise CorruptWeightsError(f"{path}: not a readable GGUF file (truncated: tensor {tensor.name!r} "
                                      f"ends past the file's {size} bytes)")
    return GGUFHeader(fields, tensors)


def tensor_bytes(tensor: GGUFTensorInfo) -> int:
    """How many bytes a tensor's data takes (its type's blocks times their size)."""
    from gguf import GGML_QUANT_SIZES

    if tensor.kind not in GGML_QUANT_SIZES:
        raise IncompatibleWeightsError(f"tensor {tensor.name!r} has GGML type {tensor.kind}, which kigi cannot read")
    block, block_bytes = GGML_QUANT_SIZES[tensor.kind]
    return math.prod(tensor.shape) // block * block_bytes


def gguf_config(header: GGUFHeader, path: Path) -> ModelConfig:
    """The model config a GGUF header declares (llama architecture only), checked against
    the tensors the file holds before anything is sized by it."""
    arch = header.get("general.architecture")
    if arch != "llama":
        raise IncompatibleWeightsError(f"{path}: architecture {arch!r} is not supported (llama only)")
    prefix = f"{arch}."
    names = {t.name for t in header.tensors}
    config = ModelConfig(
        vocab_size=len(header.get("tokenizer.ggml.tokens", ())),
        d_model=int(header.get(prefix + "embedding_length")),
        n_layer=int(header.get(prefix + "block_count")),
        n_head=int(header.get(prefix + "attention.head_count")),
        n_kv_head=int(header.get(prefix + "attention.head_count_kv")),
        d_ff=int(header.get(prefix + "feed_forward_length")),
        norm="rms",
        norm_eps=float(header.get(prefix + "attention.layer_norm_rms_epsilon", 1e-5)),
        rope_theta=float(header.get(prefix + "rope.freq_base", 10000.0)),
        tie_embeddings="output.weight" not in names,
        max_seq_len=int(header.get(prefix + "context_length", 2048)),
        name=str(header.get("general.name", path.stem)),
    )
    check_declared(config, {t.name: list(t.shape) for t in header.tensors}, path)
    return config


# Far beyond any context a CPU model is run at; a larger declared one is a damaged field, and
# believing it would size rotary tables and caches by it.
MAX_CONTEXT = 1 << 20


def check_declared(config: ModelConfig, shapes: dict[str, list[int]], path: Path) -> None:
    """Refuse a header whose sizes disagree with its own tensors (GGUF has no checksum: one
    flipped bit in `block_count` or `feed_forward_length` would otherwise size the model)."""
    layers = {int(name.split(".")[1]) for name in shapes if name.startswith("blk.") and name.split(".")[1].isdigit()}
    if layers != set(range(config.n_layer)):
        raise CorruptWeightsError(f"{path}: damaged GGUF header: block_count says {config.n_layer} layers, "
                                  f"the file holds tensors of {len(layers)}")
    # (tensor, dimension, field): GGUF lists a tensor's dimensions innermost first
    for name, dim, field in (("token_embd.weight", 0, "embedding_length"), ("blk.0.ffn_up.weight", 1,
                                                                             "feed_forward_length")):
        declared = config.d_model if field == "embedding_length" else config.d_ff
        if name in shapes and shapes[name][dim] != declared:
            raise CorruptWeightsError(f"{path}: damaged GGUF header: {field} says {declared}, "
                                      f"{name} is {shapes[name]}")
    if not 0 < config.max_seq_len <= MAX_CONTEXT:
        raise CorruptWeightsError(f"{path}: damaged GGUF header: context_length {config.max_seq_len} is outside "
                                  f"1..{MAX_CONTEXT}")


def gguf_tensors(path: Path, header: GGUFHeader, config: ModelConfig) -> dict[str, Tensor]:
    """Every tensor dequantized to fp32 (`[out, in]`), under llama.cpp's names, with Q and K
    rows put back in the rotate-half order our rotary code expects."""
    import gguf

    state: dict[str, Tensor] = {}
    data = np.memmap(path, dtype=np.uint8, mode="r")
    for tensor in header.tensors:
        shape = tuple(reversed(tensor.shape))  # outermost first
        raw = data[tensor.offset:tensor.offset + tensor_bytes(tensor)].reshape(shape[0] if len(shape) > 1 else 1, -1)
        array = gguf.quants.dequantize(raw, tensor.kind)
        array = np.asarray(array, dtype=np.float32).reshape(shape)
        if tensor.name.endswith("attn_q.weight"):
            array = unpermute_rope(array, config.n_head)
        elif tensor.name.endswith("attn_k.weight"):
            array = unpermute_rope(array, config.n_kv_head)
        state[tensor.name] = torch.from_numpy(np.array(array, dtype=np.float32, order="C"))
    return state


def gguf_tokenizer(header: GGUFHeader) -> Tokenizer:
    """The tokenizer the GGUF's vocabulary describes."""
    return Tokenizer.from_vocab(
        header.get("tokenizer.ggml.tokens"),
        header.get("tokenizer.ggml.token_type"),
        str(header.get("tokenizer.ggml.pre", "gpt2")),
        bos_id=header.get("tokenizer.ggml.bos_token_id"),
        eos_id=header.get("tokenizer.ggml.eos_token_id"),
    )
