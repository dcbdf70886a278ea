"""How much of a default answer is a loop: greedy answers to everyday prompts, decoded as
`kigi ask` decodes them but with the loop stop off, then the stop replayed over their
tokens (exact: every token before the stop is the same with it on). Prints how many answers
reach the token limit, how many the stop would end and where, and the decode it saves.

    python benchmarks/loop_stop.py [--prompts 60] [--loop-stop 32] [--max-tokens 512] [--precision int4]

The prompts are the preference loop's everyday questions (topic × template, shuffled with
--seed), not the 40 the precision gate decodes. Never pass/fail.
"""

from __future__ import annotations

import argparse
import random
import time

import _root  # noqa: F401  (the repository root on sys.path)
from preference_loop import TEMPLATES, TOPICS  # noqa: E402

from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402
from agent.prompts import ChatTemplate, Message  # noqa: E402
from llm.loops import ANSWER_LOOP_STOP, loop_end  # noqa: E402
from llm.sampling import SamplingConfig  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prompts", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--loop-stop", type=int, default=ANSWER_LOOP_STOP)
    parser.add_argument("--max-tokens", type=int, default=512)
    parser.add_argument("--precision", default="int4")
    parser.add_argument("--show", type=int, default=6, help="answers cut to print (their last 160 characters)")
    args = parser.parse_args()
    prompts = [t.format(topic) for topic in TOPICS for t in TEMPLATES]
    random.Random(args.seed).shuffle(prompts)
    prompts = prompts[: args.prompts]
    engine = load_engine(KigiHome.resolve(), precision=args.precision)
    template = ChatTemplate()
    sampling = SamplingConfig(max_new_tokens=args.max_tokens, stop_token_ids=template.stop_tokens(engine.tokenizer))
    rows = []
    for number, prompt in enumerate(prompts, 1):
        ids = template.render_ids(engine.tokenizer, [Message("user", prompt)])
        engine.model.clear_cache()
        start = time.perf_counter()
        [completion] = engine.complete(ids, sampling)
        seconds = time.perf_counter() - start
        tokens = completion.token_ids
        rows.append((prompt, tokens, completion.finish_reason, seconds, loop_end(tokens, args.loop_stop)))
        print(f"  {number}/{len(prompts)}: {len(tokens)} tokens, {completion.finish_reason}", flush=True)
    capped = [r for r in rows if r[2] == "length"]
    cut = [r for r in rows if r[4] is not None]
    ended = [r for r in cut if r[2] != "length"]
    decoded = sum(len(r[1]) for r in rows)
    kept = sum(r[4] or len(r[1]) for r in rows)
    seconds = sum(r[3] for r in rows)
    saved = sum(r[3] * (1 - r[4] / len(r[1])) for r in cut)  # each answer's own rate
    print(f"{len(rows)} answers ({args.precision}, greedy, ≤ {args.max_tokens} tokens), loop stop {args.loop_stop}:")
    print(f"  at the token limit: {len(capped)}; ended by the loop stop: {len(cut)} "
          f"({sum(r[2] == 'length' for r in cut)} of them at the limit without it, {len(ended)} that ended on "
          f"their own)")
    print(f"  tokens decoded: {decoded} without, {kept} with ({kept / decoded:.0%}); "
          f"decode seconds {seconds:.1f} without, ~{seconds - saved:.1f} with")
    for prompt, tokens, _, _, end in cut[: args.show]:
        tail = engine.tokenizer.decode(tokens[:end])[-160:].replace("\n", " ")
        print(f"  {prompt!r} cut at {end}/{len(tokens)}: …{tail}")


if __name__ == "__main__":
    main()
