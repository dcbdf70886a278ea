"""Under KIGI_TESTS_STRICT=1 (CI) a missing need fails the test; elsewhere it skips."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.need import STRICT_ENV

ROOT = Path(__file__).parent.parent
NEEDY = """
from tests.need import extra, missing

def test_needs_a_download():
    missing("the model could not be downloaded")

def test_needs_an_extra():
    extra("no_such_module_kigi")
"""


@pytest.mark.parametrize(("strict", "outcome"), [("1", "2 failed"), ("", "2 skipped")])
def test_a_missing_need_skips_or_fails(tmp_path, strict, outcome):
    (tmp_path / "test_needy.py").write_text(NEEDY, encoding="utf-8")
    env = {**os.environ, STRICT_ENV: strict, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert outcome in result.stdout, result.stdout
