"""What a test needs from the machine: a download, a file in ../shared, a test extra, a
compiler. Where it is missing the test is skipped, except under KIGI_TESTS_STRICT=1 (set by
.ci/run), where a missing need is a failure: CI must never go green by skipping."""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import NoReturn

import pytest

STRICT_ENV = "KIGI_TESTS_STRICT"


def missing(reason: str) -> NoReturn:
    """Skip for `reason`, or fail when the run is strict."""
    if os.environ.get(STRICT_ENV) == "1":
        pytest.fail(f"{reason} ({STRICT_ENV}=1: nothing a test needs may be missing)", pytrace=False)
    pytest.skip(reason)


def extra(module: str) -> ModuleType:
    """Import a module of the test extra, or count it as missing."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing(f"{module} is not installed (pip install -e '.[test]'): {exc}")
