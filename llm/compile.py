"""Opt-in `torch.compile` of the decode step, wrapped where generation calls it (as
gpt-fast compiles `decode_one_token`), so `llm/model.py` stays plain eager PyTorch.

Only `Transformer.decode_step` is compiled: pure tensor code over the KV cache, one new
token per row. Inductor fuses the ~20 small ops per layer (norms, rotary, residuals, SiLU)
that otherwise cost as much as the matmuls; the bookkeeping (which tokens the cache holds,
the attention-kernel probe) stays outside the graph, in `KVCache.begin`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from llm.errors import CompileFallbackWarning

if TYPE_CHECKING:
    from llm.model import Transformer


class CompiledOrEager:
    """`fn` compiled (shapes dynamic: one graph for every cache length), or `fn`
    itself from the first call the compiler fails on (no C++ toolchain, an unsupported op).
    The fallback is told once, as a `CompileFallbackWarning`: the library never prints, the
    face decides how to show it."""

    def __init__(self, fn: Callable[..., Tensor]) -> None:
        self.fn = fn
        self.compiled: Callable[..., Tensor] | None = torch.compile(fn, dynamic=True)

    @property
    def eager(self) -> bool:
        return self.compiled is None

    def __call__(self, *args: Any) -> Tensor:
        if self.compiled is not None:
            try:
                return self.compiled(*args)
            except Exception as exc:  # noqa: BLE001 - any compiler failure: decode eagerly from now on
                self.compiled = None
                reason = next((line.strip()[:200] for line in str(exc).splitlines() if line.strip()), None)
                cause = f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__
                warnings.warn(f"torch.compile failed ({cause}); decoding eagerly (slower, same tokens)",
                              CompileFallbackWarning, stacklevel=2)
        return self.fn(*args)


def compile_decode(model: Transformer) -> CompiledOrEager:
    """The batch-1 decode step of `model`, compiled on its first call (~20 s here; torch
    caches the code on disk); hand it to the generation functions as `compiled`."""
    return CompiledOrEager(model.decode_step)
