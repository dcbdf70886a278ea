"""llm.linear: the few-rows path computes F.linear's product (in another summation order)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from llm.linear import SKINNY_ROWS, Linear, linear


@pytest.mark.parametrize("rows", [1, 2, 5, 16, 17, 64])
@pytest.mark.parametrize("bias", [True, False])
def test_equals_f_linear_for_any_number_of_rows(rows, bias):
    gen = torch.Generator().manual_seed(rows)
    weight = torch.randn(48, 32, generator=gen)
    b = torch.randn(48, generator=gen) if bias else None
    x = torch.randn(rows, 32, generator=gen)
    torch.testing.assert_close(linear(x, weight, b), F.linear(x, weight, b), atol=1e-5, rtol=1e-5)
    x3 = x.reshape(1, rows, 32)  # (B, T, d), as the model calls it
    y3 = linear(x3, weight, b)
    assert y3.shape == (1, rows, 48) and y3.is_contiguous()
    torch.testing.assert_close(y3, F.linear(x3, weight, b), atol=1e-5, rtol=1e-5)


def test_few_rows_take_the_other_path_and_bf16_does_not(monkeypatch):
    weight, x = torch.randn(16, 8), torch.randn(SKINNY_ROWS[0], 8)
    calls = []
    real = F.linear
    monkeypatch.setattr(F, "linear", lambda *a: calls.append(a[0].dtype) or real(*a))
    linear(x, weight)
    assert calls == [], "a few fp32 rows are multiplied as W · xᵀ"
    linear(x.bfloat16(), weight.bfloat16())
    linear(torch.randn(1, 8), weight)
    assert calls == [torch.bfloat16, torch.float32], "bf16 and a single row stay F.linear"


def test_the_layer_keeps_nn_linear_parameters_and_gradients():
    layer = Linear(8, 4)
    assert set(layer.state_dict()) == {"weight", "bias"}
    x = torch.randn(3, 8, requires_grad=True)
    layer(x).sum().backward()
    reference = torch.nn.Linear(8, 4)
    reference.load_state_dict(layer.state_dict())
    x2 = x.detach().clone().requires_grad_(True)
    reference(x2).sum().backward()
    torch.testing.assert_close(x.grad, x2.grad)
