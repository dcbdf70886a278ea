"""An adapter's update inside the row kernel's pass (llm/row_layout.py, `kigi::int4_rows_lora`):
laid out so each block finds its part's columns, equal to the low-rank product it stands
for, refreshed when the adapter's weights change, and what a stored step with an adapter on
computes is what eager decoding computes."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from llm import row_kernel
from llm.lora import LoRAConfig, adapters_of
from llm.packaged_step import PackagedStep
from llm.quant import Int4Linear
from llm.quant_model import quantize_model
from llm.row_layout import BLOCK, block_layout, current_update, packed_update, unpacked_update, update_layout
from llm.threads import FIT_ENV
from tests.test_compile_store import GREEDY, decode_stored
from tests.test_generate import decode
from tests.test_row_kernel import built  # noqa: F401 - the fixture
from tests.test_speed_paths import PROMPT, make_model


def factors_of(widths: list[int], ranks: list[int], k: int, seed: int = 0) -> list:
    generator = torch.Generator().manual_seed(seed)
    return [(torch.randn(r, k, generator=generator) * 0.1, torch.randn(w, r, generator=generator) * 0.1, 0.5 * (i + 1))
            if r else () for i, (w, r) in enumerate(zip(widths, ranks, strict=True))]


def reference_update(x: torch.Tensor, factors: list) -> torch.Tensor:
    """Each part's scaling * x Aᵀ Bᵀ side by side (zeros for a part without one), in fp32."""
    return torch.cat([F.linear(F.linear(x.float(), A), B * scaling) for A, B, scaling in factors], -1)


def laid_out_product(a: torch.Tensor, b: torch.Tensor, b_scales: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """The (N, K) matrix the kernel adds the product of, block by block, from its layout."""
    rank = b.size(1)
    rows = [torch.zeros(BLOCK, a.size(1)) if first < 0 else
            (b[block].float() * b_scales[block, :, None]).t() @ a[first:first + rank].float()
            for block, first in enumerate(offsets.tolist())]
    return torch.cat(rows)


def test_the_layout_puts_each_parts_columns_in_its_blocks() -> None:
    widths, ranks = [128, 64, 64], [4, 0, 2]
    factors = factors_of(widths, ranks, k=32)
    a, b, b_scales, offsets = update_layout(factors, widths)
    assert a.shape == (2 * 4, 32) and b.shape == (4, 4, BLOCK) and a.dtype == b.dtype == torch.int8
    assert b_scales.shape == (4, 4) and b_scales.dtype == torch.float32
    assert offsets.tolist() == [0, 0, -1, 4]  # the unwrapped part's block adds nothing
    assert not a[6:].any() and not b[3, 2:].any()  # a smaller rank is padded with zeros
    want = torch.cat([f[1] * f[2] @ f[0] if f else torch.zeros(w, 32) for f, w in zip(factors, widths, strict=True)])
    got = laid_out_product(a, b, b_scales, offsets)
    # int8 with a scale per row: each factor within 1/254 of its row's largest value
    torch.testing.assert_close(got, want, rtol=0, atol=0.02 * want.abs().max().item())
    assert not got[128:192].any()
    packed = packed_update(a, b, b_scales, offsets)  # one tensor, as the kernel is handed it
    assert packed.dtype == torch.uint8 and packed.numel() % 64 == 0
    for mine, theirs in zip(unpacked_update(packed), (a, b, b_scales, offsets), strict=True):
        assert torch.equal(mine, theirs) and mine.data_ptr() % 64 == 0


def test_an_update_is_refreshed_in_place_when_the_adapters_weights_change() -> None:
    """In place: a stored step bound to the update's tensors by name must see the new values."""
    updates, widths = nn.ModuleDict(), [64]
    factors = factors_of(widths, [4], k=32)
    first = current_update(updates, "reader.v2", factors, widths)
    assert first is not None and list(updates) == ["reader-v2"]
    held = first.packed
    with torch.no_grad():
        step = torch.linspace(-0.1, 0.3, 64 * 4).reshape(64, 4)
        factors[0][1].add_(step)  # an optimizer step or a load bumps the version
    again = current_update(updates, "reader.v2", factors, widths)
    assert again is first and again.packed is held
    assert torch.equal(held, packed_update(*update_layout(factors, widths)))  # the same tensor, new values
    assert current_update(updates, "none", [()], widths) is None


@pytest.mark.parametrize(("widths", "ranks"), [([128, 64, 128], [4, 0, 2]), ([64, 64], [0, 2])])
def test_the_kernel_adds_the_update_in_its_pass(built, widths: list[int], ranks: list[int]) -> None:  # noqa: F811
    """Each thread computes the rows of A its blocks use: in the second case, none for one."""
    torch.manual_seed(3)
    k = 256
    layer = Int4Linear.from_weight(torch.randn(sum(widths), k) * 0.05, group_size=32)
    factors = factors_of(widths, ranks, k)
    x = torch.randn(1, k).to(torch.bfloat16)
    scales = block_layout(layer.scales_and_zeros)
    plain = torch.ops.kigi.int4_rows(x, layer.packed, layer.group_size, scales).float()
    update = packed_update(*update_layout(factors, widths))
    got = torch.ops.kigi.int4_rows_lora(x, layer.packed, layer.group_size, scales, update)
    live = [f if f else (torch.zeros(1, k), torch.zeros(w, 1), 1.0) for f, w in zip(factors, widths, strict=True)]
    want = plain + reference_update(x, live)
    assert got.shape == (1, sum(widths)) and got.dtype == torch.bfloat16
    torch.testing.assert_close(got.float(), want, rtol=2e-2, atol=1e-2 * want.abs().max().item())
    other_layers = packed_update(*update_layout(factors_of([64], [2], k), [64]))
    with pytest.raises(RuntimeError, match="does not fit"):  # an update made for another layer: refused, not read
        torch.ops.kigi.int4_rows_lora(x, layer.packed, layer.group_size, scales, other_layers)
    bare = next(i for i, r in enumerate(ranks) if not r)
    columns = slice(sum(widths[:bare]), sum(widths[:bare + 1]))
    assert torch.equal(got[:, columns], plain[:, columns].bfloat16())  # the part without an adapter


def step_logits(model, tokens: list[int]) -> torch.Tensor:  # noqa: ANN001
    """The logits of one-row decode steps over `tokens`, from position 0."""
    model.clear_cache()
    model.setup_cache(1, 64)
    with torch.no_grad():
        return torch.cat([model.decode_step(torch.tensor([[token]]), torch.tensor([t]), t + 1, 0).float()
                          for t, token in enumerate(tokens)])


def test_a_model_with_an_adapter_on_decodes_the_same_with_the_update_in_the_kernel(built, monkeypatch) -> None:  # noqa: F811
    def model_with_reader():  # noqa: ANN202
        model = make_model(d_model=64, n_kv_head=4)
        quantize_model(model, "int4")
        model.fuse_projections()
        adapters_of(model).add("reader", LoRAConfig(rank=4, targets="all"), seed=0)
        with torch.no_grad():  # an update that changes the answer without swamping it
            for param in adapters_of(model).parameters("reader"):
                param.copy_(torch.linspace(-0.2, 0.2, param.numel()).reshape(param.shape))
        adapters_of(model).add("other", LoRAConfig(rank=2, targets=("k", "up")), seed=1)  # parts left without one
        adapters_of(model).activate("reader")
        assert row_kernel.attach(model, built)
        return model

    model = model_with_reader()
    in_pass = step_logits(model, PROMPT)
    layers = row_kernel.served_layers(model)
    with_update = [layer for layer in layers if layer.row_updates is not None and "reader" in layer.row_updates]
    assert len(with_update) == 4 * model.config.n_layer  # qkv, o, gate_up and down of every block
    with monkeypatch.context() as patch:
        patch.setattr(Int4Linear, "plus_low_rank", lambda *args: None)  # the update added after the matmul
        after = step_logits(model, PROMPT)
    with adapters_of(model).using(None):
        off = step_logits(model, PROMPT)
    # the same update to bf16 rounding: far nearer each other than either is to no update
    assert (in_pass - after).norm() < 0.1 * (after - off).norm()
    row_kernel.prepare_updates(model)
    assert sum("other" in layer.row_updates for layer in with_update) == 2 * model.config.n_layer  # qkv, gate_up
    model.clear_cache()
    eager = decode(model, PROMPT, GREEDY)
    tokens, step = decode_stored(model, built)
    assert tokens == eager and step.stored is not None
    assert any(".row_updates.reader." in name for name in step.stored._constants)  # the step reads them by name
    fresh = model_with_reader()  # another process: the stored step found by key, bound to its own updates
    tokens, again = decode_stored(fresh, built)
    assert tokens == eager and again.stored is not None and again.stored.path == step.stored.path


def test_an_adapter_trained_in_place_reaches_its_bound_stored_step(built, monkeypatch) -> None:  # noqa: F811
    """A stored step reads the update's laid-out copy: an optimizer step on the adapter (in
    place, the same tensors) must reach it before the next answer, not only eager calls."""
    monkeypatch.setenv(FIT_ENV, "0")  # the stored step's thread count, whatever else runs now
    model = make_model(d_model=64, n_kv_head=4)
    quantize_model(model, "int4")
    model.fuse_projections()
    adapters_of(model).add("reader", LoRAConfig(rank=4, targets="all"), seed=0)
    with torch.no_grad():
        for param in adapters_of(model).parameters("reader"):
            param.copy_(torch.linspace(-0.2, 0.2, param.numel()).reshape(param.shape))
    adapters_of(model).activate("reader")
    assert row_kernel.attach(model, built)
    before, step = decode_stored(model, built)
    assert step.stored is not None
    with torch.no_grad():  # as an optimizer step would: in place (the update turned around)
        for module in model.modules():
            if hasattr(module, "lora_B"):
                module.lora_B["reader"].neg_()
    served = []
    real_call = PackagedStep.__call__
    monkeypatch.setattr(PackagedStep, "__call__", lambda self, *args: served.append(1) or real_call(self, *args))
    model.clear_cache()
    stored = decode(model, PROMPT, GREEDY, compiled=step)  # first: an eager call would lay it out again
    assert served  # the stored step decoded it
    model.clear_cache()
    eager = decode(model, PROMPT, GREEDY)
    assert eager != before  # the new weights answer otherwise
    assert stored == eager
