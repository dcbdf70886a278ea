"""Loading weights: GGUF (quantized, permuted), HF dirs, our checkpoints, refusals."""

from __future__ import annotations

import pytest
import torch

from llm.errors import CorruptWeightsError, IncompatibleWeightsError, ModelNotFoundError
from llm.weights import build_model, load_gguf, load_weights, load_weights_cached, read_config, save_checkpoint
from tests.tiny import tiny_llama_hf, train_bpe_tokenizer, write_tiny_gguf


@pytest.fixture(scope="module")
def tokenizer():
    return train_bpe_tokenizer()


@pytest.fixture(scope="module")
def hf_model(tokenizer):
    return tiny_llama_hf(tokenizer.get_vocab_size())


def logits_of(model, idx):
    with torch.no_grad():
        return model(idx)


@pytest.mark.parametrize("quantize", [False, True], ids=["f32", "q8_0"])
def test_gguf_loads_with_rope_unpermuted(tmp_path, hf_model, tokenizer, quantize):
    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path, hf_model, tokenizer, quantize=quantize)
    weights = load_gguf(path)
    ours = build_model(weights)
    idx = torch.randint(0, tokenizer.get_vocab_size(), (2, 12), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = hf_model(idx).logits
    tolerance = 0.05 if quantize else 1e-4  # Q8_0 rounds each block of 32 weights to int8
    assert (logits_of(ours, idx) - expected).abs().max().item() < tolerance
    assert (logits_of(ours, idx).argmax(-1) == expected.argmax(-1)).float().mean() > 0.9
    text = "Paris 12345 日本"
    assert weights.tokenizer.encode(text) == tokenizer.encode(text, add_special_tokens=False).ids


@pytest.mark.parametrize("quantize", [False, True], ids=["f32", "q8_0"])
def test_the_header_walk_reads_what_the_gguf_package_reads(tmp_path, hf_model, tokenizer, quantize):
    """Our bounded header walk against the reference reader: every field's value, every
    tensor's shape, type and data offset."""
    import gguf

    from llm.gguf import read_gguf_header

    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path, hf_model, tokenizer, quantize=quantize)
    header, reference = read_gguf_header(path), gguf.GGUFReader(path)
    assert header.fields == {k: f.contents() for k, f in reference.fields.items() if not k.startswith("GGUF.")}
    assert [(t.name, t.shape, t.kind, t.offset) for t in header.tensors] == [
        (t.name, tuple(t.shape.tolist()), t.tensor_type, t.data_offset) for t in reference.tensors]


def test_truncated_gguf_is_reported_not_half_loaded(tmp_path, hf_model, tokenizer):
    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path, hf_model, tokenizer)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptWeightsError, match="not a readable GGUF"):
        load_gguf(path)
    path.write_bytes(b"not a gguf file at all" * 10)
    with pytest.raises(CorruptWeightsError):
        load_gguf(path)


def test_checkpoint_round_trip_and_cache(tmp_path, hf_model, tokenizer):
    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path, hf_model, tokenizer, quantize=False)
    first = load_weights_cached(path, tmp_path / "cache" / "abc")
    assert (tmp_path / "cache" / "abc" / "model.safetensors").is_file()
    again = load_weights_cached(path, tmp_path / "cache" / "abc")
    assert again.metadata["format"] == "kigi"
    idx = torch.tensor([[3, 4, 5]])
    assert torch.equal(logits_of(build_model(first), idx), logits_of(build_model(again), idx))
    save_checkpoint(first, tmp_path / "ckpt")
    assert load_weights(tmp_path / "ckpt").tokenizer.encode("hello") == first.tokenizer.encode("hello")


def test_a_bf16_model_is_the_fp32_model_rounded_tensor_for_tensor(tmp_path, hf_model, tokenizer):
    """bf16 is built at its dtype directly (no fp32 copy first): it must equal the fp32
    model cast, weights and position tables alike."""
    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path, hf_model, tokenizer, quantize=False)
    weights = load_weights(path)
    direct, cast = build_model(weights, torch.bfloat16), build_model(weights).to(torch.bfloat16)
    ours, theirs = direct.state_dict(keep_vars=True), cast.state_dict(keep_vars=True)
    assert ours.keys() == theirs.keys()
    assert all(ours[k].dtype == theirs[k].dtype and torch.equal(ours[k], theirs[k]) for k in ours)
    assert direct.rope_cos.dtype == torch.bfloat16 and torch.equal(direct.rope_cos, cast.rope_cos)
    idx = torch.tensor([[3, 4, 5]])
    assert torch.equal(logits_of(direct, idx), logits_of(cast, idx))


def test_damaged_cache_is_rebuilt(tmp_path, hf_model, tokenizer):
    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path, hf_model, tokenizer, quantize=False)
    cache = tmp_path / "cache"
    load_weights_cached(path, cache)
    (cache / "model.safetensors").write_bytes(b"garbage")
    weights = load_weights_cached(path, cache)
    build_model(weights)


def test_misfit_weights_name_the_tensor(tmp_path, hf_model):
    hf_model.save_pretrained(tmp_path, safe_serialization=True)
    weights = load_weights(tmp_path)
    weights.state_dict["blocks.0.attn.q.weight"] = torch.zeros(3, 3)
    with pytest.raises(IncompatibleWeightsError, match="blocks.0.attn.q.weight"):
        build_model(weights)
    del weights.state_dict["blocks.0.attn.q.weight"]
    with pytest.raises(IncompatibleWeightsError, match="lack tensor"):
        build_model(weights)


def test_missing_paths(tmp_path):
    with pytest.raises(ModelNotFoundError):
        load_weights(tmp_path / "nope.gguf")
    with pytest.raises(ModelNotFoundError, match="config.json"):
        load_weights(tmp_path)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("num_hidden_layers", 7, "block_count says 7 layers, the file holds tensors of 2"),
    ("intermediate_size", 4096, "feed_forward_length says 4096"),
    ("max_position_embeddings", 1 << 31, "context_length 2147483648 is outside"),
])
def test_a_header_that_disagrees_with_its_tensors_is_refused(tmp_path, hf_model, tokenizer, field, value, message):
    """GGUF has no checksum: a flipped size field must not size the model."""
    original = getattr(hf_model.config, field)
    setattr(hf_model.config, field, value)
    try:
        write_tiny_gguf(tmp_path / "bad.gguf", hf_model, tokenizer, quantize=False)
    finally:
        setattr(hf_model.config, field, original)
    with pytest.raises(CorruptWeightsError, match=message):
        load_weights(tmp_path / "bad.gguf")
    with pytest.raises(CorruptWeightsError, match=message):
        read_config(tmp_path / "bad.gguf")
