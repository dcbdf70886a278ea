"""The compiled decode step kept on disk: it decodes the eager step's tokens, a later
process (here: a fresh wrapper) loads it instead of compiling, a stale or damaged copy is
rebuilt and never used, and a compiler that fails leaves one line and eager decoding."""

from __future__ import annotations

import shutil
import warnings
import zipfile
from pathlib import Path

import pytest
import torch

from llm import compile as compile_module
from llm import packaged_step, threads
from llm.compile import compile_decode, step_key
from llm.errors import CompileFallbackWarning
from llm.fuse import unregistered_layers
from llm.generate import generate_ids
from llm.lora import LoRAConfig, adapters_of
from llm.quant import Int4Linear
from llm.quant_model import quantize_model
from llm.sampling import SamplingConfig
from llm.threads import torch_threads
from tests.need import missing
from tests.test_generate import decode
from tests.test_speed_paths import PROMPT, make_model

GREEDY = SamplingConfig(max_new_tokens=8)


@pytest.fixture(autouse=True)
def torch_thread_setting(monkeypatch):
    """Generation fits its threads to the cores idle now, and a stored step is kept per
    thread count: these tests decode with torch's setting, whatever else runs."""
    monkeypatch.setattr(threads, "idle_cores", lambda: None)


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
    assert step_key(make_model()) == key
    assert step_key(make_model(seed=1)) == key  # other weights, the same code: a stored step is handed them
    assert step_key(quantize_model(make_model(), "int8")) != key
    with_adapter = make_model()
    adapters_of(with_adapter).add("reader", LoRAConfig(rank=4))
    assert step_key(with_adapter) != key
    off = step_key(with_adapter)
    adapters_of(with_adapter).activate("reader")
    assert step_key(with_adapter) != off  # the code with the reader on is other code
    with torch_threads(torch.get_num_threads() + 1):
        assert step_key(model) != key  # dynamo guards on the thread count
    monkeypatch.setattr(compile_module, "code_fingerprint", lambda: "older code")
    assert step_key(model) != key  # a step traced from other source is other code
    monkeypatch.undo()
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
    stored = list(tmp_path.glob("decode-*.pt2"))
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
    monkeypatch.setattr(torch._inductor, "aoti_compile_and_package", BrokenCompiler(None))  # the stored step's
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
    step.wait(timeout=600)  # the reader's own step, prepared meanwhile, is not left building


def test_switching_an_adapter_on_never_compiles_on_the_decoding_thread(tmp_path, monkeypatch):
    """A chat switches the reader on for a grounded answer: that state's step is prepared
    in the background (eager meanwhile) and stored beside the first; switching back
    prepares nothing again. torch.compile in this process would stall the answer ~40 s."""
    needs_compiler()
    model, reference = with_reader(make_model()), with_reader(make_model())
    _, step = decode_stored(model, tmp_path)
    plain = step.stored

    def no_jit(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the decoding thread must not compile")

    monkeypatch.setattr(step, "_in_process", no_jit)
    for m in (model, reference):
        adapters_of(m).activate("reader")
        m.clear_cache()
    assert decode(model, PROMPT, GREEDY, compiled=step) == decode(reference, PROMPT, GREEDY)  # eager meanwhile
    assert step.wait(timeout=600) and step.stored is not plain
    on = step.stored
    assert len(list(tmp_path.glob("decode-*.pt2"))) == 2
    model.clear_cache()
    assert decode(model, PROMPT, GREEDY, compiled=step) == decode(reference, PROMPT, GREEDY)  # compiled, reader on
    for m in (model, reference):
        adapters_of(m).activate(None)
        m.clear_cache()
    assert decode(model, PROMPT, GREEDY, compiled=step) == decode(reference, PROMPT, GREEDY)
    assert step.stored in (plain, on) and len(list(tmp_path.glob("decode-*.pt2"))) == 2  # none prepared again


def test_a_step_prepared_before_any_call_serves_the_first_answer(tmp_path, monkeypatch):
    """`prepare()` (a chat calls it while its user types) readies the step from a cache of
    its own: the first answer's calls are the stored step's, with the eager step's tokens."""
    needs_compiler()
    model = make_model()
    step = compile_decode(model, tmp_path)
    step.prepare()
    assert model.kv_cache is None and step.wait(timeout=600)  # the model's own cache untouched
    assert len(list(tmp_path.glob("decode-*.pt2"))) == 1
    monkeypatch.setattr(step, "fn", None)  # the eager step is never called now
    assert decode(model, PROMPT, GREEDY, compiled=step) == decode(make_model(), PROMPT, GREEDY)


def test_a_step_owed_under_fitted_threads_is_built_for_them(tmp_path, monkeypatch):
    """A decode pass on one idle core owes a step for one thread; built later, at torch's
    own setting, it must still be built for one thread, or it would never pass its guard
    (and be built again by every run)."""
    needs_compiler()
    monkeypatch.setattr(threads, "idle_cores", lambda: 1)
    model = make_model()
    step = compile_decode(model, tmp_path)
    with torch_threads(2):  # torch's setting: two threads, whatever the suite set
        decode(model, PROMPT, SamplingConfig(max_new_tokens=3), compiled=step)  # owes the one-thread step
        assert step.wait(timeout=600)
        model.clear_cache()
        monkeypatch.setattr(step, "fn", None)  # the stored step serves every call now
        assert decode(model, PROMPT, GREEDY, compiled=step) == decode(make_model(), PROMPT, GREEDY)


def test_a_state_whose_adapter_was_detached_is_not_built(tmp_path):
    model = make_model()
    adapters_of(model).add("reader", LoRAConfig(rank=4), seed=0)
    adapters_of(model).activate("reader")
    step = compile_decode(model, tmp_path)
    decode(model, PROMPT, SamplingConfig(max_new_tokens=3), compiled=step)  # owes the reader's step
    assert step.pending
    adapters_of(model).remove("reader")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert not step.wait(timeout=60)
    assert not step.pending and not caught and not list(tmp_path.glob("decode-*"))


def test_a_state_left_since_by_attaching_an_adapter_is_not_built(tmp_path):
    """A state owed with no adapter, then an adapter attached before the build: the model is
    in another state now (a shadow shares its modules), so nothing is built under the owed
    key (it would hold other code)."""
    model = make_model()
    step = compile_decode(model, tmp_path)
    decode(model, PROMPT, SamplingConfig(max_new_tokens=3), compiled=step)  # owes the plain step
    assert step.pending
    adapters_of(model).add("reader", LoRAConfig(rank=4), seed=0)
    assert not step.wait(timeout=60)
    assert not step.pending and not list(tmp_path.glob("decode-*"))


def test_an_adapter_attached_again_is_what_a_loaded_step_computes_with(tmp_path):
    """A loaded step is handed the adapter's tensors by name: removed and attached again
    (other tensors, the same name and shapes: the same key), it must be handed the new ones,
    not keep computing with the old."""
    needs_compiler()
    model = make_model()
    base = decode(model, PROMPT, GREEDY)
    adapters_of(model).add("reader", LoRAConfig(rank=4), seed=0)
    with torch.no_grad():
        for param in adapters_of(model).parameters("reader"):
            param.normal_(0, 0.5, generator=torch.Generator().manual_seed(param.numel()))
    adapters_of(model).activate("reader")
    tokens, step = decode_stored(model, tmp_path)
    assert tokens != base  # the first reader changes the answer
    adapters_of(model).remove("reader")
    adapters_of(model).add("reader", LoRAConfig(rank=4), seed=0)  # B starts at zero: no update
    adapters_of(model).activate("reader")
    model.clear_cache()
    assert decode(model, PROMPT, GREEDY, compiled=step) == base
    new_b = next(p for p in adapters_of(model).parameters("reader") if not p.any())
    assert any(t is new_b for t in step.stored._constants.values())  # handed the new tensors


def test_a_stored_step_serves_a_cache_grown_past_the_one_it_was_built_over(tmp_path, monkeypatch):
    """A chat's cache grows (512, 1,024, ... positions): a step built over 512 serves 1,024."""
    needs_compiler()
    _, step = decode_stored(make_model(), tmp_path)
    assert step.model.kv_cache.length == 512
    monkeypatch.setattr(step, "fn", None)  # the stored step serves every call
    step.model.clear_cache()
    long_prompt = (PROMPT * 60)[:600]
    assert decode(step.model, long_prompt, GREEDY, compiled=step) == decode(make_model(), long_prompt, GREEDY)
    assert step.model.kv_cache.length == 1024


class CountedGuards:
    """A stored step whose guard checks are counted."""

    def __init__(self, stored) -> None:  # noqa: ANN001
        self.stored, self.checks = stored, 0

    def guard_check(self, *args) -> bool:  # noqa: ANN002
        self.checks += 1
        return self.stored.guard_check(*args)

    def __call__(self, *args):  # noqa: ANN002, ANN204
        return self.stored(*args)


def with_reader(model):  # noqa: ANN001, ANN201
    adapters_of(model).add("reader", LoRAConfig(rank=4), seed=0)
    with torch.no_grad():
        for param in adapters_of(model).parameters("reader"):
            param.copy_(torch.linspace(-0.5, 0.5, param.numel()).reshape(param.shape))
    return model


def switched_mid_answer(model, compiled=None) -> list[list[int | None]]:  # noqa: ANN001
    """A greedy answer whose first three tokens come with the reader off and the rest with it on."""
    model.clear_cache()
    steps = generate_ids(model, PROMPT, SamplingConfig(max_new_tokens=10), compiled=compiled)
    first = [next(steps) for _ in range(3)]
    adapters_of(model).activate("reader")
    try:
        return first + list(steps)
    finally:
        adapters_of(model).activate(None)


def test_a_decode_loop_checks_the_guards_once_and_again_when_the_state_moves(tmp_path):
    """Dynamo's guards cost ~1.5 ms a token on the default model: a loop checks them at its
    first compiled step only, and a change the stored step was not built for (an adapter
    switched on mid-answer) is checked again, and decoded by other code."""
    needs_compiler()
    model = with_reader(make_model())
    _, step = decode_stored(model, tmp_path)
    counted = step.stored = CountedGuards(step.stored)
    model.clear_cache()
    assert decode(model, PROMPT, GREEDY, compiled=step) == decode(with_reader(make_model()), PROMPT, GREEDY)
    assert counted.checks == 1  # GREEDY's 7 compiled steps, one check
    assert switched_mid_answer(model, step) == switched_mid_answer(with_reader(make_model()))
    assert counted.checks >= 3  # the new loop's first step, and the step after the switch
    step.wait(timeout=600)


def test_without_asking_to_compile_a_stored_step_is_used_and_none_is_built(tmp_path, monkeypatch):
    """`kigi ask` without --compile (`build=False`): with nothing stored it decodes eagerly and
    owes nothing (no build at exit); once a run that asked to compile stored the step, it
    loads and decodes with it."""
    needs_compiler()
    eager = decode(make_model(), PROMPT, GREEDY)
    model = make_model()
    lazy = compile_decode(model, tmp_path, build=False)
    assert decode(model, PROMPT, GREEDY, compiled=lazy) == eager
    assert not lazy.pending and not lazy.wait(timeout=60) and not list(tmp_path.glob("decode-*"))
    decode_stored(make_model(), tmp_path)  # a run that asked to compile stores the step
    model = make_model()
    lazy = compile_decode(model, tmp_path, build=False)
    decode(model, PROMPT, SamplingConfig(max_new_tokens=3), compiled=lazy)  # starts loading it
    assert lazy.wait(timeout=600) and lazy.stored is not None
    model.clear_cache()
    monkeypatch.setattr(lazy, "fn", None)  # the stored step serves every call now
    assert decode(model, PROMPT, GREEDY, compiled=lazy) == eager


def test_a_new_step_leaves_the_newest_few_and_no_older_format(tmp_path):
    """Every state met adds a package: the store keeps the newest `KEPT_STEPS`, and the
    files of the `torch.compile` format go."""
    needs_compiler()
    import os

    for n in range(compile_module.KEPT_STEPS + 1):
        old = tmp_path / compile_module.STORED_STEP.format(key=f"old{n}")
        old.write_bytes(b"an older state's package")
        os.utime(old, (1_000_000 + n, 1_000_000 + n))  # old0 the oldest
    (tmp_path / "decode-0123456789abcdef.bin").write_bytes(b"the older format")
    decode_stored(make_model(), tmp_path)
    kept = {p.name for p in tmp_path.glob("decode-*")}
    built = {name for name in kept if not name.startswith("decode-old")}
    newest = {compile_module.STORED_STEP.format(key=f"old{n}") for n in range(2, compile_module.KEPT_STEPS + 1)}
    assert len(built) == 1 and kept - built == newest  # the new one and the newest before it


def test_the_store_keeps_its_newest_steps_within_a_byte_budget(tmp_path):
    """Packages that hold their weights (~120 MB) would fill the disk long before the count
    limit: the newest are kept while they fit the budget, the newest one whatever its size."""
    import os

    sizes = {"a": 300, "b": 500, "c": 100, "d": 50}  # oldest first
    for n, (key, size) in enumerate(sizes.items()):
        path = tmp_path / compile_module.STORED_STEP.format(key=key)
        path.write_bytes(b"x" * size)
        os.utime(path, (1_000_000 + n, 1_000_000 + n))
    compile_module._prune(tmp_path, keep=3, budget=600)
    assert {p.name for p in tmp_path.glob("decode-*")} == {"decode-d.pt2", "decode-c.pt2"}  # with b: 650 bytes
    compile_module._prune(tmp_path, keep=3, budget=10)
    assert {p.name for p in tmp_path.glob("decode-*")} == {"decode-d.pt2"}  # the newest stays, however big


def fused_int4_model():  # noqa: ANN201
    """A quantized model whose q/k/v and gate/up are fused (held outside its registered
    modules) and whose int4 matmuls use the CPU kernel (the library's unnamed group sizes)."""
    model = make_model(d_model=64, n_kv_head=4)  # q, k and v 64 wide: the packed rows join
    quantize_model(model, "int4")
    model.fuse_projections()
    if not any(isinstance(m, Int4Linear) and m.use_kernel for m in model.modules()):
        missing("torch's int4 CPU kernel is not available here")
    return model


def metadata_of(store: Path) -> dict[str, str]:
    (path,) = store.glob("decode-*.pt2")
    return torch._C._aoti.AOTIModelPackageLoader(str(path), "model", False, 1, -1).get_metadata()


def test_a_stored_step_holds_no_weights_and_is_handed_the_models_own(tmp_path, monkeypatch):
    """The package is the step's code alone: a later process hands it the model's tensors by
    name, the fused layers' and the int4 group sizes included, and it decodes eager's
    tokens; changing a weight in place changes what the loaded step computes."""
    needs_compiler()
    model = fused_int4_model()
    assert unregistered_layers(model), "the fused layers are what a name must find"
    eager = decode(model, PROMPT, GREEDY)
    model.clear_cache()
    tokens, step = decode_stored(model, tmp_path)
    assert tokens == eager and packaged_step.GROUP_SIZE_KEY in metadata_of(tmp_path)
    (path,) = tmp_path.glob("decode-*.pt2")
    weight_bytes = sum(t.numel() * t.element_size() for t in [*model.parameters(), *model.buffers()])
    with zipfile.ZipFile(path) as archive:
        library = sum(info.file_size for info in archive.infolist() if info.filename.endswith(".so"))
    assert library > 0  # the library is code: compare a build with the weights inside, below
    monkeypatch.setattr(packaged_step, "int4_group_size", lambda step: 0)  # as if its layers had several
    inside = tmp_path / "inside"
    again, built = decode_stored(fused_int4_model(), inside)
    assert again == eager and packaged_step.GROUP_SIZE_KEY not in metadata_of(inside)
    (inside_path,) = inside.glob("decode-*.pt2")
    with zipfile.ZipFile(inside_path) as archive:
        inside_library = sum(info.file_size for info in archive.infolist() if info.filename.endswith(".so"))
    assert inside_library - library > 0.9 * weight_bytes  # the fallback holds them, the default does not
    monkeypatch.undo()
    loaded = compile_decode(model, tmp_path)
    decode(model, PROMPT, SamplingConfig(max_new_tokens=3), compiled=loaded)
    assert loaded.wait(timeout=600) and loaded.stored is not None
    final_norm = model.final_norm.weight
    assert any(t is final_norm for t in loaded.stored._constants.values())  # handed over, not copied
    with torch.no_grad():
        final_norm.mul_(-1.0)  # in place: the loaded step computes with it
    model.clear_cache()
    flipped = decode(model, PROMPT, GREEDY, compiled=loaded)
    model.clear_cache()
    assert flipped == decode(model, PROMPT, GREEDY) != eager


def test_other_weights_reuse_a_stored_step_unless_it_holds_its_own(tmp_path, monkeypatch):
    """A step built without weights serves a model of the same shapes with other weights (a
    retrained adapter, another fine-tune) without compiling again; one built with its weights
    inside (the fallback) is not used for other weights: it is rebuilt."""
    needs_compiler()
    decode_stored(make_model(), tmp_path / "without")
    compiles = []
    real_compile = torch._inductor.aoti_compile_and_package
    monkeypatch.setattr(torch._inductor, "aoti_compile_and_package",
                        lambda *args, **kwargs: compiles.append(1) or real_compile(*args, **kwargs))
    other = decode(make_model(seed=1), PROMPT, GREEDY)
    tokens, _ = decode_stored(make_model(seed=1), tmp_path / "without")
    assert tokens == other and not compiles
    monkeypatch.setattr(packaged_step, "_agrees", lambda *args: False)  # builds hold their weights
    decode_stored(make_model(), tmp_path / "inside")
    assert packaged_step.WEIGHTS_KEY in metadata_of(tmp_path / "inside")
    compiles.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tokens, _ = decode_stored(make_model(seed=1), tmp_path / "inside")
    assert tokens == other and compiles  # built again, for these weights
    said = [str(w.message) for w in caught if issubclass(w.category, CompileFallbackWarning)]
    assert len(said) == 1 and "not this model's" in said[0]
