"""Fused projections: q, k and v (and gate and up) read the same input, so one matmul over
their weights joined end to end does the work of three (or two) for inference.

The parts stay where they are (LoRA targets them by name, state_dict keeps their keys);
their weights become views of the joined weight, so memory is not doubled. Plain
`nn.Linear`s are joined here; a quantized layer kind joins its own kind through a
`joined(layers)` classmethod (llm/quant.py), so this module knows no quantized format.
`fused_parts` runs the joined matmul for the parts, LoRA wrappers included (their
updates are added to its output), so an attached adapter keeps the fused speed.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
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


def mark_shared(fused: nn.Module, parts: list[nn.Module], names: tuple[str, ...]) -> None:
    """Record on each part whether all its `names` tensors are views of the fused layer's:
    then an adapter merged into the part in place changes the fused layer too (`fused_parts`)."""
    for part in parts:
        part.shares_fused_storage = all(
            getattr(part, name).untyped_storage().data_ptr() == getattr(fused, name).untyped_storage().data_ptr()
            for name in names)


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
    if not issubclass(kind, nn.Linear):
        joined = getattr(kind, "joined", None)  # a quantized kind joins its own
        return None if joined is None else joined(layers)
    weight = torch.cat([layer.weight.detach() for layer in layers])
    fused = kind(weight.size(1), weight.size(0), bias=layers[0].bias is not None,
                 device="meta", dtype=weight.dtype)  # no random initial weights: they are replaced at once
    fused.weight = nn.Parameter(weight, requires_grad=False)
    bias = cat_bias(layers, weight.dtype)
    if bias is not None:
        fused.bias = nn.Parameter(bias, requires_grad=False)
    share_slices(fused.weight, layers, "weight")
    mark_shared(fused, layers, ("weight",))
    return fused


def fused_parts(fused: tuple[nn.Module, ...] | None, parts: tuple[nn.Module, ...], x: Tensor,
                joined: dict | None = None) -> Tensor | None:
    """The parts' outputs side by side from their one fused matmul, or None when it cannot
    stand in for them. A part may be the module that was fused or a LoRA wrapper around it
    (`.base`, `.delta(x)`, `.low_rank()`): the active adapter's update is added to the
    part's slice. Without gradients the parts' updates are joined into one pair of matmuls
    (`joined` caches the joined factors). A merged adapter changed its part's own weight in
    place: the fused matmul still stands in when that weight is a view of the fused one
    (else the parts run one by one)."""
    if fused is None:
        return None
    if all(part is original for part, original in zip(parts, fused, strict=False)):
        return fused[len(parts)](x)  # no wrapper: the common case, on every token
    bases = [getattr(part, "base", part) for part in parts]
    if any(base is not original for base, original in zip(bases, fused, strict=False)):
        return None
    if any(getattr(part, "merged", None) is not None for part in parts):
        # merged parts changed their weights in place: the fused matmul saw it if they share
        # its storage and no part has an update of its own left to add
        shared = all(getattr(base, "shares_fused_storage", False) for base in bases)
        settled = all(part is base or (hasattr(part, "low_rank") and part.low_rank() == ())
                      for part, base in zip(parts, bases, strict=True))
        return fused[len(parts)](x) if shared and settled else None
    wrapped = [part for part, base in zip(parts, bases, strict=True) if part is not base]
    if not all(hasattr(part, "delta") and hasattr(part, "low_rank") for part in wrapped):
        return None  # a wrapper of another kind: only its own forward knows what it does
    layer = fused[len(parts)]
    if not wrapped:
        return layer(x)
    factors = None  # without gradients: the parts' active updates, read once for both ways below
    if not torch.is_grad_enabled():
        factors = [part.low_rank() if part is not base else () for part, base in zip(parts, bases, strict=True)]
    if factors is not None and (y := _in_one_pass(layer, parts, bases, x, factors)) is not None:
        return y
    y = layer(x)
    if joined is not None and factors is not None and not torch.compiler.is_compiling():
        # (the joined factors' cache is keyed by ids and versions, which a compiled graph
        # cannot guard on; compiled, the parts' updates below fuse into the graph anyway)
        if all(f == () for f in factors):
            return y  # attached but off
        if all(f is not None for f in factors):
            A, B = _joined_factors(factors, [base.out_features for base in bases], joined)  # type: ignore[arg-type]
            return y + F.linear(F.linear(x.to(A.dtype), A), B).to(y.dtype)
    deltas = [part.delta(x) if part is not base else None for part, base in zip(parts, bases, strict=True)]
    if all(delta is None for delta in deltas):
        return y
    pieces = y.split([base.out_features for base in bases], dim=-1)
    return torch.cat([piece if delta is None else piece + delta.to(piece.dtype)
                      for piece, delta in zip(pieces, deltas, strict=True)], dim=-1)


def _in_one_pass(layer: nn.Module, parts: tuple[nn.Module, ...], bases: list[nn.Module], x: Tensor,
                 factors: list) -> Tensor | None:
    """The fused layer's output with the parts' active updates (their `factors`) added in
    its own pass, where its kind offers that (`plus_low_rank`: an int4 layer's one-row
    kernel) and one adapter is on; else None."""
    plus_low_rank = getattr(layer, "plus_low_rank", None)
    names = {part.active for part, base in zip(parts, bases, strict=True) if part is not base}
    if plus_low_rank is None or len(names) != 1 or None in names or any(f is None for f in factors):
        return None
    return plus_low_rank(x, names.pop(), factors)


def low_rank_sites(model: nn.Module) -> list[tuple[nn.Module, list[nn.Module]]]:
    """Each layer that computes for LoRA wrappers (`.base`, `.low_rank`), with what it
    computes for, in order: a fused layer with its parts (a part's wrapper where it has
    one), a wrapped layer that no fused layer stands in for with its wrapper."""
    wrappers = {id(m.base): m for m in model.modules() if hasattr(m, "low_rank") and hasattr(m, "base")}
    sites, fused_into = [], set()
    for module in model.modules():
        fused = getattr(module, "fused", None)  # (part, ..., fused layer): see llm/model.py
        if isinstance(fused, tuple) and fused:
            sites.append((fused[-1], [wrappers.get(id(part), part) for part in fused[:-1]]))
            fused_into.update(id(part) for part in fused[:-1])
    return sites + [(wrapper.base, [wrapper]) for key, wrapper in wrappers.items() if key not in fused_into]


def _joined_factors(factors: list[tuple[Tensor, Tensor, float] | tuple[()]], widths: list[int],
                    cache: dict) -> tuple[Tensor, Tensor]:
    """The parts' (A, B, scaling) joined: A's stacked, (rank_total, in); scaling * B's on a
    block diagonal, (out_total, rank_total), so x A^T B^T is every part's update side by
    side. Cached by the factors' identity and version (an optimizer step or a load bumps it)."""
    key = tuple((id(f[0]), f[0]._version, id(f[1]), f[1]._version, f[2]) if f else None for f in factors)
    found = cache.get(key)
    if found is not None:
        return found
    live = [f for f in factors if f]
    A = torch.cat([f[0] for f in live])
    B = torch.zeros(sum(widths), A.size(0), dtype=live[0][1].dtype, device=A.device)
    row = col = 0
    for f, width in zip(factors, widths, strict=True):
        if f:
            rank = f[0].size(0)
            B[row:row + width, col:col + rank] = f[1] * f[2]
            col += rank
        row += width
    if len(cache) >= 4:  # a few adapters in turn (ToT roles); the rest are rebuilt
        cache.clear()
    cache[key] = (A, B)
    return A, B


def unregistered_layers(model: nn.Module) -> dict[str, nn.Module]:
    """Modules the model calls but holds in tuples, outside its registered tree (the fused
    projections, kept out of state_dict), keyed by where they are held
    ("blocks-0-attn-fused-3"). The export wrapper registers them, so their weights get
    names the runner is handed at load."""
    registered = {id(module) for module in model.modules()}
    found = {}
    for name, module in model.named_modules():
        for attr, value in vars(module).items():
            if isinstance(value, tuple):
                for i, item in enumerate(value):
                    if isinstance(item, nn.Module) and id(item) not in registered:
                        found[f"{name}.{attr}.{i}".replace(".", "-")] = item
    return found
