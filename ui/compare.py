"""Two answers side by side, A and B, and the rater's verdict: shared by /compare and `kigi rate`."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table

VERDICTS = {"a": "a", "b": "b", "t": "tie", "tie": "tie", "n": "both_bad", "neither": "both_bad"}
PROMPT = "Better? a / b / t (tie) / n (neither) › "


def show_side_by_side(console: Console, first: str, second: str) -> None:
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    grid.add_row(Panel(Markdown(first or "(empty)"), title="A"), Panel(Markdown(second or "(empty)"), title="B"))
    console.print(grid)


def ask_verdict(console: Console, read: Callable[[str], str], extra: dict[str, str] | None = None) -> str:
    """Read until the answer is one of the verdicts (or an extra key such as skip/quit)."""
    choices = {**VERDICTS, **(extra or {})}
    while True:
        answer = read(PROMPT).strip().lower()
        if answer in choices:
            return choices[answer]
        console.print(f"answer one of: {', '.join(sorted(set(choices)))}", style="red", markup=False)
