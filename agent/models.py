"""Which model to run and how to get it ready: pull on first use, verify, load, cache."""

from __future__ import annotations

from pathlib import Path

from agent.home import KigiHome
from llm.engine import Engine, Precision
from llm.registry import DEFAULT_MODEL, KNOWN_MODELS, ModelRegistry, Progress


def model_registry(home: KigiHome) -> ModelRegistry:
    return ModelRegistry(home.models)


def ensure_model(home: KigiHome, name: str, progress: Progress | None = None) -> Path:
    """The verified path of `name`, pulling a known model the first time it is used."""
    registry = model_registry(home)
    if registry.get(name) is None and name in KNOWN_MODELS:
        registry.pull(name, progress)
    return registry.verified_file(name, progress)


def load_engine(home: KigiHome, name: str = DEFAULT_MODEL, precision: Precision = "fp32",
                progress: Progress | None = None, *, compile: bool = False) -> Engine:
    """Load a model; a GGUF is dequantized once and the result kept under models/.cache.
    `compile` opts into the compiled decode step (`Transformer.compile_decode`)."""
    path = ensure_model(home, name, progress)
    entry = model_registry(home).resolve(name)
    cache_dir = home.models / ".cache" / entry.sha256[:24] if entry.sha256 else None
    return Engine.load(path, precision=precision, cache_dir=cache_dir, name=name, compile=compile)
