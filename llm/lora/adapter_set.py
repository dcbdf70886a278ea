"""`AdapterSet`: every adapter attached to one model, by name; get it with `adapters_of(model)`.

It wraps the target layers by role (q, k, v, o, gate, up, down) in `LoRALinear`, switches
the active adapter (a flag per layer, no weights move), merges and unmerges, and saves and
loads through `llm.lora.io`. An adapter records its base model's fingerprint and refuses
a different base.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from llm.dense_prefill import drop_dense
from llm.lora.config import ROLE_PATHS, ROLES, LoRAConfig
from llm.lora.errors import AdapterMismatchError, AdapterNotFoundError, LoRAError
from llm.lora.fingerprint import base_fingerprint
from llm.lora.io import adapter_pairs, peft_key, read_adapter_dir, side_metadata, write_adapter_dir
from llm.lora.layer import LoRALinear

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise LoRAError(f"adapter name {name!r} must be 1-64 letters, digits, '_' or '-' (starting with a "
                        "letter or digit)")
    return name


@dataclass
class AdapterInfo:
    """What is known about one attached adapter."""

    name: str
    config: LoRAConfig
    layers: tuple[int, ...]
    base_name: str | None = None
    base_fingerprint: str | None = None
    source: str | None = None  # the directory it was loaded from
    metadata: dict[str, Any] = field(default_factory=dict)  # kigi side file: training card...


class AdapterSet:
    """Every adapter attached to one model. Get it with `adapters_of(model)`."""

    def __init__(self, model: nn.Module) -> None:
        blocks = getattr(model, "blocks", None)
        if blocks is None:
            raise LoRAError(f"{type(model).__name__} has no .blocks to attach adapters to")
        self.model = model
        self.infos: dict[str, AdapterInfo] = {}
        self.active: str | None = None
        self.merged = False  # keep the active adapter folded into the weights (faster decode)
        self.folded: str | None = None  # folded into the weights for good (`fold`): no switching since
        self._fingerprint: str | None = None
        # attachments and removals so far: a stored step handed the adapters' tensors by name
        # is handed them again when it moved (an adapter attached again has other tensors)
        self.generation = 0

    # -- structure ------------------------------------------------------------------------
    @property
    def n_layer(self) -> int:
        return len(self.model.blocks)

    def _slot(self, layer: int, role: str) -> tuple[nn.Module, str]:
        path = ROLE_PATHS[role][0]
        parent_path, attr = path.rsplit(".", 1)
        parent = self.model.blocks[layer].get_submodule(parent_path)
        if getattr(parent, attr, None) is None:
            raise LoRAError(f"layer {layer} has no {role!r} projection ({path}) to adapt")
        return parent, attr

    def layer(self, layer: int, role: str) -> LoRALinear | None:
        parent, attr = self._slot(layer, role)
        module = getattr(parent, attr)
        return module if isinstance(module, LoRALinear) else None

    def _features(self, layer: int, role: str) -> tuple[int, int]:
        """(in_features, out_features) of the projection an adapter on `role` would wrap."""
        parent, attr = self._slot(layer, role)
        module = getattr(parent, attr)
        return module.in_features, module.out_features

    def lora_layers(self) -> Iterator[LoRALinear]:
        for module in self.model.modules():
            if isinstance(module, LoRALinear):
                yield module

    def _wrap(self, layer: int, role: str) -> LoRALinear:
        parent, attr = self._slot(layer, role)
        module = getattr(parent, attr)
        if not isinstance(module, LoRALinear):
            module = LoRALinear(module)
            module.set_active(self.active)
            setattr(parent, attr, module)
        return module

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = base_fingerprint(self.model)
        return self._fingerprint

    @property
    def names(self) -> list[str]:
        return list(self.infos)

    def __contains__(self, name: object) -> bool:
        return name in self.infos

    def info(self, name: str) -> AdapterInfo:
        try:
            return self.infos[name]
        except KeyError:
            raise AdapterNotFoundError(f"no adapter {name!r} is attached (attached: "
                                       f"{', '.join(self.infos) or 'none'})") from None

    # -- adding, removing -----------------------------------------------------------------
    def add(self, name: str, config: LoRAConfig, *, seed: int | None = None,
            layers: Sequence[int] | None = None, base_name: str | None = None) -> AdapterInfo:
        """Attach a fresh adapter (B = 0, so the model's output is unchanged until trained)."""
        check_name(name)
        if name in self.infos:
            raise LoRAError(f"an adapter named {name!r} is already attached")
        layers = tuple(range(self.n_layer)) if layers is None else tuple(sorted(set(layers)))
        bad = [i for i in layers if not 0 <= i < self.n_layer]
        if bad:
            raise AdapterMismatchError(f"adapter {name!r} has layer {bad[0]}, but the model has {self.n_layer}")
        return self._attach(name, config, [(i, r) for i in layers for r in config.targets], seed, base_name)

    def _attach(self, name: str, config: LoRAConfig, slots: Sequence[tuple[int, str]], seed: int | None,
                base_name: str | None) -> AdapterInfo:
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        for i, role in slots:
            self._wrap(i, role).add(name, config, generator)
        info = AdapterInfo(name, config, tuple(sorted({i for i, _ in slots})), base_name, self.fingerprint)
        self.infos[name] = info
        self.generation += 1
        self._forget_keys_of(name)  # new tensors under an old name: their versions start afresh
        return info

    def _forget_keys_of(self, name: str) -> None:
        """Keys the KV cache holds from an adapter of this name are not this adapter's."""
        cache = getattr(self.model, "kv_cache", None)
        if cache is not None and cache.weights == name:
            cache.tokens = []

    def remove(self, name: str) -> None:
        """Detach an adapter; a layer left with no adapter gets its plain base module back."""
        self.info(name)
        if self.active == name:
            self.activate(None)
        for i in range(self.n_layer):
            for role in ROLES:
                try:
                    parent, attr = self._slot(i, role)
                except LoRAError:
                    continue
                module = getattr(parent, attr)
                if isinstance(module, LoRALinear):
                    module.remove(name)
                    if not module.names:
                        setattr(parent, attr, module.base)
        del self.infos[name]
        self.generation += 1
        self._forget_keys_of(name)

    # -- switching and merging -----------------------------------------------------------
    def activate(self, name: str | None) -> None:
        """Make `name` the active adapter (None: the plain base). No weights are reloaded;
        re-activating the active one changes nothing (its cached prompt prefix stays valid)."""
        if name is not None:
            self.info(name)
        if self.folded is not None and name != self.folded:
            raise LoRAError(f"adapter {self.folded!r} was folded into the weights for good (no copy kept); "
                            "load the model again to switch adapters")
        if name == self.active and all(m.active == name for m in self.lora_layers()):
            return
        for module in self.lora_layers():
            module.set_active(name)
        self.active = name
        if self.merged:
            self._merge_layers()
        self.model.weights_state = name  # the KV cache reuses keys only under the weights that computed them

    @contextmanager
    def using(self, name: str | None) -> Iterator[None]:
        """Temporarily switch (e.g. `with adapters.using(None):` for a frozen reference)."""
        if self.folded is not None and name == self.folded:
            yield  # folded for good: nothing to switch, nothing to switch back
            return
        previous = self.active
        self.activate(name)
        try:
            yield
        finally:
            self.activate(previous)

    def _merge_layers(self) -> None:
        for module in self.lora_layers():
            module.merge()

    def merge(self) -> None:
        """Fold the active adapter into the base weights (and keep doing so on switches)."""
        self._merge_layers()
        self.merged = True

    def unmerge(self) -> None:
        for module in self.lora_layers():
            module.unmerge()
        self.merged = False

    def can_merge(self, name: str) -> bool:
        """Whether `name` can be merged and unmerged: every layer holds float weights."""
        return name in self.infos and all(m.mergeable for m in self.lora_layers())

    def can_fold(self, name: str) -> bool:
        """Whether `fold(name)` can work: the adapter is attached and every layer it wraps
        holds float weights or quantized ones that can be stored anew in place."""
        return name in self.infos and all(m.foldable for m in self.lora_layers())

    def fold(self, name: str) -> None:
        """Fold `name` into the weights for good, for a process that answers with it and exits
        (`kigi ask`): decoding then costs what the plain model costs, and no copy of the
        weights is kept (quantized weights are quantized again with the update added, which
        int4 cannot hold: the reader folded into int4 scored 22.5% held out against 41.2%
        unfolded, so `kigi ask` folds only float weights). Switching adapters afterwards is
        refused (LoRAError)."""
        if self.folded == name:
            return
        self.activate(name)
        for module in self.lora_layers():
            module.merge(keep_copy=False)
        self.folded = name
        self._unwrap()
        drop_dense(self.model)  # int4's bf16 copies for prefill hold the weights before the fold

    def _unwrap(self) -> None:
        """Put each folded layer's base back in its place: a wrapper that only passes its input
        on still costs a Python call per layer and token (~5% of an int4 decode)."""
        for parent in list(self.model.modules()):
            for attr, child in list(parent.named_children()):
                if isinstance(child, LoRALinear):
                    setattr(parent, attr, child.base)

    # -- parameters -------------------------------------------------------------------------
    def named_parameters(self, name: str) -> dict[str, nn.Parameter]:
        """The adapter's tensors by PEFT key (A and B of every wrapped layer)."""
        info = self.info(name)
        params: dict[str, nn.Parameter] = {}
        for i in info.layers:
            for role in info.config.targets:
                module = self.layer(i, role)
                if module is None or name not in module.lora_A:
                    continue
                params[peft_key(i, role, "A")] = module.lora_A[name]
                params[peft_key(i, role, "B")] = module.lora_B[name]
        return params

    def parameters(self, name: str) -> list[nn.Parameter]:
        return list(self.named_parameters(name).values())

    def num_parameters(self, name: str) -> int:
        return sum(p.numel() for p in self.parameters(name))

    def train_only(self, name: str) -> list[nn.Parameter]:
        """Freeze every parameter of the model except adapter `name`'s; return those."""
        if self.merged:
            raise LoRAError("unmerge the adapters before training")
        for param in self.model.parameters():
            param.requires_grad_(False)
        params = self.parameters(name)
        for param in params:
            param.requires_grad_(True)
        return params

    # -- save / load --------------------------------------------------------------------------
    def save(self, name: str, directory: Path, *, base_name: str | None = None,
             metadata: Mapping[str, Any] | None = None) -> Path:
        """Write the adapter in the PEFT layout plus kigi's side file; returns the directory.
        The attached adapter keeps the metadata written, so it and the saved copy agree
        (a reward model scored in the process that trained it reads its row length there)."""
        info = self.info(name)
        layers = None if info.layers == tuple(range(self.n_layer)) else info.layers
        base = {"name": base_name or info.base_name, "fingerprint": self.fingerprint, "n_layer": self.n_layer}
        info.metadata = dict(metadata or info.metadata)
        return write_adapter_dir(directory, name, info.config, self.named_parameters(name), base=base,
                                 layers=layers, metadata=info.metadata)

    def load(self, directory: Path, name: str | None = None, *, check_base: bool = True,
             activate: bool = False) -> AdapterInfo:
        """Attach the adapter saved in `directory` (by kigi or by PEFT) under `name`.

        Raises AdapterMismatchError when it was trained on another base (fingerprint, layer
        count or a tensor's shape), AdapterFormatError when the files are unreadable.
        """
        directory = Path(directory)
        config, side, tensors = read_adapter_dir(directory)
        name = check_name(name or side.get("name") or directory.name)
        if name in self.infos:
            raise LoRAError(f"an adapter named {name!r} is already attached")
        base = side.get("base") or {}
        recorded = base.get("fingerprint")
        if check_base and recorded and recorded != self.fingerprint:
            raise AdapterMismatchError(
                f"adapter {name!r} was trained on another base model ({base.get('name') or 'unnamed'}, "
                f"fingerprint {recorded[:12]}); the loaded model's fingerprint is {self.fingerprint[:12]}")
        weights = adapter_pairs(name, config, tensors, directory, self.n_layer, self._features)
        present = {role for _, role, _ in weights}  # a regex or "all-linear" in the config: the tensors decide
        config = replace(config, targets=tuple(r for r in ROLES if r in present))
        info = self._attach(name, config, [(i, role) for i, role, _ in weights], None, base.get("name"))
        info.source = str(directory)
        info.metadata = side_metadata(side)
        with torch.no_grad():
            for i, role, (A, B) in weights:
                module = self.layer(i, role)
                module.lora_A[name].copy_(A)
                module.lora_B[name].copy_(B)
        if activate:
            self.activate(name)
        return info


def adapters_of(model: nn.Module) -> AdapterSet:
    """The model's `AdapterSet`, created on first use and kept with the model."""
    adapters = model.__dict__.get("_kigi_adapters")
    if adapters is None:
        adapters = AdapterSet(model)
        model.__dict__["_kigi_adapters"] = adapters
    return adapters
