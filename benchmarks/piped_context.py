"""Questions about piped-in text, answered as `echo TEXT | kigi ask QUESTION` answers them: the
text is the prompt's one source, the reader adapter reads it, and an answer its source does
not support is withheld. Prints accuracy on the answerable questions, correct abstentions on
the others, and writes one line per question.

    python benchmarks/piped_context.py [--file evals/piped/heldout.jsonl] [--reader NAME|off]
                                       [--precision int4] [--margin X] [--[no-]copy] [--out FILE]

Each line of the file is `{"context": ..., "question": ..., "answers": [...]}` (`[]`: the text
does not answer it), scored as `kigi eval rag` scores (`agent.rag_eval.is_correct`).
`evals/piped/dev.jsonl` may be chosen on; `evals/piped/heldout.jsonl` was written apart from
it, by another hand, and nothing is tuned on it. Greedy, 64 tokens, one run.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import _root  # noqa: F401  (the repository root on sys.path)

from agent.grounding import GroundingConfig, is_abstention  # noqa: E402
from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402
from agent.rag_eval import RagQuestion, is_correct  # noqa: E402
from agent.reading import DEFAULT_READER  # noqa: E402
from agent.session import Session  # noqa: E402
from llm.sampling import SamplingConfig  # noqa: E402

FILE = _root.ROOT / "evals" / "piped" / "heldout.jsonl"


def read_piped(path: Path) -> list[tuple[str, RagQuestion]]:
    """(context, question) pairs; a bad line is refused with its number."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            items.append((str(record["context"]), RagQuestion(str(record["question"]),
                                                              tuple(str(a) for a in record["answers"]))))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SystemExit(f"{path}:{number}: expected context, question and answers ({exc})") from None
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=FILE)
    parser.add_argument("--reader", default=DEFAULT_READER, help="the reader adapter, or off")
    parser.add_argument("--precision", choices=("fp32", "bf16", "int8", "int4"), default="int4",
                        help="int4: what `kigi ask` runs the default model at")
    parser.add_argument("--margin", type=float, default=GroundingConfig().piped_abstention_margin,
                        help="logits the reader's abstention must lead by (GroundingConfig.piped_abstention_margin)")
    parser.add_argument("--copy", action=argparse.BooleanOptionalAction, default=GroundingConfig().copy_answers,
                        help="hold the reader's answer to a span of the text (GroundingConfig.copy_answers)")
    parser.add_argument("--out", type=Path, help="per-question JSONL")
    args = parser.parse_args()
    from agent.adapters import AdapterStore

    home = KigiHome.resolve().ensure()
    engine = load_engine(home, precision=args.precision)
    reader = None if args.reader.lower() in ("off", "none") else args.reader
    name = AdapterStore.of(home).load_onto(engine, reader).name if reader else None
    session = Session(engine, reader=name, grounding=GroundingConfig(piped_abstention_margin=args.margin,
                                                                                copy_answers=args.copy))
    sampling = SamplingConfig(max_new_tokens=64, seed=0)
    rows = []
    for i, (context, question) in enumerate(read_piped(args.file), 1):
        session.new_conversation()
        for _ in session.reply(question.question, context=context, sampling=sampling):
            pass
        text = session.last.text if session.last else ""
        rows.append({"question": question.question, "answers": list(question.answers), "answer": text,
                     "correct": is_correct(text, question), "abstained": is_abstention(text)})
        print(f"\r{i} questions", end="", flush=True)
    print()
    if args.out:
        args.out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    answerable = [r for r in rows if r["answers"]]
    others = [r for r in rows if not r["answers"]]
    right = sum(r["correct"] for r in answerable)
    wrong = sum(not r["correct"] and not r["abstained"] for r in answerable)
    kept = sum(r["correct"] for r in others)
    print(f"{args.file.name}, reader {name or 'off'}, {args.precision}, margin {args.margin:g}, copy {args.copy}: "
          f"accuracy {(right + kept) / len(rows):.1%} ({right + kept}/{len(rows)}); answerable right "
          f"{right}/{len(answerable)}, wrong {wrong}, abstained {len(answerable) - right - wrong}; "
          f"correct abstentions {kept}/{len(others)}")


if __name__ == "__main__":
    main()
