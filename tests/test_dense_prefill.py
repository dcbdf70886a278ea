"""An int4 model prefills through its layers' bf16 copies (llm/dense_prefill.py): many rows
go through the copy and one row through the int4 kernel, the copy holds the int4 weights
dequantized, and its file beside the int4 cache is built once, reused, and built again
when damaged."""

from __future__ import annotations

import torch

from llm.dense_prefill import FILE_SUFFIX, prefill_layers
from llm.engine import Engine
from llm.quant import DENSE_MIN_ROWS, Int4Linear, int4_kernel_available
from tests.need import missing
from tests.tiny import save_tiny_chat_model


def test_many_rows_go_through_the_dense_copy_and_one_row_through_the_kernel():
    if not int4_kernel_available():
        missing("this CPU's torch has no int4 kernel")
    layer = Int4Linear.from_weight(torch.randn(128, 64, generator=torch.Generator().manual_seed(0)) * 0.1)
    rows = torch.randn(DENSE_MIN_ROWS + 8, 64, generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        by_kernel = layer(rows)
        layer.dense = layer.dequantize().to(torch.bfloat16)
        by_copy = layer(rows)
        assert torch.allclose(by_copy.float(), by_kernel.float(), atol=0.02, rtol=0.02)  # bf16 rounding apart
        assert torch.equal(layer(rows[:1]), by_kernel[:1])  # one row: the kernel, as before
        layer.dense = torch.zeros_like(layer.dense)
        assert not layer(rows).any() and layer(rows[:DENSE_MIN_ROWS - 1]).any()  # the copy serves only many rows


def test_the_copy_multiplies_in_fp32_where_the_cpu_has_no_native_bf16_matmul(monkeypatch):
    import llm.quant as quant

    generator = torch.Generator().manual_seed(3)
    x = torch.randn(DENSE_MIN_ROWS, 64, generator=generator).to(torch.bfloat16)
    dense = torch.randn(48, 64, generator=generator).to(torch.bfloat16)
    exact = x.double() @ dense.double().T  # both sides are bf16 values: this is the product itself
    linear, multiplied_in = torch.nn.functional.linear, []

    def spy(a, b, *rest):
        multiplied_in.append(a.dtype)
        return linear(a, b, *rest)

    monkeypatch.setattr(torch.nn.functional, "linear", spy)
    for native in (True, False):
        monkeypatch.setattr(quant, "native_bf16", lambda native=native: native)
        y = quant.dense_matmul(x, dense)
        assert y.dtype == torch.bfloat16 and torch.allclose(y.double(), exact, atol=0.1, rtol=0.02)
    assert multiplied_in == [torch.bfloat16, torch.float32]


def test_an_int4_engine_keeps_its_copies_beside_the_cache_and_builds_them_once(tmp_path):
    if not int4_kernel_available():
        missing("this CPU's torch has no int4 kernel")
    model_dir = save_tiny_chat_model(tmp_path / "tiny")
    cache = tmp_path / "cache"
    first = Engine.load(model_dir, precision="int4", cache_dir=cache)
    layers = prefill_layers(first.model)
    assert layers and all(layer.dense is not None for layer in layers.values())
    (copies,) = cache.glob("*" + FILE_SUFFIX)
    built = copies.stat().st_mtime_ns
    idx = torch.randint(0, 64, (1, DENSE_MIN_ROWS + 8), generator=torch.Generator().manual_seed(2))
    with torch.inference_mode():
        expected = first.model(idx)
        assert torch.equal(Engine.load(model_dir, precision="int4", cache_dir=cache).model(idx), expected)
        assert copies.stat().st_mtime_ns == built  # read back, not built again
        copies.write_bytes(b"garbage")
        assert torch.equal(Engine.load(model_dir, precision="int4", cache_dir=cache).model(idx), expected)
    assert copies.stat().st_size > 1000  # a damaged file is built again


def test_an_adapter_folded_into_the_int4_weights_retires_the_copies(tmp_path):
    from llm.lora import LoRAConfig, adapters_of

    if not int4_kernel_available():
        missing("this CPU's torch has no int4 kernel")
    engine = Engine.load(save_tiny_chat_model(tmp_path / "tiny"), precision="int4", cache_dir=tmp_path / "cache")
    adapters = adapters_of(engine.model)
    adapters.add("mine", LoRAConfig(rank=4, alpha=8, targets=("q", "v", "o", "down")), seed=0)
    for module in adapters.lora_layers():
        torch.nn.init.normal_(module.lora_B["mine"], std=0.5)  # an update the copies do not hold
    adapters.fold("mine")
    assert all(layer.dense is None for layer in prefill_layers(engine.model).values())
