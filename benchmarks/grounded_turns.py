"""Grounded chat turns: positions computed and seconds per turn, the reader on for each answer.

    python benchmarks/grounded_turns.py [--precision int4] [--turns 5] [--max-tokens 16]

A chat with memory switches the reader adapter on for each grounded answer and off after
it. The KV cache keeps the keys of the conversation for the adapter that computed them, so
each turn should compute only its own new tokens, not the whole conversation again. The
memory here is two fixed sources (no Chroma: this measures the model side); the default
model and the shipped reader. Figures only, never pass/fail.
"""

from __future__ import annotations

import argparse
import os
import time

import _root  # noqa: F401  (the repository root on sys.path)

from agent.adapters import AdapterStore  # noqa: E402
from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402
from agent.session import Session  # noqa: E402
from llm.sampling import SamplingConfig  # noqa: E402
from memory.store import Hit  # noqa: E402

SOURCES = [
    Hit("pell", "The lighthouse of Pell is painted green and was built in 1871 by Ada Voss. "
                "Its lamp burns seal oil.", "pell.md", 0, 0.9),
    Hit("orrin", "Orrin is a fishing village of 312 people. Its harbour freezes every February.", "orrin.md", 0, 0.8),
]
QUESTIONS = ["Who built the lighthouse?", "What colour is it?", "How many people live in Orrin?",
             "When does the harbour freeze?", "What does the lamp burn?"]


class FixedSources:
    """A retriever that always finds the same two sources."""

    def search(self, query: str, k: int = 5, min_relevance: float = 0.0) -> list[Hit]:
        return SOURCES[:k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--precision", default="int4")
    parser.add_argument("--turns", type=int, default=len(QUESTIONS))
    parser.add_argument("--max-tokens", type=int, default=16)
    args = parser.parse_args()
    home = KigiHome.resolve().ensure()
    engine = load_engine(home, precision=args.precision)
    reader = AdapterStore.of(home).load_onto(engine, "grounded-reader").name
    computed = [0]

    def count(module, inputs) -> None:  # noqa: ANN001
        computed[0] += inputs[0].size(0) * inputs[0].size(1)

    engine.model.blocks[0].register_forward_pre_hook(count)
    session = Session(engine, retriever=FixedSources(), reader=reader)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for turn in range(args.turns):
        question = QUESTIONS[turn % len(QUESTIONS)]
        computed[0] = 0
        start = time.perf_counter()
        answer = "".join(session.reply(question, sampling=SamplingConfig(max_new_tokens=args.max_tokens)))
        seconds = time.perf_counter() - start
        print(f"turn {turn + 1}: prompt {session.last.prompt_tokens} tokens, computed {computed[0]} positions, "
              f"{seconds:.2f} s: {answer.strip()[:40]!r}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
