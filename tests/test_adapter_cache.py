"""Switching adapters must not reuse keys cached for a shared prompt prefix under other weights,
and switching back finds them again."""

from __future__ import annotations

import torch

from llm.config import ModelConfig
from llm.generate import generate_ids
from llm.lora import LoRAConfig, adapters_of
from llm.model import Transformer
from llm.sampling import SamplingConfig


def greedy(model, prompt):
    return [s[0] for s in generate_ids(model, prompt, SamplingConfig(max_new_tokens=8))]


def test_switching_adapter_invalidates_the_prefix_cache():
    torch.manual_seed(0)
    model = Transformer(ModelConfig(vocab_size=64, d_model=32, n_layer=2, n_head=4, max_seq_len=64)).eval()
    adapters = adapters_of(model)
    adapters.add("x", LoRAConfig(rank=4, alpha=8, targets=("q", "k", "v", "o")), seed=0)
    with torch.no_grad():
        for param in adapters.parameters("x"):
            param.normal_(std=1.0)
    prompt = list(range(1, 20))
    greedy(model, prompt)  # fills the cache under the base weights (no adapter active)
    adapters.activate("x")
    after_switch = greedy(model, prompt)
    model.clear_cache()
    fresh = greedy(model, prompt)
    assert after_switch == fresh


def test_activating_the_active_adapter_again_keeps_the_prefix_cache():
    torch.manual_seed(0)
    model = Transformer(ModelConfig(vocab_size=64, d_model=32, n_layer=2, n_head=4, max_seq_len=64)).eval()
    adapters = adapters_of(model)
    adapters.add("x", LoRAConfig(rank=4, alpha=8, targets=("q", "v")), seed=0)
    adapters.activate("x")
    prompt = list(range(1, 20))
    greedy(model, prompt)
    cached = list(model.kv_cache.tokens)
    adapters.activate("x")  # what a role switcher does before every call of the same role
    assert model.kv_cache.tokens == cached and cached
    adapters.activate(None)
    assert model.cached_tokens == []  # nothing is reusable under the base weights
    adapters.activate("x")
    assert model.cached_tokens == cached  # but the keys are still those of "x" when it comes back
