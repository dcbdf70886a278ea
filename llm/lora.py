"""LoRA adapters: low-rank updates on the linear layers, several at once, one active.

`LoRALinear` wraps any linear-like module (one with `in_features`, `out_features` and a
forward: `nn.Linear` or a quantized layer) and adds `scaling * B(A(dropout(x)))` for the
active adapter. `AdapterSet` is the model-wide view: it wraps the target layers by role
(q, k, v, o, gate, up, down), switches the active adapter (a flag per layer, no weights
move), merges and unmerges, and saves/loads in the PEFT layout so adapters move between
kigi and the Hugging Face ecosystem:

    adapter_config.json        PEFT's LoraConfig
    adapter_model.safetensors  base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight ...
    kigi_adapter.json          kigi's side file: the base model's fingerprint, the config, a training card

An adapter records its base model's fingerprint and refuses a different base.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from llm.errors import LLMError

ROLES = ("q", "k", "v", "o", "gate", "up", "down")
# role -> (our module path inside a block, PEFT's module path inside a Llama decoder layer)
ROLE_PATHS = {
    "q": ("attn.q", "self_attn.q_proj"), "k": ("attn.k", "self_attn.k_proj"),
    "v": ("attn.v", "self_attn.v_proj"), "o": ("attn.o", "self_attn.o_proj"),
    "gate": ("mlp.gate", "mlp.gate_proj"), "up": ("mlp.up", "mlp.up_proj"), "down": ("mlp.down", "mlp.down_proj"),
}
PEFT_ROLE = {peft.rsplit(".", 1)[1]: role for role, (_, peft) in ROLE_PATHS.items()}  # "q_proj" -> "q"
PEFT_KEY = re.compile(r"base_model\.model\.model\.layers\.(\d+)\.(?:self_attn|mlp)\.(\w+)\.lora_([AB])\.weight")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
KIGI_SIDE_FILE = "kigi_adapter.json"


class LoRAError(LLMError):
    """A LoRA operation that cannot be done (bad name, merge into a quantized layer...)."""


class AdapterNotFoundError(LoRAError):
    """No adapter by that name or at that path."""


class AdapterFormatError(LoRAError):
    """An adapter directory that is damaged or uses PEFT options kigi does not support."""


class AdapterMismatchError(LoRAError):
    """An adapter trained on another base model (fingerprint, layer count or shapes differ)."""


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise LoRAError(f"adapter name {name!r} must be 1-64 letters, digits, '_' or '-' (starting with a "
                        "letter or digit)")
    return name


@dataclass(frozen=True)
class LoRAConfig:
    rank: int = 8
    alpha: float = 16.0
    dropout: float = 0.0
    targets: tuple[str, ...] = ("q", "v")
    rslora: bool = False  # scale by alpha / sqrt(rank) instead of alpha / rank

    def __post_init__(self) -> None:
        if isinstance(self.targets, str):
            object.__setattr__(self, "targets", parse_targets(self.targets))
        object.__setattr__(self, "targets", tuple(self.targets))
        if not isinstance(self.rank, int) or self.rank < 1:
            raise ValueError(f"LoRAConfig.rank must be a positive integer, got {self.rank!r}")
        if not self.alpha > 0:
            raise ValueError(f"LoRAConfig.alpha must be positive, got {self.alpha!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"LoRAConfig.dropout must be in [0, 1), got {self.dropout!r}")
        if not self.targets:
            raise ValueError("LoRAConfig.targets must name at least one role")
        unknown = [t for t in self.targets if t not in ROLES]
        if unknown:
            raise ValueError(f"LoRAConfig.targets: unknown role(s) {', '.join(unknown)}; known: {', '.join(ROLES)}")
        if len(set(self.targets)) != len(self.targets):
            raise ValueError(f"LoRAConfig.targets repeats a role: {','.join(self.targets)}")

    @property
    def scaling(self) -> float:
        return self.alpha / (math.sqrt(self.rank) if self.rslora else self.rank)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "targets": list(self.targets)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LoRAConfig:
        known = {"rank", "alpha", "dropout", "targets", "rslora"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"LoRAConfig: unknown field(s) {', '.join(unknown)}")
        return cls(**{**data, "targets": tuple(data.get("targets", ("q", "v")))})

    def to_peft(self, base_name: str | None = None, layers: Sequence[int] | None = None) -> dict[str, Any]:
        """PEFT's `adapter_config.json` for this config on a Llama-architecture base."""
        return {
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": base_name,
            "r": self.rank, "lora_alpha": self.alpha, "lora_dropout": self.dropout,
            "target_modules": sorted(ROLE_PATHS[t][1].rsplit(".", 1)[1] for t in self.targets),
            "use_rslora": self.rslora, "bias": "none", "fan_in_fan_out": False, "inference_mode": True,
            "init_lora_weights": True, "modules_to_save": None,
            "layers_to_transform": list(layers) if layers is not None else None,
            "rank_pattern": {}, "alpha_pattern": {}, "use_dora": False,
        }

    @classmethod
    def from_peft(cls, peft: Mapping[str, Any], source: str = "adapter_config.json") -> LoRAConfig:
        """Read PEFT's LoraConfig; options that change the math and that kigi lacks are refused."""
        if peft.get("peft_type", "LORA") != "LORA":
            raise AdapterFormatError(f"{source}: peft_type {peft.get('peft_type')!r} is not LORA")
        refusals = {
            "use_dora": bool(peft.get("use_dora")), "fan_in_fan_out": bool(peft.get("fan_in_fan_out")),
            "bias": peft.get("bias", "none") not in (None, "none"),
            "modules_to_save": bool(peft.get("modules_to_save")),
            "rank_pattern": bool(peft.get("rank_pattern")), "alpha_pattern": bool(peft.get("alpha_pattern")),
        }
        for option, refused in refusals.items():
            if refused:
                raise AdapterFormatError(f"{source}: PEFT option {option}={peft.get(option)!r} is not supported")
        modules = peft.get("target_modules") or []
        if isinstance(modules, str):  # a regex or "all-linear": the tensors present will tell
            modules = list(PEFT_ROLE)
        roles = []
        for module in (m.rsplit(".", 1)[-1] for m in modules):  # "model.layers.0.mlp.down_proj" -> "down_proj"
            if module not in PEFT_ROLE:
                raise AdapterFormatError(f"{source}: target module {module!r} is not one of "
                                         f"{', '.join(PEFT_ROLE)}")
            roles.append(PEFT_ROLE[module])
        try:
            return cls(rank=int(peft["r"]), alpha=float(peft.get("lora_alpha", 8)),
                       dropout=float(peft.get("lora_dropout") or 0.0),
                       targets=tuple(r for r in ROLES if r in roles), rslora=bool(peft.get("use_rslora")))
        except (KeyError, TypeError, ValueError) as exc:
            raise AdapterFormatError(f"{source}: {exc}") from None


TARGET_GROUPS = {"all": ROLES, "attn": ROLES[:4], "mlp": ROLES[4:]}


def parse_targets(text: str) -> tuple[str, ...]:
    """'q,v' -> ('q', 'v'); 'all' -> every role; 'attn' / 'mlp' -> those groups."""
    roles: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if part:
            roles += [r for r in TARGET_GROUPS.get(part, (part,)) if r not in roles]
    return tuple(roles)


def targets_text(targets: tuple[str, ...]) -> str:
    """`parse_targets` backwards: a group's name where the roles make one, else 'q,v'."""
    ordered = tuple(r for r in ROLES if r in targets)
    return next((name for name, roles in TARGET_GROUPS.items() if roles == ordered), ",".join(targets))


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

    @torch.no_grad()
    def merge(self) -> None:
        """Fold the active adapter into the base weight. Idempotent."""
        name = self.active
        if name is None or name not in self.lora_A or self.merged == name:
            return
        if self.merged is not None:
            self.unmerge(keep_copy=True)
        weight = getattr(self.base, "weight", None)
        if not isinstance(weight, Tensor) or not weight.is_floating_point():
            raise LoRAError(f"cannot merge into {type(self.base).__name__}: its weight is not a float tensor "
                            "(a quantized layer keeps the adapter unmerged)")
        if self._original_weight is None:
            self._original_weight = weight.detach().clone()
        torch.add(self._original_weight, self.delta_weight(name).to(weight.dtype), out=weight)
        self.merged = name

    @torch.no_grad()
    def unmerge(self, keep_copy: bool = False) -> None:
        """Put back the exact base weight (from the copy taken at merge time). Idempotent."""
        if self.merged is not None:
            self.base.weight.copy_(self._original_weight)
            self.merged = None
        if not keep_copy:
            self._original_weight = None

    def forward(self, x: Tensor) -> Tensor:
        y = self.base(x)
        name = self.active
        if name is None or name == self.merged or name not in self.lora_A:
            return y
        A, B = self.lora_A[name], self.lora_B[name]
        h = self.lora_dropout[name](x.to(A.dtype))
        return y + (F.linear(F.linear(h, A), B) * self.scaling[name]).to(y.dtype)

    def extra_repr(self) -> str:
        return f"in={self.in_features}, out={self.out_features}, adapters={self.names}, active={self.active}"


# -- the base model's fingerprint ---------------------------------------------------------
def base_fingerprint(model: nn.Module) -> str:
    """sha256 over the architecture and the norm weights (rounded to bf16).

    Linear layers and embeddings are left out on purpose, so that an fp32, bf16 or
    quantized load of one model (and a model with an adapter merged) share a fingerprint;
    the norms, which every fine-tune moves and quantization keeps in floating point, tell
    two different models apart. (Two untrained models of one config, norms all 1, would
    share it.)
    """
    digest = hashlib.sha256()
    config = getattr(model, "config", None)
    if config is not None and hasattr(config, "to_dict"):
        arch = {k: v for k, v in config.to_dict().items() if k not in ("name", "max_seq_len")}
        digest.update(json.dumps(arch, sort_keys=True).encode())
    skipped = [name for name, module in model.named_modules()
               if name and (hasattr(module, "in_features") or hasattr(module, "num_embeddings"))]
    for name, param in sorted(model.named_parameters(), key=lambda item: item[0]):
        if any(name.startswith(m + ".") for m in skipped) or not param.is_floating_point():
            continue
        values = param.detach().reshape(-1).to(torch.bfloat16).view(torch.int16).cpu().numpy()
        digest.update(f"{name}:{tuple(param.shape)}:".encode())
        digest.update(values.tobytes())
    return digest.hexdigest()


# -- the model-wide view --------------------------------------------------------------------
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
        self._fingerprint: str | None = None

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
        return info

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

    # -- switching and merging -----------------------------------------------------------
    def activate(self, name: str | None) -> None:
        """Make `name` the active adapter (None: the plain base). No weights are reloaded;
        re-activating the active one changes nothing (its cached prompt prefix stays valid)."""
        if name is not None:
            self.info(name)
        if name == self.active and all(m.active == name for m in self.lora_layers()):
            return
        for module in self.lora_layers():
            module.set_active(name)
        self.active = name
        if self.merged:
            self._merge_layers()
        self.invalidate_prefix_cache()

    def invalidate_prefix_cache(self) -> None:
        """Keys cached under other weights must not be reused for a shared prompt prefix."""
        if hasattr(self.model, "cached_tokens"):
            self.model.cached_tokens = []

    @contextmanager
    def using(self, name: str | None) -> Iterator[None]:
        """Temporarily switch (e.g. `with adapters.using(None):` for a frozen reference)."""
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
                prefix = f"base_model.model.model.layers.{i}.{ROLE_PATHS[role][1]}"
                params[f"{prefix}.lora_A.weight"] = module.lora_A[name]
                params[f"{prefix}.lora_B.weight"] = module.lora_B[name]
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
        """Write the adapter in the PEFT layout plus kigi's side file; returns the directory."""
        from safetensors.torch import save_file

        info = self.info(name)
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        base_name = base_name or info.base_name
        layers = None if info.layers == tuple(range(self.n_layer)) else info.layers
        tensors = {k: v.detach().float().cpu().contiguous() for k, v in self.named_parameters(name).items()}
        save_file(tensors, directory / ADAPTER_WEIGHTS, metadata={"format": "pt"})
        (directory / ADAPTER_CONFIG).write_text(json.dumps(info.config.to_peft(base_name, layers), indent=2),
                                                encoding="utf-8")
        side = {"format": "kigi-lora", "version": 1, "name": name,
                "base": {"name": base_name, "fingerprint": self.fingerprint, "n_layer": self.n_layer},
                "lora": info.config.to_dict(), **dict(metadata or info.metadata)}
        (directory / KIGI_SIDE_FILE).write_text(json.dumps(side, indent=2), encoding="utf-8")
        return directory

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
        weights = self._check_tensors(name, config, tensors, directory)
        present = {role for _, role, _ in weights}  # a regex or "all-linear" in the config: the tensors decide
        config = replace(config, targets=tuple(r for r in ROLES if r in present))
        info = self._attach(name, config, [(i, role) for i, role, _ in weights], None, base.get("name"))
        info.source = str(directory)
        info.metadata = {k: v for k, v in side.items() if k not in ("format", "version", "name", "base", "lora")}
        with torch.no_grad():
            for i, role, (A, B) in weights:
                module = self.layer(i, role)
                module.lora_A[name].copy_(A)
                module.lora_B[name].copy_(B)
        if activate:
            self.activate(name)
        return info

    def _check_tensors(self, name: str, config: LoRAConfig, tensors: dict[str, Tensor],
                       directory: Path) -> list[tuple[int, str, tuple[Tensor, Tensor]]]:
        pairs: dict[tuple[int, str], dict[str, tuple[str, Tensor]]] = {}  # (layer, role) -> A|B -> (key, tensor)
        for key, tensor in tensors.items():
            match = PEFT_KEY.fullmatch(key)
            if not match or match.group(2) not in PEFT_ROLE:
                raise AdapterFormatError(f"{directory / ADAPTER_WEIGHTS}: unexpected tensor {key!r}")
            layer, role = int(match.group(1)), PEFT_ROLE[match.group(2)]
            if role not in config.targets:
                raise AdapterFormatError(f"{directory}: tensor {key!r} targets {role!r}, which "
                                         f"{ADAPTER_CONFIG} does not list")
            if layer >= self.n_layer:
                raise AdapterMismatchError(f"adapter {name!r} has tensor {key!r} for layer {layer}, but the model "
                                           f"has {self.n_layer} layers (trained on another base?)")
            if not tensor.is_floating_point():
                raise AdapterFormatError(f"{directory / ADAPTER_WEIGHTS}: tensor {key!r} is {tensor.dtype}, "
                                         "not floating point")
            pairs.setdefault((layer, role), {})[match.group(3)] = (key, tensor)
        if not pairs:
            raise AdapterFormatError(f"{directory / ADAPTER_WEIGHTS}: no LoRA tensors")
        out = []
        for (layer, role), ab in sorted(pairs.items()):
            if set(ab) != {"A", "B"}:
                missing = ({"A", "B"} - set(ab)).pop()
                raise AdapterFormatError(f"{directory}: layer {layer} {role!r} lacks lora_{missing}")
            parent, attr = self._slot(layer, role)
            module = getattr(parent, attr)
            # A is (rank, in), B is (out, rank); checked here, before anything is attached, because
            # a bare PEFT adapter has no fingerprint and a wrong shape would only fail inside torch.
            expected = {"A": (config.rank, module.in_features), "B": (module.out_features, config.rank)}
            for part, model_axis in (("A", 1), ("B", 0)):
                key, found = ab[part][0], tuple(ab[part][1].shape)
                if found == expected[part]:
                    continue
                if len(found) == 2 and found[model_axis] != expected[part][model_axis]:
                    raise AdapterMismatchError(
                        f"adapter {name!r}: tensor {key!r} has shape {found}, expected {expected[part]} (the "
                        f"model's {ROLE_PATHS[role][1]} maps {module.in_features} to {module.out_features} features; "
                        "trained on another base?)")
                raise AdapterFormatError(f"adapter {name!r}: tensor {key!r} has shape {found}, expected "
                                         f"{expected[part]} (r={config.rank} in {ADAPTER_CONFIG})")
            out.append((layer, role, (ab["A"][1], ab["B"][1])))
        return out


def read_adapter_dir(directory: Path) -> tuple[LoRAConfig, dict[str, Any], dict[str, Tensor]]:
    """(config, kigi side file or {}, PEFT-keyed tensors) of an adapter directory."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    config, side = read_adapter_meta(directory)
    weights = directory / ADAPTER_WEIGHTS
    if not weights.is_file():
        raise AdapterFormatError(f"{directory}: no {ADAPTER_WEIGHTS}")
    try:
        tensors = load_file(weights)
    except (SafetensorError, OSError, ValueError) as exc:
        raise AdapterFormatError(f"{weights}: not a readable safetensors file ({exc})") from None
    return config, side, tensors


def read_adapter_meta(directory: Path) -> tuple[LoRAConfig, dict[str, Any]]:
    """The config and side file of an adapter directory, without reading its weights."""
    directory = Path(directory)
    config_file = directory / ADAPTER_CONFIG
    if not config_file.is_file():
        raise AdapterNotFoundError(f"{directory}: no {ADAPTER_CONFIG} (not an adapter directory)")
    try:
        peft = json.loads(config_file.read_text(encoding="utf-8"))
        side_file = directory / KIGI_SIDE_FILE
        side = json.loads(side_file.read_text(encoding="utf-8")) if side_file.is_file() else {}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AdapterFormatError(f"{directory}: damaged JSON ({exc})") from None
    if not isinstance(peft, dict) or not isinstance(side, dict):
        raise AdapterFormatError(f"{directory}: adapter config must be a JSON object")
    return LoRAConfig.from_peft(peft, str(config_file)), side


def adapters_of(model: nn.Module) -> AdapterSet:
    """The model's `AdapterSet`, created on first use and kept with the model."""
    adapters = model.__dict__.get("_kigi_adapters")
    if adapters is None:
        adapters = AdapterSet(model)
        model.__dict__["_kigi_adapters"] = adapters
    return adapters
