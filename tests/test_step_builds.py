"""A run that decoded eagerly for want of a stored step starts its build in the background:
the command it starts recreates the very state it decoded in (the same key), stores the
step a later run then decodes with, and nothing starts while a build runs, after the
compiler failed on that state, with --compile (it builds at exit itself) or when turned off."""

from __future__ import annotations

import pytest
from filelock import FileLock
from typer.testing import CliRunner

from agent.models import load_engine
from cli import app
from llm import threads
from llm.compile import STORED_STEP, step_key
from llm.errors import CompileFallbackWarning
from llm.lora import LoRAConfig, adapters_of
from llm.sampling import SamplingConfig
from tests.test_compile_store import needs_compiler
from tests.tiny import tiny_llama_hf, train_bpe_tokenizer, write_tiny_gguf
from ui import step_builds
from ui.step_builds import BACKGROUND_ENV, BUILD_LOCK, FAILED_MARK, BuiltMeanwhile, build_later

GREEDY = SamplingConfig(max_new_tokens=6)


@pytest.fixture(autouse=True)
def allowed(monkeypatch):
    """The suite turns background builds off (tests/conftest.py); these tests turn them on,
    and fix the thread count a step is kept for, whatever else runs."""
    monkeypatch.setenv(BACKGROUND_ENV, "1")
    monkeypatch.setattr(threads, "idle_cores", lambda: None)


@pytest.fixture()
def tiny_home(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    """A home whose "tiny" is a GGUF file: a file has a cache folder to keep steps in (a
    model directory is loaded as it is, and compiles in the process that asks)."""
    from agent.home import KigiHome
    from agent.models import model_registry

    tokenizer = train_bpe_tokenizer()
    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path, tiny_llama_hf(tokenizer.get_vocab_size()), tokenizer)
    home = KigiHome(tmp_path / "home").ensure()
    model_registry(home).add(path, "tiny")
    monkeypatch.setenv("KIGI_HOME", str(home.root))
    return home


@pytest.fixture()
def spawned(monkeypatch) -> list[list[str]]:
    """The commands `build_later` starts, recorded instead of run."""
    started: list[list[str]] = []
    monkeypatch.setattr(step_builds, "_spawn", lambda command, store: started.append(command))
    return started


def eager_run(home, compile: bool | None = None, adapter: bool = False):  # noqa: ANN001, ANN201
    """An engine as `kigi ask` loads it by default, after one answer decoded (with a fresh
    adapter on, saved to the home's store)."""
    engine = load_engine(home, "tiny", "fp32", compile=compile)
    if adapter:
        adapters = adapters_of(engine.model)
        adapters.add("reader", LoRAConfig(rank=4, alpha=8, targets=("q", "v")), seed=0)
        adapters.save("reader", home.adapters / "reader")
        adapters.activate("reader")
    engine.complete(engine.tokenizer.encode("hello there"), GREEDY)
    return engine


def test_an_eager_run_names_the_state_it_decoded_in_and_starts_its_build(tiny_home, spawned):
    engine = eager_run(tiny_home)
    ((state, key),) = engine.compiled.unbuilt()
    assert state.adapters == () and state.active is None and key == step_key(engine.model)
    assert build_later(engine) == key
    command = spawned[0]
    assert command[3:6] == ["model", "compile", "tiny"] and command[command.index("--key") + 1] == key
    assert command[command.index("--active") + 1] == "off"
    assert command[command.index("--threads") + 1] == str(state.threads)


def test_nothing_starts_while_a_build_runs_after_a_failure_or_when_turned_off(tiny_home, spawned, monkeypatch):
    engine = eager_run(tiny_home)
    store = engine.compiled.store
    with FileLock(str(store / BUILD_LOCK)):  # another build holds the lock
        assert not build_later(engine)
    ((_, key),) = engine.compiled.unbuilt()
    (store / FAILED_MARK.format(key=key)).touch()
    assert not build_later(engine)
    (store / FAILED_MARK.format(key=key)).unlink()
    monkeypatch.setenv(BACKGROUND_ENV, "0")
    assert not build_later(engine)
    monkeypatch.setenv(BACKGROUND_ENV, "1")
    assert build_later(engine) and len(spawned) == 1
    asked = eager_run(tiny_home, compile=True)  # --compile builds at exit, in the run itself
    asked.compiled._owed.clear()  # (what it would build: not this test's business)
    assert not asked.compiled.unbuilt() and not build_later(asked)


def test_the_command_a_run_starts_stores_the_step_a_later_run_decodes_with(tiny_home, spawned, one_thread):
    from agent.adapters import AdapterStore

    needs_compiler()
    first = eager_run(tiny_home, adapter=True)
    eager = first.complete(first.tokenizer.encode("hello there"), GREEDY)[0].text
    ((state, key),) = first.compiled.unbuilt()
    assert state.adapters == ("reader",) and state.active == "reader"
    assert build_later(first)
    result = CliRunner().invoke(app, spawned[0][3:])  # the command, in this process
    assert result.exit_code == 0, result.output
    assert (first.compiled.store / STORED_STEP.format(key=key)).is_file() and not first.compiled.unbuilt()
    later = load_engine(tiny_home, "tiny", "fp32", compile=None)
    AdapterStore.of(tiny_home).load_onto(later, "reader", activate=True)
    later.compiled.prepare()
    assert later.compiled.wait(timeout=600) and later.compiled.stored is not None
    assert later.complete(later.tokenizer.encode("hello there"), GREEDY)[0].text == eager


def test_a_state_that_is_not_the_one_asked_for_is_refused_in_one_line_and_marked(tiny_home):
    store = eager_run(tiny_home).compiled.store
    result = CliRunner().invoke(app, ["model", "compile", "tiny", "--precision", "fp32", "--key", "0" * 16,
                                      "--background"])
    assert result.exit_code == 1 and "not the one asked for" in result.output
    assert (store / FAILED_MARK.format(key="0" * 16)).exists() and not list(store.glob("decode-*.pt2"))


def test_a_stored_step_that_will_not_load_is_built_again_elsewhere(tiny_home, spawned):
    first = eager_run(tiny_home)
    ((_, key),) = first.compiled.unbuilt()
    first.compiled.store.mkdir(parents=True)
    (first.compiled.store / STORED_STEP.format(key=key)).write_bytes(b"not a package")
    with pytest.warns(CompileFallbackWarning, match="not usable"):
        later = eager_run(tiny_home)  # its first answer starts loading the damaged file
        later.compiled.wait(timeout=60)
    later.complete(later.tokenizer.encode("hello there"), GREEDY)
    assert [k for _, k in later.compiled.unbuilt()] == [key] and build_later(later)


def test_a_compile_asked_for_while_another_builds_is_refused_in_one_line(tiny_home):
    store = eager_run(tiny_home).compiled.store
    store.mkdir(parents=True)
    with FileLock(str(store / BUILD_LOCK)):
        result = CliRunner().invoke(app, ["model", "compile", "tiny", "--precision", "fp32"])
        quiet = CliRunner().invoke(app, ["model", "compile", "tiny", "--precision", "fp32", "--background"])
    assert result.exit_code == 1 and "another `kigi model compile` is running" in result.output
    assert quiet.exit_code == 0 and "another build is running" in quiet.output
    assert not list(store.glob("decode-*"))


def test_a_chat_loads_the_step_built_meanwhile_and_decodes_the_same_tokens(tiny_home, spawned, one_thread):
    needs_compiler()
    engine = eager_run(tiny_home)
    eager = engine.complete(engine.tokenizer.encode("hello there"), GREEDY)[0].text
    meanwhile = BuiltMeanwhile(engine)
    meanwhile()  # after the first answer: the build starts elsewhere
    assert len(spawned) == 1 and meanwhile.key == step_key(engine.model)
    meanwhile()  # not stored yet: nothing to load, nothing started twice
    assert len(spawned) == 1 and not meanwhile.done and engine.compiled.stored is None
    result = CliRunner().invoke(app, spawned[0][3:])  # the build, run to its end in this process
    assert result.exit_code == 0, result.output
    meanwhile()  # found stored: it loads while the user types
    assert meanwhile.done and engine.compiled.wait(timeout=600) and engine.compiled.stored is not None
    assert engine.complete(engine.tokenizer.encode("hello there"), GREEDY)[0].text == eager


def test_a_chat_whose_build_failed_stops_looking_for_it(tiny_home, spawned):
    engine = eager_run(tiny_home)
    meanwhile = BuiltMeanwhile(engine)
    meanwhile()
    (engine.compiled.store / FAILED_MARK.format(key=meanwhile.key)).touch()
    meanwhile()
    assert meanwhile.done and engine.compiled.stored is None and len(spawned) == 1


def test_a_compile_without_threads_stores_the_steps_of_a_quiet_and_a_busy_machine(tiny_home):
    """A run fitted to the idle cores takes one thread fewer while another task runs: both
    counts are built, so neither decodes eagerly for want of its own step."""
    import torch

    needs_compiler()
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        result = CliRunner().invoke(app, ["model", "compile", "tiny", "--precision", "fp32"])
    finally:
        torch.set_num_threads(before)
    assert result.exit_code == 0, result.output
    assert "2 threads) stored" in result.output and "1 threads) stored" in result.output
    store = eager_run(tiny_home).compiled.store
    assert len(list(store.glob(STORED_STEP.format(key="*")))) == 2
    assert step_builds.thread_counts(3) == [3]  # asked for: that one only
