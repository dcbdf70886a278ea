"""Grounded answers on the held-out, hand-written knowledge bases (evals/rag), each indexed
with the 60 distractor documents: the figures issue 13 asks for, pooled over every KB.

    python benchmarks/rag_heldout.py [--reader grounded-reader] [--compare-off] [--no-baseline]
                                     [--passages N|off] [--focus N|off] [--read each|together] [--out DIR]
                                     [--evals evals/rag-dev] [-k 4] [--max-source-chars 3000]
                                     [--precision fp32|bf16|int8|int4] [--abstention-margin X] [--[no-]copy]
                                     [--topic-check]

The same code path as `kigi eval rag --kb evals/rag/kb/NAME --questions evals/rag/NAME.jsonl
--distractors evals/rag/distractors`, run for each KB. With --compare-off it runs a second
time without the reader adapter (the base model on the same prompts). Per-question results
go to DIR/<reader>/<kb>.jsonl; a KB whose file exists is read back, not rerun (resumable).
Nothing here is tuned on: evals/rag is never used for training or prompt wording. `--evals
evals/rag-dev` runs the same on the development KBs, which may be chosen on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import _root  # noqa: F401  (the repository root on sys.path)

from agent.focus import FocusConfig, parse_focus  # noqa: E402
from agent.grounding import AboutConfig, GroundingConfig  # noqa: E402
from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402
from agent.passage_pick import parse_passages  # noqa: E402
from agent.rag_eval import RagResult, read_questions, results_jsonl, run_rag_eval, summarize  # noqa: E402
from agent.reading import DEFAULT_READER  # noqa: E402

EVALS = _root.ROOT / "evals" / "rag"


def run_reader(engine, function, reader: str | None, out: Path, baseline: bool, grounding: GroundingConfig,
               evals: Path = EVALS, fold: bool = False) -> list[RagResult]:
    from agent.adapters import AdapterStore
    from llm.lora import adapters_of

    name = AdapterStore.of(KigiHome.resolve()).load_onto(engine, reader).name if reader else None
    if fold and name:  # the reader folded into the weights for good (`kigi ask` does so on float weights)
        adapters_of(engine.model).fold(name)
        reading_fold = "-folded"
    else:
        reading_fold = ""
    k = grounding.k
    focused = f"-focus{grounding.focus.per_source}" if grounding.focus else "-whole"
    focused = f"-passages{grounding.passages.count}" if grounding.passages else focused
    reading = ("-each" if grounding.read_each and name else "") + reading_fold
    reading += f"-margin{grounding.abstention_margin:g}" if grounding.abstention_margin and name else ""
    reading += f"-withhold{'' if grounding.withhold_unsupported else '-off'}" if name else ""
    reading += f"-about{grounding.about.min_gain:g}" if grounding.about else ""
    reading += ("-copy" if grounding.copy_answers else "-nocopy") if name and grounding.copy_answers != \
        GroundingConfig().copy_answers else ""
    budget = grounding.max_source_chars
    chars = "" if budget == GroundingConfig().max_source_chars else f"-chars{budget}"
    folder = out / f"{name or 'off'}-k{k}{chars}{focused}{reading}{'' if baseline else '-no-baseline'}"
    folder.mkdir(parents=True, exist_ok=True)
    pooled: list[RagResult] = []
    for kb in sorted(p for p in (evals / "kb").iterdir() if p.is_dir()):
        done = folder / f"{kb.name}.jsonl"
        if done.exists():  # said, as it may be a run of older code
            print(f"{kb.name}: read back from {done} (delete it to run again)", file=sys.stderr)
            results = [RagResult(**json.loads(line)) for line in done.read_text(encoding="utf-8").splitlines()]
        else:
            questions = read_questions(evals / f"{kb.name}.jsonl")
            results, _ = run_rag_eval(engine, function, kb, questions, grounding,
                                      distractors=evals / "distractors", reader=name, baseline=baseline,
                                      progress=lambda d, t, kb=kb: print(f"\r{kb.name}: {d}/{t}", end="", flush=True))
            print()
            done.write_text(results_jsonl(results), encoding="utf-8")
        show(kb.name, summarize(results, k, baseline))
        pooled += results
    show(f"ALL ({name or 'no reader'})", summarize(pooled, k, baseline))
    return pooled


def show(title: str, summary: dict) -> None:
    figures = "  ".join(f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}"
                        for key, value in summary.items() if value is not None)
    print(f"{title}: {figures}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reader", default=DEFAULT_READER)
    parser.add_argument("--compare-off", action="store_true", help="also run without the reader adapter")
    parser.add_argument("--out", type=Path, default=Path("rag-heldout"))
    parser.add_argument("--evals", type=Path, default=EVALS,
                        help="a folder shaped like evals/rag (kb/NAME/, NAME.jsonl, distractors/): "
                             "evals/rag-dev to choose on the development KBs")
    parser.add_argument("-k", type=int, default=4)
    parser.add_argument("--precision", choices=("fp32", "bf16", "int8", "int4"), default="fp32",
                        help="the weights (fp32: the figures in the README's history; kigi ask picks its own)")
    parser.add_argument("--max-source-chars", type=int, default=GroundingConfig().max_source_chars,
                        help="characters of retrieved chunks the prompt may carry, all sources together")
    parser.add_argument("--focus", default=str(FocusConfig().per_source),
                        help="sentences shown from each long source, or 'off' for whole chunks")
    parser.add_argument("--passages", default="off",
                        help="passages of all sources the reader sees, picked by the question's likelihood, "
                             "or 'off' to focus each source on its own (--focus)")
    parser.add_argument("--read", choices=("each", "together"), default="together",
                        help="the reader reads all sources together (kigi ask's default) or each alone")
    parser.add_argument("--abstention-margin", type=float, default=GroundingConfig().abstention_margin,
                        help="logits the reader's abstention must lead the best answer by, at its first token")
    parser.add_argument("--withhold", action=argparse.BooleanOptionalAction,
                        default=GroundingConfig().withhold_unsupported,
                        help="withhold a reader's answer that its sources do not support (the abstention instead)")
    parser.add_argument("--copy", action=argparse.BooleanOptionalAction, default=GroundingConfig().copy_answers,
                        help="hold the reader's answer to a span of its sources (GroundingConfig.copy_answers)")
    parser.add_argument("--topic-check", action="store_true",
                        help="memory's sources only when the model finds them about the question (`--topic-check`)")
    parser.add_argument("--no-baseline", action="store_true", help="skip answering without memory (0% anyway)")
    parser.add_argument("--fold", action="store_true",
                        help="fold the reader into the weights first, as `kigi ask` does on float weights "
                             "(needs --no-baseline)")
    args = parser.parse_args()
    if args.fold and not (args.no_baseline and not args.compare_off):
        parser.error("--fold needs --no-baseline and no --compare-off: a folded reader cannot be switched off")
    from memory.embed import KigiEmbeddingFunction, pull_embedding_model

    home = KigiHome.resolve().ensure()
    engine = load_engine(home, precision=args.precision)
    function = KigiEmbeddingFunction(pull_embedding_model(home.models))
    reader = None if args.reader.lower() in ("off", "none") else args.reader
    grounding = GroundingConfig(k=args.k, max_source_chars=args.max_source_chars, focus=parse_focus(args.focus),
                                read_each=args.read == "each",
                                passages=parse_passages(args.passages), abstention_margin=args.abstention_margin,
                                withhold_unsupported=args.withhold, copy_answers=args.copy,
                                about=AboutConfig() if args.topic_check else None)
    out = args.out if args.precision == "fp32" else args.out / args.precision
    run_reader(engine, function, reader, out, baseline=not args.no_baseline, grounding=grounding,
               evals=args.evals, fold=args.fold)
    if args.compare_off and reader:
        run_reader(engine, function, None, out, baseline=False, grounding=grounding, evals=args.evals)


if __name__ == "__main__":
    main()
