"""Running model-written code where it cannot hurt: a child process with a time limit, a
memory limit, no network and a scratch directory of its own, killed whole when time is up.

- time: the child and everything it starts are one process group, killed at `timeout_s`;
- memory: RLIMIT_AS caps the address space (an unbounded allocation raises MemoryError);
  RLIMIT_FSIZE caps files it writes, RLIMIT_CORE is 0;
- network: a new network namespace (`unshare -rn`: only a loopback that is down) where the
  kernel allows one, probed once; and always a Python audit hook in the child that refuses
  socket creation, so a machine without namespaces still refuses Python-level sockets
  (`Isolation.network` says which);
- files: the program runs in a fresh temporary directory, deleted afterwards, with Python's
  isolated mode (`-I`: no user site, no PYTHON* variables, no current directory on the path).

This is the HumanEval harness's own caution (it too runs untrusted completions), made
stricter; it is not a security boundary against a determined attacker (a container is).
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Literal

Status = Literal["passed", "failed", "timeout", "error"]

# Runs first in the child: refuse sockets from Python, then run the program as __main__.
_GUARD = """
import runpy, sys
def _no_network(event, args):
    if event in ("socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo"):
        raise PermissionError("network access is disabled in the sandbox")
sys.addaudithook(_no_network)
runpy.run_path("program.py", run_name="__main__")
"""


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 10.0
    memory_mb: int = 1024
    file_mb: int = 16

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ValueError(f"Limits.timeout_s must be positive, got {self.timeout_s!r}")
        for name in ("memory_mb", "file_mb"):
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be >= 1, got {getattr(self, name)!r}")


@dataclass(frozen=True)
class Outcome:
    status: Status
    detail: str  # the last line of stderr, or why it was stopped


@functools.cache
def network_namespace() -> bool:
    """Whether `unshare -rn` works here (a user and network namespace for the child)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    try:
        return subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def isolation() -> str:
    return "network namespace + audit hook" if network_namespace() else "audit hook (no network namespace here)"


def _limit(limits: Limits) -> None:  # runs in the child before exec
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    size = limits.file_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_program(source: str, limits: Limits | None = None) -> Outcome:
    """Run `source` as a Python program under the limits: passed (exit 0), failed (a
    non-zero exit: an assertion, an exception, memory), timeout, or error (it could not start)."""
    limits = limits or Limits()
    with tempfile.TemporaryDirectory(prefix="kigi-sandbox-") as scratch:
        with open(os.path.join(scratch, "program.py"), "w", encoding="utf-8") as f:
            f.write(source)
        command = [sys.executable, "-I", "-c", _GUARD]
        if network_namespace():
            command = [shutil.which("unshare") or "unshare", "-rn", *command]
        try:
            child = subprocess.Popen(command, cwd=scratch, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, start_new_session=True,
                                     env={"PATH": os.environ.get("PATH", ""), "HOME": scratch},
                                     preexec_fn=lambda: _limit(limits))
        except OSError as exc:
            return Outcome("error", f"could not start: {exc}")
        try:
            _, stderr = child.communicate(timeout=limits.timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(child)
            return Outcome("timeout", f"stopped after {limits.timeout_s:g} s")
        finally:
            _kill_group(child)  # anything it left running in its group goes too
    if child.returncode == 0:
        return Outcome("passed", "")
    lines = stderr.decode("utf-8", errors="replace").strip().splitlines()
    if child.returncode < 0:
        return Outcome("failed", f"killed by {signal.Signals(-child.returncode).name}")
    return Outcome("failed", lines[-1][:300] if lines else f"exit code {child.returncode}")


def _kill_group(child: subprocess.Popen) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    child.wait()
