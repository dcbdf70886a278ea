"""kigi's one-row int4 kernel (llm/kernels/int4_rows.cpp) against torch's, on the default
model's matmul shapes, in one process.

    python benchmarks/int4_rows.py [--rounds 5] [--calls 200]

Builds the kernel's library for this CPU into a temporary folder (~10-15 s), then, with the
two kernels taken in turn each round: each shape alone, warm in cache (median ms a call over
`--calls` calls, and the weights' GB/s), and a token's 121 matmuls in a row (30 layers of
q/k/v, o, gate/up and down, plus the head: ~66 MB of weights and scales, mostly from memory),
median of the rounds. Both on the same random weights; the largest difference from torch's
output is printed too. Figures only, never pass/fail; where the kernel cannot serve here
(no AVX2, no compiler), it says why and stops.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import _root  # noqa: F401  (the repository root on sys.path)
import torch

from llm import row_kernel  # noqa: E402
from llm.quant import Int4Linear  # noqa: E402
from llm.row_layout import block_layout  # noqa: E402

SHAPES = {"q/k/v": (960, 576, 30), "o": (576, 576, 30), "gate/up": (3072, 576, 30), "down": (576, 1536, 30),
          "head": (49152, 576, 1)}  # (outputs, inputs, calls a token) of the default model, fused as kigi runs it


def kernels(layer: Int4Linear, relaid: torch.Tensor) -> dict[str, Callable[[torch.Tensor], torch.Tensor]]:
    return {
        "torch's": lambda x: torch.ops.aten._weight_int4pack_mm_for_cpu(x, layer.packed, layer.group_size,
                                                                        layer.scales_and_zeros),
        "kigi's": lambda x: torch.ops.kigi.int4_rows(x, layer.packed, layer.group_size, relaid),
    }


def per_call_ms(call: Callable[[], object], calls: int) -> float:
    for _ in range(10):
        call()
    start = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - start) / calls * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    store = Path(tempfile.mkdtemp(prefix="kigi-int4-rows-"))
    if (reason := row_kernel.why_not(store)) is not None:
        sys.exit(f"kigi's int4 row kernel does not serve here: {reason}")
    row_kernel.load(row_kernel.build(store))
    print(f"torch {torch.__version__}, CPU capability {torch.backends.cpu.get_cpu_capability()}, "
          f"{torch.get_num_threads()} threads; agrees with torch's kernel: {row_kernel.agrees()}")

    torch.manual_seed(0)
    token: list[tuple[dict, torch.Tensor]] = []
    warm: dict[str, dict[str, list[float]]] = {}
    for name, (n, k, count) in SHAPES.items():
        layers = [Int4Linear.from_weight(torch.randn(n, k) * 0.05) for _ in range(count)]
        token += [(kernels(layer, block_layout(layer.scales_and_zeros)), torch.randn(1, k).to(torch.bfloat16))
                  for layer in layers]
        first, x = token[-count]
        difference = (first["kigi's"](x).float() - first["torch's"](x).float()).abs().max().item()
        warm[name] = {way: [] for way in first}
        for _ in range(args.rounds):
            for way, call in first.items():
                warm[name][way].append(per_call_ms(lambda call=call, x=x: call(x), args.calls))
        print(f"{name:8} {n:>5} x {k:<5} warm, ms a call: " + ", ".join(
            f"{way} {statistics.median(ms):.3f} ({n * k / 2 / statistics.median(ms) / 1e6:.1f} GB/s)"
            for way, ms in warm[name].items()) + f"; largest difference {difference:.2e}")

    whole: dict[str, list[float]] = {"torch's": [], "kigi's": []}
    for round_ in range(args.rounds * 3):
        for way in (list(whole) if round_ % 2 == 0 else list(reversed(whole))):
            start = time.perf_counter()
            for calls, x in token:
                calls[way](x)
            whole[way].append((time.perf_counter() - start) * 1e3)
    medians = {way: statistics.median(ms) for way, ms in whole.items()}
    ratio = medians["torch's"] / medians["kigi's"]
    print("a token's 121 matmuls in a row, ms (median of rounds): " + ", ".join(
        f"{way} {ms:.2f}" for way, ms in medians.items()) + f"; torch's / kigi's {ratio:.2f}x")


if __name__ == "__main__":
    main()
