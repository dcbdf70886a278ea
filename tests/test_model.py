"""Our Transformer against Hugging Face `transformers` on tiny random models."""

from __future__ import annotations

import pytest
import torch

from llm.config import ModelConfig
from llm.generate import generate_ids
from llm.model import Transformer
from llm.sampling import SamplingConfig
from llm.weights import build_model, load_hf_dir
from tests.tiny import tiny_gpt2_hf, tiny_llama_hf

VOCAB = 97


def ours_from_hf(hf_model, tmp_path):
    hf_model.save_pretrained(tmp_path, safe_serialization=True)
    return build_model(load_hf_dir(tmp_path))


@pytest.mark.parametrize("make_hf", [tiny_llama_hf, tiny_gpt2_hf], ids=["llama", "gpt2"])
def test_logits_match_transformers(make_hf, tmp_path):
    hf = make_hf(VOCAB)
    ours = ours_from_hf(hf, tmp_path)
    idx = torch.randint(0, VOCAB, (3, 17), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = hf(idx).logits
        got = ours(idx)
    assert (got - expected).abs().max().item() < 1e-4


@pytest.mark.parametrize("make_hf", [tiny_llama_hf, tiny_gpt2_hf], ids=["llama", "gpt2"])
def test_greedy_continuation_matches_transformers(make_hf, tmp_path):
    hf = make_hf(VOCAB)
    ours = ours_from_hf(hf, tmp_path)
    prompt = [5, 17, 42, 8, 3]
    with torch.no_grad():
        expected = hf.generate(torch.tensor([prompt]), max_new_tokens=20, do_sample=False,
                               pad_token_id=0, eos_token_id=None)[0, len(prompt):].tolist()
    got = [step[0] for step in generate_ids(ours, prompt, SamplingConfig(max_new_tokens=20))]
    assert got == expected


@pytest.mark.parametrize("positions", ["rope", "learned", "sinusoidal"])
def test_kv_cache_decoding_equals_full_recomputation(positions):
    torch.manual_seed(0)
    model = Transformer(ModelConfig(vocab_size=50, d_model=32, n_layer=2, n_head=4, n_kv_head=2,
                                    max_seq_len=64, positions=positions)).eval()
    idx = torch.randint(0, 50, (1, 20))
    with torch.no_grad():
        full = model(idx)
        model.setup_cache(1, 64)
        steps = [model(idx[:, :8], torch.arange(8))]
        for t in range(8, 20):
            steps.append(model(idx[:, t:t + 1], torch.tensor([t])))
    cached = torch.cat(steps, dim=1)
    assert (cached - full).abs().max().item() < 1e-5


def test_bidirectional_encoder_sees_the_future():
    torch.manual_seed(0)
    config = ModelConfig(vocab_size=50, d_model=32, n_layer=1, n_head=4, causal=False, positions="learned",
                         norm="layer", activation="gelu", max_seq_len=16)
    model = Transformer(config).eval()
    a = torch.tensor([[1, 2, 3, 4]])
    b = torch.tensor([[1, 2, 3, 9]])
    with torch.no_grad():
        assert not torch.allclose(model(a, return_hidden=True)[0, 0], model(b, return_hidden=True)[0, 0])


def test_padding_does_not_change_an_encoder_s_real_tokens():
    torch.manual_seed(0)
    config = ModelConfig(vocab_size=50, d_model=32, n_layer=2, n_head=4, causal=False, positions="learned",
                         norm="layer", activation="gelu", max_seq_len=16, pre_norm=False, embedding_norm=True,
                         bias=True, type_vocab_size=2)
    model = Transformer(config).eval()
    short = torch.tensor([[5, 6, 7]])
    padded = torch.tensor([[5, 6, 7, 0, 0]])
    mask = torch.tensor([[1, 1, 1, 0, 0]])
    with torch.no_grad():
        alone = model(short, return_hidden=True)
        batch = model(padded, attention_mask=mask, return_hidden=True)
    assert (alone - batch[:, :3]).abs().max().item() < 1e-5


def test_config_rejects_bad_fields_by_name():
    with pytest.raises(ValueError, match="n_head"):
        ModelConfig(vocab_size=10, d_model=30, n_layer=1, n_head=4)
    with pytest.raises(ValueError, match="n_kv_head"):
        ModelConfig(vocab_size=10, d_model=32, n_layer=1, n_head=4, n_kv_head=3)
    with pytest.raises(ValueError, match="norm"):
        ModelConfig(vocab_size=10, d_model=32, n_layer=1, n_head=4, norm="batch")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown field"):
        ModelConfig.from_dict({"vocab_size": 10, "d_model": 32, "n_layer": 1, "n_head": 4, "bogus": 1})
