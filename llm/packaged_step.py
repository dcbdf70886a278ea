"""The batch-1 decode step as an AOTInductor package: exported once (`torch.export`, with
the position and the cache's length dynamic), compiled to a shared library with the
weights inside it, and run by torch's C++ runner in later processes.

Why not a stored `torch.compile` function: loading one imports the compiler and rebuilds
dynamo's guards (~3 s on the default model, longer than a short answer takes to decode),
and every call passes through dynamo's frame. The package loads in ~0.2 s and its calls
go straight to the library (int4, default model, this 2-core machine: 150 tok/s against 71
eager in `benchmarks/decode.py`; the stored function decoded 131 in the run before).

The weights are constants of the library, so which weights they were is part of the
key the package is stored under (`weights_fingerprint`), beside everything the code
depends on (`llm.compile.step_key`). The step serves one row at a time (a chat, `kigi
ask`); a batch of rows decodes eagerly.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn

if TYPE_CHECKING:
    from llm.model import Transformer

SAMPLED_ELEMENTS = 4096  # per tensor, spread over it: enough to tell two checkpoints apart
# Inductor runs a loop nest on all threads once it has 512 elements a thread, so a decode
# step's norms with a LoRA update fused in (8 x 576 ...) each opened an OpenMP region with
# barriers, ~150 a token. Serial below 8,192 elements a thread, the reader on went from
# 0.77-0.78x to 0.80-0.87x of the plain step (`benchmarks/adapter_speed.py --compile`, runs of
# one day); the plain step is unchanged, and the int4 matmuls keep their own threads.
INDUCTOR_OPTIONS = {"cpp.min_chunk_size": 8192}


def weights_fingerprint(model: nn.Module) -> str:
    """A hash of every parameter and buffer: names, shapes and an evenly spread sample of
    their values (hashing all ~200 MB of the default model would cost ~0.3 s a process).
    Fine-tuning moves every weight, so two checkpoints differ in the sample too."""
    digest = hashlib.sha256()
    for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
        flat = tensor.detach().reshape(-1)
        stride = max(1, flat.numel() // SAMPLED_ELEMENTS)
        digest.update(f"{name}:{tuple(tensor.shape)}:{tensor.dtype}".encode())
        digest.update(flat[::stride].contiguous().view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()[:16]


class _Step(nn.Module):
    """`decode_step` with the cache's layers as arguments and the end of the positions read
    as a tensor's length, which torch.export keeps dynamic (an int would be baked in)."""

    def __init__(self, model: Transformer) -> None:
        super().__init__()
        self.model = model

    def forward(self, idx: Tensor, positions: Tensor, span: Tensor, layers: tuple[Tensor, ...]) -> Tensor:
        self.model.kv_cache.layers = list(layers)
        return self.model.decode_step(idx, positions, span.size(0), 0)


def build_package(path: Path, shadow: Transformer, args: tuple[Any, ...]) -> None:
    """Export the step of `shadow` (its own cache, batch 1) at `args` and write the package
    to `path` (through a temporary file, so a reader never sees half of one)."""
    from torch._inductor.utils import fresh_cache
    from torch.export import Dim, export

    idx, positions, end, _ = args
    layers = tuple(shadow.kv_cache.layers)
    longest = shadow.config.max_seq_len
    span, length = Dim("end", min=2, max=longest), Dim("length", min=2, max=longest)
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's own deprecations inside export, not the user's business
        program = export(_Step(shadow), (idx, positions, torch.empty(end), layers), strict=False,
                         dynamic_shapes={"idx": None, "positions": None, "span": {0: span},
                                         "layers": tuple({2: length} for _ in layers)})
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{os.getpid()}.partial.pt2")
    try:
        # a cache of its own, deleted after: the build's library (~120 MB for the default
        # model) would otherwise stay in inductor's cache as well as in the package
        with warnings.catch_warnings(), fresh_cache():
            warnings.simplefilter("ignore")
            torch._inductor.aoti_compile_and_package(program, package_path=str(partial),
                                                     inductor_configs={"aot_inductor.package_constants_in_so": True,
                                                                       **INDUCTOR_OPTIONS})
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def one_row(model: Transformer, idx: Tensor) -> bool:
    """Whether a step decodes one row in a cache of one: the only calls a package serves."""
    cache = model.kv_cache
    return tuple(idx.shape) == (1, 1) and cache is not None and cache.layers[0].size(0) == 1


class PackagedStep:
    """A loaded package, called as `decode_step(model, idx, positions, end, shared)` over the
    model's own cache. `state` gives the key of the model's state now: the package serves
    only the state it was built for (its weights are inside it)."""

    def __init__(self, path: Path, key: str, state: Callable[[], str]) -> None:
        self.runner = torch._C._aoti.AOTIModelPackageLoader(str(path), "model", False, 1, -1)
        self.path, self.key, self.state = path, key, state
        self._span = torch.empty(0)

    def guard_check(self, model: Transformer, idx: Tensor, positions: Tensor, end: int, shared: int) -> bool:
        """Whether this call is one the package was built for: its model state, one row in
        a cache of one row, a position in its dynamic range, no gradients."""
        return (one_row(model, idx) and 2 <= end <= model.kv_cache.layers[0].size(2)
                and not torch.is_grad_enabled() and self.key == self.state())

    def __call__(self, model: Transformer, idx: Tensor, positions: Tensor, end: int, shared: int) -> Tensor:
        if self._span.numel() < end:
            self._span = torch.empty(max(end, 2 * self._span.numel()))
        (logits,) = self.runner.run([idx, positions, self._span[:end], *model.kv_cache.layers])
        return logits
