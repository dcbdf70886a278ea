"""What kigi's one-row int4 kernel (llm/kernels/int4_rows.cpp) reads besides the packed
weights, laid out as it reads them: each int4 layer's scales, and each adapter's low-rank
update, per block of 64 output columns.

With an adapter on, a decode step used to add ~7 small updates a layer after the matmuls
(each a loop of its own in the stored step: ~1.3 ms a token, the reader on at 0.77× of no
adapter). `kigi::int4_rows_lora` adds the update in the matmul's own pass instead: h = A·x
once (every part's A), and each block adds its part's columns of the scaled B times h
before it stores. The factors are held int8 (half of bf16's bytes, which were ~7% of a
token's; the reader's greedy answers on 120 development questions came out identical to
bf16's, docs/speed.md), and handed to the kernel as one packed tensor. A layer keeps one
`RowUpdate` per adapter, derived from the adapter's factors and refreshed in place when they
change, so a stored step bound to it by name sees the new values.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from llm.quantizers import quantize_int8

BLOCK = 64  # output columns per block of torch's int4 pack
Factors = tuple[Tensor, Tensor, float] | tuple[()]  # a part's (A, B, scaling), or () for none (`LoRALinear.low_rank`)


def block_layout(scales_and_zeros: Tensor) -> Tensor:
    """(G, N, 2) scale/zero pairs as the kernel reads them: (N/64, G, 64, 2), each block of
    64 columns' pairs in one run."""
    groups, n, _ = scales_and_zeros.shape
    return scales_and_zeros.contiguous().view(groups, n // BLOCK, BLOCK, 2).permute(1, 0, 2, 3).contiguous()


def update_layout(factors: Sequence[Factors], widths: Sequence[int]) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """The parts' updates (side by side, `widths` output columns each, whole blocks) as the
    kernel reads them, int8 (half the bytes of bf16: the update's bytes are its cost): A
    (parts × r, K), each part's rows padded to the largest rank r; scaling × B × A's row
    scales per block (N/64, r, 64), with an fp32 scale per row of a block (N/64, r); each
    block's first row of A, or -1 (int32)."""
    live = [f for f in factors if f]
    rank, inputs = max(f[0].size(0) for f in live), live[0][0].size(1)
    a = torch.zeros(len(live) * rank, inputs)
    b = torch.zeros(sum(widths) // BLOCK, rank, BLOCK)
    offsets = torch.full((sum(widths) // BLOCK,), -1, dtype=torch.int32)
    row = column = 0
    for part, width in zip(factors, widths, strict=True):
        blocks = slice(column // BLOCK, (column + width) // BLOCK)
        if part:
            A, B, scaling = part
            a[row:row + A.size(0)] = A.detach()
            scaled = B.detach().float().t() * scaling  # (rank, width)
            b[blocks, :A.size(0)] = scaled.reshape(A.size(0), width // BLOCK, BLOCK).transpose(0, 1)
            offsets[blocks] = row
            row += rank
        column += width
    a, a_scales = quantize_int8(a)
    rows = offsets.clamp(min=0).long()[:, None] + torch.arange(rank)  # each block's rows of A
    b, b_scales = quantize_int8((b * a_scales[rows][:, :, None]).reshape(-1, BLOCK))
    return a, b.view(-1, rank, BLOCK), b_scales.view(-1, rank), offsets


HEADER_WORDS = 16  # int32: rows of A, rank, inputs, blocks, where offsets, B's scales, A and B begin, bytes


def packed_update(a: Tensor, b: Tensor, b_scales: Tensor, offsets: Tensor) -> Tensor:
    """`update_layout`'s four tensors as the one uint8 tensor the kernel is handed: a header,
    then offsets, B's scales, A and B, each at a multiple of 64 bytes. One tensor, not four:
    a call reads each argument's metadata from memory that a token's other ~66 MB have
    evicted since, 121 calls a token."""
    sections = [t.contiguous().view(torch.uint8).reshape(-1) for t in (offsets, b_scales, a, b)]
    starts, end = [], 4 * HEADER_WORDS
    for section in sections:
        starts.append(end)
        end += -(-section.numel() // 64) * 64
    header = torch.zeros(HEADER_WORDS, dtype=torch.int32)
    header[:9] = torch.tensor([a.size(0), b.size(1), a.size(1), b.size(0), *starts, end], dtype=torch.int32)
    packed = torch.zeros(end, dtype=torch.uint8)
    packed[:4 * HEADER_WORDS] = header.view(torch.uint8)
    for start, section in zip(starts, sections, strict=True):
        packed[start:start + section.numel()] = section
    return packed


def unpacked_update(packed: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """`packed_update`'s four tensors back, as views of it (tests read the layout so)."""
    rows, rank, inputs, blocks, *starts = packed[:4 * HEADER_WORDS].view(torch.int32)[:8].tolist()
    sizes = [blocks * 4, blocks * rank * 4, rows * inputs, blocks * rank * BLOCK]
    offsets, b_scales, a, b = (packed[start:start + size] for start, size in zip(starts, sizes, strict=True))
    return (a.view(torch.int8).view(rows, inputs), b.view(torch.int8).view(blocks, rank, BLOCK),
            b_scales.view(torch.float32).view(blocks, rank), offsets.view(torch.int32))


def source_of(factors: Sequence[Factors]) -> tuple:
    """Which tensors, at which versions, an update was made from (an optimizer step or a
    load bumps a version)."""
    return tuple((id(f[0]), f[0]._version, id(f[1]), f[1]._version, f[2]) if f else None for f in factors)


class RowUpdate(nn.Module):
    """One adapter's update to one layer, as the kernel is handed it (`packed_update`)."""

    def __init__(self, factors: Sequence[Factors], widths: Sequence[int]) -> None:
        super().__init__()
        self.register_buffer("packed", packed_update(*update_layout(factors, widths)), persistent=False)
        self.source = source_of(factors)

    @torch.no_grad()
    def refresh(self, factors: Sequence[Factors], widths: Sequence[int]) -> bool:
        """Make it again from `factors` if they changed since, in place (a stored step reads
        it there); False where the shapes changed too (the caller makes a new one)."""
        source = source_of(factors)
        if source == self.source:
            return True
        made = packed_update(*update_layout(factors, widths))
        if made.shape != self.packed.shape:
            return False
        self.packed.copy_(made)
        self.source = source
        return True


def slot(name: str) -> str:
    """A module key for the adapter `name` (a key may not hold a dot)."""
    return name.replace(".", "-")


def current_update(updates: nn.ModuleDict, name: str, factors: Sequence[Factors],
                   widths: Sequence[int]) -> RowUpdate | None:
    """The update of adapter `name` held in `updates`, made or refreshed from `factors`
    first, but as it is while a graph is traced (a compiled step finds it by name; a trace
    must not copy). None where there is none to use."""
    if not any(factors) or len(factors) != len(widths):
        return None
    key = slot(name)
    found = updates[key] if key in updates else None  # noqa: SIM401 - a ModuleDict has no get
    if torch.compiler.is_compiling():
        return found
    if found is None or not found.refresh(factors, widths):
        found = updates[key] = RowUpdate(factors, widths)
    return found
