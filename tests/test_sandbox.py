"""The sandbox that runs model-written code: a loop forever, an unbounded allocation, a
socket and a fork bomb of sleepers are all stopped and scored as failures; the harness
survives them; a correct program passes."""

from __future__ import annotations

import time

import pytest

from agent.evals.sandbox import Limits, isolation, run_program

LIMITS = Limits(timeout_s=3.0, memory_mb=512)


def test_a_correct_program_passes_and_a_wrong_one_fails():
    assert run_program("assert sum([1, 2]) == 3\n", LIMITS).status == "passed"
    wrong = run_program("def f():\n    return 2\nassert f() == 3, 'f is wrong'\n", LIMITS)
    assert wrong.status == "failed" and "AssertionError: f is wrong" in wrong.detail


def test_a_loop_forever_is_stopped_in_time():
    start = time.perf_counter()
    outcome = run_program("while True:\n    pass\n", Limits(timeout_s=1.5))
    assert outcome.status == "timeout" and time.perf_counter() - start < 10


def test_an_unbounded_allocation_fails_without_taking_the_machine():
    outcome = run_program("x = []\nwhile True:\n    x.append(bytearray(10_000_000))\n", LIMITS)
    assert outcome.status == "failed" and ("MemoryError" in outcome.detail or "killed" in outcome.detail)


@pytest.mark.parametrize("code", [
    "import socket\nsocket.create_connection(('127.0.0.1', 9), timeout=1)\n",
    "import urllib.request\nurllib.request.urlopen('http://example.com', timeout=1)\n",
])
def test_network_access_is_refused(code):
    outcome = run_program(code, LIMITS)
    assert outcome.status == "failed", outcome
    assert isolation()  # says which isolation this machine gave


def test_children_it_leaves_behind_are_killed_with_it(tmp_path):
    marker = tmp_path / "alive"
    sleeper = f"import time; time.sleep(4); open({str(marker)!r}, 'w').close()"
    code = f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', {sleeper!r}])\nwhile True:\n    pass\n"
    assert run_program(code, Limits(timeout_s=1.0)).status == "timeout"
    time.sleep(5)
    assert not marker.exists()  # the sleeper died with its group
    control = tmp_path / "control"  # the same child, given the time, does write its file
    quick = f"open({str(control)!r}, 'w').close()"
    code = f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', {quick!r}]).wait()\n"
    assert run_program(code, Limits(timeout_s=5.0)).status == "passed" and control.exists()


def test_limits_are_validated():
    with pytest.raises(ValueError, match="timeout_s"):
        Limits(timeout_s=0)
