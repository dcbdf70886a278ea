"""Adapters on disk, in the PEFT layout so they move between kigi and Hugging Face:

    adapter_config.json        PEFT's LoraConfig
    adapter_model.safetensors  base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight ...
    kigi_adapter.json          kigi's side file: the base model's fingerprint, the config, a training card

This module reads and writes those files and checks the tensors against the model's
shapes; attaching them to a model is `AdapterSet`'s job.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from torch import Tensor

from llm.lora.config import PEFT_ROLE, ROLE_PATHS, LoRAConfig
from llm.lora.errors import AdapterFormatError, AdapterMismatchError, AdapterNotFoundError

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
KIGI_SIDE_FILE = "kigi_adapter.json"
SIDE_KEYS = ("format", "version", "name", "base", "lora")  # the side file's own fields; the rest is metadata
PEFT_KEY = re.compile(r"base_model\.model\.model\.layers\.(\d+)\.(?:self_attn|mlp)\.(\w+)\.lora_([AB])\.weight")

# (layer, role) -> (in_features, out_features) of the model's projection there
Features = Callable[[int, str], tuple[int, int]]


def peft_key(layer: int, role: str, part: str) -> str:
    """PEFT's name of tensor `part` ("A" or "B") of the adapter on `role` in block `layer`."""
    return f"base_model.model.model.layers.{layer}.{ROLE_PATHS[role][1]}.lora_{part}.weight"


def write_adapter_dir(directory: Path, name: str, config: LoRAConfig, tensors: Mapping[str, Tensor], *,
                      base: Mapping[str, Any], layers: Sequence[int] | None,
                      metadata: Mapping[str, Any]) -> Path:
    """Write PEFT's two files and kigi's side file (`base`: name, fingerprint, n_layer)."""
    from safetensors.torch import save_file

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().float().cpu().contiguous() for k, v in tensors.items()}, directory / ADAPTER_WEIGHTS,
              metadata={"format": "pt"})
    (directory / ADAPTER_CONFIG).write_text(json.dumps(config.to_peft(base.get("name"), layers), indent=2),
                                            encoding="utf-8")
    side = {"format": "kigi-lora", "version": 1, "name": name, "base": dict(base), "lora": config.to_dict(),
            **dict(metadata)}
    (directory / KIGI_SIDE_FILE).write_text(json.dumps(side, indent=2), encoding="utf-8")
    return directory


def side_metadata(side: Mapping[str, Any]) -> dict[str, Any]:
    """What a side file carries beyond its own fields (a training card...)."""
    return {k: v for k, v in side.items() if k not in SIDE_KEYS}


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


def adapter_pairs(name: str, config: LoRAConfig, tensors: Mapping[str, Tensor], directory: Path, n_layer: int,
                  features: Features) -> list[tuple[int, str, tuple[Tensor, Tensor]]]:
    """The (layer, role, (A, B)) of PEFT-keyed `tensors`, every one checked against the
    config and the model (`n_layer` blocks, `features` of each projection)."""
    pairs: dict[tuple[int, str], dict[str, tuple[str, Tensor]]] = {}  # (layer, role) -> A|B -> (key, tensor)
    for key, tensor in tensors.items():
        match = PEFT_KEY.fullmatch(key)
        if not match or match.group(2) not in PEFT_ROLE:
            raise AdapterFormatError(f"{directory / ADAPTER_WEIGHTS}: unexpected tensor {key!r}")
        layer, role = int(match.group(1)), PEFT_ROLE[match.group(2)]
        if role not in config.targets:
            raise AdapterFormatError(f"{directory}: tensor {key!r} targets {role!r}, which "
                                     f"{ADAPTER_CONFIG} does not list")
        if layer >= n_layer:
            raise AdapterMismatchError(f"adapter {name!r} has tensor {key!r} for layer {layer}, but the model "
                                       f"has {n_layer} layers (trained on another base?)")
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
        in_features, out_features = features(layer, role)
        # A is (rank, in), B is (out, rank); checked here, before anything is attached, because
        # a bare PEFT adapter has no fingerprint and a wrong shape would only fail inside torch.
        expected = {"A": (config.rank, in_features), "B": (out_features, config.rank)}
        for part, model_axis in (("A", 1), ("B", 0)):
            key, found = ab[part][0], tuple(ab[part][1].shape)
            if found == expected[part]:
                continue
            if len(found) == 2 and found[model_axis] != expected[part][model_axis]:
                raise AdapterMismatchError(
                    f"adapter {name!r}: tensor {key!r} has shape {found}, expected {expected[part]} (the "
                    f"model's {ROLE_PATHS[role][1]} maps {in_features} to {out_features} features; "
                    "trained on another base?)")
            raise AdapterFormatError(f"adapter {name!r}: tensor {key!r} has shape {found}, expected "
                                     f"{expected[part]} (r={config.rank} in {ADAPTER_CONFIG})")
        out.append((layer, role, (ab["A"][1], ab["B"][1])))
    return out
