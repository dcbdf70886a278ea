"""Run one benchmark row in a child process, so that a crash there is a failed row, not a
lost run; and read how busy the machine was around it.

llama-cpp-python's repacked weights segfault on some CPUs with AMX
(`ggml_backend_amx_mul_mat`), and a segfault in the benchmark's own process took the whole
table with it (exit 139). In a child, the crash is a return value.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Isolated:
    """What the child returned, or why it returned nothing."""

    value: Any = None
    failure: str | None = None  # "killed by SIGSEGV", "exit code 3", "timed out after 600 s"

    @property
    def ok(self) -> bool:
        return self.failure is None


def _child(connection: Any, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        connection.send(("ok", target(*args)))
    except BaseException as exc:  # reported to the parent, which decides
        connection.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()


def run_isolated(target: Callable[..., Any], *args: Any, timeout: float = 900.0) -> Isolated:
    """`target(*args)` in a fresh process (spawned: nothing inherited but the arguments);
    `target` must be importable by name and its result picklable."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, target, args), daemon=True)
    process.start()
    send.close()
    reply = None
    if receive.poll(timeout):
        try:
            reply = receive.recv()
        except EOFError:  # the child died before it could answer
            reply = None
    process.join(5)
    if process.is_alive():
        process.kill()
        process.join()
        if reply is None:
            return Isolated(failure=f"timed out after {timeout:.0f} s")
    if reply is not None:
        kind, value = reply
        return Isolated(value=value) if kind == "ok" else Isolated(failure=value)
    code = process.exitcode
    if code is not None and code < 0:
        return Isolated(failure=f"killed by {signal.Signals(-code).name}")
    return Isolated(failure=f"exit code {code}")


def load_average() -> float:
    """The 1-minute load average (NaN where the OS has none)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def busy(load_before: float, cores: int | None = None) -> bool:
    """Whether something besides this benchmark was running when a row started: a load
    above the number of cores (the benchmark itself was idle between rows)."""
    return load_before > (cores or os.cpu_count() or 1)
