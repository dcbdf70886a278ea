"""How often each precision's greedy answer parts from fp32's, on many everyday prompts, and
whether fp32 itself was sure where it parts: the default-precision gate (agent/precision.py)
decides on six prompts, where one near-tie can decide.

    python benchmarks/precision_agreement.py [--precisions bf16 int8 int4] [--model NAME]

Per precision: the mean share of fp32's answer reproduced before the first different token,
the answers that part within their first AGREED_START tokens, and for each of those fp32's
own top-2 log-probability margin at that position (a small margin: fp32 was at a coin flip
there, so any rounding may tip it), and the seconds the answers took. Prints figures;
never pass/fail.
"""

from __future__ import annotations

import argparse
import time

import _root  # noqa: F401  (the repository root on sys.path)

from agent.home import KigiHome  # noqa: E402
from agent.models import DEFAULT_MODEL, load_engine  # noqa: E402
from agent.precision import AGREED_START, QUALITY_PROMPTS, agreement, greedy_answers  # noqa: E402
from agent.prompts import ChatTemplate, Message  # noqa: E402
from llm.generate import next_token_logits  # noqa: E402

PROMPTS = (*QUALITY_PROMPTS,
           "What is the boiling point of water?", "Who wrote Romeo and Juliet?", "How many days are in a week?",
           "What do bees make?", "Suggest a name for a pet cat.", "What is the largest planet in our solar system?",
           "How do I make a cup of tea?", "What is photosynthesis?", "Translate 'hello' into Spanish.",
           "Give me a synonym for happy.", "What is the opposite of cold?", "Why is the sky blue?",
           "How many legs does a spider have?", "What is the capital of Japan?", "Write a haiku about rain.",
           "What is a noun?", "Name a fruit that is yellow.", "How can I sleep better?",
           "What does a thermometer measure?", "What is 7 times 8?", "Describe a cat in one sentence.",
           "What language is spoken in Brazil?", "Give one reason to exercise.",
           "What is the freezing point of water in Fahrenheit?", "Who painted the Mona Lisa?",
           "What is the chemical symbol for gold?", "Tell me a fun fact about octopuses.", "How do plants drink water?",
           "What is a verb?", "Name two continents.", "What is the tallest mountain on Earth?",
           "Why do we have seasons?", "What is an apple?", "Write a short greeting for a birthday card.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--precisions", nargs="+", default=["bf16", "int8", "int4"])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()
    home = KigiHome.resolve().ensure()
    reference = load_engine(home, args.model, precision="fp32")
    template = ChatTemplate()
    prompts = [template.render_ids(reference.tokenizer, [Message("user", p)]) for p in PROMPTS]
    expected = greedy_answers(reference, PROMPTS)

    def fp32_margin(prompt: list[int], prefix: list[int]) -> float:
        reference.model.clear_cache()
        top = next_token_logits(reference.model, prompt + prefix).float().flatten().log_softmax(-1).topk(2).values
        return round(float(top[0] - top[1]), 2)

    print(f"{len(PROMPTS)} prompts, greedy answers against fp32 ({args.model})")
    for precision in args.precisions:
        engine = load_engine(home, args.model, precision=precision)
        start = time.perf_counter()
        answers = greedy_answers(engine, PROMPTS)
        seconds = time.perf_counter() - start
        share, _ = agreement(answers, expected)
        partings = []
        for text, prompt, got, want in zip(PROMPTS, prompts, answers, expected, strict=True):
            shorter = min(len(got), len(want))
            same = next((i for i in range(shorter) if got[i] != want[i]), shorter)
            if same < min(AGREED_START, len(want)):
                partings.append(f"'{text[:30]}' at token {same}, fp32 margin {fp32_margin(prompt, want[:same])}")
        print(f"{precision}: greedy prefix kept {share:.3f}; {len(partings)}/{len(PROMPTS)} part within "
              f"{AGREED_START} tokens; answers in {seconds:.0f} s")
        for parting in partings:
            print(f"  {parting}")
        del engine


if __name__ == "__main__":
    main()
