"""The compiled decode step kept on disk: it decodes the eager step's tokens, a later
process (here: a fresh wrapper) loads it instead of compiling, a stale or damaged copy is
rebuilt and never used, and a compiler that fails leaves one line and eager decoding."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import torch

from llm import compile as compile_module
from llm.compile import compile_decode, step_key
from llm.errors import CompileFallbackWarning
from llm.lora import LoRAConfig, adapters_of
from llm.quant import quantize_model
from llm.sampling import SamplingConfig
from tests.need import missing
from tests.test_generate import decode
from tests.test_speed_paths import PROMPT, make_model

GREEDY = SamplingConfig(max_new_tokens=8)


def needs_compiler() -> None:
    if not any(shutil.which(cc) for cc in ("c++", "g++", "clang++")):
        missing("inductor needs a C++ compiler")


def decode_stored(model, store: Path) -> tuple[list[list[int]], object]:  # noqa: ANN001
    """Greedy tokens with a stored step, once it is ready (the first call starts it)."""
    step = compile_decode(model, store)
    decode(model, PROMPT, SamplingConfig(max_new_tokens=3), compiled=step)  # starts loading or building
    assert step.wait(timeout=600)
    model.clear_cache()
    return decode(model, PROMPT, GREEDY, compiled=step), step


def test_the_key_changes_with_whatever_the_compiled_code_depends_on(monkeypatch):
    model = make_model()
    key = step_key(model)
    assert step_key(make_model(seed=1)) == key  # other weight values: the same code
    assert step_key(quantize_model(make_model(), "int8")) != key
    with_adapter = make_model()
    adapters_of(with_adapter).add("reader", LoRAConfig(rank=4))
    assert step_key(with_adapter) != key
    monkeypatch.setattr(torch, "__version__", "0.0.1")
    assert step_key(model) != key
    monkeypatch.undo()
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "NO_SIMD")
    assert step_key(model) != key


def test_a_stored_step_decodes_as_eager_and_a_later_process_loads_it_without_compiling(tmp_path, monkeypatch):
    needs_compiler()
    eager = decode(make_model(), PROMPT, GREEDY)
    tokens, step = decode_stored(make_model(), tmp_path)
    assert tokens == eager and step.stored is not None
    stored = list(tmp_path.glob("decode-*.bin"))
    assert len(stored) == 1

    def no_compiler(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("a stored step must be loaded, not compiled again")

    monkeypatch.setattr(torch, "compile", no_compiler)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again, loaded = decode_stored(make_model(), tmp_path)
    assert again == eager and loaded.stored is not None
    assert not [w for w in caught if issubclass(w.category, CompileFallbackWarning)]  # no fallback said either


def test_a_damaged_stored_step_is_rebuilt_and_never_used(tmp_path):
    needs_compiler()
    model = make_model()
    path = tmp_path / compile_module.STORED_STEP.format(key=step_key(model))
    path.write_bytes(b"not a compiled function")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tokens, step = decode_stored(model, tmp_path)
    assert tokens == decode(make_model(), PROMPT, GREEDY)
    said = [str(w.message).split(" (")[0] for w in caught if issubclass(w.category, CompileFallbackWarning)]
    assert said == ["the stored compiled decode step was not usable"]
    assert path.read_bytes() != b"not a compiled function" and step.stored is not None


class BrokenCompiler:
    """What torch.compile returns where the compiler cannot work: every use fails."""

    def __init__(self, fn, **kwargs) -> None:  # noqa: ANN001, ANN003
        pass

    def __call__(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN204
        raise RuntimeError("no compiler here")

    aot_compile = __call__


def test_a_failing_compiler_leaves_one_line_and_eager_tokens(tmp_path, monkeypatch):
    monkeypatch.setattr(torch, "compile", BrokenCompiler)
    model = make_model()
    step = compile_decode(model, tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = decode(model, PROMPT, GREEDY, compiled=step)
        step.wait(timeout=60)
        second = decode(model, PROMPT[:5], GREEDY, compiled=step)
    assert first == decode(make_model(), PROMPT, GREEDY)
    assert second == decode(make_model(), PROMPT[:5], GREEDY)
    assert step.eager and not list(tmp_path.glob("decode-*"))
    assert [str(w.message) for w in caught if issubclass(w.category, CompileFallbackWarning)] == [
        "torch.compile failed (RuntimeError: no compiler here); decoding eagerly (slower, same tokens)"]


def test_a_model_state_the_stored_step_was_not_compiled_for_is_decoded_by_other_code(tmp_path):
    """Guards stay on: with an adapter switched on after the step was stored for it off,
    the tokens are the adapter's, never the stored step's."""
    needs_compiler()
    model = make_model()
    adapters_of(model).add("reader", LoRAConfig(rank=4), seed=0)
    with torch.no_grad():
        for param in adapters_of(model).parameters("reader"):
            param.normal_(0, 0.5)
    _, step = decode_stored(model, tmp_path)
    reference = make_model()
    adapters_of(reference).add("reader", LoRAConfig(rank=4), seed=0)
    with torch.no_grad():
        for mine, theirs in zip(adapters_of(model).parameters("reader"), adapters_of(reference).parameters("reader"),
                                strict=True):
            theirs.copy_(mine)
    adapters_of(model).activate("reader")
    adapters_of(reference).activate("reader")
    model.clear_cache()
    assert decode(model, PROMPT, GREEDY, compiled=step) == decode(reference, PROMPT, GREEDY)
