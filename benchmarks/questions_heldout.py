"""Multi-step questions on the held-out set (evals/questions/heldout.jsonl): accuracy,
tokens and seconds per question for each method, with and without the role adapter, and
the share of ToT thoughts that talk about reasoning. The table issue 15 asks for.

    python benchmarks/questions_heldout.py --range 1-60 --precision int4 \
        --rows direct cot cot-sc tot tot+question-roles tot+question-roles/repair

A row is METHOD, METHOD+ADAPTER, and for tot either with /CHECK (drop or repair: the
arithmetic check, a calculator, reported as its own row). The same code as `kigi eval questions`; results go to
OUT/<row>.jsonl and a row whose questions are all there is read back, not rerun
(resumable). Nothing is trained or tuned on the held-out set.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import _root  # noqa: F401  (the repository root on sys.path)

from agent.evals.questions import QuestionsEvalConfig, run_questions_eval  # noqa: E402
from agent.home import KigiHome  # noqa: E402
from agent.lm import EngineLM  # noqa: E402
from agent.models import load_engine  # noqa: E402

DATA = _root.ROOT / "evals" / "questions" / "heldout.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--range", dest="ranks", default="1-300")
    parser.add_argument("--precision", default="int4")
    parser.add_argument("--rows", nargs="+", default=["direct", "cot", "cot-sc", "tot"])
    parser.add_argument("--breadth", type=int, default=2)
    parser.add_argument("--depth", type=int, default=5)
    parser.add_argument("--n-generate", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("questions-heldout"))
    args = parser.parse_args()
    from agent.adapters import AdapterStore
    from llm.lora import adapters_of

    home = KigiHome.resolve().ensure()
    engine = load_engine(home, precision=args.precision)
    store = AdapterStore.of(home)
    table = []
    for row in args.rows:
        spec, _, check = row.partition("/")
        method, _, adapter = spec.partition("+")
        if adapter and adapter not in adapters_of(engine.model):
            store.load_onto(engine, adapter)
        adapters_of(engine.model).activate(adapter or None)
        config = QuestionsEvalConfig(method=method, ranks=args.ranks, precision=args.precision,  # type: ignore[arg-type]
                                     breadth=args.breadth, depth=args.depth, n_generate=args.n_generate,
                                     adapter=adapter or None, check=check or "none")  # type: ignore[arg-type]
        summary, meta = run_questions_eval(
            config, DATA, args.out / f"{row.replace('/', '@')}.jsonl", lm=EngineLM(engine, adapter=adapter or None),
            progress=lambda done, total, row=row: print(f"\r{row}: {done}/{total}", end="", flush=True))
        print()
        table.append((row, summary, meta))
        print(f"{row}: accuracy {summary.success_rate:.3f} ± {summary.standard_error:.3f} "
              f"({summary.solved}/{summary.done}), {summary.mean_tokens:.0f} tokens, "
              f"{summary.mean_seconds:.1f} s per question"
              + (f", meta-talk {meta:.1%} of thoughts" if meta is not None else ""))
    print(f"\n| row ({args.precision}, questions {args.ranks}) | accuracy | tokens/q | s/q | meta-talk |")
    print("|---|---|---|---|---|")
    for row, s, meta in table:
        print(f"| {row} | {s.success_rate:.1%} ± {s.standard_error:.1%} ({s.solved}/{s.done}) | "
              f"{s.mean_tokens:.0f} | {s.mean_seconds:.1f} | {'' if meta is None else f'{meta:.1%}'} |")


if __name__ == "__main__":
    main()
