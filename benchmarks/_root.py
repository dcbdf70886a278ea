"""Import first in a benchmark script: run as a script, benchmarks/ comes first on sys.path,
where it cannot import kigi's packages and its own files could shadow them (memory_store.py
vs `memory`). This puts the repository root there instead."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]
