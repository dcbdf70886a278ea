"""The base model's fingerprint, which an adapter records so that it refuses another base."""

from __future__ import annotations

import hashlib
import json

import torch
from torch import nn


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

