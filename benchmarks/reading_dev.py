"""Reader adapters on generated reading questions that no adapter was trained on: a dev set
for choosing between reader candidates without looking at the held-out KBs.

    python benchmarks/reading_dev.py --reader grounded-reader [--reader other ...]
                                     [--examples 160] [--seed 1000] [--long-share 0.5]

The questions come from `kigi train reading-data`'s generator with a seed no training file
used (training files are written with small seeds; the default here is 1000), so the
documents, facts and names are new, though their styles are the ones trained on: a reader
that does worse here than another did not learn the generated task as well. The held-out
figure that matters stays `benchmarks/rag_heldout.py` on hand-written KBs.

Prints, per reader, for the short documents and the long notes separately: answers right
(the expected answer on word boundaries, as `kigi eval rag` scores), false abstentions,
and correct abstentions.
"""

from __future__ import annotations

import argparse

import _root  # noqa: F401  (the repository root on sys.path)

from agent.adapters import AdapterStore  # noqa: E402
from agent.grounding import is_abstention  # noqa: E402
from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402
from agent.prompts import ChatTemplate, Message  # noqa: E402
from agent.rag_eval import matches  # noqa: E402
from agent.reading.narrative import VOICES  # noqa: E402
from agent.reading.training import ReadingConfig, ReadingExample, reading_examples  # noqa: E402
from llm.lora import adapters_of  # noqa: E402
from llm.sampling import SamplingConfig  # noqa: E402


def replies(engine, reader: str | None, examples: list[ReadingExample], batch: int) -> list[str]:
    template = ChatTemplate()
    sampling = SamplingConfig(max_new_tokens=24, stop_token_ids=template.stop_tokens(engine.tokenizer))
    prompts = [template.render_ids(engine.tokenizer, [Message("user", e.messages[0]["content"])]) for e in examples]
    out: list[str] = []
    with adapters_of(engine.model).using(reader):
        for start in range(0, len(prompts), batch):
            out += [c.text for c in engine.complete_each(prompts[start:start + batch], sampling)]
            print(f"\r{reader or 'no reader'}: {len(out)}/{len(prompts)}", end="", flush=True)
    print()
    return out


def scores(examples: list[ReadingExample], texts: list[str]) -> dict[str, str]:
    answerable = [(e, t) for e, t in zip(examples, texts, strict=True) if e.answer is not None]
    unanswerable = [t for e, t in zip(examples, texts, strict=True) if e.answer is None]

    def share(hits: int, total: int) -> str:
        return f"{hits / total:.1%} ({hits}/{total})" if total else "-"

    return {"right": share(sum(matches(t, [e.answer]) for e, t in answerable), len(answerable)),
            "false_abstention": share(sum(is_abstention(t) for _, t in answerable), len(answerable)),
            "correct_abstention": share(sum(is_abstention(t) for t in unanswerable), len(unanswerable))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reader", action="append", required=True, help="an adapter name, or 'off'")
    parser.add_argument("--examples", type=int, default=160)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--long-share", type=float, default=0.5)
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args()
    examples = list(reading_examples(ReadingConfig(examples=args.examples, seed=args.seed, long=args.long_share)))
    home = KigiHome.resolve().ensure()
    engine = load_engine(home)
    store = AdapterStore.of(home)
    for reader in args.reader:
        name = None if reader.lower() == "off" else store.load_onto(engine, reader).name
        texts = replies(engine, name, examples, args.batch)
        for part, is_long in (("short documents", False), ("long notes", True)):
            chosen = [(e, t) for e, t in zip(examples, texts, strict=True)
                      if is_long == any(d.style in VOICES for d in e.sources)]
            figures = scores([e for e, _ in chosen], [t for _, t in chosen])
            print(f"{name or 'no reader'} · {part}: " + "  ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
