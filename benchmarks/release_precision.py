"""Measure the default precision of each chat model kigi fetches by name, as a first run
would (agent/precision.py: every candidate against fp32, the gate's rules), and write the
choices to agent/precision_release.json, which ships with kigi so a fresh home starts
without measuring. Run it again whenever the gate, the candidates or a pinned model change
(a test fails until then).

    python benchmarks/release_precision.py

About a minute per model on 2 cores; prints each choice and why.
"""

from __future__ import annotations

import json

import _root  # noqa: F401  (the repository root on sys.path)

from agent.home import KigiHome  # noqa: E402
from agent.models import cache_dir_of, ensure_model  # noqa: E402
from agent.precision import RELEASE_FILE, measure  # noqa: E402
from llm.registry import EMBEDDING_MODEL, KNOWN_MODELS  # noqa: E402


def main() -> None:
    home = KigiHome.resolve().ensure()
    records = {}
    for name, source in KNOWN_MODELS.items():
        if name == EMBEDDING_MODEL:
            continue
        choice = measure(ensure_model(home, name), source.sha256, cache_dir_of(home, name))
        records[name] = choice.to_dict()
        print(f"{name}: {choice.precision} — {choice.reason}")
    target = _root.ROOT / "agent" / RELEASE_FILE
    target.write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target.relative_to(_root.ROOT)}")


if __name__ == "__main__":
    main()
