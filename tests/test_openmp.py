"""OpenMP's wait settings: made by the CLI before torch loads libgomp, never over the user's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from llm.openmp import POLICY_ENV, SPIN_ENV, SPINS, spin_between_regions

ROOT = Path(__file__).resolve().parent.parent


def test_workers_spin_longer_unless_the_user_said_how_they_wait() -> None:
    environ: dict[str, str] = {}
    spin_between_regions(environ)
    assert environ == {SPIN_ENV: SPINS}
    mine = {SPIN_ENV: "5"}
    spin_between_regions(mine)
    assert mine == {SPIN_ENV: "5"}
    passive = {POLICY_ENV: "PASSIVE"}
    spin_between_regions(passive)
    assert passive == {POLICY_ENV: "PASSIVE"}


def test_the_cli_sets_it_before_anything_loads_torch() -> None:
    code = ("import os, sys\nimport cli\nloaded = 'torch' in sys.modules\nsys.argv = ['kigi', '--help']\n"
            "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
            f"print(loaded, os.environ.get({SPIN_ENV!r}))")
    env = {key: value for key, value in os.environ.items() if key not in (SPIN_ENV, POLICY_ENV)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["False", SPINS]
