"""What checking the stored compiled step's guards every token cost: one process, the
default model at int4 with `--compile`'s stored step, greedy 64-token decodes with the
guards checked every token (as before) and once a decode loop (now), alternating, for the
plain model and with an adapter on. Prints the medians. Never pass/fail.

    python benchmarks/guard_checks.py [--adapter grounded-reader] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics

import _root  # noqa: F401  (the repository root on sys.path)
from adapter_speed import decode_rate  # noqa: E402

from agent.adapters import AdapterStore  # noqa: E402
from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402
from llm.lora import adapters_of  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--adapter", default="grounded-reader")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    home = KigiHome.resolve()
    engine = load_engine(home, precision="int4", compile=True)
    step = engine.compiled
    AdapterStore.of(home).load_onto(engine, args.adapter)
    once_a_loop = step._trusted  # noqa: SLF001 - the benchmark turns the trust off to time the old way
    modes = {"every token": lambda call_args: False, "once a loop": once_a_loop}
    for state in (None, args.adapter):
        with adapters_of(engine.model).using(state):
            decode_rate(engine, 4, 1)  # loads (or owes) this state's stored step
            step.wait()
            rates: dict[str, list[float]] = {mode: [] for mode in modes}
            for _ in range(args.repeats):
                for mode, trusted in modes.items():
                    step._trusted = trusted  # noqa: SLF001
                    rates[mode].append(decode_rate(engine, 64, 1))
            step._trusted = once_a_loop  # noqa: SLF001
        every, once = (statistics.median(rates[mode]) for mode in modes)
        print(f"{state or 'no adapter':<20} guards every token {every:6.1f} tok/s, once a loop {once:6.1f} tok/s "
              f"({once / every:.2f}x)", flush=True)


if __name__ == "__main__":
    main()
