"""Import first in a benchmark script: run as a script, benchmarks/ comes first on sys.path,
where it cannot import kigi's packages and its own files could shadow them (memory_store.py
vs `memory`). This puts the repository root there instead, and benchmarks/ last: a child
process spawned by `benchmarks/isolated.py` imports the script again with this path, and
needs this module."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "benchmarks"
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() not in (ROOT, HERE)), str(HERE)]
