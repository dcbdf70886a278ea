"""Tiny real models and tokenizers built inside the tests (seconds, not minutes)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

CHAT_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

CORPUS = [
    "The quick brown fox jumps over the lazy dog. 12345 67890",
    "def add(a, b):\n    return a + b\n\n\nclass Point:\n    x: int = 0\n",
    "Paris is the capital of France; Tokyo is the capital of Japan.",
    "日本語のテキストも少し。木々は森になる。",
    "emoji 😀🎉🌲 and whitespace   runs\t\ttabs\n\n\n",
    "I'm sure you'll see they've done it; we'd go. 3.14159 + 2.71828 = 5.85987",
    "user\nWhat is 2 + 2?\nassistant\n4\n",
] * 20


def train_bpe_tokenizer(vocab_size: int = 400, digits: bool = True):
    """A byte-level BPE trained on CORPUS with the `tokenizers` library (the reference)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.pre_tokenizer = (pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), byte_level])
                         if digits else byte_level)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=CHAT_SPECIALS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS, trainer)
    return tok


def tiny_llama_hf(vocab_size: int, seed: int = 0, max_position_embeddings: int = 128):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=vocab_size, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=max_position_embeddings,
                         rope_theta=50000.0, rms_norm_eps=1e-5, tie_word_embeddings=False,
                         bos_token_id=1, eos_token_id=2, pad_token_id=0)
    model = LlamaForCausalLM(config).eval()
    with torch.no_grad():  # HF initialises norms to 1; perturb them so a mis-mapped norm shows up
        for name, param in model.named_parameters():
            if "norm" in name:
                param.add_(torch.randn_like(param) * 0.1)
    return model


def tiny_gpt2_hf(vocab_size: int, seed: int = 0):
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=vocab_size, n_embd=32, n_layer=2, n_head=4, n_positions=64,
                        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    model = GPT2LMHeadModel(config).eval()
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "bias" in name or "ln" in name:
                param.add_(torch.randn_like(param) * 0.1)
    return model


def save_tiny_chat_model(directory: Path, seed: int = 0, max_positions: int = 512) -> Path:
    """A tiny Llama with a trained ChatML-capable tokenizer, saved as an HF directory."""
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = train_bpe_tokenizer()
    tokenizer.save(str(directory / "tokenizer.json"))
    model = tiny_llama_hf(tokenizer.get_vocab_size(), seed=seed, max_position_embeddings=max_positions)
    model.save_pretrained(directory, safe_serialization=True)
    return directory


def rope_theta_of(config) -> float:
    """transformers 5 moved rope_theta into rope_parameters."""
    theta = getattr(config, "rope_theta", None) if hasattr(config, "__dict__") else None
    return float(theta or config.rope_parameters["rope_theta"])


def permute_for_gguf(weight: np.ndarray, n_head: int) -> np.ndarray:
    """llama.cpp's convert script: rotate-half rows -> interleaved pairs (what we undo)."""
    out = weight.shape[0]
    return weight.reshape(n_head, 2, out // n_head // 2, *weight.shape[1:]).swapaxes(1, 2).reshape(weight.shape)


def write_tiny_gguf(path: Path, hf_model, tokenizer, quantize: bool = True) -> None:
    """Write an HF Llama as a GGUF file: F32 norms, Q8_0 (or F32) matrices, permuted Q/K."""
    import gguf

    cfg = hf_model.config
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_block_count(cfg.num_hidden_layers)
    writer.add_context_length(cfg.max_position_embeddings)
    writer.add_embedding_length(cfg.hidden_size)
    writer.add_feed_forward_length(cfg.intermediate_size)
    writer.add_head_count(cfg.num_attention_heads)
    writer.add_head_count_kv(cfg.num_key_value_heads)
    writer.add_rope_freq_base(rope_theta_of(cfg))
    writer.add_layer_norm_rms_eps(cfg.rms_norm_eps)
    vocab = tokenizer.get_vocab()
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    types = [3 if t in CHAT_SPECIALS else 1 for t in tokens]
    merges = json.loads(tokenizer.to_str())["model"]["merges"]
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("smollm")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges([" ".join(m) if isinstance(m, list) else m for m in merges])
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    names = {
        "model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
        "lm_head.weight": "output.weight",
    }
    layer = {"input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm",
             "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
             "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
             "mlp.down_proj": "ffn_down"}
    for name, tensor in hf_model.state_dict().items():
        array = tensor.float().numpy()
        if name.startswith("model.layers."):
            parts = name.split(".")
            index, role = parts[2], ".".join(parts[3:-1])
            gguf_name = f"blk.{index}.{layer[role]}.weight"
            if role == "self_attn.q_proj":
                array = permute_for_gguf(array, cfg.num_attention_heads)
            elif role == "self_attn.k_proj":
                array = permute_for_gguf(array, cfg.num_key_value_heads)
        else:
            gguf_name = names[name]
        if quantize and array.ndim == 2:
            writer.add_tensor(gguf_name, gguf.quants.quantize(array, gguf.GGMLQuantizationType.Q8_0),
                              raw_dtype=gguf.GGMLQuantizationType.Q8_0)
        else:
            writer.add_tensor(gguf_name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
