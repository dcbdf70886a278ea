"""The library's warnings as the CLI shows them: one line each on stderr.

The library never prints; it warns through `warnings` (e.g. `--compile` falling back to
eager decoding, `llm.errors.CompileFallbackWarning`), and Python's filters still decide
whether and how often a warning is shown (`-W ignore`, `PYTHONWARNINGS`).
"""

from __future__ import annotations

import warnings
from typing import TextIO

from rich.console import Console
from rich.markup import escape


def show_warnings_on(console: Console) -> None:
    """Render each shown warning as `kigi: warning: message`, without the file, line number
    and source line that Python adds (they mean nothing to a user of the CLI)."""

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:
        console.print(f"[yellow]kigi: warning:[/] {escape(str(message))}", highlight=False)

    warnings.showwarning = show
