"""Errors at the command edge: the library raises typed errors, a command shows one red line
on stderr and exits 1 (130 on Ctrl-C), never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console


def err_console() -> Console:
    """Everything but the answer goes to stderr, so stdout stays the answer alone."""
    return Console(stderr=True, soft_wrap=True)


def error_line(exc: Exception) -> str:
    """The error's message; an OSError (an unusable KIGI_HOME or file) as 'reason: path', not '[Errno 13] ...'."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's typed errors, and the OS's (a full disk, a read-only KIGI_HOME),
    into one red line on stderr and exit code 1."""
    from agent.errors import AgentError
    from llm.errors import LLMError
    from memory.errors import MemoryStoreError

    try:
        yield
    except (LLMError, MemoryStoreError, AgentError, ValueError, OSError) as exc:
        err_console().print(f"[bold red]kigi: error:[/] {error_line(exc)}", highlight=False, markup=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err_console().print("[yellow]kigi: interrupted[/]")
        raise typer.Exit(130) from None
