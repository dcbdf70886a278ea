"""Which model to run and how to get it ready: pull on first use, verify, load, cache."""

from __future__ import annotations

from pathlib import Path

from agent.home import KigiHome
from llm.engine import Engine, Precision
from llm.registry import DEFAULT_MODEL, KNOWN_MODELS, ModelRegistry, Progress
from llm.weights import is_checkpoint, read_config


def model_registry(home: KigiHome) -> ModelRegistry:
    return ModelRegistry(home.models)


def ensure_model(home: KigiHome, name: str, progress: Progress | None = None) -> Path:
    """The verified path of `name`, pulling a known model the first time it is used."""
    registry = model_registry(home)
    if registry.get(name) is None and name in KNOWN_MODELS:
        registry.pull(name, progress)
    return registry.verified_file(name, progress)


def load_engine(home: KigiHome, name: str = DEFAULT_MODEL, precision: Precision = "fp32",
                progress: Progress | None = None, *, compile: bool | None = False) -> Engine:
    """Load a model; a GGUF is dequantized once and the result kept under models/.cache.
    `compile` opts into the compiled decode step (`llm.compile.compile_decode`); None uses
    the steps stored by earlier runs, compiling none (`kigi ask` and `chat` by default)."""
    path = ensure_model(home, name, progress)
    return Engine.load(path, precision=precision, cache_dir=cache_dir_of(home, name), name=name, compile=compile)


def cache_dir_of(home: KigiHome, name: str) -> Path | None:
    """Where a model's converted and quantized weights are kept, keyed by its content."""
    registry = model_registry(home)
    return registry.cache_dir(registry.resolve(name))


def context_window(home: KigiHome, name: str, progress: Progress | None = None) -> int:
    """The model's context window, read from a header (the cached checkpoint's when there is
    one), so inputs can be sized before the weights are loaded."""
    path = ensure_model(home, name, progress)
    cache_dir = cache_dir_of(home, name)
    return read_config(cache_dir if cache_dir and is_checkpoint(cache_dir) else path).max_seq_len
