"""OpenMP's settings for kigi's processes, made before torch loads libgomp: it reads them once,
when it loads, so the CLI sets them first thing (cli.main), before any command imports torch.

Workers that finish a parallel region spin for GOMP_SPINCOUNT turns before they sleep; a worker
woken from sleep starts its share of the next region late, and a decode step is many regions
(each of its 121 int4 matmuls is one). `kigi ask --json --max-tokens 128` on a 2-core AVX2
machine, the settings in turn, six runs each (docs/speed.md, "Workers that spin longer"): 10
million turns decoded 1.17x and 1.11x faster than libgomp's default (300,000) in two sets, the
same with one core busy. The cost: after a generation's last region a worker spins ~0.25 s of
one core, then sleeps.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

SPIN_ENV = "GOMP_SPINCOUNT"
SPINS = "10000000"
POLICY_ENV = "OMP_WAIT_POLICY"  # the user's choice of spinning or sleeping, left as it is


def spin_between_regions(environ: MutableMapping[str, str] = os.environ) -> None:
    """Let OpenMP's workers spin longer between regions, unless the user set how they wait."""
    if POLICY_ENV not in environ:
        environ.setdefault(SPIN_ENV, SPINS)
