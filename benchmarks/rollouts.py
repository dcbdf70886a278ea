"""Seconds to sample one PPO iteration's rollouts on the default model, one query at a time
against one left-padded batch (issue 16: rollouts were 73 s of each 106-s iteration).

    python benchmarks/rollouts.py [--prompts 8] [--samples 2] [--max-new-tokens 96] [--batch 16]

The same prompts, seeds and sampling both ways; the answers are checked equal token for
token (a batch changes speed, never text) and the ratio is printed from one run. Never
pass/fail: timings depend on the machine and what else runs on it.
"""

from __future__ import annotations

import argparse
import time

import _root  # noqa: F401  (the repository root on sys.path)
import torch  # noqa: E402

from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402
from agent.prompts import ChatTemplate, Message  # noqa: E402
from llm.generate import SamplingConfig  # noqa: E402
from llm.train.rollouts import sample_rollouts  # noqa: E402

PROMPTS = [
    "Give me three tips for keeping houseplants alive.", "What is the capital of France?",
    "Explain what a hash map is in two sentences.", "Write a haiku about autumn rain.",
    "How do I boil an egg?", "Why is the sky blue?", "Suggest a name for a grey cat.",
    "What does a compiler do?", "Summarise the water cycle.", "How many legs does a spider have?",
    "Recommend a board game for four players.", "What is 12 times 7?",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prompts", type=int, default=8)
    parser.add_argument("--samples", type=int, default=2)
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--batch", type=int, default=16, help="rows decoded together in the batched run")
    args = parser.parse_args()
    engine = load_engine(KigiHome.resolve().ensure())
    template = ChatTemplate()
    queries = [template.render_ids(engine.tokenizer, [Message("user", PROMPTS[i % len(PROMPTS)])])
               for i in range(args.prompts)]
    sampling = SamplingConfig(max_new_tokens=args.max_new_tokens, temperature=1.0, seed=0,
                              stop_token_ids=tuple(template.stop_tokens(engine.tokenizer)))
    timings = {}
    answers = {}
    for label, rows in (("one query at a time", 1), (f"batches of {args.batch}", args.batch)):
        start = time.perf_counter()
        rollouts = sample_rollouts(engine.model, queries, sampling, args.samples, batch_rows=rows)
        timings[label] = time.perf_counter() - start
        answers[label] = rollouts.responses
        tokens = sum(map(len, rollouts.responses))
        print(f"{label:>22}: {timings[label]:6.1f} s  {tokens} tokens  {tokens / timings[label]:6.1f} tok/s "
              f"({torch.get_num_threads()} threads)")
    first, second = answers.values()
    print(f"same answers token for token: {first == second}")
    slow, fast = timings.values()
    print(f"speed-up: {slow / fast:.2f}x")


if __name__ == "__main__":
    main()
