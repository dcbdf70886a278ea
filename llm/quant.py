"""Weight-only int8 / int4 linear layers for fast CPU decode.

Decoding one token reads every weight once, so on a CPU its speed is set by the bytes of
weights per token. These layers keep weights as int8 (one scale per output channel,
symmetric) or int4 (groups of `group_size` inputs, a scale and a zero point per group) and
multiply with PyTorch's CPU kernels `aten._weight_int8pack_mm` and
`aten._weight_int4pack_mm_for_cpu`. Those kernels want bf16 activations (with fp32 they
are slower than a plain fp32 matmul), so a quantized model computes in bf16; norms still
normalise in fp32. Where a kernel is missing or refuses a shape, the same stored integers
are dequantized on the fly (slow, exact to the same math): `use_kernels=False` forces it,
which is how the tests check one path against the other.

Quantized layers keep `in_features` / `out_features` and the module names of the linears
they replace (`blocks.{i}.attn.q`, ...), so LoRA can wrap them; `dequantize()` gives the
weight they stand for.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from llm.fuse import cat_bias, cat_views, mark_shared, share_slices
from llm.kernel_probes import (
    COMPUTE_DTYPE,
    INT4_INNER_K_TILES,
    int4_kernel_available,
    int4_rows_unpack_by_bits,
    int8_kernel_available,
    native_bf16,
    unpack_row_blocks,
)
from llm.quantizers import quantize_int4, quantize_int8
from llm.row_layout import Factors, RowUpdate, block_layout, current_update

QuantKind = Literal["int8", "int4"]
DENSE_MIN_ROWS = 32  # inputs of this many rows go through an int4 layer's dense copy (llm/dense_prefill.py)
INT4_GROUP_SIZES = (32, 64, 128, 256)


def int4_shape_ok(out_features: int, in_features: int, group_size: int) -> bool:
    """Shapes the int4 CPU kernel accepts: rows in blocks of 16, whole groups of inputs."""
    return out_features % 16 == 0 and in_features % group_size == 0 and in_features % (16 * INT4_INNER_K_TILES) == 0


def aligned(t: Tensor) -> Tensor:
    """t, copied if its data is not 64-byte aligned: the int8 kernel (torch 2.13) crashes on
    unaligned weights or activations (safetensors hands out unaligned tensors, for one)."""
    return t.clone() if t.data_ptr() % 64 else t


def dense_matmul(x: Tensor, dense: Tensor) -> Tensor:
    """x @ denseᵀ for a prefill's many rows: in bf16 where the CPU multiplies bf16 natively,
    else in fp32 from the same bf16 copy (each weight widened as it is used: ~10% over a
    plain fp32 matmul, 5× under an emulated bf16 one), the result back in bf16."""
    if native_bf16():
        return F.linear(x, dense)
    return F.linear(x.float(), dense.float()).to(x.dtype)


# -- group sizes ------------------------------------------------------------------------------
def pick_group_size(in_features: int, group_size: int) -> int | None:
    """`group_size` if it divides the input width, else the largest smaller one that does."""
    for size in sorted((s for s in INT4_GROUP_SIZES if s <= group_size), reverse=True):
        if in_features % size == 0:
            return size
    return None


# -- layers ------------------------------------------------------------------------------------
class Int8Linear(nn.Module):
    """y = x @ (q * scale)ᵀ + bias with q int8, one scale per output channel."""

    def __init__(self, q: Tensor, scale: Tensor, bias: Tensor | None = None, *, use_kernels: bool = True) -> None:
        super().__init__()
        self.out_features, self.in_features = q.shape
        self.register_buffer("q", aligned(q.contiguous()))
        self.register_buffer("scale", scale.to(COMPUTE_DTYPE))
        self.register_buffer("bias", None if bias is None else bias.detach().to(COMPUTE_DTYPE))
        self.use_kernel = use_kernels and int8_kernel_available()

    @classmethod
    def from_weight(cls, weight: Tensor, bias: Tensor | None = None, *, use_kernels: bool = True) -> Int8Linear:
        q, scale = quantize_int8(weight)
        return cls(q, scale, bias, use_kernels=use_kernels)

    def forward(self, x: Tensor) -> Tensor:
        dtype = x.dtype
        x2 = x.reshape(-1, self.in_features).to(COMPUTE_DTYPE).contiguous()  # the kernels refuse strided rows
        if self.use_kernel:
            if x2.data_ptr() % 64:
                x2 = x2.clone()
            y = torch.ops.aten._weight_int8pack_mm(x2, self.q, self.scale)
        else:
            y = F.linear(x2.float(), self.q.float()) * self.scale.float()
        if self.bias is not None:
            y = y + self.bias
        return y.reshape(*x.shape[:-1], self.out_features).to(dtype)

    @classmethod
    def joined(cls, layers: list[Int8Linear]) -> Int8Linear:
        """One layer computing the layers' outputs side by side (`llm.fuse.fuse_linears`)."""
        fused = cls(cat_views([layer.q for layer in layers]), torch.cat([layer.scale for layer in layers]),
                    cat_bias(layers, COMPUTE_DTYPE), use_kernels=layers[0].use_kernel)
        share_slices(fused.q, layers, "q")
        share_slices(fused.scale, layers, "scale")
        mark_shared(fused, layers, ("q", "scale"))
        return fused

    def dequantize(self) -> Tensor:
        return self.q.float() * self.scale.float()[:, None]

    @torch.no_grad()
    def requantize_(self, weight: Tensor) -> None:
        """Store `weight` (N, K) in place of the current one: the same tensors, so a fused
        layer whose views they are computes with it too (`LoRALinear.merge`, folded)."""
        q, scale = quantize_int8(weight)
        self.q.copy_(q)
        self.scale.copy_(scale)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, kernel={self.use_kernel}"


class Int4Linear(nn.Module):
    """y = x @ Wᵀ + bias with W stored as grouped int4 (scale and zero point per group)."""

    derived = ("block_scales", "row_updates")  # made from the others, in some processes only: not a stored step's key

    def __init__(self, q: Tensor, scales_and_zeros: Tensor, group_size: int, bias: Tensor | None = None, *,
                 use_kernels: bool = True) -> None:
        super().__init__()
        self.out_features, self.in_features = q.shape
        self.group_size = group_size
        self.use_kernel = (use_kernels and int4_kernel_available()
                           and int4_shape_ok(self.out_features, self.in_features, group_size))
        self.register_buffer("packed", self._pack(q))
        self.register_buffer("scales_and_zeros", scales_and_zeros.to(COMPUTE_DTYPE).contiguous())
        self.register_buffer("bias", None if bias is None else bias.detach().to(COMPUTE_DTYPE))
        self.dense: Tensor | None = None  # a bf16 copy for many rows at once, not state (llm/dense_prefill.py)
        # the scales relaid per block of 64 columns, once kigi's one-row kernel serves this layer (`use_rows`)
        self.register_buffer("block_scales", None, persistent=False)
        self.fused_into: weakref.ref[Int4Linear] | None = None  # the layer computing this part too (`joined`)
        self.part_widths = (self.out_features,)  # of the layers it computes for (`joined`)
        self.row_updates: nn.ModuleDict | None = None  # adapter -> its update in the row kernel's layout, once one is

    @classmethod
    def from_weight(cls, weight: Tensor, bias: Tensor | None = None, *, group_size: int = 32,
                    use_kernels: bool = True) -> Int4Linear:
        size = pick_group_size(weight.shape[1], group_size)
        if size is None:
            raise ValueError(f"int4 needs an input width divisible by 32, got {weight.shape[1]}")
        q, scales_and_zeros = quantize_int4(weight, size)
        return cls(q, scales_and_zeros, size, bias, use_kernels=use_kernels)

    def forward(self, x: Tensor) -> Tensor:
        x2 = x.reshape(-1, self.in_features).to(COMPUTE_DTYPE).contiguous()  # the kernels refuse strided rows
        if self.dense is not None and x2.size(0) >= DENSE_MIN_ROWS:
            y = dense_matmul(x2, self.dense)
        elif self.block_scales is not None and x2.size(0) == 1:
            y = torch.ops.kigi.int4_rows(x2, self.packed, self.group_size, self.block_scales)
        elif self.use_kernel:
            scales_and_zeros = self.scales_and_zeros
            if not scales_and_zeros.is_contiguous():  # a part of a fused layer (see llm/fuse.py)
                scales_and_zeros = scales_and_zeros.contiguous()
            y = torch.ops.aten._weight_int4pack_mm_for_cpu(x2, self.packed, self.group_size, scales_and_zeros)
        else:
            y = F.linear(x2.float(), self.dequantize())
        return self._output(y, x)

    def plus_low_rank(self, x: Tensor, name: str, factors: Sequence[Factors]) -> Tensor | None:
        """This layer's output plus adapter `name`'s update (its parts' `factors`, side by
        side), from one pass of kigi's row kernel (llm/row_layout.py); None where that kernel
        does not serve the call (several rows, no kernel): the caller adds the update."""
        if self.block_scales is None or x.numel() != self.in_features:
            return None
        update = self.low_rank_update(name, factors)
        if update is None:
            return None
        x2 = x.reshape(1, self.in_features).to(COMPUTE_DTYPE).contiguous()
        y = torch.ops.kigi.int4_rows_lora(x2, self.packed, self.group_size, self.block_scales,
                                          update.packed)
        return self._output(y, x)

    def low_rank_update(self, name: str, factors: Sequence[Factors]) -> RowUpdate | None:
        """Adapter `name`'s update in the row kernel's layout, made or refreshed from its
        parts' `factors` (`current_update`; as it is while a graph is traced). The modules
        that hold them come with the first: a model without adapters has none."""
        if self.row_updates is None:
            if torch.compiler.is_compiling():
                return None
            self.row_updates = nn.ModuleDict()
        return current_update(self.row_updates, name, factors, self.part_widths)

    def _output(self, y: Tensor, x: Tensor) -> Tensor:
        if self.bias is not None:
            y = y + self.bias
        return y.reshape(*x.shape[:-1], self.out_features).to(x.dtype)

    @classmethod
    def joined(cls, layers: list[Int4Linear]) -> Int4Linear | None:
        """One layer computing the layers' outputs side by side (`llm.fuse.fuse_linears`),
        or None where the packed layout cannot be joined."""
        widths = [layer.out_features for layer in layers]
        same = len({(layer.group_size, layer.use_kernel) for layer in layers}) == 1
        # The kernel's packed layout holds rows in blocks of 64: rows concatenate only at block edges.
        if not same or (layers[0].use_kernel and any(w % 64 for w in widths[:-1])):
            return None
        fused = cls.__new__(cls)
        nn.Module.__init__(fused)
        fused.in_features, fused.out_features = layers[0].in_features, sum(widths)
        fused.group_size, fused.use_kernel, fused.dense = layers[0].group_size, layers[0].use_kernel, None
        fused.fused_into, fused.part_widths, fused.row_updates = None, tuple(widths), None
        fused.register_buffer("packed", cat_views([layer.packed for layer in layers]))
        fused.register_buffer("scales_and_zeros", cat_views([layer.scales_and_zeros for layer in layers], dim=1))
        fused.register_buffer("bias", cat_bias(layers, COMPUTE_DTYPE))
        fused.register_buffer("block_scales", None, persistent=False)
        for layer in layers:
            layer.fused_into = weakref.ref(fused)
        share_slices(fused.packed, layers, "packed")
        share_slices(fused.scales_and_zeros, layers, "scales_and_zeros", dim=1)  # strided views
        mark_shared(fused, layers, ("packed", "scales_and_zeros"))
        return fused

    def unpacked(self) -> Tensor:
        """The int4 values in [0, 15], (N, K) int32."""
        if not self.use_kernel:
            low, high = self.packed & 15, self.packed >> 4
            return torch.stack([low, high], dim=-1).reshape(self.out_features, self.in_features).to(torch.int32)
        if self.out_features % 32 == 0 and int4_rows_unpack_by_bits():
            return unpack_row_blocks(self.packed, self.out_features, self.in_features)
        return self._unpacked_by_kernel()

    def _unpacked_by_kernel(self) -> Tensor:
        # Multiplying the identity recovers (q - 8) * scale + zero; undo the affine map per group.
        eye = torch.eye(self.in_features, dtype=COMPUTE_DTYPE)
        unit = torch.zeros(self.scales_and_zeros.shape, dtype=COMPUTE_DTYPE)
        unit[..., 0] = 1.0  # scale 1, zero 0: the kernel then returns q - 8 exactly (small integers)
        q = torch.ops.aten._weight_int4pack_mm_for_cpu(eye, self.packed, self.group_size, unit)
        return (q.t().float() + 8).round().to(torch.int32)

    def dequantize(self) -> Tensor:
        q = self.unpacked().float().reshape(self.out_features, -1, self.group_size)
        sz = self.scales_and_zeros.float().transpose(0, 1)  # (N, G, 2)
        w = (q - 8) * sz[..., :1] + sz[..., 1:]
        return w.reshape(self.out_features, self.in_features)

    @torch.no_grad()
    def requantize_(self, weight: Tensor) -> None:
        """Store `weight` (N, K) in place of the current one, in this layer's group size: the
        same tensors, so a fused layer whose views they are computes with it too."""
        q, scales_and_zeros = quantize_int4(weight, self.group_size)
        self.packed.copy_(self._pack(q))
        self.scales_and_zeros.copy_(scales_and_zeros)
        fused = self.fused_into() if self.fused_into is not None else None
        for layer in (self, fused):
            if layer is not None and layer.block_scales is not None:  # in place: a stored step reads them there
                layer.block_scales.copy_(block_layout(layer.scales_and_zeros))

    def rows_fit(self) -> bool:
        """Whether kigi's one-row kernel (llm/row_kernel.py) can read this layer: torch's
        pack, in whole blocks of 64 columns, and groups of an even size."""
        return self.use_kernel and self.out_features % 64 == 0 and self.group_size % 2 == 0

    def use_rows(self) -> None:
        """One-row inputs go to kigi's kernel from now on (its library must be loaded)."""
        if self.block_scales is None:
            self.block_scales = block_layout(self.scales_and_zeros)

    def _pack(self, q: Tensor) -> Tensor:
        if q.is_meta:  # both layouts are (N, K/2) bytes; the kernel's op on meta imports sympy (~0.3 s a process)
            return torch.empty(q.size(0), q.size(1) // 2, dtype=torch.uint8, device="meta")
        if self.use_kernel:
            return torch.ops.aten._convert_weight_to_int4pack_for_cpu(q.to(torch.int32).contiguous(),
                                                                     INT4_INNER_K_TILES)
        return (q[:, 0::2] | (q[:, 1::2] << 4)).to(torch.uint8)  # two nibbles a byte

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"group_size={self.group_size}, kernel={self.use_kernel}")
