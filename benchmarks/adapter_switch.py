"""Time to switch the active LoRA adapter on the default model, unmerged and merged.

    python benchmarks/adapter_switch.py [--targets q,v] [--rank 8] [--repeats 50]

Two adapters (random weights, so they really change the output) are attached to one
loaded model; switching between them, and to none, is timed. Unmerged, a switch flips a
flag on each wrapped layer; merged, it also restores and re-merges the weights. A merged
switch is what a caller pays for the faster merged decode. Prints milliseconds; never
pass/fail. The default model is pulled into KIGI_HOME if needed.
"""

from __future__ import annotations

import argparse
import statistics
import time

import _root  # noqa: F401  (the repository root on sys.path)
import torch  # noqa: E402

from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402
from llm.lora import LoRAConfig, adapters_of, parse_targets  # noqa: E402


def time_switches(adapters, names, repeats: int) -> list[float]:
    times = []
    for i in range(repeats):
        name = names[i % len(names)]
        start = time.perf_counter()
        adapters.activate(name)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--targets", default="q,v")
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    start = time.perf_counter()
    engine = load_engine(KigiHome.resolve().ensure())
    print(f"model loaded in {time.perf_counter() - start:.1f}s ({engine.name}, {torch.get_num_threads()} threads)")
    adapters = adapters_of(engine.model)
    config = LoRAConfig(rank=args.rank, targets=parse_targets(args.targets))
    for seed, name in enumerate(("a", "b")):
        adapters.add(name, config, seed=seed)
        with torch.no_grad():
            for param in adapters.parameters(name):
                param.normal_(0, 0.01)
    layers = sum(1 for _ in adapters.lora_layers())
    print(f"2 adapters, targets {','.join(config.targets)}, rank {config.rank}: {layers} wrapped layers, "
          f"{adapters.num_parameters('a'):,} parameters each")

    idx = torch.tensor([engine.tokenizer.encode("Trees grow slowly, ring by ring.")])
    with torch.no_grad():
        outputs = {}
        for name in ("a", "b", None):
            adapters.activate(name)
            outputs[name] = engine.model(idx, last_only=True)
    assert not torch.equal(outputs["a"], outputs["b"]) and not torch.equal(outputs["a"], outputs[None])

    for mode in ("unmerged", "merged"):
        if mode == "merged":
            adapters.merge()
        times = time_switches(adapters, ["a", "b", None], args.repeats)
        print(f"{mode:>9} switch: median {statistics.median(times):.3f} ms, max {max(times):.3f} ms "
              f"({args.repeats} switches among a, b and off)")
    adapters.unmerge()


if __name__ == "__main__":
    main()
