"""`LoRALinear`: a frozen linear layer plus named low-rank updates, one active at a time.

For the active adapter the layer computes

    y = W·x + (α/r)·B·A·dropout(x)      W (out, in) frozen;  A (r, in);  B (out, r)

      x ─┬─► W ──────────────────────────► (+) ─► y
         └─► dropout ─► A ─► B ─► ·(α/r) ──┘

so it acts as the weight W + (α/r)·B·A, whose update has rank at most r however wide W
is. Rank r and the scale α/r are those of Hu et al. 2021, "LoRA: Low-Rank Adaptation of
Large Language Models" (arXiv:2106.09685, §4.1): dividing by r spares retuning α when r
changes. With `rslora` the scale is α/√r (Kalajdzievski 2023, arXiv:2312.03732), which
keeps the update's size steady as r grows.

Initialisation: B = 0, so a new adapter leaves the model's output as it was; A is drawn
from U(−1/√in, 1/√in), the distribution of torch's `nn.init.kaiming_uniform_(A,
a=math.sqrt(5))` (nn.Linear's own init and PEFT's default; the paper draws A from a
Gaussian), with the bound written out.

The base may be any linear-like module (`in_features`, `out_features`, a forward):
`nn.Linear` or a quantized layer.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from llm.lora.config import LoRAConfig
from llm.lora.errors import LoRAError


class LoRALinear(nn.Module):
    """A linear-like module plus named low-rank updates; `active` picks one (or none).

    The base stays frozen and untouched except while merged; `unmerge` restores the exact
    original weight from a copy taken at merge time (adding and subtracting a float delta
    would not give back the same bits).
    """

    def __init__(self, base: nn.Module) -> None:
        super().__init__()
        if not hasattr(base, "in_features") or not hasattr(base, "out_features"):
            raise LoRAError(f"{type(base).__name__} has no in_features/out_features to wrap")
        self.base = base
        self.in_features: int = base.in_features
        self.out_features: int = base.out_features
        self.lora_A = nn.ParameterDict()  # name -> (rank, in_features)
        self.lora_B = nn.ParameterDict()  # name -> (out_features, rank)
        self.lora_dropout = nn.ModuleDict()
        self.scaling: dict[str, float] = {}
        self.active: str | None = None
        self.merged: str | None = None
        self._original_weight: Tensor | None = None
        for param in base.parameters():
            param.requires_grad_(False)

    @property
    def weight(self) -> Tensor:
        return self.base.weight

    def _reference(self) -> Tensor:
        """A tensor of the base whose device (and float dtype, if any) the adapter follows."""
        for tensor in [*self.base.parameters(), *self.base.buffers()]:
            return tensor
        return torch.empty(0)

    def add(self, name: str, config: LoRAConfig, generator: torch.Generator | None = None) -> None:
        ref = self._reference()
        dtype = ref.dtype if ref.is_floating_point() else torch.float32
        A = torch.empty(config.rank, self.in_features, dtype=torch.float32)
        # PEFT's default init: A ~ kaiming-uniform(a=sqrt(5)), B = 0, so a new adapter changes nothing.
        bound = 1.0 / math.sqrt(self.in_features)
        A.uniform_(-bound, bound, generator=generator)
        self.lora_A[name] = nn.Parameter(A.to(device=ref.device, dtype=dtype))
        self.lora_B[name] = nn.Parameter(torch.zeros(self.out_features, config.rank, device=ref.device, dtype=dtype))
        self.lora_dropout[name] = nn.Dropout(config.dropout) if config.dropout > 0 else nn.Identity()
        self.scaling[name] = config.scaling

    def remove(self, name: str) -> None:
        if self.merged == name:
            self.unmerge()
        if self.active == name:
            self.active = None
        for table in (self.lora_A, self.lora_B, self.lora_dropout):
            if name in table:
                del table[name]
        self.scaling.pop(name, None)

    @property
    def names(self) -> list[str]:
        return list(self.lora_A.keys())

    def set_active(self, name: str | None) -> None:
        if self.merged is not None and self.merged != name:
            self.unmerge(keep_copy=True)  # a merged switch re-merges from the kept copy, no new clone
        self.active = name

    def delta_weight(self, name: str) -> Tensor:
        """scaling * B @ A, shaped like the base weight (out, in)."""
        return (self.lora_B[name] @ self.lora_A[name]) * self.scaling[name]

    @property
    def mergeable(self) -> bool:
        """Whether an adapter can be folded into the base weight (a float tensor; a quantized
        layer keeps its adapter unmerged)."""
        weight = getattr(self.base, "weight", None)
        return isinstance(weight, Tensor) and weight.is_floating_point()

    @property
    def foldable(self) -> bool:
        """Whether an adapter can be folded in for good (`merge(keep_copy=False)`): into float
        weights, or into a quantized layer that can store a new weight in place."""
        return self.mergeable or hasattr(self.base, "requantize_")

    @torch.no_grad()
    def merge(self, keep_copy: bool = True) -> None:
        """Fold the active adapter into the base weight. Idempotent. Without `keep_copy`
        no copy of the base is kept (none of its memory), so the fold is for good: this
        layer can no longer unmerge or switch adapters. A quantized base folds only for
        good: W + (α/r)·B·A is quantized again in the layer's own format, in place."""
        name = self.active
        if name is None or name not in self.lora_A or self.merged == name:
            return
        if self.merged is not None:
            self.unmerge(keep_copy=True)
        if not self.mergeable:
            if keep_copy or not self.foldable:
                raise LoRAError(f"cannot merge into {type(self.base).__name__}: its weight is not a float "
                                "tensor (a quantized layer keeps the adapter unmerged, or folds it for good)")
            self.base.requantize_(self.base.dequantize() + self.delta_weight(name).float())
            self.merged = name
            return
        weight = self.base.weight
        if keep_copy and self._original_weight is None:
            self._original_weight = weight.detach().clone()
        if self._original_weight is None:
            weight.add_(self.delta_weight(name).to(weight.dtype))
        else:
            torch.add(self._original_weight, self.delta_weight(name).to(weight.dtype), out=weight)
        self.merged = name

    @torch.no_grad()
    def unmerge(self, keep_copy: bool = False) -> None:
        """Put back the exact base weight (from the copy taken at merge time). Idempotent."""
        if self.merged is not None:
            if self._original_weight is None:
                raise LoRAError(f"adapter {self.merged!r} was folded into the weights for good (no copy kept); "
                                "load the model again to switch adapters")
            self.base.weight.copy_(self._original_weight)
            self.merged = None
        if not keep_copy:
            self._original_weight = None

    def forward(self, x: Tensor) -> Tensor:
        plus_low_rank = getattr(self.base, "plus_low_rank", None)  # the update in the base's own pass
        if plus_low_rank is not None and not torch.is_grad_enabled() and (factors := self.low_rank()):
            y = plus_low_rank(x, self.active, [factors])
            if y is not None:
                return y
        y = self.base(x)
        delta = self.delta(x)
        return y if delta is None else y + delta.to(y.dtype)

    def low_rank(self, name: str | None = None) -> tuple[Tensor, Tensor, float] | tuple[()] | None:
        """The update of adapter `name` (the active one by default) as factors (A, B,
        scaling), delta = scaling * x A^T B^T, for a caller that joins several layers'
        updates into one pair of matmuls or one kernel's pass; () when there is nothing to
        add (off or merged); None when it cannot be joined (dropout is live: use `delta`)."""
        name = self.active if name is None else name
        if name is None or name == self.merged or name not in self.lora_A:
            return ()
        dropout = self.lora_dropout[name]
        if dropout.training and isinstance(dropout, nn.Dropout):
            return None
        return self.lora_A[name], self.lora_B[name], self.scaling[name]

    def delta(self, x: Tensor) -> Tensor | None:
        """What the active adapter adds to the base's output (None: nothing, it is off or
        merged). A model that computes several bases in one fused matmul adds these."""
        name = self.active
        if name is None or name == self.merged or name not in self.lora_A:
            return None
        A, B = self.lora_A[name], self.lora_B[name]
        h = self.lora_dropout[name](x.to(A.dtype))
        if torch.compiler.is_compiling() and not torch.is_grad_enabled():
            return low_rank_sums(h, A, B) * self.scaling[name]
        return F.linear(F.linear(h, A), B) * self.scaling[name]

    def extra_repr(self) -> str:
        return f"in={self.in_features}, out={self.out_features}, adapters={self.names}, active={self.active}"


def low_rank_sums(x: Tensor, A: Tensor, B: Tensor) -> Tensor:
    """x Aᵀ Bᵀ written as products and sums instead of two matmuls. Compiled, inductor turns
    these into loops of its own, fused with what is around them, where a decode step's two
    tiny matmuls (one row by rank 8) would each be a library call, ~400 a token: the reader
    on went from 0.60× to 0.66× of the plain compiled step (`benchmarks/adapter_speed.py
    --compile`, one run)."""
    return ((x[..., None, :] * A).sum(-1)[..., None, :] * B).sum(-1)
