"""An eval worker ends when its parent is killed (no cleanup runs on SIGKILL or SIGTERM), so
a stopped `kigi eval --workers N` leaves no process solving on in the background."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHILD = ("import os, time; from agent.evals.run import exit_with_parent; exit_with_parent(os.getppid(), 0.05); "
         "print('ready', flush=True); time.sleep(120)")
PARENT = ("import subprocess, sys; child = subprocess.Popen([sys.executable, '-c', sys.argv[1]], "
          "stdout=subprocess.PIPE, text=True); print(child.pid, flush=True); "
          "print(child.stdout.readline().strip(), flush=True); import time; time.sleep(120)")


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for whoever adopts it to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_a_worker_exits_when_its_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        child = int(parent.stdout.readline())
        assert parent.stdout.readline().strip() == "ready"
        assert _running(child)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 60
        while _running(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _running(child), "the orphaned worker kept running"
    finally:
        parent.kill()
        if "child" in locals() and _running(child):
            os.kill(child, signal.SIGKILL)
