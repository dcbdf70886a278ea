"""Which of PyTorch's quantized CPU kernels this process can use, each found out once.

A probe runs the kernel on a tiny input and checks the answer, on real CPU tensors even
when its first caller is building a model on the meta device (a cached quantized model is
assigned into such a skeleton): there a kernel "runs" without computing anything, so the
probe would decide for the whole process from nothing, and the int4 kernel's meta function
is Python that imports sympy (~0.3 s of every start).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import torch
from torch import Tensor

COMPUTE_DTYPE = torch.bfloat16  # the activations' dtype of a quantized model: what the kernels take
INT4_INNER_K_TILES = 2


def probe(check: Callable[[], bool]) -> Callable[[], bool]:
    """`check` run once per process, on the CPU; a kernel that is missing or fails is False."""

    @functools.cache
    @functools.wraps(check)
    def once() -> bool:
        try:
            with torch.device("cpu"):
                return check()
        except (AttributeError, RuntimeError, NotImplementedError):
            return False

    return once


@probe
def int8_kernel_available() -> bool:
    x = torch.ones(1, 32, dtype=COMPUTE_DTYPE)
    y = torch.ops.aten._weight_int8pack_mm(x, torch.ones(16, 32, dtype=torch.int8), torch.ones(16, dtype=COMPUTE_DTYPE))
    return bool(y.shape == (1, 16) and float(y[0, 0]) == 32.0)


@probe
def int4_kernel_available() -> bool:
    packed = torch.ops.aten._convert_weight_to_int4pack_for_cpu(torch.full((16, 64), 9, dtype=torch.int32),
                                                                INT4_INNER_K_TILES)
    scales_zeros = torch.zeros(2, 16, 2, dtype=COMPUTE_DTYPE)
    scales_zeros[..., 0] = 1.0
    y = torch.ops.aten._weight_int4pack_mm_for_cpu(torch.ones(1, 64, dtype=COMPUTE_DTYPE), packed, 32, scales_zeros)
    return bool(y.shape == (1, 16) and float(y[0, 0]) == 64.0)  # (9 - 8) * 1 + 0, summed over 64


@probe
def native_bf16() -> bool:
    """Whether this CPU multiplies bf16 with its own instructions (AVX512-BF16 or AMX).
    Elsewhere bf16 is emulated: on an AVX2-only CPU a matmul ~5× slower than fp32 at a
    prefill's 256 rows, slower even than the int4 kernel (llm/dense_prefill.py), and an
    encoder's query slower than in fp32 (memory/embed.py)."""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")  # private, so looked up with care
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in checks)


@probe
def int4_rows_unpack_by_bits() -> bool:
    """Whether the kernel packs a block of 32 rows as this torch does (one byte holds row d's
    and row d + 16's nibble of one input; checked once, on a small matrix): then unpacking
    is bit arithmetic. Otherwise it multiplies the identity, ~6 s for the default model."""
    if not int4_kernel_available():
        return False
    q = torch.randint(0, 16, (32, 128), dtype=torch.int32, generator=torch.Generator().manual_seed(0))
    packed = torch.ops.aten._convert_weight_to_int4pack_for_cpu(q, INT4_INNER_K_TILES)
    return packed.shape == (32, 64) and torch.equal(unpack_row_blocks(packed, 32, 128), q)


def unpack_row_blocks(packed: Tensor, n: int, k: int) -> Tensor:
    """(n, k) int32 nibbles of a kernel-packed weight with n a multiple of 32 (layout above)."""
    blocks = packed.reshape(n // 32, k, 16)
    rows = torch.cat([blocks & 15, blocks >> 4], dim=-1)  # (n / 32, k, 32)
    return rows.transpose(1, 2).reshape(n, k).to(torch.int32)
