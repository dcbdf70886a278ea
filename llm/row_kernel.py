"""kigi's own int4 kernel for one-row decode steps (`llm/kernels/int4_rows.cpp`), built once
per machine from the source that ships with kigi.

Torch's int4 CPU kernel is compute-bound at one row: ~8 GB/s of weights a core where a core
reads ~30 GB/s, so a decode step spent ~5 of its ~7 ms in it (default model, a 2-core
AVX-512 machine); on an AVX2 CPU it reads ~2-4 GB/s. Ours takes two input rows per AVX512-BF16
dot product, or on AVX2 per 16-bit integer multiply-add (the input in int16 per group), and
reads each block's scales as one stream: the stored decode step ~1.3× torch's on AVX-512,
~1.55× on AVX2 (`benchmarks/decode.py`, docs/speed.md).

It is used where it can be: a CPU with AVX2 or AVX-512, a C++ compiler (the one inductor uses),
`KIGI_INT4_ROWS` not set to 0, and its answer on a small layer the same as torch's kernel's
(checked once a process: the pack layout is torch's, per CPU). The library is built next to
the stored decode steps (the store is keyed by CPU and torch already), by whoever builds a
step (`kigi model compile`, the background build, a chat at exit): ~10 s, once. A model the
kernel serves (`attach`) keeps each int4 layer's scales a second time, relaid per block of 64
columns (`Int4Linear.use_rows`); its stored step calls the kernel straight from the compiled
library (inductor's C shim for custom ops). A failed build or check is remembered and torch's
kernel serves, as everywhere else.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import os
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from llm.errors import CompileFallbackWarning
from llm.fuse import low_rank_sites, unregistered_layers
from llm.lora import adapters_of
from llm.quant import Int4Linear
from llm.switches import switched_off

SOURCE = Path(__file__).resolve().parent / "kernels" / "int4_rows.cpp"
LIBRARY = "int4_rows-{key}.so"
FAILED = "int4_rows-{key}.failed"  # the build failed here: torch's kernel serves, not tried again
SWITCH_ENV = "KIGI_INT4_ROWS"  # 0: never use it
BUILD_TIMEOUT_S = 300
KEPT_LIBRARIES = 2  # this source's and the newest other (a second kigi version sharing the cache folder)
# -fopenmp: at::parallel_for is OpenMP pragmas in torch's headers; without it the kernel runs on one thread
FLAGS = ("-O3", "-march=native", "-fopenmp", "-std=c++17", "-shared", "-fPIC", "-w")
C_SHIM = ("AOTITorchError aoti_torch_cpu_int4_rows(AtenTensorHandle x, AtenTensorHandle packed, int64_t gs, "
          "AtenTensorHandle block_scales, AtenTensorHandle* ret0)")
C_SHIM_LORA = ("AOTITorchError aoti_torch_cpu_int4_rows_lora(AtenTensorHandle x, AtenTensorHandle packed, int64_t gs, "
               "AtenTensorHandle block_scales, AtenTensorHandle update, AtenTensorHandle* ret0)")


class RowKernelError(RuntimeError):
    """The kernel's library could not be built or loaded."""


@functools.cache
def library_key() -> str:
    """What the library depends on: its source, torch (headers and ABI) and the CPU's flags."""
    info = Path("/proc/cpuinfo")
    lines = info.read_bytes().splitlines() if info.exists() else []
    flags = next((line for line in lines if line.startswith(b"flags")), b"")
    parts = [SOURCE.read_bytes(), " ".join(FLAGS).encode(), torch.__version__.encode(), flags]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:16]


def compiler() -> str | None:
    return os.environ.get("CXX") or shutil.which("g++") or shutil.which("c++")


def why_not(store: Path) -> str | None:
    """Why models whose steps are stored in `store` cannot use the kernel here, or None: the
    CPU must run it, a compiler build it, nobody have turned it off, no build or check of it
    have failed."""
    if switched_off(SWITCH_ENV):
        return f"{SWITCH_ENV}=0"
    if not vector_units():
        return "kigi's needs a CPU with AVX2 or AVX-512"
    if compiler() is None:
        return "no C++ compiler to build kigi's"
    if (failed := store / FAILED.format(key=library_key())).exists():
        return f"kigi's failed here, its build or its check against torch's: {failed}"
    return None


def vector_units() -> bool:
    """Whether this CPU has what the kernel's source is written for: AVX512-BF16 (its first
    path) or AVX2 with FMA (torch says AVX2 or AVX512 only where it has both)."""
    return torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512")


def wanted(store: Path) -> bool:
    return why_not(store) is None


def describe(store: Path | None) -> str:
    """Which int4 kernel one-row steps use with `store`, and why, in a line (`kigi model info`)."""
    if store is None:
        return "torch's (no cache folder to keep kigi's in)"
    if (reason := why_not(store)) is not None:
        return f"torch's ({reason})"
    if library(store).exists():
        return f"kigi's ({library(store)})"
    return "torch's until the first compiled step is built, then kigi's (built beside it, ~10 s)"


def library(store: Path) -> Path:
    return store / LIBRARY.format(key=library_key())


def build(store: Path) -> Path:
    """Compile the library into `store` (through a temporary file: a reader never sees half
    of one); a failure is remembered there and raised."""
    from torch.utils import cpp_extension

    path = library(store)
    store.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    flags = [f"-D_GLIBCXX_USE_CXX11_ABI={int(torch._C._GLIBCXX_USE_CXX11_ABI)}", *FLAGS]
    includes = [f"-I{folder}" for folder in cpp_extension.include_paths()]
    links = [arg for folder in cpp_extension.library_paths() for arg in (f"-L{folder}", f"-Wl,-rpath,{folder}")]
    command = [str(compiler()), *flags, *includes, str(SOURCE), "-o", str(partial), *links,
               "-lc10", "-ltorch_cpu", "-ltorch"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
        if done.returncode != 0:
            (store / FAILED.format(key=library_key())).write_text(done.stderr[-4000:])
            last = next((line for line in reversed(done.stderr.splitlines()) if line.strip()), "no message")
            raise RowKernelError(f"building the int4 row kernel failed: {last.strip()[:200]}")
        os.replace(partial, path)
    except (OSError, subprocess.TimeoutExpired) as exc:
        (store / FAILED.format(key=library_key())).write_text(str(exc))
        raise RowKernelError(f"building the int4 row kernel failed: {exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    prune(store)
    return path


def prune(store: Path, keep: int = KEPT_LIBRARIES) -> None:
    """Remove the libraries of older sources (each source change builds one), the newest
    `keep` left. A process that has one loaded keeps its mapping; unlinking never breaks it."""
    current, aged = library(store), []
    for path in store.glob(LIBRARY.format(key="*")):
        try:
            aged.append((path.stat().st_mtime, path))
        except OSError:  # removed meanwhile by another process's prune
            continue
    for _, old in sorted((item for item in aged if item[1] != current), reverse=True)[max(keep - 1, 0):]:
        with contextlib.suppress(OSError):  # a tidy-up: never a reason to fail the build it follows
            old.unlink()


def loaded() -> bool:
    """Whether a library of the kernel is loaded in this process (its op registered)."""
    try:
        return torch.ops.kigi.int4_rows.default is not None
    except (AttributeError, RuntimeError):
        return False


def load(path: Path) -> None:
    """Load the library into this process, unless one is loaded already (a second copy of it,
    from another store, would register the op twice: torch aborts): its symbols global, so
    that a stored step built against the C shim finds them; the op's shapes told to export."""
    if loaded():
        return
    try:
        ctypes.CDLL(str(path), mode=os.RTLD_GLOBAL)
    except OSError as exc:
        raise RowKernelError(f"the int4 row kernel would not load: {exc}") from None

    @torch.library.register_fake("kigi::int4_rows")
    def _(x: Tensor, packed: Tensor, gs: int, block_scales: Tensor) -> Tensor:
        return x.new_empty(*x.shape[:-1], packed.size(0))

    @torch.library.register_fake("kigi::int4_rows_lora")
    def _(x: Tensor, packed: Tensor, gs: int, block_scales: Tensor, *update: Tensor) -> Tensor:
        return x.new_empty(*x.shape[:-1], packed.size(0))


@functools.cache
def agrees() -> bool:
    """Whether the loaded kernel computes what torch's does on a small layer (two blocks of
    64 columns, two groups), each reached by the layer's own route for one row: a pack
    layout torch changed, or a path of the source never run on such a CPU before, is caught
    here, once a process, not in a user's answers."""
    generator = torch.Generator().manual_seed(0)
    layer = Int4Linear.from_weight(torch.randn(128, 64, generator=generator) * 0.05)
    x = torch.randn(1, 64, generator=generator).to(torch.bfloat16)
    want = layer(x)
    layer.use_rows()
    got = layer(x)
    return torch.allclose(got.float(), want.float(), rtol=2e-2, atol=2e-2 * float(want.abs().max()))


def check_agreement(store: Path) -> None:
    """Refuse the loaded kernel where it disagrees with torch's: remembered like a failed build."""
    if not agrees():
        message = "the int4 row kernel disagrees with torch's on this CPU"
        (store / FAILED.format(key=library_key())).write_text(message)
        raise RowKernelError(message)


def served_layers(model: nn.Module) -> list[Int4Linear]:
    """The int4 layers a one-row step calls: the registered ones and the fused layers held
    beside them, but not the parts a fused layer computes for (their scales are its views)."""
    modules = [*model.modules(), *(m for layer in unregistered_layers(model).values() for m in layer.modules())]
    found = {id(m): m for m in modules if isinstance(m, Int4Linear) and m.rows_fit()
             and not getattr(m, "shares_fused_storage", False)}
    return list(found.values())


def attach(model: nn.Module, store: Path | None, build_missing: bool = False) -> bool:
    """Serve `model`'s one-row int4 matmuls with the kernel if it is wanted here, building
    the library first if asked (else only a built one is used). Sets `model.row_kernel`, the
    library's key where the kernel is wanted (the stored step's key names it), and says
    whether the kernel serves now. Idempotent. A build that fails is said once (a
    `CompileFallbackWarning`) and remembered: torch's kernel serves, here and later."""
    layers = served_layers(model) if store is not None and wanted(store) else []
    if not layers:
        model.row_kernel = ""
        return False
    model.row_kernel = library_key()
    path = library(store)
    try:
        if not path.exists() and not loaded():
            if not build_missing:
                return False
            build(store)
        load(path)
        check_agreement(store)
    except RowKernelError as exc:
        model.row_kernel = ""
        warnings.warn(f"{exc}; torch's int4 kernel serves (same tokens, slower)", CompileFallbackWarning, stacklevel=2)
        return False
    for layer in layers:
        layer.use_rows()
    return True


def inductor_configs(model: nn.Module) -> dict[str, Any]:
    """What AOTInductor needs to call the kernel from a step of `model` straight from the
    compiled library (its C shim), where the kernel serves the model."""
    if not any(layer.block_scales is not None for layer in served_layers(model)):
        return {}
    return {"aot_inductor.custom_ops_to_c_shims": {torch.ops.kigi.int4_rows.default: [C_SHIM],
                                                   torch.ops.kigi.int4_rows_lora.default: [C_SHIM_LORA]}}


def prepare_updates(model: nn.Module) -> None:
    """Make each attached adapter's update for every layer the kernel serves, as that
    layer's one-row calls would (`Int4Linear.plus_low_rank`): a stored step built with them
    finds them by name, from its first call on, whichever adapter it was built for."""
    _lay_out(low_rank_sites(model), None)


def refresh_active(model: nn.Module, found: dict[str, Any]) -> None:
    """Lay out again the active adapter's update wherever its weights changed since (trained
    or reloaded in place): a stored step reads the laid-out copies. Called once a decode
    loop: `found` keeps, between calls, the layers (a walk of the model costs ~15 ms) until
    adapters are attached or detached, and for each adapter the versions its factors were
    laid out at, so a loop whose adapter did not change pays ~0.03 ms."""
    adapters = adapters_of(model)
    name = adapters.active
    if not getattr(model, "row_kernel", "") or name is None:
        return
    stamp = adapters.generation
    if found.get("stamp") != stamp:
        found.clear()
        found.update(stamp=stamp, sites=low_rank_sites(model), laid={})
    laid = found["laid"].get(name)
    if laid is not None and [t._version for t in laid[0]] == laid[1]:
        return
    factors = _lay_out(found["sites"], [name])
    found["laid"][name] = (factors, [t._version for t in factors])


def _lay_out(sites: list[tuple[nn.Module, list[nn.Module]]], names: list[str] | None) -> list[Tensor]:
    """The named adapters' updates (all attached, for None) at each site the kernel serves;
    the factors they were made from."""
    made_from = []
    for layer, parts in sites:
        if getattr(layer, "block_scales", None) is None:
            continue
        for name in names or {name for part in parts for name in getattr(part, "names", ())}:
            factors = [part.low_rank(name) if hasattr(part, "low_rank") else () for part in parts]
            if all(f is not None for f in factors) and layer.low_rank_update(name, factors) is not None:
                made_from += [t for f in factors if f for t in f[:2]]
    return made_from
