"""Decode speed with a LoRA adapter attached and active, against the plain model (issue 21:
an active adapter cost int4 46 → 32 tok/s, and merely attaching one turned the fused
q/k/v and gate/up matmuls off).

    python benchmarks/adapter_speed.py [--adapter grounded-reader] [--precision int4,fp32] [--tokens 64]
    python benchmarks/adapter_speed.py --precision int4 --compile   # the compiled decode step

For each precision, on the default model: tokens/s of a greedy batch-1 decode with no
adapter, the adapter attached but off, the adapter on (compiled on an int4 model where kigi's
row kernel serves: the update added inside each int4 matmul's pass, llm/row_layout.py;
else the fused matmuls plus the factors joined into one pair of matmuls), and both again
with the fused matmuls turned off ("unfused": how an attached adapter ran before), and the
adapter folded into the weights for good (what `kigi ask` does for its one answer on float
weights; quantized weights are quantized again with the update added, which `kigi ask`
does not do: int4 cannot hold the update, and the grounded reader folded into int4 scored
22.5% held out against 41.2% unfolded — this row is speed only), with the seconds the fold
took. "No adapter" is the same model with the adapter taken off (two copies of one model
in a process decoded up to 10% apart, which swamped what the adapter costs); "folded" is a
copy (a fold is for good). Medians of `--repeats` runs, in one process, the rows taken in
turn, in reverse order every other round; each ratio is the median of the rounds' own
ratios to "no adapter", so a change in the machine's speed between rounds cancels out, and
within a round it hits the first and the last row alike. Never pass/fail. The thread count
is held at torch's (`KIGI_FIT_THREADS=0`): fitted to the idle cores, a run that starts while
any other task is runnable decodes on one thread, and a row would measure that moment.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager

import _root  # noqa: F401  (the repository root on sys.path)
import torch

from agent.adapters import AdapterStore  # noqa: E402
from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402
from llm.generate import generate_ids  # noqa: E402
from llm.lora import adapters_of  # noqa: E402
from llm.sampling import SamplingConfig  # noqa: E402
from llm.threads import FIT_ENV  # noqa: E402

PROMPT = "Explain in a few sentences why the sky is blue, and what changes at sunset."


def decode_rates(engine, text: str, tokens: int, repeats: int) -> list[float]:
    """Tokens/s after the first token of `repeats` greedy answers to `text`, each from an empty cache."""
    ids = engine.tokenizer.encode(text)
    rates = []
    for _ in range(repeats):
        engine.model.clear_cache()
        first, count = None, 0
        for _step in generate_ids(engine.model, ids, SamplingConfig(max_new_tokens=tokens), compiled=engine.compiled):
            count += 1
            if first is None:
                first = time.perf_counter()
        rates.append((count - 1) / (time.perf_counter() - first))
    return rates


def decode_rate(engine, tokens: int, repeats: int) -> float:
    return statistics.median(decode_rates(engine, PROMPT, tokens, repeats))


@contextmanager
def unfused(engine) -> Iterator[None]:
    """The fused q/k/v and gate/up matmuls turned off (how an attached adapter ran before)."""
    saved = [(block.attn.fused, block.mlp.fused) for block in engine.model.blocks]
    for block in engine.model.blocks:
        block.attn.fused = block.mlp.fused = None
    try:
        yield
    finally:
        for block, (attn, mlp) in zip(engine.model.blocks, saved, strict=True):
            block.attn.fused, block.mlp.fused = attn, mlp


Row = tuple[Callable[[], AbstractContextManager], ...]  # the contexts a row decodes inside, entered in order


def configurations(engine, adapters, name: str, compiled: bool) -> dict[str, Row]:
    def on() -> AbstractContextManager:
        return adapters.using(name)

    rows: dict[str, Row] = {"attached, off": (), "on (fused, joined)": (on,)}
    if not compiled:  # each row is a graph of its own for the compiler: the unfused ones are history
        rows["attached, off, unfused"] = (lambda: unfused(engine),)
        rows["on, unfused"] = (on, lambda: unfused(engine))
    return rows


@contextmanager
def inside(row: Row) -> Iterator[None]:
    with ExitStack() as stack:
        for context in row:
            stack.enter_context(context())
        yield


@contextmanager
def detached(engine, store: AdapterStore, adapter: str) -> Iterator[None]:
    """The adapter taken off the model (as it was before it was attached), then put back."""
    (name,) = adapters_of(engine.model).names
    adapters_of(engine.model).remove(name)
    try:
        yield
    finally:
        store.load_onto(engine, adapter)


def paired_ratio(runs: list[float], base: list[float]) -> float:
    """The median of each round's ratio to the base row's rate in that round: a change in
    the machine's speed between rounds cancels out."""
    return statistics.median(run / first for run, first in zip(runs, base, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--adapter", default="grounded-reader")
    parser.add_argument("--precision", default="int4,fp32")
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--compile", action="store_true", help="decode with the compiled step (each row "
                        "compiled once, before the timed runs)")
    args = parser.parse_args()
    os.environ[FIT_ENV] = "0"
    home = KigiHome.resolve().ensure()
    print(f"load average before: {os.getloadavg()[0]:.2f}; {torch.get_num_threads()} threads, held")
    store = AdapterStore.of(home)
    for precision in args.precision.split(","):
        engine, folded = (load_engine(home, precision=precision, compile=args.compile) for _ in range(2))
        name = store.load_onto(engine, args.adapter).name
        store.load_onto(folded, args.adapter)
        started = time.perf_counter()
        adapters_of(folded.model).fold(name)
        fold_seconds = time.perf_counter() - started
        rows = {"no adapter": (engine, (functools.partial(detached, engine, store, args.adapter),)),
                **{label: (engine, row) for label, row in
                   configurations(engine, adapters_of(engine.model), name, args.compile).items()},
                f"folded (a copy; the fold {fold_seconds:.2f} s)": (folded, ())}
        for model in (engine, folded):
            model.warm_up()
        rates: dict[str, list[float]] = {label: [] for label in rows}
        if args.compile:
            for model, row in rows.values():  # a row's first run loads or owes its state's step
                with inside(row):
                    decode_rate(model, 4, 1)
                    model.compiled.wait()  # ready before the timed runs (built only in the state it is for)
        for round_number in range(args.repeats):  # round robin, the order reversed every other round: a
            order = list(rows.items())  # drift in the machine's speed, within a round too, hits every row alike
            for label, (model, row) in order[::-1] if round_number % 2 else order:
                with inside(row):
                    decode_rate(model, 2, 1)  # once per row: a re-attached adapter laid out again, untimed
                    if args.compile:
                        model.compiled.wait()  # nor a step still loading
                    gc.collect()  # the garbage of taking the adapter off and on, not collected while timed
                    rates[label].append(decode_rate(model, args.tokens, 1))
        for label, runs in rates.items():
            print(f"{precision:>5} {label:<40} {statistics.median(runs):6.1f} tok/s  "
                  f"{paired_ratio(runs, rates['no adapter']):5.2f}x  " + " ".join(f"{r:.0f}" for r in runs))
        if "on (fused, joined)" in rates:  # the adapter's own cost: the same model copy and stored-step kind
            print(f"{precision:>5} on / attached and off, paired: "
                  f"{paired_ratio(rates['on (fused, joined)'], rates['attached, off']):.3f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
