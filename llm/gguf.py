"""The GGUF format as llama.cpp writes it: a header walk that refuses damaged files before
the `gguf` package reads them, the model config the header declares, the tensors
dequantized, and the tokenizer its vocabulary describes. `llm.weights.load_gguf` maps the
result onto our names.
"""

from __future__ import annotations

import mmap
import os
import struct
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


# GGUF value types: scalar sizes in bytes; 8 is a string, 9 an array.
GGUF_SCALAR_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
GGUF_STRING, GGUF_ARRAY = 8, 9


def check_gguf_header(path: Path) -> None:
    """Walk a GGUF header and check every declared count and length against the file size.

    The gguf reader trusts them: a damaged array count makes it read empty items past the
    end of the file, one at a time, for hours. This walk is bounded by the file's length
    and raises `CorruptWeightsError` naming the field at the first count that cannot fit.
    """
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size < 24:
            raise CorruptWeightsError(f"{path}: not a readable GGUF file ({size} bytes, too short for a header)")
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            if buf[:4] != b"GGUF":
                raise CorruptWeightsError(f"{path}: not a readable GGUF file (no GGUF magic)")
            order = "<" if struct.unpack_from("<I", buf, 4)[0] & 0xFFFF else ">"  # as the reader guesses
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

            formats = {fmt: struct.Struct(order + fmt) for fmt in "IQ"}

            def number(fmt: str, what: str) -> int:
                return formats[fmt].unpack_from(buf, take(1, formats[fmt].size, what))[0]

            def string(what: str) -> str:
                length = number("Q", what)
                return bytes(buf[take(length, 1, what):pos]).decode("utf-8", errors="replace")

            def value(kind: int, what: str, depth: int = 0) -> None:
                if kind in GGUF_SCALAR_SIZES:
                    take(1, GGUF_SCALAR_SIZES[kind], what)
                elif kind == GGUF_STRING:
                    take(number("Q", what), 1, what)
                elif kind == GGUF_ARRAY:
                    if depth >= 4:
                        raise damaged(what, "nests arrays more than 4 deep")
                    item_kind, count = number("I", what), number("Q", what)
                    if item_kind in GGUF_SCALAR_SIZES:
                        take(count, GGUF_SCALAR_SIZES[item_kind], what)
                        return
                    need(count, 8 if item_kind == GGUF_STRING else 12, what)  # their least size
                    for _ in range(count):
                        value(item_kind, what, depth + 1)
                else:
                    raise damaged(what, f"has value type {kind}, which GGUF does not define")

            tensor_count, kv_count = number("Q", "tensor count"), number("Q", "metadata count")
            need(kv_count, 12, "metadata count")  # a key's length and a value type at least
            need(tensor_count, 24, "tensor count")  # name length, dims, type, offset at least
            for _ in range(kv_count):
                key = string("a metadata key")
                value(number("I", repr(key)), repr(key))
            for _ in range(tensor_count):
                name = string("a tensor name")
                take(number("I", repr(name)), 8, repr(name))
                take(1, 12, repr(name))


def gguf_reader(path: Path) -> Any:
    """A `gguf.GGUFReader` on `path`, once `check_gguf_header` has found its header sound."""
    import gguf

    check_gguf_header(path)
    return gguf.GGUFReader(path)


def gguf_value(reader: Any, key: str, default: Any = None) -> Any:
    entry = reader.fields.get(key)
    return default if entry is None else entry.contents()


def gguf_config(reader: Any, path: Path) -> ModelConfig:
    """The model config a GGUF header declares (llama architecture only), checked against
    the tensors the file holds before anything is sized by it."""
    arch = gguf_value(reader, "general.architecture")
    if arch != "llama":
        raise IncompatibleWeightsError(f"{path}: architecture {arch!r} is not supported (llama only)")
    prefix = f"{arch}."
    names = {t.name for t in reader.tensors}
    config = ModelConfig(
        vocab_size=len(reader.fields["tokenizer.ggml.tokens"].data),
        d_model=int(gguf_value(reader, prefix + "embedding_length")),
        n_layer=int(gguf_value(reader, prefix + "block_count")),
        n_head=int(gguf_value(reader, prefix + "attention.head_count")),
        n_kv_head=int(gguf_value(reader, prefix + "attention.head_count_kv")),
        d_ff=int(gguf_value(reader, prefix + "feed_forward_length")),
        norm="rms",
        norm_eps=float(gguf_value(reader, prefix + "attention.layer_norm_rms_epsilon", 1e-5)),
        rope_theta=float(gguf_value(reader, prefix + "rope.freq_base", 10000.0)),
        tie_embeddings="output.weight" not in names,
        max_seq_len=int(gguf_value(reader, prefix + "context_length", 2048)),
        name=str(gguf_value(reader, "general.name", path.stem)),
    )
    check_declared(config, {t.name: t.shape.tolist() for t in reader.tensors}, path)
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


def gguf_tensors(reader: Any, config: ModelConfig) -> dict[str, Tensor]:
    """Every tensor dequantized to fp32 (`[out, in]`), under llama.cpp's names, with Q and K
    rows put back in the rotate-half order our rotary code expects."""
    import gguf

    state: dict[str, Tensor] = {}
    for tensor in reader.tensors:
        array = gguf.quants.dequantize(tensor.data, tensor.tensor_type)
        array = np.asarray(array, dtype=np.float32).reshape(tuple(reversed(tensor.shape.tolist())))
        if tensor.name.endswith("attn_q.weight"):
            array = unpermute_rope(array, config.n_head)
        elif tensor.name.endswith("attn_k.weight"):
            array = unpermute_rope(array, config.n_kv_head)
        state[tensor.name] = torch.from_numpy(np.array(array, dtype=np.float32, order="C"))
    return state


def gguf_tokenizer(reader: Any) -> Tokenizer:
    """The tokenizer the GGUF's vocabulary describes."""
    return Tokenizer.from_vocab(
        gguf_value(reader, "tokenizer.ggml.tokens"),
        gguf_value(reader, "tokenizer.ggml.token_type"),
        str(gguf_value(reader, "tokenizer.ggml.pre", "gpt2")),
        bos_id=gguf_value(reader, "tokenizer.ggml.bos_token_id"),
        eos_id=gguf_value(reader, "tokenizer.ggml.eos_token_id"),
    )
