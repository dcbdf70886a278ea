"""Retrieval alone on the held-out knowledge bases (evals/rag, each with the 60 distractor
documents): the share of answerable questions whose prompt would carry a chunk holding an
answer, at several k, for the vectors alone (dense) and for vectors fused with BM25 (hybrid).

    python benchmarks/retrieval_heldout.py [--k 1 2 4 8]

No model is loaded and nothing is generated: a minute or two on 2 cores. The chunks a
prompt carries are exactly `kigi ask`'s (`agent.grounding.retrieve`, with its character
budget). Nothing in the retriever was tuned on these files: RRF's constant (60) and the
candidate pool (20) are the literature's defaults.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import _root  # noqa: F401  (the repository root on sys.path)

from agent.grounding import GroundingConfig  # noqa: E402
from agent.home import KigiHome  # noqa: E402
from agent.rag_eval import build_memory, read_questions, retrieval_hits  # noqa: E402
from memory.store import MemoryConfig, MemoryStore  # noqa: E402

EVALS = _root.ROOT / "evals" / "rag"
MODES = {"dense": False, "hybrid": True}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--k", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--evals", type=Path, default=EVALS,
                        help="knowledge bases, questions and distractors (evals/rag-dev to develop on)")
    args = parser.parse_args()
    from memory.embed import KigiEmbeddingFunction, pull_embedding_model

    function = KigiEmbeddingFunction(pull_embedding_model(KigiHome.resolve().ensure().models))
    pooled: dict[tuple[str, int], list[bool]] = {(m, k): [] for m in MODES for k in args.k}
    print(f"{'kb':<22}" + "".join(f"{m}@{k:<7}" for m in MODES for k in args.k))
    for kb in sorted(p for p in (args.evals / "kb").iterdir() if p.is_dir()):
        questions = read_questions(args.evals / f"{kb.name}.jsonl")
        with tempfile.TemporaryDirectory(prefix="kigi-retrieval-") as tmp:
            stores = {m: MemoryStore(Path(tmp), embedding_function=function, config=MemoryConfig(lexical=lexical))
                      for m, lexical in MODES.items()}
            build_memory(stores["hybrid"], kb, args.evals / "distractors")
            row = f"{kb.name:<22}"
            for mode, store in stores.items():
                for k in args.k:
                    hits = retrieval_hits(store, questions, GroundingConfig(k=k))
                    pooled[mode, k] += hits
                    row += f"{sum(hits) / len(hits):<{len(mode) + 8}.3f}"
                store.close()
        print(row)
    print(f"{'ALL':<22}" + "".join(f"{sum(h) / len(h):<{len(m) + 8}.3f}" for (m, k), h in pooled.items()))
    n = len(next(iter(pooled.values())))
    print(f"({n} answerable questions; hit@k = an answering chunk is among the k the prompt carries)")


if __name__ == "__main__":
    main()
