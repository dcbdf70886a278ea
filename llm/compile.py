"""Opt-in `torch.compile` of the decode step, wrapped where generation calls it (as
gpt-fast compiles `decode_one_token`), so `llm/model.py` stays plain eager PyTorch.

Only `Transformer.decode_step` is compiled: pure tensor code over the KV cache, one new
token per row. Inductor fuses the ~20 small ops per layer (norms, rotary, residuals, SiLU)
that otherwise cost as much as the matmuls; the bookkeeping (which tokens the cache holds,
the attention-kernel probe) stays outside the graph, in `KVCache.begin`.

Compiled once, not per process: given a folder, the step is compiled ahead of time
(`torch.compile(...).aot_compile`) and stored there under a key of everything the code
depends on (architecture, precision, adapter layout, torch, Python, CPU); a later process
loads it in seconds instead of tracing and compiling again. Either happens on a background
thread from the first call, over a shadow of the model with a cache of its own, while the
calls meanwhile decode eagerly. The
stored step keeps dynamo's guards: a model state it was not compiled for (another adapter
active) is decoded by the in-process compiled step instead, never by the wrong code.
"""

from __future__ import annotations

import copy
import hashlib
import json
import platform
import sys
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn

from llm.errors import CompileFallbackWarning

if TYPE_CHECKING:
    from llm.model import Transformer


STORED_STEP = "decode-{key}.bin"


def decode_step(model: Transformer, idx: Tensor, positions: Tensor, end: int, shared: int) -> Tensor:
    """The step as a function of the model, so stored compiled code takes the model (its
    weights and cache) as an argument instead of holding on to one object."""
    return model.decode_step(idx, positions, end, shared)


def step_key(model: nn.Module) -> str:
    """What compiled code depends on beyond the guards it checks itself: every layer's type,
    every tensor's name, dtype and shape (quantization and LoRA ranks among them), torch,
    Python and the CPU's instruction set. Weight values are inputs, not part of the code."""
    tensors = [*model.named_parameters(), *model.named_buffers()]
    parts = {"torch": torch.__version__, "python": sys.version.split()[0], "machine": platform.machine(),
             "cpu": torch.backends.cpu.get_cpu_capability(),
             "modules": [[name, type(module).__name__] for name, module in model.named_modules()],
             "tensors": [[name, str(t.dtype), list(t.shape)] for name, t in tensors]}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _reason(exc: BaseException) -> str:
    line = next((line.strip()[:200] for line in str(exc).splitlines() if line.strip()), None)
    return f"{type(exc).__name__}: {line}" if line else type(exc).__name__


def _fallback(message: str) -> None:
    warnings.warn(message, CompileFallbackWarning, stacklevel=3)


def _compile_failed(exc: BaseException) -> None:
    _fallback(f"torch.compile failed ({_reason(exc)}); decoding eagerly (slower, same tokens)")


class CompiledOrEager:
    """The model's decode step compiled (shapes dynamic: one graph for every cache length),
    or the step itself from the first call the compiler fails on (no C++ toolchain, an
    unsupported op). A fallback is told once, as a `CompileFallbackWarning`: the library
    never prints, the face decides how to show it.

    With a `store` folder the compiled step is kept on disk for later processes. It is
    loaded (or, the first time, compiled and stored) on a background thread from the first
    call on, while the calls in between decode eagerly: the first token never waits for it.
    """

    def __init__(self, model: Transformer, store: Path | None = None) -> None:
        self.model = model
        self.fn = model.decode_step
        self._jit: Callable[..., Tensor] | None = None  # torch.compile's wrapper, made at first need
        self._jit_failed = False
        self.store = store
        self.stored: Any = None  # the ahead-of-time compiled step once ready (AOTCompiledFunction)
        self._preparing: threading.Thread | None = None
        self.building = False  # compiling the stored step now (not loading it)

    @property
    def eager(self) -> bool:
        return self._jit_failed and self.stored is None

    @property
    def compiled(self) -> Callable[..., Tensor] | None:
        """torch.compile of the step in this process (made lazily: importing the compiler
        costs ~2 s that a stored step loaded in the background does not need here)."""
        if self._jit is None and not self._jit_failed:
            self._jit = torch.compile(self.fn, dynamic=True)
        return self._jit

    @property
    def stored_path(self) -> Path | None:
        return None if self.store is None else self.store / STORED_STEP.format(key=step_key(self.model))

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the stored step is loaded or built (or failed); whether it is ready.
        A process that ends while `building` loses the work: the face waits for it."""
        if self._preparing is not None:
            self._preparing.join(timeout)
        return self.stored is not None

    def __call__(self, *args: Any) -> Tensor:
        if self.store is not None and self._preparing is None and int(args[2]) >= 2:  # end 0/1 would be baked in
            path = self.stored_path
            self.building = not path.exists()
            self._preparing = threading.Thread(target=self._prepare, args=(path, *self._example(args)), daemon=True,
                                               name="kigi-compile")
            self._preparing.start()
        stored = self.stored
        if stored is not None and stored.guard_check(self.model, *args):
            return stored(self.model, *args)
        if self._preparing is not None and self._preparing.is_alive():
            return self.fn(*args)  # the stored step is on its way: no second compile meanwhile
        if self.compiled is not None:
            try:
                logits = self.compiled(*args)
            except Exception as exc:  # noqa: BLE001 - any compiler failure: decode eagerly from now on
                self._jit, self._jit_failed = None, True
                _compile_failed(exc)
            else:
                return logits
        return self.fn(*args)

    def _example(self, args: tuple[Any, ...]) -> tuple[Transformer, tuple[Any, ...]]:
        """A shadow of the model (the same weights, a cache of its own) and a step's inputs
        over it: the compiler reads them while generation goes on with the real cache."""
        idx, positions, end, _ = args
        shadow = copy.copy(self.model)
        shadow.kv_cache = None
        shadow.setup_cache(idx.size(0), self.model.kv_cache.length)
        start = int(positions[0])
        shared = shadow.kv_cache.begin(idx, start, end, shadow.weights_state)
        return shadow, (idx.clone(), positions.clone(), end, shared)

    def _prepare(self, path: Path, shadow: Transformer, args: tuple[Any, ...]) -> None:
        try:
            with torch.inference_mode():  # as generation calls it: the guards record the mode
                self.stored = self._load_or_build(path, shadow, args)
        except Exception as exc:  # noqa: BLE001 - any compiler failure: decode eagerly from now on
            self._jit_failed = True  # the same compiler would fail in this process too
            _compile_failed(exc)
        finally:
            self.building = False

    def _load_or_build(self, path: Path, shadow: Transformer, args: tuple[Any, ...]) -> Any:
        """The stored step at `path`, loaded, or compiled now (from `args` over `shadow`) and
        stored there."""
        if path.exists():
            try:
                with path.open("rb") as file:
                    loaded = torch.compiler.load_compiled_function(file)
                if loaded.guard_check(shadow, *args):
                    loaded.disable_guard_check()  # checked before each call instead, once
                    return loaded
                reason = "compiled for another model state"
            except Exception as exc:  # noqa: BLE001 - unreadable, truncated, other torch or CPU: rebuild
                reason = _reason(exc)
            _fallback(f"the stored compiled decode step was not usable ({reason}); compiling it again")
        self.building = True
        with torch._dynamo.config.patch(specialize_float=True):
            built = torch.compile(decode_step, fullgraph=True, dynamic=True).aot_compile(((shadow, *args), {}))
        path.parent.mkdir(parents=True, exist_ok=True)
        built.save_compiled_function(str(path))  # written to a temporary file, then renamed
        built.disable_guard_check()
        return built


def compile_decode(model: Transformer, store: Path | None = None) -> CompiledOrEager:
    """The batch-1 decode step of `model`, compiled on its first call (~40 s here; with a
    `store` folder, in the background, and once: later processes load it in seconds); hand
    it to the generation functions as `compiled`."""
    return CompiledOrEager(model, store)
