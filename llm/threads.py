"""Threads for one generation: torch's, but no more than the cores that are idle now (issue 21).

OpenMP's workers spin between the ~600 small ops of a decode step; on an idle core that is
what makes a step fast, on a core another process needs it is ruinous. One run on a 2-core
machine (int4, batch-1 decode / 256-token prefill / 5 sampled rows, tokens/s): quiet, two
spinning threads 53 / 451 / 132 against two sleeping ones (`OMP_WAIT_POLICY=PASSIVE`, the
CLI's setting before) 30 / 341 / 58 and one thread 46 / 240 / 102; with the other core
busy, two spinning threads fell to 15 / 180 / 37, sleeping ones 36 / 239 / 88, one thread
40 / 266 / 108. So workers spin, and each generation takes as many threads as there are
cores nobody else is running on: Linux's count of runnable tasks (`/proc/loadavg`) less
this process's own. Elsewhere, when it cannot be read, or with `KIGI_FIT_THREADS=0` (a
benchmark comparing two settings, which must not measure the scheduler's moment instead),
torch's setting stands.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

import torch

from llm.switches import switched_off

FIT_ENV = "KIGI_FIT_THREADS"  # 0: keep torch's thread count whatever the other cores run
P = ParamSpec("P")
T = TypeVar("T")


def idle_cores(loadavg: str | None = None, own_running: int | None = None, cores: int | None = None) -> int | None:
    """Cores this process may use that no other process is running on now; None if unknown.
    The arguments stand in for the system's readings (tests)."""
    try:
        loadavg = loadavg if loadavg is not None else Path("/proc/loadavg").read_text()
        running = int(loadavg.split()[3].split("/")[0])  # runnable tasks now, this one's threads among them
    except (OSError, ValueError, IndexError):
        return None
    own = own_running if own_running is not None else _own_running()
    available = cores if cores is not None else _cores()
    return max(0, available - max(0, running - own))


def _cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def _own_running() -> int:
    """This process's threads that are runnable now (at least the one asking)."""
    count = 0
    for stat in Path("/proc/self/task").glob("*/stat"):
        try:
            count += stat.read_text().rsplit(")", 1)[1].split()[0] == "R"
        except (OSError, IndexError):
            continue
    return max(1, count)


@contextmanager
def torch_threads(n: int) -> Iterator[int]:
    """torch's intra-op thread count set to `n` (at least 1) while the block runs, then put back."""
    most, n = torch.get_num_threads(), max(1, n)
    if n == most:
        yield most
        return
    torch.set_num_threads(n)
    try:
        yield n
    finally:
        torch.set_num_threads(most)


@contextmanager
def fitted_threads(idle: Callable[[], int | None] | None = None) -> Iterator[int]:
    """torch's thread count lowered to the idle cores (at least 1) while the block runs."""
    most = torch.get_num_threads()
    free = None if switched_off(FIT_ENV) else (idle or idle_cores)()
    with torch_threads(most if free is None else min(most, free)) as wanted:
        yield wanted


def scored_on_idle_cores(score: Callable[P, T]) -> Callable[P, T]:
    """A scoring function (one or a few forward passes) run with `fitted_threads`."""

    @functools.wraps(score)
    def fitted(*args: P.args, **kwargs: P.kwargs) -> T:
        with fitted_threads():
            return score(*args, **kwargs)

    return fitted


def on_idle_cores(generate: Callable[P, Iterator[T]]) -> Callable[P, Iterator[T]]:
    """A generation function whose steps run with `fitted_threads`, chosen once per call."""

    @functools.wraps(generate)
    def fitted(*args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
        with fitted_threads():
            yield from generate(*args, **kwargs)

    return fitted
