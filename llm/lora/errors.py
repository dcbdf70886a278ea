"""The typed errors of LoRA adapters (the CLI turns each into one line)."""

from __future__ import annotations

from llm.errors import LLMError


class LoRAError(LLMError):
    """A LoRA operation that cannot be done (bad name, merge into a quantized layer...)."""


class AdapterNotFoundError(LoRAError):
    """No adapter by that name or at that path."""


class AdapterFormatError(LoRAError):
    """An adapter directory that is damaged or uses PEFT options kigi does not support."""


class AdapterMismatchError(LoRAError):
    """An adapter trained on another base model (fingerprint, layer count or shapes differ)."""
