"""The decode step compiled, wrapped where generation calls it (as gpt-fast compiles
`decode_one_token`), so `llm/model.py` stays plain eager PyTorch. Only
`Transformer.decode_step` is compiled: pure tensor code over the KV cache, one new token per
row; inductor fuses the ~20 small ops per layer (norms, rotary, residuals, SiLU) that
otherwise cost as much as the matmuls; the bookkeeping stays outside, in `KVCache.begin`.

Compiled once, not per process: given a folder, the batch-1 step is exported and compiled
ahead of time into an AOTInductor package (`llm.packaged_step`) stored there under a key of
everything it depends on (architecture, precision, adapter layout and which adapter is on,
torch, Python, CPU); a later process loads it in ~10 ms on a background thread. Compiling
waits until nothing decodes (`CompiledOrEager.wait`). A stored step serves only the model
state it was built for (`PackagedStep.guard_check`): another state decodes eagerly until
its own step is ready.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import platform
import sys
import threading
import warnings
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn

from llm import row_kernel
from llm.errors import CompileFallbackWarning
from llm.lora import adapters_of
from llm.packaged_step import INDUCTOR_OPTIONS, PackagedStep, build_package, layout, one_row
from llm.threads import torch_threads

if TYPE_CHECKING:
    from llm.model import Transformer


STORED_STEP = "decode-{key}.pt2"
KEPT_STEPS, KEPT_BYTES = 12, 512 << 20  # per model cache: steps are ~4 MB (one holding its weights ~120 MB)
EXAMPLE_CACHE_LENGTH = 512  # positions of the shadow's cache when no call has set one up (generation's least)


def step_key(model: nn.Module) -> str:
    """What compiled code depends on: every layer's type, every tensor's name, dtype and
    shape (quantization and LoRA ranks among them), which adapter is on (and merged or not),
    the intra-op thread count, the source it traced, torch, Python and the CPU's
    instruction set. Not the weights: a stored step is handed them (a retrained adapter
    reuses it), and one built with them inside checks them at load. A stored step checks
    the state again before each decode loop."""
    adapters = adapters_of(model)
    parts = {"torch": torch.__version__, "python": sys.version.split()[0], "machine": platform.machine(),
             "cpu": torch.backends.cpu.get_cpu_capability(),
             **layout(model),  # its layers, the fused ones, its tensors
             "adapter": [adapters.active, adapters.merged, adapters.folded],
             "threads": torch.get_num_threads(),  # dynamo guards on it: the decode passes fit it to idle cores
             "int4_rows": getattr(model, "row_kernel", ""),  # the step calls kigi's int4 kernel (llm/row_kernel.py)
             "code": code_fingerprint()}  # a step traced from older source must not run
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


@functools.cache
def code_fingerprint() -> str:
    """A hash of the `llm` package's source: the decode step traces the model, its layers,
    LoRA and quantization code, and a stored step compiled from older code must not run."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _reason(exc: BaseException) -> str:
    line = next((line.strip()[:200] for line in str(exc).splitlines() if line.strip()), None)
    return f"{type(exc).__name__}: {line}" if line else type(exc).__name__


def _fallback(message: str) -> None:
    warnings.warn(message, CompileFallbackWarning, stacklevel=3)


def _compile_failed(exc: BaseException) -> None:
    _fallback(f"torch.compile failed ({_reason(exc)}); decoding eagerly (slower, same tokens)")


class CompiledOrEager:
    """The model's decode step compiled (shapes dynamic: one graph for every cache length), or the
    step itself from the first call the compiler fails on (no C++ toolchain, an unsupported op).
    A fallback is told once, as a `CompileFallbackWarning`: the face decides how to show it.

    With a `store` folder the compiled step is kept on disk, one per model state (`step_key`),
    loaded on a background thread (from `prepare()` or its state's first call) while the calls
    decode eagerly. One not stored yet is owed: nothing compiles while an answer decodes (a
    compile took the cores: eager decoding fell to ~2 tokens a second); `wait()` builds what is
    owed when the face has time (at exit, before serving).
    """

    def __init__(self, model: Transformer, store: Path | None = None, build: bool = True) -> None:
        self.model = model
        self.build = build  # False: use the steps stored already, never owe one (`kigi ask` by default)
        self._absent: set[str] = set()  # keys with nothing stored, where nothing is to be built
        self._unserved: dict[StepState, None] = {}  # states decoded eagerly for want of a stored step, in order
        self._unusable: set[str] = set()  # keys whose stored step would not load (damaged, truncated)
        self._jit: Callable[..., Tensor] | None = None  # torch.compile's wrapper, made at first need
        self._jit_failed = False
        self.fn, self.store = model.decode_step, store
        self.stored: PackagedStep | None = None  # the stored step in use: the last state's
        self._ready: dict[str, PackagedStep] = {}  # key -> the stored step of each state met so far
        self._owed: dict[str, Owed] = {}  # key -> what its build needs: states met with nothing stored
        self._key_of: dict[Hashable, str] = {}  # state stamp -> its key: a key costs ~15 ms, switches are many
        self._loading: threading.Thread | None = None
        self._trust_of: tuple[tuple[Hashable, ...], weakref.ref] | None = None  # see `_trusted`
        self._update_sites: dict[str, Any] = {}  # `row_kernel.refresh_active`'s, between loops
        row_kernel.attach(model, store)  # a library built already serves at once; else a step's build makes it

    @property
    def eager(self) -> bool:
        return self._jit_failed and self.stored is None

    @property
    def pending(self) -> bool:
        """Whether a state's step is owed a build (`wait` builds it)."""
        return bool(self._owed) and not self._jit_failed

    @property
    def compiled(self) -> Callable[..., Tensor] | None:
        """torch.compile of the step in this process (made lazily: importing the compiler
        costs ~2 s that a stored step loaded in the background does not need here)."""
        if self._jit is None and not self._jit_failed:
            self._jit = torch.compile(self.fn, dynamic=True, options=INDUCTOR_OPTIONS)
        return self._jit

    def _key(self) -> str:
        """`step_key` of the model as it is now, computed again only when its adapters changed;
        then the loaded steps are handed the tensors again, and the active update laid out."""
        adapters = adapters_of(self.model)
        stamp = (adapters.generation, adapters.active, tuple(adapters.infos), adapters.merged, adapters.folded,
                 torch.get_num_threads(), getattr(self.model, "row_kernel", ""))
        if stamp not in self._key_of:
            self._key_of[stamp] = step_key(self.model)
            if stale := [step for step in list(self._ready.values()) if not step.holds(self.model)]:
                row_kernel.prepare_updates(self.model)  # once for all (list(): a load on its thread may add a step)
            for step in stale:
                step.bind(self.model)
            row_kernel.refresh_active(self.model, self._update_sites)  # here, not in a decode loop's timing
        return self._key_of[stamp]

    def _call_stamp(self, args: tuple[Any, ...]) -> tuple[Hashable, ...]:
        """What stays put from one step of a decode loop to the next and what the stored step's
        check (`PackagedStep.guard_check`) reads beyond it: the step in use, the model's state,
        the batch's shape, the grad modes, and whether `end` and `shared` are 0, 1 (values the
        compiler bakes in) or more, and how they compare. The cache is compared by identity."""
        idx, _, end, shared = args
        return (id(self.stored), self._key(), tuple(idx.shape), min(end, 2), min(shared, 2),
                (shared > end) - (shared < end), torch.is_grad_enabled(), torch.is_inference_mode_enabled())

    def _trusted(self, args: tuple[Any, ...]) -> bool:
        """Whether this call matches the last one whose check passed, in the same cache: then
        only the position moved (a dynamic length), and checking again would find what it
        found then."""
        trust = self._trust_of
        return trust is not None and trust[1]() is self.model.kv_cache and trust[0] == self._call_stamp(args)

    def _trust(self, args: tuple[Any, ...]) -> None:
        cache = self.model.kv_cache
        self._trust_of = (self._call_stamp(args), weakref.ref(cache)) if cache is not None else None
        row_kernel.refresh_active(self.model, self._update_sites)  # an adapter trained in place since

    def wait(self, timeout: float | None = None) -> bool:
        """Finish what was started: the stored step being loaded (up to `timeout`), then the builds
        owed, here, each in the state and with the threads it was met with (~20 s each for the
        default model; Ctrl-C stops them). Whether a stored step is ready."""
        if self._loading is not None:
            self._loading.join(timeout)
        while self.pending:
            key, owed = self._owed.popitem()
            if owed.adapter is not None and owed.adapter not in adapters_of(self.model):
                continue  # detached since: that state cannot come back
            try:  # nor one left since (adapters moved): the shadow shares the model's modules, another state's
                with torch.inference_mode(), adapters_of(self.model).using(owed.adapter), torch_threads(owed.threads):
                    built = self._build(key, owed) if step_key(self.model) == key else None
            except Exception as exc:  # noqa: BLE001 - any compiler failure: decode eagerly from now on
                self._jit_failed = True
                _compile_failed(exc)
            else:
                if built is not None:
                    self.stored = self._ready[key] = built
        return self.stored is not None

    def __call__(self, *args: Any) -> Tensor:
        stored = self.stored
        if stored is not None and self._trusted(args):
            return stored(self.model, *args)
        if stored is not None and stored.guard_check(self.model, *args):
            self._trust(args)
            return stored(self.model, *args)
        if self.store is None:
            return self._in_process(*args)
        if not self._may_store():
            self._note_unserved(args)
            return self.fn(*args)
        key = self._key()
        stored = self._ready.get(key)
        if stored is not None and stored is not self.stored and stored.guard_check(self.model, *args):
            self.stored = stored  # a state met before
            self._trust(args)
            return stored(self.model, *args)
        if stored is None and int(args[2]) >= 2 and one_row(self.model, args[0]):  # end 0/1: out of its range
            self._start(key, args)
            if key in self._absent:
                self._note_unserved(args)
        return self.fn(*args)  # eager until this state's step is ready (or where it cannot serve: a
        # cache of several rows at batch 1, after a batch of samples)

    def has_stored(self, key: str) -> bool:
        """Whether the store holds a step for the state `key` (built here or by another process)."""
        return self.store is not None and self._path(key).exists()

    def look_again(self) -> None:
        """Forget which states the store had no step for: one stored since by another process
        (a build in the background) then loads at its state's next call or `prepare()`."""
        self._absent.clear()
        self.__dict__.pop("_any_stored", None)

    def _note_unserved(self, args: tuple[Any, ...]) -> None:
        """Remember the model's state, as one a stored step could have served (a decode of
        one row, no step stored for it, none to be built here): `unbuilt` names it at exit."""
        if self.build or int(args[2]) < 2 or not one_row(self.model, args[0]):
            return
        adapters = adapters_of(self.model)
        if adapters.merged or adapters.folded:
            return  # weights changed in place: a later process cannot load them as they are now
        state = StepState(tuple(adapters.infos), adapters.active, torch.get_num_threads())
        self._unserved.setdefault(state)

    def unbuilt(self) -> list[tuple[StepState, str]]:
        """The states decoded eagerly here with no step stored, each with its key, for a build
        elsewhere (`kigi model compile`): not those stored since; those whose step would not
        load, yes (~20 ms a state: a face calls this once, at exit)."""
        found = []
        adapters = adapters_of(self.model)
        for state in self._unserved:
            if tuple(adapters.infos) != state.adapters:
                continue  # adapters attached or detached since: the key would be another state's
            with adapters.using(state.active), torch_threads(state.threads):
                key = step_key(self.model)
            if key in self._unusable or not self.has_stored(key):
                found.append((state, key))
        return found

    @functools.cached_property
    def _any_stored(self) -> bool:
        """Whether the store holds any step (once: an answer no stored step serves should not pay a key, ~20 ms)."""
        return self.store is not None and any(self.store.glob(STORED_STEP.format(key="*")))

    def _may_store(self) -> bool:
        """Whether a stored step may serve, now or once built."""
        return self.build or self._any_stored

    def prepare(self) -> None:
        """Start loading the stored step of the model's state now, before any call (or owe its
        build): a chat starts it while its user types, so the first answer decodes compiled."""
        if self.store is not None and self._may_store():
            device = self.model.device
            with torch.inference_mode():  # inputs made as generation makes them
                self._start(self._key(), (torch.zeros(1, 1, dtype=torch.long, device=device),
                                          torch.tensor([2], device=device), 3, 0))

    def _start(self, key: str, args: tuple[Any, ...]) -> None:
        """Load `key`'s stored step on a background thread, or owe its build if none is
        stored; unless it is ready or owed already, the compiler failed, or a load is on."""
        loading = self._loading is not None and self._loading.is_alive()
        if key in self._ready or key in self._owed or key in self._absent or self._jit_failed or loading:
            return
        path = self._path(key)
        stored = path.exists()
        if not stored and not self.build:
            self._absent.add(key)
            return
        owed = Owed(adapters_of(self.model).active, torch.get_num_threads(), *self._example(args))
        if not stored:
            self._owed[key] = owed
            return
        self._loading = threading.Thread(target=self._load_in_background, args=(key, path, owed), daemon=True,
                                         name="kigi-compile")
        self._loading.start()

    def _in_process(self, *args: Any) -> Tensor:
        """torch.compile in this process, on the calling thread (no store to keep it in)."""
        if self.compiled is not None:
            try:
                return self.compiled(*args)
            except Exception as exc:  # noqa: BLE001 - any compiler failure: decode eagerly from now on
                self._jit, self._jit_failed = None, True
                _compile_failed(exc)
        return self.fn(*args)

    def _example(self, args: tuple[Any, ...]) -> tuple[Transformer, tuple[Any, ...]]:
        """A shadow of the model (the same weights, a cache of its own) and a step's inputs
        over it: the compiler reads them while generation goes on with the real cache."""
        idx, positions, end, _ = args
        shadow = copy.copy(self.model)
        shadow.kv_cache = None
        cache = self.model.kv_cache
        shadow.setup_cache(idx.size(0), cache.length if cache is not None else EXAMPLE_CACHE_LENGTH)
        start = int(positions[0])
        shared = shadow.kv_cache.begin(idx, start, end, shadow.weights_state)
        return shadow, (idx.clone(), positions.clone(), end, shared)

    def _load_in_background(self, key: str, path: Path, owed: Owed) -> None:
        loaded = _load(path, key, self._key, self.build, self.model)
        if loaded is None and self.build:
            self._owed[key] = owed  # damaged or unreadable: built again when there is time
        elif loaded is None:
            self._absent.add(key)
            self._unusable.add(key)  # built again elsewhere (`unbuilt`), never used
        else:
            self.stored = self._ready[key] = loaded

    def _path(self, key: str) -> Path:
        assert self.store is not None
        return self.store / STORED_STEP.format(key=key)

    def _build(self, key: str, owed: Owed) -> PackagedStep:
        """The step of state `key` compiled now (from the owed inputs over its shadow), stored
        and loaded."""
        path = self._path(key)
        row_kernel.attach(self.model, self.store, build_missing=True)
        build_package(path, owed.shadow, owed.args)
        _prune(path.parent)
        return PackagedStep(path, key, self._key, self.model)


@dataclass(frozen=True)
class StepState:
    """A model state a stored step is built for, as a later process recreates it: the
    adapters attached (in order), the one on, and the intra-op thread count."""

    adapters: tuple[str, ...]
    active: str | None
    threads: int


@dataclass(frozen=True)
class Owed:
    """What a state's build needs: which adapter was on, the thread count, a shadow of the
    model and a step's inputs."""

    adapter: str | None
    threads: int
    shadow: Transformer
    args: tuple[Any, ...]


def _prune(store: Path, keep: int = KEPT_STEPS, budget: int = KEPT_BYTES) -> None:
    """Keep the newest stored steps, `keep` at most and `budget` bytes in all (the newest one
    whatever its size): each state met adds one, and a cache that only grew would fill the
    disk. Those of an older format (`decode-*.bin`) go."""
    def age_and_size(path: Path) -> tuple[float, int]:
        try:
            found = path.stat()
        except OSError:  # deleted meanwhile by another process's prune
            return 0.0, 0
        return -found.st_mtime, found.st_size

    steps = sorted((age_and_size(path), path) for path in store.glob(STORED_STEP.format(key="*")))
    total = 0
    for n, ((_, size), path) in enumerate(steps):
        total += size
        if n >= keep or (n and total > budget):
            path.unlink(missing_ok=True)
    for stale in store.glob("decode-*.bin"):
        stale.unlink(missing_ok=True)


def _load(path: Path, key: str, state: Callable[[], str], rebuild: bool, model: Transformer) -> PackagedStep | None:
    """The stored step at `path` (built for the model state `key`); None, said once, if it
    is unreadable or truncated (another torch or CPU has another key, so another file)."""
    try:
        row_kernel.attach(model, path.parent)  # a library built since this process began: it must load first
        return PackagedStep(path, key, state, model)
    except Exception as exc:  # noqa: BLE001 - unreadable or truncated
        reason = _reason(exc)
    then = "compiling it again" if rebuild else "decoding eagerly"
    _fallback(f"the stored compiled decode step was not usable ({reason}); {then}")
    return None


def compile_decode(model: Transformer, store: Path | None = None, build: bool = True) -> CompiledOrEager:
    """The batch-1 decode step of `model`, compiled on its first call (~40 s here; with a
    `store` folder, once, when nothing decodes: later processes load it in ~10 ms), for the
    generation functions' `compiled`. `build` False only uses steps stored already."""
    return CompiledOrEager(model, store, build)
