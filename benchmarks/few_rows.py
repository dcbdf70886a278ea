"""Few-row float matmuls, W · xᵀ (llm/linear.py) against F.linear, in one process.

    python benchmarks/few_rows.py [--precision fp32] [--rounds 2]

Rows taken in turn, the same prompts and seeds: k sampled thoughts of one Game of 24 state
decoded as one batch, and a level of k different states proposed as one left-padded batch
(what ToT does at each level), then a 10-token memory query through the MiniLM encoder.
Prints tokens/s (or ms a query) for both ways and whether the texts are the same; figures
only, never pass/fail. The default models are pulled into KIGI_HOME if needed.
"""

from __future__ import annotations

import argparse
import time

import _root  # noqa: F401  (the repository root on sys.path)
import numpy as np  # noqa: E402

import llm.linear  # noqa: E402
from agent.home import KigiHome  # noqa: E402
from agent.lm import EngineLM  # noqa: E402
from agent.models import load_engine  # noqa: E402
from agent.tasks.game24 import Game24Task, next_steps  # noqa: E402
from llm.config import PRECISIONS  # noqa: E402
from llm.registry import DEFAULT_MODEL  # noqa: E402
from memory.embed import SentenceEncoder, pull_embedding_model  # noqa: E402

PUZZLE = (4, 5, 6, 10)
WAYS = {"W · xT (kigi)": llm.linear.SKINNY_ROWS, "F.linear": (2, 1)}  # (2, 1): no row count qualifies


def decode_rates(lm: EngineLM, k: int, tokens: int) -> tuple[float, float, list[str]]:
    task = Game24Task(PUZZLE, render=lm.render)
    prompt = task.sample_prompt(task.root())
    level = [task.propose_prompt(f"{step.line()}\n") for step in next_steps(PUZZLE)[:k]]
    start = time.perf_counter()
    samples = lm.complete(prompt, n=k, max_tokens=tokens, temperature=0.7, seed=1)
    mid = time.perf_counter()
    proposals = lm.complete_each(level, max_tokens=tokens, temperature=0.7, seed=1)
    end = time.perf_counter()
    return (sum(c.tokens for c in samples) / (mid - start), sum(c.tokens for c in proposals) / (end - mid),
            [c.text for c in samples + proposals])


def query_ms(encoder: SentenceEncoder, queries: list[str]) -> tuple[float, float]:
    times = []
    for query in queries:
        start = time.perf_counter()
        encoder.encode([query])
        times.append(time.perf_counter() - start)
    p50, p95 = np.percentile(np.array(times) * 1000, [50, 95])
    return float(p50), float(p95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--precision", choices=PRECISIONS, default="fp32")
    parser.add_argument("--k", type=int, default=5, help="rows of a batch")
    parser.add_argument("--tokens", type=int, default=32, help="tokens decoded per row")
    parser.add_argument("--rounds", type=int, default=2, help="times each way is measured, taken in turn")
    args = parser.parse_args()
    home = KigiHome.resolve().ensure()
    lm = EngineLM(load_engine(home, DEFAULT_MODEL, args.precision))
    encoder = SentenceEncoder(pull_embedding_model(home.models))
    queries = [f"which w{i} w{7 * i} w{13 * i} harbour ledger cobalt ferry quarry" for i in range(60)]
    lm.complete("Hello", max_tokens=4)  # warm-up
    encoder.encode(queries[:2])
    texts: dict[str, list[str]] = {}
    print(f"model {DEFAULT_MODEL} ({args.precision}); k = {args.k} rows, {args.tokens} tokens a row")
    for round_ in range(1, args.rounds + 1):
        for way, rows in WAYS.items():
            llm.linear.SKINNY_ROWS = rows
            samples, level, texts[way] = decode_rates(lm, args.k, args.tokens)
            p50, p95 = query_ms(encoder, queries)
            print(f"round {round_}  {way:<14} {args.k} samples {samples:6.1f} tok/s   a level of {args.k} "
                  f"{level:6.1f} tok/s   MiniLM query p50 {p50:5.1f} ms p95 {p95:5.1f} ms")
    same = len({tuple(t) for t in texts.values()}) == 1
    print(f"same texts both ways: {same}")


if __name__ == "__main__":
    main()
