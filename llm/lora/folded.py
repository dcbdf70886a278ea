"""An adapter folded into quantized weights, kept on disk (issue 21: adapters at full speed).

Unfolded, an int4 model with the grounded reader active decodes at 0.64x its plain speed
(14 small matmuls a layer); folded, at 0.99x (`benchmarks/adapter_speed.py`). But folding
quantizes every wrapped layer again, 2.4 s at int4, which a one-shot answer never repays.
So the folded layers are written the first time, under the model's cache (whose folder is
keyed by the model file's content), and later processes copy them in. The file's name
carries what the stored bytes depend on: the adapter's own tensors, the wrapped layers'
formats (precision, group size, shapes) and torch and the CPU's instruction set (the int4
kernel's packed layout is theirs).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import torch
from torch import Tensor

from llm.lora.layer import LoRALinear

FOLDER = "folded"


def folded_file(name: str, tensors: Mapping[str, Tensor], layers: Sequence[LoRALinear], cache_dir: Path) -> Path:
    """Where the fold of adapter `name` (its `tensors`, wrapping `layers`) is kept."""
    digest = hashlib.sha256(json.dumps({"torch": torch.__version__, "cpu": torch.backends.cpu.get_cpu_capability(),
                                        "adapter": name}).encode())
    for key, tensor in sorted(tensors.items()):
        digest.update(key.encode())
        digest.update(tensor.detach().float().contiguous().numpy().tobytes())
    for module in layers:
        for key, tensor in module.base.state_dict().items():
            digest.update(f"{type(module.base).__name__}.{key}:{tensor.dtype}{tuple(tensor.shape)}".encode())
    return Path(cache_dir) / FOLDER / f"{name}-{digest.hexdigest()[:16]}.pt"


def save_fold(layers: Sequence[LoRALinear], file: Path) -> None:
    """Write the wrapped layers' base weights, the adapter folded in. A failed write (no
    space, another process first) leaves no file: the next process folds again."""
    state = {f"{i}.{key}": tensor.detach().clone()
             for i, module in enumerate(layers) for key, tensor in module.base.state_dict().items()}
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_name(f"{file.name}.{os.getpid()}.partial")
    try:
        torch.save(state, partial)
        os.replace(partial, file)
    except OSError:
        partial.unlink(missing_ok=True)


def load_fold(layers: Sequence[LoRALinear], name: str, file: Path) -> bool:
    """Copy a stored fold of `name` into the wrapped layers, marking them folded; False,
    with nothing changed, when there is none or it does not fit every layer."""
    try:
        stored = torch.load(file, weights_only=True)
    except Exception:  # noqa: BLE001 - missing, truncated or damaged: fold anew
        return False
    states = [module.base.state_dict() for module in layers]
    wanted = {f"{i}.{key}": tensor for i, state in enumerate(states) for key, tensor in state.items()}
    if stored.keys() != wanted.keys() or any(
            stored[key].dtype != tensor.dtype or stored[key].shape != tensor.shape for key, tensor in wanted.items()):
        return False  # checked whole before anything is written: a misfit never leaves half a fold
    with torch.no_grad():
        for key, tensor in wanted.items():
            tensor.copy_(stored[key])  # in place: the fused matmuls read these tensors' storage
    for module in layers:
        if name in module.lora_A:
            module.merged = name
    return True
