"""Tree-of-Thoughts throughput on the default model: thoughts generated and states
evaluated per second, with k samples decoded as one batch vs one by one, and a level of
k different states expanded as one left-padded batch (what bfs does) vs one call each.

    python benchmarks/tot_throughput.py [--k 5] [--thought-tokens 24] [--states 6] [--precision fp32]

Game of 24 prompts (puzzle 4 5 6 10). Thoughts: k sampled next steps of one state, as one
batch sharing the prefill (what ToT's sample generator does) vs k separate calls. States:
the LM value from label probabilities (one forward pass per state), and the paper's
sampled value (k judgements per state) batched vs one by one. Row i of a batch is seeded
like the i-th lone call, so both ways sample the same text: the difference is speed only.
Prints figures; never pass/fail. The default model is pulled into KIGI_HOME if needed.
"""

from __future__ import annotations

import argparse
import time

import _root  # noqa: F401  (the repository root on sys.path)
import torch  # noqa: E402

from agent.home import KigiHome  # noqa: E402
from agent.lm import EngineLM  # noqa: E402
from agent.models import load_engine  # noqa: E402
from agent.tasks.game24 import Game24Task, next_steps  # noqa: E402
from agent.tot import VALUE_LABELS  # noqa: E402
from llm.config import PRECISIONS  # noqa: E402
from llm.registry import DEFAULT_MODEL  # noqa: E402

PUZZLE = (4, 5, 6, 10)


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--k", type=int, default=5, help="samples per state (thoughts, sampled judgements)")
    parser.add_argument("--thought-tokens", type=int, default=24, help="max tokens of one sampled thought")
    parser.add_argument("--propose-tokens", type=int, default=48, help="max tokens of one propose reply")
    parser.add_argument("--judge-tokens", type=int, default=8, help="max tokens of one sampled judgement")
    parser.add_argument("--states", type=int, default=6, help="states to evaluate")
    parser.add_argument("--precision", choices=PRECISIONS, default="fp32")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()

    engine = load_engine(KigiHome.resolve().ensure(), args.model, args.precision)
    lm = EngineLM(engine)
    task = Game24Task(PUZZLE, render=lm.render)
    root = task.root()
    prompt = task.sample_prompt(root)
    k, seed = args.k, 1234
    print(f"model {args.model} ({args.precision}), torch threads {torch.get_num_threads()}, puzzle {PUZZLE}")
    print(f"sample prompt: {len(lm.encode(prompt))} tokens; k = {k}, up to {args.thought_tokens} tokens a thought")
    lm.complete(prompt, max_tokens=4)  # warm-up

    # -- thoughts ------------------------------------------------------------------------
    def sample(n: int, s: int):
        return lm.complete(prompt, n=n, max_tokens=args.thought_tokens, temperature=0.7, seed=s)

    batch, t_batch = timed(lambda: sample(k, seed))
    alone, t_alone = timed(lambda: [sample(1, seed + i)[0] for i in range(k)])
    tokens_batch, tokens_alone = sum(c.tokens for c in batch), sum(c.tokens for c in alone)
    print("\nthoughts (sampled next steps)")
    print(f"  batched    {k / t_batch:6.2f} thoughts/s  {tokens_batch / t_batch:6.1f} tokens/s  ({t_batch:.1f}s)")
    print(f"  one by one {k / t_alone:6.2f} thoughts/s  {tokens_alone / t_alone:6.1f} tokens/s  ({t_alone:.1f}s)")
    print(f"  speed-up   {t_alone / t_batch:6.2f}x   same texts: {[c.text for c in batch] == [c.text for c in alone]}")
    print(f"  valid steps parsed: {sum(bool(task.parse_thoughts(root, c.text)) for c in batch)}/{k}")

    # -- a level: k different states expanded (propose), one batch vs one by one ------------
    states = [f"{step.line()}\n" for step in next_steps(PUZZLE)[: args.states]]
    level = [task.propose_prompt(s) for s in states[:k]]

    def propose_each():
        return lm.complete_each(level, max_tokens=args.propose_tokens, temperature=0.7, seed=seed)

    each, t_each = timed(propose_each)
    lone, t_lone = timed(lambda: [lm.complete(p, max_tokens=args.propose_tokens, temperature=0.7, seed=seed + i)[0]
                                  for i, p in enumerate(level)])
    tokens_each, tokens_lone = sum(c.tokens for c in each), sum(c.tokens for c in lone)
    print(f"\na level: {len(level)} different states proposed (prompts ~{len(lm.encode(level[0]))} tokens)")
    print(f"  one batch  {tokens_each / t_each:6.1f} tokens/s  ({t_each:.1f}s)")
    print(f"  one by one {tokens_lone / t_lone:6.1f} tokens/s  ({t_lone:.1f}s)")
    print(f"  speed-up   {t_lone / t_each:6.2f}x   same texts: {[c.text for c in each] == [c.text for c in lone]}")

    # -- states --------------------------------------------------------------------------
    prompts = [task.value_prompt(s) for s in states]
    labels = list(VALUE_LABELS)
    lm.label_probs(prompts[0], labels)  # warm-up
    _, t_value = timed(lambda: [lm.label_probs(p, labels) for p in prompts])

    def judge(p: str, n: int, s: int):
        return lm.complete(p, n=n, max_tokens=args.judge_tokens, temperature=0.7, seed=s)

    _, t_sv_batch = timed(lambda: [judge(p, k, seed) for p in prompts])
    _, t_sv_alone = timed(lambda: [judge(p, 1, seed + i) for p in prompts for i in range(k)])
    n = len(prompts)
    print(f"\nstates evaluated ({n} states, value prompt ~{len(lm.encode(prompts[0]))} tokens)")
    print(f"  value (label-word probabilities)    {n / t_value:6.2f} states/s  ({t_value:.1f}s)")
    print(f"  sampled value, k={k} batched          {n / t_sv_batch:6.2f} states/s  ({t_sv_batch:.1f}s)")
    print(f"  sampled value, k={k} one by one       {n / t_sv_alone:6.2f} states/s  ({t_sv_alone:.1f}s)")
    print(f"  speed-up of batching                {t_sv_alone / t_sv_batch:6.2f}x")


if __name__ == "__main__":
    main()
