"""Everyday questions asked beside a memory: how many are handed memory's sources (and so
the reader), with the cosine gate alone and with `--topic-check` (`agent.about_memory`), and
what the check costs a question. Each knowledge base is indexed with its distractors, as
`kigi eval rag` does; for comparison the same is counted for the KB's own questions.

    python benchmarks/everyday_memory.py [--evals evals/rag-dev] [--prompts evals/ordinary/prompts.txt]
                                         [--precision int4]

Development: `--evals evals/rag-dev --prompts evals/ordinary/prompts.txt` (what the check
was chosen on). Held out: `--evals evals/rag --prompts evals/ordinary/fresh.txt`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import _root  # noqa: F401  (the repository root on sys.path)

from agent.about_memory import memory_sources  # noqa: E402
from agent.grounding import AboutConfig, GroundingConfig, retrieve  # noqa: E402
from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402
from agent.rag_eval import build_memory, matches, read_questions  # noqa: E402
from memory.store import MemoryConfig, MemoryStore  # noqa: E402


def tally(row: list[int], gated: bool, kept: bool) -> None:
    """One question more in `row`: asked, given sources by the gate, kept by the check."""
    row[0] += 1
    row[1] += gated
    row[2] += kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--evals", type=Path, default=_root.ROOT / "evals" / "rag-dev")
    parser.add_argument("--prompts", type=Path, default=_root.ROOT / "evals" / "ordinary" / "prompts.txt")
    parser.add_argument("--precision", choices=("fp32", "bf16", "int8", "int4"), default="int4")
    parser.add_argument("--min-gain", type=float, default=AboutConfig().min_gain)
    args = parser.parse_args()
    from memory.embed import KigiEmbeddingFunction, pull_embedding_model

    home = KigiHome.resolve().ensure()
    engine = load_engine(home, precision=args.precision)
    function = KigiEmbeddingFunction(pull_embedding_model(home.models))
    everyday = [line.strip() for line in args.prompts.read_text(encoding="utf-8").splitlines() if line.strip()]
    gate, checked = GroundingConfig(), GroundingConfig(about=AboutConfig(min_gain=args.min_gain))
    counts = {kind: [0, 0, 0] for kind in ("everyday", "answerable", "unanswerable", "answer in sources")}
    seconds: list[float] = []
    for kb in sorted(p for p in (args.evals / "kb").iterdir() if p.is_dir()):
        questions = read_questions(args.evals / f"{kb.name}.jsonl")
        asked = [("everyday", q, ()) for q in everyday]
        asked += [("answerable" if q.answerable else "unanswerable", q.question, q.answers) for q in questions]
        with tempfile.TemporaryDirectory(prefix="kigi-everyday-") as tmp:
            store = MemoryStore(Path(tmp), embedding_function=function, config=MemoryConfig(lexical=True))
            build_memory(store, kb, args.evals / "distractors")
            for kind, question, answers in asked:
                found = retrieve(store, question, gate)
                start = time.perf_counter()
                kept = memory_sources(store, question, checked, engine)
                seconds.append(time.perf_counter() - start)
                tally(counts[kind], bool(found), bool(kept))
                if any(matches(c.hit.text, answers) for c in found):
                    tally(counts["answer in sources"], True, any(matches(c.hit.text, answers) for c in kept))
            store.close()
        print(f"{kb.name}: done", flush=True)
    print(f"{'questions':<20}{'asked':>7}{'given sources':>15}{'with --topic-check':>20}")
    for kind, (total, gated, kept) in counts.items():
        print(f"{kind:<20}{total:>7}{gated:>15}{kept:>20}")
    seconds.sort()
    print(f"retrieval with the check: median {seconds[len(seconds) // 2]:.2f} s a question "
          f"(the cosine gate's retrieval included), p90 {seconds[int(0.9 * (len(seconds) - 1))]:.2f} s")


if __name__ == "__main__":
    main()
