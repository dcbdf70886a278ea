"""benchmarks/isolated.py: a benchmark row that crashes its process is a failed row, and the
run that asked for it goes on."""

from __future__ import annotations

import os
import signal

import pytest

from benchmarks.isolated import busy, run_isolated


def crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)  # what a segfault in a native library looks like from outside


def square(x: int) -> int:
    return x * x


def fail() -> None:
    raise RuntimeError("no such model file")


def quit_hard() -> None:
    os._exit(3)


def test_a_crash_in_the_child_is_a_failed_row_and_the_parent_goes_on():
    assert run_isolated(crash).failure == "killed by SIGSEGV"
    assert run_isolated(square, 7).value == 49 and run_isolated(square, 7).ok
    assert run_isolated(fail).failure == "RuntimeError: no such model file"
    assert run_isolated(quit_hard).failure == "exit code 3"


@pytest.mark.parametrize(("load", "cores", "expected"), [(0.4, 2, False), (2.5, 2, True), (float("nan"), 2, False)])
def test_a_load_above_the_core_count_marks_the_machine_busy(load, cores, expected):
    assert busy(load, cores) is expected
