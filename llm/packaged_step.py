"""The batch-1 decode step as an AOTInductor package: exported once (`torch.export`, with
the position and the cache's length dynamic), compiled to a shared library, and run by
torch's C++ runner in later processes.

Why not a stored `torch.compile` function: loading one imports the compiler and rebuilds
dynamo's guards (~3 s on the default model, longer than a short answer takes to decode),
and every call passes through dynamo's frame. The package's calls go straight to the
library (int4, default model, this 2-core machine: 150 tok/s against 71 eager in
`benchmarks/decode.py`; the stored function decoded 131 in the run before).

The library is built without the weights: at load the runner is handed the model's own
tensors (no copy), so a load takes a few milliseconds instead of ~130 (copying ~120 MB of
weights out of the library, holding the GIL while the first answer decodes eagerly), and
a stored step is ~3 MB instead of ~120, and it serves any weights of the same shapes (a
retrained adapter too): the key it is stored under is what the code depends on
(`llm.compile.step_key`). Where a constant cannot be named that way the weights go inside,
as before (`build_package`), and such a package records which weights
(`weights_fingerprint`) and serves only them. The step serves one row at a time (a chat,
`kigi ask`); a batch of rows decodes eagerly.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn

from llm import row_kernel
from llm.fuse import unregistered_layers
from llm.lora import adapters_of
from llm.quant import Int4Linear

if TYPE_CHECKING:
    from llm.model import Transformer

SAMPLED_ELEMENTS = 4096  # per tensor, spread over it: enough to tell two checkpoints apart
# Inductor runs a loop nest on all threads once it has 512 elements a thread, so a decode
# step's norms with a LoRA update fused in (8 x 576 ...) each opened an OpenMP region with
# barriers, ~150 a token. Serial below 8,192 elements a thread, the reader on went from
# 0.77-0.78x to 0.80-0.87x of the plain step (`benchmarks/adapter_speed.py --compile`, runs of
# one day); the plain step is unchanged, and the int4 matmuls keep their own threads.
INDUCTOR_OPTIONS = {"cpp.min_chunk_size": 8192}
GROUP_SIZE_KEY = "kigi_int4_group_size"  # in a package's metadata: built without its weights
WEIGHTS_KEY = "kigi_weights"  # in a package's metadata: built with these weights inside (their fingerprint)
INT64_SCALAR_TYPE = 4  # c10::ScalarType::Long, as the runner reports constants' dtypes


def weights_fingerprint(model: nn.Module) -> str:
    """A hash of every parameter and buffer a layer does not derive: names, shapes and an
    evenly spread sample of their values (hashing all ~200 MB of the default model would
    cost ~0.3 s a process). Fine-tuning moves every weight, so two checkpoints differ in
    the sample too."""
    digest = hashlib.sha256()
    for name, tensor in keyed_tensors(model):
        flat = tensor.detach().reshape(-1)
        stride = max(1, flat.numel() // SAMPLED_ELEMENTS)
        digest.update(f"{name}:{tuple(tensor.shape)}:{tensor.dtype}".encode())
        digest.update(flat[::stride].contiguous().view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()[:16]


def _derived(roots: Iterable[nn.Module]) -> tuple[set[int], set[int]]:
    """The tensors and modules (by id) the roots' layers derive from their others and hold in some
    processes only (`derived`: an int4 layer's relaid scales and adapters' updates, in kigi's
    row kernel's layout): not what a stored step depends on. Whether the step calls that
    kernel is a part of its key of its own; the updates are made whenever a step is built
    or bound."""
    tensors, modules = set(), set()
    for sub in (sub for root in roots for sub in root.modules()):
        for name in getattr(sub, "derived", ()):
            value = getattr(sub, name, None)
            if isinstance(value, nn.Module):
                modules.update(id(m) for m in value.modules())
                tensors.update(id(t) for t in [*value.parameters(), *value.buffers()])
            elif isinstance(value, Tensor):
                tensors.add(id(value))
    return tensors, modules


def keyed_tensors(module: nn.Module, derived: set[int] | None = None) -> list[tuple[str, Tensor]]:
    """The tensors whose names, dtypes and shapes a stored step depends on: all but those
    its layers derive (`_derived`, or the ids given)."""
    derived = _derived([module])[0] if derived is None else derived
    return [(name, t) for name, t in [*module.named_parameters(), *module.named_buffers()] if id(t) not in derived]


def layout(model: nn.Module) -> dict[str, list]:
    """What of the model a stored step's code depends on: its modules' names and kinds, its
    tensors' names, dtypes and shapes, and those of the layers it holds outside its tree
    (the fused projections), all but what its layers derive (`_derived`)."""
    unregistered = unregistered_layers(model)
    tensors, modules = _derived([model, *unregistered.values()])

    def shapes(module: nn.Module) -> list[list[Any]]:
        return [[name, str(t.dtype), list(t.shape)] for name, t in keyed_tensors(module, tensors)]

    return {"modules": [[name, type(sub).__name__] for name, sub in model.named_modules() if id(sub) not in modules],
            "unregistered": [[name, type(module).__name__, shapes(module)] for name, module in unregistered.items()],
            "tensors": shapes(model)}


class _Step(nn.Module):
    """`decode_step` with the cache's layers as arguments and the end of the positions read
    as a tensor's length, which torch.export keeps dynamic (an int would be baked in). Every
    tensor the step reads is a parameter or buffer of this wrapper, by a name that finds it
    again in another process (`bind_constants`)."""

    def __init__(self, model: Transformer) -> None:
        super().__init__()
        self.model = model
        self.unregistered = nn.ModuleDict(unregistered_layers(model))

    def forward(self, idx: Tensor, positions: Tensor, span: Tensor, layers: tuple[Tensor, ...]) -> Tensor:
        self.model.kv_cache.layers = list(layers)
        return self.model.decode_step(idx, positions, span.size(0), 0)


class WeightsInside(Exception):
    """A package built without its weights could not be handed them all by name."""


class OtherWeights(Exception):
    """A package with its weights inside, loaded for a model with other weights."""


def int4_group_size(step: nn.Module) -> int:
    """The one group size of the step's int4 kernel layers (0 if none or several). Inductor
    passes each int4 matmul its group size as an unnamed int64 constant of the library
    (`quantized_lowerings.int4pack_mm_cpu`): the only constants a name cannot find."""
    sizes = {module.group_size for module in step.modules() if isinstance(module, Int4Linear) and module.use_kernel}
    return sizes.pop() if len(sizes) == 1 else 0


def _find(step: _Step, fqn: str) -> Tensor | None:
    """The step's tensor a package's constant is named after, or None (an unnamed one)."""
    try:
        found = functools.reduce(getattr, fqn.split("."), step)
    except AttributeError:
        return None
    return found if isinstance(found, Tensor) else None


def _inductors_own(fqn: str) -> bool:
    """Whether a constant was made by inductor (named "constant<n>"), not found in the model
    (whose tensors' names are dotted paths)."""
    return "." not in fqn


def bind_constants(runner: Any, step: _Step, group_size: int) -> dict[str, Tensor]:
    """Hand a package built without weights the step's own tensors, by name, and `group_size`
    for inductor's own (no copy: the runner reads them where they are, so they are returned
    to be kept alive beside it)."""
    constants = {}
    for fqn in runner.get_constant_fqns():
        found = _find(step, fqn)
        if found is None and not (_inductors_own(fqn) and group_size):
            raise WeightsInside(f"no tensor for the constant {fqn}")
        constants[fqn] = torch.tensor(group_size) if found is None else found
    runner.load_constants(constants, False, True, True)  # the active buffer, every constant, user-managed
    return constants


def _unnamed_are_scalars(package: Path, step: _Step) -> bool:
    """Whether every constant of the package that no name finds is int64 (a group size):
    read from the library itself, as a package's loader does not say constants' dtypes."""
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(package) as archive:
        library = next(name for name in archive.namelist() if name.endswith(".so"))
        runner = torch._C._aoti.AOTIModelContainerRunnerCpu(archive.extract(library, folder), 1)
        dtypes = runner.get_constant_names_to_dtypes()
        fqns = runner.get_constant_names_to_original_fqns()
    return all(_inductors_own(fqn) and dtypes[name] == INT64_SCALAR_TYPE for name, fqn in fqns.items()
               if _find(step, fqn) is None)


def _agrees(package: Path, step: _Step, args: tuple[Any, ...]) -> bool:
    """Whether the package, handed the step's tensors, computes the eager step's logits, to
    the rounding of a fused bf16 graph (the default model's int4 step: 6% of their norm; a
    wrong group size: 97%)."""
    model = step.model
    want = model.decode_step(*args).float()
    got = PackagedStep(package, "", lambda: "", model)(model, *args).float()
    return got.shape == want.shape and bool((got - want).norm() <= 0.25 * want.norm())


def build_package(path: Path, shadow: Transformer, args: tuple[Any, ...]) -> None:
    """Export the step of `shadow` (its own cache, batch 1) at `args` and write the package
    to `path` (through a temporary file, so a reader never sees half of one): without its
    weights where they can all be handed over by name and it then computes what eager
    does, else with them inside."""
    from torch.export import Dim, export

    idx, positions, end, _ = args
    row_kernel.prepare_updates(shadow)  # an adapter's update in the kernel's pass: traced as the calls find it
    layers = tuple(shadow.kv_cache.layers)
    longest = shadow.config.max_seq_len
    span, length = Dim("end", min=2, max=longest), Dim("length", min=2, max=longest)
    step = _Step(shadow)
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's own deprecations inside export, not the user's business
        program = export(step, (idx, positions, torch.empty(end), layers), strict=False,
                         dynamic_shapes={"idx": None, "positions": None, "span": {0: span},
                                         "layers": tuple({2: length} for _ in layers)})
    shadow.kv_cache.layers = list(layers)  # tracing left its stand-ins there
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{os.getpid()}.partial.pt2")
    try:
        shims = row_kernel.inductor_configs(shadow)
        _compile(program, partial, {"aot_inductor.package_constants_in_so": False, **shims,
                                    "aot_inductor.metadata": {GROUP_SIZE_KEY: str(int4_group_size(step))}})
        with torch.inference_mode():
            try:
                weightless = _unnamed_are_scalars(partial, step) and _agrees(partial, step, args)
            except WeightsInside:  # int64 constants, but no one int4 group size to give them
                weightless = False
        if not weightless:
            _compile(program, partial, {"aot_inductor.package_constants_in_so": True, **shims,
                                        "aot_inductor.metadata": {WEIGHTS_KEY: weights_fingerprint(shadow)}})
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _compile(program: Any, package: Path, configs: dict[str, Any]) -> None:
    from torch._inductor.utils import fresh_cache

    # a cache of its own, deleted after: the build's library would otherwise stay in
    # inductor's cache as well as in the package
    with warnings.catch_warnings(), fresh_cache():
        warnings.simplefilter("ignore")
        torch._inductor.aoti_compile_and_package(program, package_path=str(package),
                                                 inductor_configs={**configs, **INDUCTOR_OPTIONS})


def one_row(model: Transformer, idx: Tensor) -> bool:
    """Whether a step decodes one row in a cache of one: the only calls a package serves."""
    cache = model.kv_cache
    return tuple(idx.shape) == (1, 1) and cache is not None and cache.layers[0].size(0) == 1


class PackagedStep:
    """A loaded package, called as `decode_step(model, idx, positions, end, shared)` over the
    model's own cache and weights (`bind_constants`; a fallback package holds its own).
    `state` gives the key of the model's state now: the package serves only the state it
    was built for."""

    def __init__(self, path: Path, key: str, state: Callable[[], str], model: Transformer) -> None:
        self.runner = torch._C._aoti.AOTIModelPackageLoader(str(path), "model", False, 1, -1)
        self.path, self.key, self.state = path, key, state
        metadata = self.runner.get_metadata()
        # handed the model's tensors (the group size of inductor's own constants), or None:
        # a fallback holds its own
        self._group_size = int(metadata[GROUP_SIZE_KEY]) if GROUP_SIZE_KEY in metadata else None
        self._bound_at: int | None = None  # the adapters' generation its constants were handed at
        self._constants: dict[str, Tensor] = {}
        if self._group_size is not None:
            row_kernel.prepare_updates(model)  # the adapters' updates it binds by name
            self._bind(model)  # WeightsInside, naming the constant, where one has no tensor here
        elif metadata.get(WEIGHTS_KEY) != weights_fingerprint(model):
            raise OtherWeights("it was built with its weights inside, and they are not this model's")
        self._span = torch.empty(0)

    def holds(self, model: Transformer) -> bool:
        """Whether it holds the model's tensors as they are (its own, or handed since the
        adapters last moved)."""
        return self._group_size is None or self._bound_at == adapters_of(model).generation

    def _bind(self, model: Transformer) -> None:
        self._constants = bind_constants(self.runner, _Step(model), self._group_size)
        self._bound_at = adapters_of(model).generation

    def bind(self, model: Transformer) -> bool:
        """Hand it the model's tensors by name again after an adapter was attached or removed
        (other tensors under the same names: it would go on computing with the old ones). The
        caller lays the adapters' updates out first (`row_kernel.prepare_updates`, once for
        all its steps). False where a tensor it needs is gone (its adapter removed): it serves
        nothing until a later call finds them again."""
        if self.holds(model):
            return True
        try:
            self._bind(model)
        except WeightsInside:
            self._bound_at = None
            return False
        return True

    def guard_check(self, model: Transformer, idx: Tensor, positions: Tensor, end: int, shared: int) -> bool:
        """Whether this call is one the package was built for: its model state, one row in
        a cache of one row, a position in its dynamic range, no gradients; and whether it holds
        the model's tensors (`state` hands them again when adapters moved)."""
        return (one_row(model, idx) and 2 <= end <= model.kv_cache.layers[0].size(2)
                and not torch.is_grad_enabled() and self.key == self.state()
                and (self._group_size is None or self._bound_at is not None))

    def __call__(self, model: Transformer, idx: Tensor, positions: Tensor, end: int, shared: int) -> Tensor:
        if self._span.numel() < end:
            self._span = torch.empty(max(end, 2 * self._span.numel()))
        (logits,) = self.runner.run([idx, positions, self._span[:end], *model.kv_cache.layers])
        return logits
