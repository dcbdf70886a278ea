"""Decode speed with a LoRA adapter attached and active, against the plain model (issue 21:
an active adapter cost int4 46 → 32 tok/s, and merely attaching one turned the fused
q/k/v and gate/up matmuls off).

    python benchmarks/adapter_speed.py [--adapter grounded-reader] [--precision int4,fp32] [--tokens 64]

For each precision, on the default model: tokens/s of a greedy batch-1 decode with no
adapter, the adapter attached but off, the adapter on (the fused matmuls plus the
adapter's factors joined into one pair of matmuls per fused projection), and both again
with the fused matmuls turned off ("unfused": how an attached adapter ran before).
Medians of `--repeats` runs, in one process; the ratios to "no adapter" are the figures to
read. Never pass/fail.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import _root  # noqa: F401  (the repository root on sys.path)

from agent.adapters import AdapterStore  # noqa: E402
from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402
from llm.generate import generate_ids  # noqa: E402
from llm.lora import adapters_of  # noqa: E402
from llm.sampling import SamplingConfig  # noqa: E402

PROMPT = "Explain in a few sentences why the sky is blue, and what changes at sunset."


def decode_rate(engine, tokens: int, repeats: int) -> float:
    ids = engine.tokenizer.encode(PROMPT)
    rates = []
    for _ in range(repeats):
        engine.model.clear_cache()
        first, count = None, 0
        for _step in generate_ids(engine.model, ids, SamplingConfig(max_new_tokens=tokens)):
            count += 1
            if first is None:
                first = time.perf_counter()
        rates.append((count - 1) / (time.perf_counter() - first))
    return statistics.median(rates)


def unfused(engine) -> list:
    saved = [(block.attn.fused, block.mlp.fused) for block in engine.model.blocks]
    for block in engine.model.blocks:
        block.attn.fused = block.mlp.fused = None
    return saved


def refused(engine, saved) -> None:
    for block, (attn, mlp) in zip(engine.model.blocks, saved, strict=True):
        block.attn.fused, block.mlp.fused = attn, mlp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--adapter", default="grounded-reader")
    parser.add_argument("--precision", default="int4,fp32")
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    home = KigiHome.resolve().ensure()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for precision in args.precision.split(","):
        engine = load_engine(home, precision=precision)
        rows = {"no adapter": decode_rate(engine, args.tokens, args.repeats)}
        name = AdapterStore.of(home).load_onto(engine, args.adapter).name
        adapters = adapters_of(engine.model)
        rows["attached, off"] = decode_rate(engine, args.tokens, args.repeats)
        saved = unfused(engine)
        rows["attached, off, unfused"] = decode_rate(engine, args.tokens, args.repeats)
        refused(engine, saved)
        with adapters.using(name):
            rows["on (fused, joined)"] = decode_rate(engine, args.tokens, args.repeats)
            saved = unfused(engine)
            rows["on, unfused"] = decode_rate(engine, args.tokens, args.repeats)
            refused(engine, saved)
        base = rows["no adapter"]
        for label, rate in rows.items():
            print(f"{precision:>5} {label:<22} {rate:6.1f} tok/s  {rate / base:5.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
