"""Progress display for long library work (downloads, hashing), always on stderr."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn, TransferSpeedColumn


@contextmanager
def byte_progress(console: Console) -> Iterator[Callable[[str, int, int], None]]:
    """A callback (stage, done, total) drawing one bar per stage; silent when not a terminal."""
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                        TransferSpeedColumn(), console=console, transient=True, disable=not console.is_terminal)
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total or None)
        progress.update(tasks[stage], completed=done, total=total or None)

    with progress:
        yield update


@contextmanager
def stage_progress(console: Console) -> Iterator[Callable[[str, int, int], None]]:
    """Like `byte_progress`, for counts (files, chunks) rather than bytes."""
    from rich.progress import MofNCompleteColumn, TimeElapsedColumn

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal)
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total or None)
        progress.update(tasks[stage], completed=done, total=total or None)

    with progress:
        yield update
