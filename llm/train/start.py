"""Where a training run's adapter starts: fresh (B = 0, the model unchanged), or a copy of a
saved adapter, continued on new data without paying again for what it already learned (a
reward model started from the reader already reads the sources it must judge answers by)."""

from __future__ import annotations

from pathlib import Path

from torch import nn

from llm.lora import LoRAConfig, adapters_of
from llm.train.data import file_sha256


def attach_adapter(model: nn.Module, adapter: str, lora: LoRAConfig, seed: int, base_name: str | None,
                   init: Path | None = None) -> tuple[LoRAConfig, dict[str, str] | None]:
    """Attach the adapter to train; with `init`, the saved adapter's rank and targets win.
    Returns the configuration in effect and where it started (None: fresh)."""
    adapters = adapters_of(model)
    if init is None:
        adapters.add(adapter, lora, seed=seed, base_name=base_name)
        return lora, None
    return adapters.load(init, adapter).config, adapter_provenance(init)


def adapter_provenance(adapter_dir: Path) -> dict[str, str]:
    """Name and weights hash of the adapter a run started from, never its path on this machine."""
    weights = next(Path(adapter_dir).glob("*.safetensors"), None)
    return {"name": Path(adapter_dir).resolve().name, "sha256": file_sha256(weights) if weights else ""}
