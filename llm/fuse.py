"""Fused projections: q, k and v (and gate and up) read the same input, so one matmul over
their weights joined end to end does the work of three (or two) for inference.

The parts stay where they are (LoRA targets them by name, state_dict keeps their keys);
their weights become views of the joined weight, so memory is not doubled. Plain
`nn.Linear`s are joined here; a quantized layer kind joins its own kind through a
`joined(layers)` classmethod (llm/quant.py), so this module knows no quantized format.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


def cat_views(tensors: list[Tensor], dim: int = 0) -> Tensor:
    """torch.cat, but parts that are consecutive slices of one tensor (a fused model saved
    and loaded again) come back as a view of it, and byte rows travel as int64: fresh
    allocations and byte copies are slow here (~10-20 ms each at load time)."""
    first = tensors[0]
    step = first.stride(dim)
    if all(t.untyped_storage().data_ptr() == first.untyped_storage().data_ptr() and t.stride() == first.stride()
           for t in tensors) and all(b.storage_offset() == a.storage_offset() + a.size(dim) * step
                                     for a, b in zip(tensors, tensors[1:], strict=False)):
        shape = list(first.shape)
        shape[dim] = sum(t.size(dim) for t in tensors)
        joined = first.as_strided(shape, first.stride(), first.storage_offset())
        if joined.is_contiguous():
            return joined
    if dim == 0 and all(t.dtype.itemsize == 1 and t.is_contiguous() and t.size(-1) % 8 == 0 for t in tensors):
        return torch.cat([t.view(torch.int64) for t in tensors]).view(first.dtype)
    return torch.cat(tensors, dim=dim)


def share_slices(fused: Tensor, parts: list[nn.Module], name: str, dim: int = 0) -> None:
    """Point each part's `name` tensor at its slice of `fused` (no second copy in memory)."""
    start = 0
    for part in parts:
        old = getattr(part, name)
        view = fused.detach().narrow(dim, start, old.size(dim))
        start += old.size(dim)
        if view.data_ptr() % 64:
            continue  # the part keeps its own (aligned) copy
        if isinstance(old, nn.Parameter):
            setattr(part, name, nn.Parameter(view, requires_grad=old.requires_grad))
        else:
            setattr(part, name, view)


def cat_bias(layers: list[nn.Module], dtype: torch.dtype) -> Tensor | None:
    """The layers' biases end to end (zeros for a layer without one), or None if none has one."""
    if all(layer.bias is None for layer in layers):
        return None
    return torch.cat([layer.bias.detach().to(dtype) if layer.bias is not None
                      else torch.zeros(layer.out_features, dtype=dtype) for layer in layers])


@torch.no_grad()
def fuse_linears(layers: list[nn.Module]) -> nn.Module | None:
    """One layer computing `torch.cat([layer(x) for layer in layers], -1)`, or None if the
    layers cannot be fused (different kinds or widths, or wrapped by something else)."""
    kinds = {type(layer) for layer in layers}
    if len(kinds) != 1 or len({layer.in_features for layer in layers}) != 1:
        return None
    kind = kinds.pop()
    if kind is not nn.Linear:
        joined = getattr(kind, "joined", None)  # a quantized kind joins its own
        return None if joined is None else joined(layers)
    weight = torch.cat([layer.weight.detach() for layer in layers])
    fused = nn.Linear(weight.size(1), weight.size(0), bias=layers[0].bias is not None,
                      device=weight.device, dtype=weight.dtype)
    fused.weight = nn.Parameter(weight, requires_grad=False)
    bias = cat_bias(layers, weight.dtype)
    if bias is not None:
        fused.bias = nn.Parameter(bias, requires_grad=False)
    share_slices(fused.weight, layers, "weight")
    return fused
