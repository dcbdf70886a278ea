"""kigi's own one-row int4 kernel (llm/kernels/int4_rows.cpp): it computes what torch's int4
kernel computes, the layers and the stored step use it only where it is built and wanted,
a stale relaid scale never survives a fold, and a failed build leaves torch's kernel."""

from __future__ import annotations

import os

import pytest
import torch

from llm import row_kernel
from llm.compile import compile_decode, step_key
from llm.errors import CompileFallbackWarning
from llm.fuse import fuse_linears
from llm.quant import Int4Linear
from llm.quant_model import quantize_model
from llm.row_layout import block_layout
from tests.test_compile_store import GREEDY, decode_stored, needs_compiler
from tests.test_generate import decode
from tests.test_speed_paths import PROMPT, make_model


@pytest.fixture(scope="module")
def built(tmp_path_factory):  # noqa: ANN001, ANN201
    """The library, built once for these tests and loaded into the process."""
    if not row_kernel.vector_units():
        pytest.skip("the row kernel runs on CPUs with AVX2 or AVX-512 only")  # the CPU, not a missing need
    needs_compiler()
    store = tmp_path_factory.mktemp("rows")
    try:
        path = row_kernel.build(store)
    except row_kernel.RowKernelError as exc:  # a toolchain without these intrinsics: kigi uses torch's kernel
        pytest.skip(str(exc))
    row_kernel.load(path)
    assert row_kernel.loaded()
    return store


def torchs(layer: Int4Linear, x: torch.Tensor) -> torch.Tensor:
    return torch.ops.aten._weight_int4pack_mm_for_cpu(x, layer.packed, layer.group_size,
                                                      layer.scales_and_zeros.contiguous())


@pytest.mark.parametrize(("n", "k", "group"), [(64, 64, 32), (192, 576, 32), (128, 1536, 64), (320, 256, 128)])
def test_the_kernel_computes_what_torchs_int4_kernel_computes(built, n: int, k: int, group: int) -> None:
    torch.manual_seed(n + k)
    layer = Int4Linear.from_weight(torch.randn(n, k) * 0.05, group_size=group)
    x = torch.randn(1, k).to(torch.bfloat16)
    want = torchs(layer, x)
    got = torch.ops.kigi.int4_rows(x, layer.packed, layer.group_size, block_layout(layer.scales_and_zeros))
    assert got.shape == want.shape == (1, n) and got.dtype == torch.bfloat16
    # the same sums in another order, each rounded to bf16 at the end: a few ulps at most
    torch.testing.assert_close(got.float(), want.float(), rtol=2e-2, atol=2e-2 * want.float().abs().max().item())
    exact = x.float() @ layer.dequantize().float().T
    assert (got.float() - exact).abs().max() <= (want.float() - exact).abs().max() * 1.5 + 1e-3


def test_a_nan_in_the_input_comes_out_as_torchs_kernel_gives_it(built) -> None:
    torch.manual_seed(3)
    layer = Int4Linear.from_weight(torch.randn(128, 64) * 0.05)
    x = torch.randn(1, 64).to(torch.bfloat16)
    x[0, 5] = float("nan")
    got = torch.ops.kigi.int4_rows(x, layer.packed, layer.group_size, block_layout(layer.scales_and_zeros))
    assert torch.equal(torch.isnan(got), torch.isnan(torchs(layer, x))) and torch.isnan(got).all()


def test_a_layer_sends_only_its_one_row_inputs_to_the_kernel(built) -> None:
    torch.manual_seed(0)
    layer = Int4Linear.from_weight(torch.randn(128, 64) * 0.05)
    one, rows = torch.randn(1, 1, 64), torch.randn(5, 64)
    before_one, before_rows = layer(one), layer(rows)
    assert layer.rows_fit() and layer.block_scales is None
    layer.use_rows()
    assert layer.block_scales is not None and "block_scales" not in layer.state_dict()  # derived, never saved
    torch.testing.assert_close(layer(one), before_one, rtol=2e-2, atol=2e-2)
    assert torch.equal(layer(rows), before_rows)  # several rows: torch's kernel, as before


def test_folding_into_a_fused_part_relays_the_fused_layers_scales(built) -> None:
    """A fold requantizes a part in place (its scales are views of the fused layer's): the
    fused layer's relaid copy must follow, or the kernel would compute with the old weights."""
    torch.manual_seed(1)
    parts = [Int4Linear.from_weight(torch.randn(64, 64) * 0.05) for _ in range(3)]
    fused = fuse_linears(parts)
    assert fused is not None
    fused.use_rows()
    parts[1].requantize_(torch.randn(64, 64) * 0.05)
    x = torch.randn(1, 64).to(torch.bfloat16)
    torch.testing.assert_close(fused(x).float(), torchs(fused, x).float(), rtol=2e-2, atol=2e-2)


def test_a_model_uses_the_kernel_where_the_library_is_built_and_its_step_calls_it(built, tmp_path) -> None:
    model = make_model(d_model=64, n_kv_head=4)
    quantize_model(model, "int4")
    model.fuse_projections()
    eager = decode(model, PROMPT, GREEDY)
    assert not row_kernel.attach(model, None) and model.row_kernel == ""  # nowhere to keep a library
    key_before = step_key(model)
    assert row_kernel.attach(model, built) and model.row_kernel == row_kernel.library_key()
    layers = row_kernel.served_layers(model)
    assert layers and all(layer.block_scales is not None for layer in layers)
    assert step_key(model) != key_before  # the step calls the kernel: another step
    model.clear_cache()
    assert decode(model, PROMPT, GREEDY) == eager
    tokens, step = decode_stored(model, built)
    assert tokens == eager and step.stored is not None
    assert row_kernel.inductor_configs(model)


def test_a_library_not_built_yet_names_the_same_step_as_a_loaded_one(built, tmp_path, monkeypatch) -> None:
    """A process whose store has no library yet decodes with torch's kernel, but its step's
    key is the kernel's: the build it starts elsewhere makes the library, then that step."""
    monkeypatch.setattr(row_kernel, "loaded", lambda: False)
    model = make_model(d_model=64, n_kv_head=4)
    quantize_model(model, "int4")
    model.fuse_projections()
    assert not row_kernel.attach(model, tmp_path)  # nothing built there
    assert model.row_kernel and all(layer.block_scales is None for layer in row_kernel.served_layers(model))
    pending = step_key(model)
    monkeypatch.undo()
    assert row_kernel.attach(model, built)
    assert step_key(model) == pending


def test_switched_off_or_failed_once_torchs_kernel_serves(built, tmp_path, monkeypatch) -> None:
    model = make_model(d_model=64, n_kv_head=4)
    quantize_model(model, "int4")
    monkeypatch.setenv(row_kernel.SWITCH_ENV, "0")
    assert not row_kernel.attach(model, built) and model.row_kernel == ""
    monkeypatch.delenv(row_kernel.SWITCH_ENV)
    monkeypatch.setenv("CXX", "false")  # a compiler that fails
    monkeypatch.setattr(row_kernel, "loaded", lambda: False)
    with pytest.warns(CompileFallbackWarning, match="building the int4 row kernel failed.*torch's int4 kernel serves"):
        assert not row_kernel.attach(model, tmp_path, build_missing=True)
    assert (tmp_path / row_kernel.FAILED.format(key=row_kernel.library_key())).exists()
    assert not row_kernel.wanted(tmp_path) and not row_kernel.attach(model, tmp_path, build_missing=True)
    assert model.row_kernel == "" and not list(tmp_path.glob("*.so"))
    compiled = compile_decode(model, tmp_path)  # the compiled step goes on without it
    assert compiled.store == tmp_path and model.row_kernel == ""


def test_the_kernel_agrees_with_torchs_here_and_one_that_disagrees_is_refused(built, tmp_path, monkeypatch) -> None:
    assert row_kernel.agrees()
    model = make_model(d_model=64, n_kv_head=4)
    quantize_model(model, "int4")
    (tmp_path / row_kernel.library(built).name).write_bytes(b"")  # a library there: the loaded one serves
    monkeypatch.setattr(row_kernel, "agrees", lambda: False)
    with pytest.warns(CompileFallbackWarning, match="disagrees with torch's.*torch's int4 kernel serves"):
        assert not row_kernel.attach(model, tmp_path)
    assert model.row_kernel == "" and not row_kernel.wanted(tmp_path)
    assert all(layer.block_scales is None for layer in row_kernel.served_layers(model))
    assert row_kernel.describe(tmp_path).startswith("torch's (kigi's failed here")


def test_a_build_keeps_the_newest_library_of_another_source_and_removes_older_ones(tmp_path) -> None:
    for age, key in enumerate(["a" * 16, "b" * 16, "c" * 16]):  # a is the newest
        old = tmp_path / row_kernel.LIBRARY.format(key=key)
        old.write_bytes(b"")
        os.utime(old, (1e9 - age, 1e9 - age))
    row_kernel.library(tmp_path).write_bytes(b"")
    (tmp_path / "decode-0123.pt2").write_bytes(b"")
    row_kernel.prune(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        ["decode-0123.pt2", row_kernel.library(tmp_path).name, row_kernel.LIBRARY.format(key="a" * 16)])


def test_model_info_says_which_kernel_serves_and_why(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(row_kernel, "vector_units", lambda: True)
    monkeypatch.setattr(row_kernel, "compiler", lambda: "g++")
    assert row_kernel.describe(tmp_path).startswith("torch's until the first compiled step is built")
    row_kernel.library(tmp_path).write_bytes(b"")
    assert row_kernel.describe(tmp_path) == f"kigi's ({row_kernel.library(tmp_path)})"
    (tmp_path / row_kernel.FAILED.format(key=row_kernel.library_key())).write_text("error")
    assert row_kernel.describe(tmp_path).startswith("torch's (kigi's failed here")
    monkeypatch.setattr(row_kernel, "compiler", lambda: None)
    assert row_kernel.describe(tmp_path) == "torch's (no C++ compiler to build kigi's)"
    monkeypatch.setattr(row_kernel, "vector_units", lambda: False)
    assert row_kernel.describe(tmp_path) == "torch's (kigi's needs a CPU with AVX2 or AVX-512)"
    monkeypatch.setenv(row_kernel.SWITCH_ENV, "0")
    assert row_kernel.describe(tmp_path) == f"torch's ({row_kernel.SWITCH_ENV}=0)" and not row_kernel.wanted(tmp_path)
