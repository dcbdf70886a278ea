"""The speed paths give the same answers as the plain ones: the prefix cache, cache growth,
fused projections, batched rows sharing a prefill."""

from __future__ import annotations

import shutil
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch

from llm.attention import SHARED_PREFIX_MIN, shared_prefix_attention
from llm.compile import compile_decode
from llm.config import ModelConfig
from llm.errors import CompileFallbackWarning
from llm.generate import next_token_logits
from llm.logits import pick_tokens
from llm.model import Transformer
from llm.quant_model import quantize_model
from llm.sampling import SamplingConfig
from tests.need import missing
from tests.test_generate import decode


def make_model(seed: int = 0, d_model: int = 32, n_kv_head: int = 2) -> Transformer:
    torch.manual_seed(seed)
    model = Transformer(ModelConfig(vocab_size=80, d_model=d_model, n_layer=2, n_head=4, n_kv_head=n_kv_head,
                                    max_seq_len=1024)).eval()
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "norm" not in name:
                param.normal_(0, 0.3)
    return model


class TokenCounter:
    """Counts the token positions that go through the first block (what was computed)."""

    def __init__(self, model: Transformer) -> None:
        self.count = 0
        model.blocks[0].register_forward_pre_hook(self.hook)

    def hook(self, module, args):  # noqa: ANN001, ANN201
        self.count += args[0].size(0) * args[0].size(1)


PROMPT = [3, 14, 15, 9, 26, 5, 35, 8, 9, 7, 9, 32, 38, 4, 6, 26]


def test_a_repeated_prefix_is_not_recomputed_and_changes_nothing():
    model, fresh = make_model(), make_model()
    counter = TokenCounter(model)
    greedy = SamplingConfig(max_new_tokens=6)
    first = decode(model, PROMPT, greedy)[0]
    assert model.kv_cache.tokens == PROMPT + first[:-1]  # the last token was never fed
    computed = counter.count
    follow_up = PROMPT + first + [11, 12, 13]
    second = decode(model, follow_up, greedy)[0]
    # Only the new tokens (plus the last answer token) go through the model again.
    assert counter.count - computed == 4 + 5
    assert second == decode(fresh, follow_up, greedy)[0]


def test_a_different_prompt_reuses_only_the_common_prefix():
    model, fresh = make_model(), make_model()
    greedy = SamplingConfig(max_new_tokens=5)
    decode(model, PROMPT, greedy)
    other = PROMPT[:10] + [1, 2, 3]
    counter = TokenCounter(model)
    got = decode(model, other, greedy)[0]
    assert counter.count == 3 + 4  # 3 new prompt tokens, then 4 decode steps
    assert got == decode(fresh, other, greedy)[0]


def test_batched_samples_after_a_single_decode_reuse_the_prefix():
    model, fresh = make_model(), make_model()
    decode(model, PROMPT, SamplingConfig(max_new_tokens=4))
    sampled = SamplingConfig(max_new_tokens=8, temperature=1.0, seed=5)
    got = decode(model, PROMPT + [1, 2], sampled, n=5)  # the cache grows from 1 row to 5
    assert got == decode(fresh, PROMPT + [1, 2], sampled, n=5)
    assert model.kv_cache.rows == 5
    # rows diverged after the prompt: only the prompt is shared now
    assert model.kv_cache.tokens == PROMPT + [1, 2]


def test_a_grown_cache_keeps_its_prefix():
    model, fresh = make_model(), make_model()
    greedy = SamplingConfig(max_new_tokens=4)
    decode(model, PROMPT, greedy)
    length = model.kv_cache.length
    long_prompt = PROMPT + list(range(1, 80)) * 7  # longer than the cache holds
    assert len(long_prompt) + 4 > length
    counter = TokenCounter(model)
    got = decode(model, long_prompt, greedy)[0]
    assert model.kv_cache.length > length
    assert counter.count == len(long_prompt) - len(PROMPT) + 3
    assert got == decode(fresh, long_prompt, greedy)[0]


def test_next_token_logits_reuse_the_cache_and_equal_a_plain_forward():
    model = make_model()
    counter = TokenCounter(model)
    with torch.no_grad():
        plain = model(torch.tensor([PROMPT]))[0, -1]
    counter.count = 0
    first = next_token_logits(model, PROMPT)
    second = next_token_logits(model, PROMPT + [7])
    assert counter.count == len(PROMPT) + 1  # the second call computes only its new token
    assert (first - plain).abs().max() < 1e-4
    with torch.no_grad():
        assert (second - model(torch.tensor([PROMPT + [7]]))[0, -1]).abs().max() < 1e-4


def test_writing_different_rows_forgets_what_they_no_longer_share():
    model = make_model()
    model.setup_cache(2, 64)
    with torch.no_grad():
        model(torch.tensor([PROMPT[:8]]), torch.arange(8))
        assert model.kv_cache.tokens == PROMPT[:8]
        model(torch.tensor([[1], [2]]), torch.tensor([8]))
        assert model.kv_cache.tokens == PROMPT[:8]
        model(torch.tensor([[1, 2, 3]]), torch.arange(4, 7))
    assert model.kv_cache.tokens == PROMPT[:4] + [1, 2, 3]


@pytest.mark.parametrize("n", [1, 3])
def test_fused_projections_change_no_token(n):
    model, fused = make_model(), make_model()
    fused.fuse_projections()
    config = SamplingConfig(max_new_tokens=10, temperature=0.8, seed=1)
    assert decode(fused, PROMPT, config, n) == decode(model, PROMPT, config, n)
    fused.to(torch.float32)  # moving the model drops the fusion instead of going stale
    assert all(block.attn.fused is None for block in fused.blocks)


def test_greedy_rows_of_a_batch_equal_a_lone_greedy_decode():
    model = make_model()
    alone = decode(model, PROMPT, SamplingConfig(max_new_tokens=8))[0]
    model.clear_cache()
    assert decode(model, PROMPT, SamplingConfig(max_new_tokens=8), n=4) == [alone] * 4


def test_shared_prefix_attention_equals_plain_attention():
    g = torch.Generator().manual_seed(0)
    B, nq, nkv, hd, prefix, end = 4, 6, 2, 16, 70, 83
    kv = torch.randn(B, 2 * nkv, end, hd, generator=g)
    kv[:, :, :prefix] = kv[:1, :, :prefix]  # every row holds the same prompt
    q = torch.randn(B, nq, 1, hd, generator=g)
    k, v = kv[:, :nkv], kv[:, nkv:]
    expected = torch.nn.functional.scaled_dot_product_attention(q, k, v, enable_gqa=True)
    got = shared_prefix_attention(q, k, v, prefix)
    assert (got - expected).abs().max() < 1e-5


def test_batched_rows_over_a_long_shared_prompt_equal_lone_decodes():
    model = make_model()
    prompt = PROMPT * 6  # past SHARED_PREFIX_MIN, so the rows share the prompt's attention
    assert len(prompt) >= SHARED_PREFIX_MIN
    sampled = SamplingConfig(max_new_tokens=10, temperature=0.7, seed=3)
    batch = decode(model, prompt, sampled, n=3)
    for i, row in enumerate(batch):
        model.clear_cache()
        alone = decode(model, prompt, SamplingConfig(max_new_tokens=10, temperature=0.7, seed=3 + i))[0]
        assert row == alone


def test_sampling_follows_the_distribution_and_never_picks_a_masked_token():
    logits = torch.tensor([[0.0, 1.0, float("-inf"), 2.0, float("-inf")]])
    g = torch.Generator().manual_seed(0)
    counts = torch.zeros(5)
    for _ in range(4000):
        counts[pick_tokens(logits, SamplingConfig(temperature=1.0), [g])] += 1
    assert counts[2] == 0 and counts[4] == 0
    assert (counts / 4000 - logits.softmax(-1)[0]).abs().max() < 0.03


def test_a_failed_compile_falls_back_to_eager(monkeypatch):
    def broken_compile(fn, **kwargs):  # noqa: ANN001, ANN003, ANN202
        def fail(*args, **kw):  # noqa: ANN002, ANN003, ANN202
            raise RuntimeError("no compiler here")
        return fail

    model, eager = make_model(), make_model()
    monkeypatch.setattr(torch, "compile", broken_compile)
    step = compile_decode(model)
    config = SamplingConfig(max_new_tokens=6)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # count every warning, not once per location
        assert decode(model, PROMPT, config, compiled=step) == decode(eager, PROMPT, config)
        assert decode(model, PROMPT[:5], config, compiled=step) == decode(eager, PROMPT[:5], config)
    assert step.eager
    # said once for the whole wrapper, not on every token, and with the compiler's reason
    assert [(w.category, str(w.message)) for w in caught] == [
        (CompileFallbackWarning, "torch.compile failed (RuntimeError: no compiler here); decoding eagerly "
                                 "(slower, same tokens)")]


def test_the_cli_shows_a_library_warning_as_one_line(capsys):
    from ui.diagnostics import show_warnings_on
    from ui.errors import err_console

    reason = "torch.compile failed ([x]: " + "a long reason " * 10 + "); decoding eagerly"
    with warnings.catch_warnings():  # puts warnings.showwarning back afterwards
        warnings.simplefilter("always")
        show_warnings_on(err_console())  # as cli.main does
        warnings.warn(reason, CompileFallbackWarning, stacklevel=1)
    assert capsys.readouterr().err == f"kigi: warning: {reason}\n"  # no file, line number or source line


def test_the_compiled_decode_step_decodes_as_the_eager_one():
    if not any(shutil.which(cc) for cc in ("c++", "g++", "clang++")):
        missing("inductor needs a C++ compiler")
    model, eager = make_model(), make_model()
    step = compile_decode(model)
    greedy = SamplingConfig(max_new_tokens=6)
    assert decode(model, PROMPT, greedy, compiled=step) == decode(eager, PROMPT, greedy)
    sampled = SamplingConfig(max_new_tokens=6, temperature=0.8, seed=2)
    assert decode(model, PROMPT, sampled, n=3, compiled=step) == decode(eager, PROMPT, sampled, n=3)  # eager rows
    with ThreadPoolExecutor(1) as pool:  # `kigi serve --compile` decodes on its batcher's own thread
        assert pool.submit(decode, model, PROMPT, greedy, compiled=step).result() == decode(eager, PROMPT, greedy)
    assert not step.eager  # it compiled, and ran compiled


def test_lora_wrapped_projections_keep_their_fused_matmul():
    """An attached adapter no longer turns the fused q/k/v and gate/up matmuls off: off, it
    changes nothing and the fused layer does the work; on, its deltas are added to the fused
    output and the logits equal the unfused computation; merged (the parts' weights are views
    of the fused one), the fused matmul still does the work."""
    from llm.lora import LoRAConfig, adapters_of

    model = make_model()
    model.fuse_projections()
    ids = torch.tensor([PROMPT])
    base = model(ids, torch.arange(len(PROMPT)))
    adapters = adapters_of(model)
    adapters.add("a", LoRAConfig(rank=2, alpha=4, targets=("q", "v", "gate", "down")), seed=0)
    with torch.no_grad():
        for name, param in adapters.named_parameters("a").items():
            if "lora_B" in name:
                param.normal_(0, 0.5)
    calls = []
    fused_qkv = model.blocks[0].attn.fused[3]
    fused_qkv.register_forward_hook(lambda *args: calls.append(1))

    def logits() -> torch.Tensor:
        return model(ids, torch.arange(len(PROMPT)))

    torch.testing.assert_close(logits(), base, rtol=0, atol=0)  # attached but off: exactly the base
    assert calls, "the fused matmul ran"
    adapters.activate("a")
    on = logits()
    saved = [(block.attn.fused, block.mlp.fused) for block in model.blocks]
    for block in model.blocks:
        block.attn.fused = block.mlp.fused = None
    unfused = logits()
    for block, (attn, mlp) in zip(model.blocks, saved, strict=True):
        block.attn.fused, block.mlp.fused = attn, mlp
    assert not torch.allclose(on, base, atol=1e-3)  # the adapter really acts
    torch.testing.assert_close(on, unfused, rtol=1e-5, atol=1e-5)
    with torch.no_grad():  # inference joins the parts' factors into one pair of matmuls
        torch.testing.assert_close(logits(), unfused, rtol=1e-5, atol=1e-5)
        assert model.blocks[0].attn.joined_lora and model.blocks[0].mlp.joined_lora
        b = next(p for n, p in adapters.named_parameters("a").items() if "lora_B" in n and ".q" in n)
        b.mul_(2)  # an optimizer step changes a factor in place: the joined copy is rebuilt
        changed = logits()
        b.div_(2)
        assert not torch.allclose(changed, unfused, atol=1e-4)
        torch.testing.assert_close(logits(), unfused, rtol=1e-5, atol=1e-5)
    adapters.merge()
    calls.clear()
    torch.testing.assert_close(logits(), unfused, rtol=1e-4, atol=1e-4)
    assert calls, "merged in place, the fused matmul ran"
    adapters.unmerge()
    adapters.activate(None)
    torch.testing.assert_close(logits(), base, rtol=0, atol=0)


def test_an_adapter_folded_for_good_decodes_as_it_does_unmerged_and_keeps_no_copy():
    """`kigi ask` folds the reader into float weights for its one answer: the same logits as
    the adapter unmerged, the fused matmul at work, no copy of the weights or wrapper left,
    and any switch afterwards refused rather than silently wrong."""
    from llm.lora import LoRAConfig, LoRAError, adapters_of
    from llm.lora.layer import LoRALinear

    model = make_model()
    model.fuse_projections()
    ids = torch.tensor([PROMPT])
    adapters = adapters_of(model)
    adapters.add("a", LoRAConfig(rank=2, alpha=4, targets=("q", "k", "v", "o", "gate", "up", "down")), seed=0)
    with torch.no_grad():
        for name, param in adapters.named_parameters("a").items():
            if "lora_B" in name:
                param.normal_(0, 0.5)
        adapters.activate("a")
        unmerged = model(ids, torch.arange(len(PROMPT)))
        calls = []
        model.blocks[0].mlp.fused[2].register_forward_hook(lambda *args: calls.append(1))
        assert adapters.can_fold("a")
        adapters.fold("a")
        with adapters.using("a"):  # the session's per-answer switch: nothing to do
            folded = model(ids, torch.arange(len(PROMPT)))
    torch.testing.assert_close(folded, unmerged, rtol=1e-4, atol=1e-4)
    assert calls, "the fused gate/up matmul ran"
    # no wrapper is left either: each layer is its base again, the adapter in its weight
    assert not [m for m in model.modules() if isinstance(m, LoRALinear)]
    with pytest.raises(LoRAError, match="for good"):
        adapters.activate(None)


@pytest.mark.parametrize("kind", ["int8", "int4"])
@pytest.mark.parametrize("trained", [False, True])
def test_an_adapter_folds_into_quantized_weights_in_place(kind, trained):
    """Quantized, folding stores W + (α/r)·B·A anew in the layer's own format, in the
    tensors the fused matmuls read: an untrained adapter (B = 0) changes nothing, a trained
    one gives the unmerged adapter's logits up to the format's rounding, and keeping a copy
    to unmerge is refused (a quantized layer has no exact float weight to go back to)."""
    from llm.lora import LoRAConfig, LoRAError, adapters_of

    model = make_model()
    quantize_model(model, kind)
    model.fuse_projections()
    ids, positions = torch.tensor([PROMPT]), torch.arange(len(PROMPT))
    adapters = adapters_of(model)
    adapters.add("a", LoRAConfig(rank=2, alpha=4, targets=("q", "k", "v", "o", "gate", "up", "down")), seed=0)
    with torch.no_grad():
        if trained:
            for name, param in adapters.named_parameters("a").items():
                if "lora_B" in name:
                    param.normal_(0, 0.5, generator=torch.Generator().manual_seed(len(name)))
        plain = model(ids, positions)
        adapters.activate("a")
        unmerged = model(ids, positions)
        with pytest.raises(LoRAError, match="quantized"):
            adapters.merge()
        calls = []
        model.blocks[0].mlp.fused[2].register_forward_hook(lambda *args: calls.append(1))
        assert adapters.can_fold("a")
        adapters.fold("a")
        folded = model(ids, positions)
    assert calls, "the fused gate/up matmul ran, with the folded weights"
    if trained:
        effect = (unmerged - plain).abs().mean()
        assert (folded - unmerged).abs().mean() < 0.75 * effect  # 0.44 at worst over 20 seeds (int4)
    else:
        torch.testing.assert_close(folded, plain, rtol=1e-4, atol=1e-4)
    with pytest.raises(LoRAError, match="for good"):
        adapters.activate(None)


def test_keys_cached_under_an_adapter_are_reused_when_it_comes_back_and_never_under_other_weights():
    """The chat switches the reader on for a grounded answer and off after it: the next
    grounded turn reuses the conversation's cached keys. Keys are never reused under other
    weights: the plain model, or the same adapter changed in place (an optimizer step)."""
    from llm.lora import LoRAConfig, adapters_of

    models = make_model(), make_model()
    for model in models:
        adapters = adapters_of(model)
        adapters.add("a", LoRAConfig(rank=2, alpha=4, targets=("q", "k", "v")), seed=0)
        with torch.no_grad():
            for param in adapters.parameters("a"):
                param.copy_(torch.randn(param.shape, generator=torch.Generator().manual_seed(param.numel())))
    model, fresh = models
    adapters, counter = adapters_of(model), TokenCounter(model)
    greedy = SamplingConfig(max_new_tokens=4)

    def answer(on: torch.nn.Module, prompt: list[int], adapter: str | None) -> list[int]:
        with adapters_of(on).using(adapter):
            return decode(on, prompt, greedy)[0]

    follow_up = PROMPT + answer(model, PROMPT, "a") + [11, 12]
    assert adapters.active is None  # switched off after the answer
    counter.count = 0
    assert answer(model, follow_up, "a") == answer(fresh, follow_up, "a")
    assert counter.count == 3 + 3  # the last answer token and the two new ones, then three decode steps
    counter.count = 0
    assert answer(model, follow_up, None) == answer(fresh, follow_up, None)
    assert counter.count == len(follow_up) + 3  # keys of the adapter's weights: all computed again
    answer(model, follow_up, "a")
    with torch.no_grad():
        for model_ in models:
            next(iter(adapters_of(model_).parameters("a"))).mul_(2)  # what an optimizer step does
    counter.count = 0
    assert answer(model, follow_up, "a") == answer(fresh, follow_up, "a")
    assert counter.count == len(follow_up) + 3
    answer(model, follow_up, "a")
    adapters.remove("a")
    adapters.add("a", LoRAConfig(rank=2, alpha=4, targets=("q", "k", "v")), seed=1)  # other tensors, same name
    counter.count = 0
    answer(model, follow_up, "a")
    assert counter.count == len(follow_up) + 3


@pytest.mark.parametrize("state", ["off", "on", "merged"])
def test_an_attached_adapter_compiles_into_the_decode_step_as_one_graph(state):
    """A break in the graph (the joined factors' cache guards on ids and versions; a storage
    pointer cannot be traced) splits the step into per-layer frames that recompile for each
    layer until dynamo gives up: measured 3x slower than eager with the reader attached."""
    from llm.lora import LoRAConfig, adapters_of

    model = make_model()
    model.fuse_projections()
    adapters = adapters_of(model)
    adapters.add("a", LoRAConfig(rank=2, alpha=4, targets=("q", "k", "v", "o", "gate", "up", "down")), seed=0)
    if state != "off":
        adapters.activate("a")
    if state == "merged":
        adapters.merge()
    with torch.inference_mode():
        decode(model, PROMPT, SamplingConfig(max_new_tokens=1))  # the prompt in the cache
        idx, start = torch.tensor([[5]]), len(PROMPT)
        shared = model.kv_cache.begin(idx, start, start + 1, model.weights_state)
        explained = torch._dynamo.explain(model.decode_step)(idx, torch.tensor([start]), start + 1, shared)
    assert (explained.graph_count, explained.graph_break_count) == (1, 0), explained.break_reasons
