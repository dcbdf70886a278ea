"""LoRA adapters: low-rank updates on the linear layers, several at once, one active.

    config.py       LoRAConfig (rank, alpha, dropout, target roles) and its PEFT form
    layer.py        LoRALinear: W + (α/r)·B·A around one linear layer (the maths is drawn there)
    fingerprint.py  the base model's fingerprint, recorded by every adapter
    adapter_set.py  AdapterSet: the adapters of one model; attach, switch, merge, save, load
    io.py           the PEFT layout on disk (adapter_config.json + adapter_model.safetensors)
    errors.py       LoRAError and its kinds

Callers import from here; the modules of the package import one another by full path.
"""

from llm.lora.adapter_set import AdapterInfo, AdapterSet, adapters_of, check_name
from llm.lora.config import ROLE_PATHS, ROLES, TARGET_GROUPS, LoRAConfig, parse_targets, targets_text
from llm.lora.errors import AdapterFormatError, AdapterMismatchError, AdapterNotFoundError, LoRAError
from llm.lora.fingerprint import base_fingerprint
from llm.lora.io import ADAPTER_CONFIG, ADAPTER_WEIGHTS, KIGI_SIDE_FILE, read_adapter_dir, read_adapter_meta
from llm.lora.layer import LoRALinear

__all__ = [
    "ADAPTER_CONFIG", "ADAPTER_WEIGHTS", "KIGI_SIDE_FILE", "ROLES", "ROLE_PATHS", "TARGET_GROUPS",
    "AdapterFormatError", "AdapterInfo", "AdapterMismatchError", "AdapterNotFoundError", "AdapterSet",
    "LoRAConfig", "LoRAError", "LoRALinear",
    "adapters_of", "base_fingerprint", "check_name", "parse_targets", "read_adapter_dir", "read_adapter_meta",
    "targets_text",
]
