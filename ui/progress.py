"""Progress display for long library work (downloads, hashing, ingest), always on stderr."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)


@contextmanager
def _stages(console: Console, *columns: ProgressColumn) -> Iterator[Callable[[str, int, int], None]]:
    """A callback (stage, done, total) drawing one bar per stage; silent when not a terminal."""
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), *columns,
                        console=console, transient=True, disable=not console.is_terminal)
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total or None)
        progress.update(tasks[stage], completed=done, total=total or None)

    with progress:
        yield update


def byte_progress(console: Console):  # -> context manager of a (stage, done, total) callback
    """Bars that count bytes (downloads, extraction, hashing)."""
    return _stages(console, DownloadColumn(), TransferSpeedColumn())


def stage_progress(console: Console):  # -> context manager of a (stage, done, total) callback
    """Bars that count items (files, chunks, questions, puzzles)."""
    return _stages(console, MofNCompleteColumn(), TimeElapsedColumn())


def measuring_progress(model: str, progress: Callable[[str, int, int], None]) -> Callable[[str, int, int], None]:
    """A model's default precision being measured (once per model file): each stage's bar
    says so, since nothing else on screen explains the wait (~1 min for the default model)."""
    from agent.precision import measuring_note

    def update(stage: str, done: int, total: int) -> None:
        progress(f"{measuring_note(model)}: {stage}", done, total)

    return update
