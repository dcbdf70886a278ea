"""`LoRAConfig`: rank, alpha, dropout and the target roles of an adapter, and its PEFT form.

Roles name the seven projections of a Llama-style block (q, k, v, o, gate, up, down); a
role maps to our module path and to PEFT's, which is what lets an adapter move between
kigi and the Hugging Face ecosystem. What rank and alpha mean is drawn in `llm.lora.layer`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from llm.lora.errors import AdapterFormatError

ROLES = ("q", "k", "v", "o", "gate", "up", "down")
# role -> (our module path inside a block, PEFT's module path inside a Llama decoder layer)
ROLE_PATHS = {
    "q": ("attn.q", "self_attn.q_proj"), "k": ("attn.k", "self_attn.k_proj"),
    "v": ("attn.v", "self_attn.v_proj"), "o": ("attn.o", "self_attn.o_proj"),
    "gate": ("mlp.gate", "mlp.gate_proj"), "up": ("mlp.up", "mlp.up_proj"), "down": ("mlp.down", "mlp.down_proj"),
}
PEFT_ROLE = {peft.rsplit(".", 1)[1]: role for role, (_, peft) in ROLE_PATHS.items()}  # "q_proj" -> "q"
TARGET_GROUPS = {"all": ROLES, "attn": ROLES[:4], "mlp": ROLES[4:]}


@dataclass(frozen=True)
class LoRAConfig:
    rank: int = 8  # r: the update B·A has rank <= r (Hu et al. 2021, arXiv:2106.09685)
    alpha: float = 16.0  # α: the update is scaled by α/r, so α need not be retuned when r changes
    dropout: float = 0.0  # on the adapter's input only
    targets: tuple[str, ...] = ("q", "v")  # the paper's choice: attention's query and value
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
