"""Prefill and decode speed of our core (fp32, bf16) and of `transformers`, one run, one model.

    python benchmarks/decode.py [--tokens 64] [--prompt-tokens 256]

Prints tokens/s; never pass/fail. The default model is pulled into KIGI_HOME if needed.
"""

from __future__ import annotations

import argparse
import time

import torch

from agent.home import KigiHome
from agent.models import ensure_model, load_engine, model_registry
from llm.generate import SamplingConfig, generate_ids
from llm.registry import DEFAULT_MODEL

TEXT = ("Trees grow slowly, ring by ring, and a forest is a conversation between them that lasts "
        "for centuries. ") * 40


def time_ours(model, prompt, new_tokens):
    config = SamplingConfig(max_new_tokens=new_tokens)
    for _ in generate_ids(model, prompt[:8], SamplingConfig(max_new_tokens=4)):
        pass  # warm-up
    start = time.perf_counter()
    steps = generate_ids(model, prompt, config)
    next(steps)
    prefill = time.perf_counter() - start
    count = 1
    start = time.perf_counter()
    for _ in steps:
        count += 1
    decode = time.perf_counter() - start
    return len(prompt) / prefill, (count - 1) / decode


def time_transformers(path, prompt, new_tokens):
    from transformers import AutoModelForCausalLM

    hf = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32).eval()
    ids = torch.tensor([prompt])
    with torch.no_grad():
        hf(ids[:, :8])
        start = time.perf_counter()
        out = hf(ids, use_cache=True)
        prefill = time.perf_counter() - start
        past, token = out.past_key_values, out.logits[:, -1:].argmax(-1)
        start = time.perf_counter()
        for _ in range(new_tokens - 1):
            out = hf(token, past_key_values=past, use_cache=True)
            past, token = out.past_key_values, out.logits[:, -1:].argmax(-1)
        decode = time.perf_counter() - start
    return len(prompt) / prefill, (new_tokens - 1) / decode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=64, help="tokens to decode")
    parser.add_argument("--prompt-tokens", type=int, default=256, help="prompt length for prefill")
    parser.add_argument("--skip-transformers", action="store_true")
    args = parser.parse_args()
    home = KigiHome.resolve().ensure()
    path = ensure_model(home, DEFAULT_MODEL)
    print(f"model: {DEFAULT_MODEL} ({model_registry(home).resolve(DEFAULT_MODEL).source}); "
          f"threads: {torch.get_num_threads()}; prompt {args.prompt_tokens} tokens, decode {args.tokens}")
    rows = []
    for precision in ("fp32", "bf16"):
        engine = load_engine(home, DEFAULT_MODEL, precision)
        prompt = engine.tokenizer.encode(TEXT)[: args.prompt_tokens]
        rows.append((f"kigi {precision}", *time_ours(engine.model, prompt, args.tokens)))
        del engine
    if not args.skip_transformers:
        rows.append(("transformers fp32", *time_transformers(path, prompt, args.tokens)))
    print(f"{'engine':<20}{'prefill tok/s':>15}{'decode tok/s':>15}")
    for name, prefill, decode in rows:
        print(f"{name:<20}{prefill:>15.1f}{decode:>15.1f}")


if __name__ == "__main__":
    main()
