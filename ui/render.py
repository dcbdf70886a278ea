"""Drawing a streamed answer: Markdown re-rendered live on a terminal, plain text on a pipe."""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Console
from rich.live import Live
from rich.markdown import Markdown


def stream_answer(console: Console, pieces: Iterator[str], markdown: bool) -> str:
    """Show pieces as they arrive; return the whole text. Ctrl-C propagates to the caller
    after the stream is closed, so the session records the partial answer."""
    text = ""
    try:
        if markdown and console.is_terminal:
            with Live(Markdown(""), console=console, refresh_per_second=12, vertical_overflow="visible") as live:
                for piece in pieces:
                    text += piece
                    live.update(Markdown(text))
        else:
            for piece in pieces:
                text += piece
                console.file.write(piece)
                console.file.flush()
            console.file.write("\n")
            console.file.flush()
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()
    return text
