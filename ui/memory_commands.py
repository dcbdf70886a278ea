"""`kigi memory ...`: the documents that answers are grounded in (Chroma, local or a server).

cli.py registers the app. chromadb is imported inside the commands (`kigi --help` is instant).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from ui.errors import err_console, user_errors
from ui.loading import home
from ui.options import ChromaUrlOption, JsonOption

if TYPE_CHECKING:
    from memory.store import MemoryStore


memory_app = typer.Typer(help="The memory of your documents that answers are grounded in.", no_args_is_help=True)


def memory_store(chroma_url: str | None, collection: str = "documents") -> MemoryStore:
    """The memory (local, or the Chroma server at chroma_url); a first use pulls the embedding model."""
    from agent.recall import open_memory
    from ui.progress import byte_progress

    with byte_progress(err_console()) as progress:
        return open_memory(home(), chroma_url, collection, progress)


def stored_memory(chroma_url: str | None) -> MemoryStore | None:
    """The memory to read, or None where there is nothing in it: reading an empty home neither
    pulls the embedding model nor leaves a database behind (one that `kigi ask` would then
    open for every answer)."""
    from agent.recall import memory_exists

    return memory_store(chroma_url) if memory_exists(home(), chroma_url) else None


@memory_app.command("add")
def memory_add(
    paths: Annotated[list[str], typer.Argument(help="Files or folders to add; '-' reads stdin.")],
    source: Annotated[str, typer.Option(help="Source name for text read from stdin.")] = "stdin",
    chroma_url: ChromaUrlOption = None,
) -> None:
    """Add files, folders (recursively) or stdin; re-adding an unchanged file does nothing."""
    with user_errors():
        from ui.progress import stage_progress

        store = memory_store(chroma_url)
        reports = []
        with stage_progress(err_console()) as progress:
            files = [p for p in paths if p != "-"]
            if files:
                reports.append(store.add(files, progress))
            if "-" in paths:
                if sys.stdin.isatty():
                    raise ValueError("'-' reads stdin, but stdin is a terminal; pipe text in")
                # Streamed into chunks like a file: any size, refused the same way if binary.
                reports.append(store.add_text(sys.stdin.buffer, source=source, progress=progress))
        console = err_console()
        for report in reports:
            for outcome in report.outcomes:
                style = {"added": "green", "updated": "cyan", "unchanged": "dim", "skipped": "yellow"}[outcome.status]
                reason = f" ({outcome.reason})" if outcome.reason else ""
                console.print(f"[{style}]{outcome.status:>9}[/] {outcome.source} · {outcome.chunks} chunks{reason}",
                              highlight=False)
        if reports and all(o.status == "skipped" for r in reports for o in r.outcomes):
            raise typer.Exit(1)


@memory_app.command("search")
def memory_search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("-k", help="How many chunks.")] = 5,
    as_json: JsonOption = False,
    chroma_url: ChromaUrlOption = None,
) -> None:
    """The chunks most similar to QUERY, best first."""
    with user_errors():
        store = stored_memory(chroma_url)
        hits = store.search(query, k=k) if store is not None else []
        if as_json:
            print(json.dumps([{"id": h.id, "source": h.source, "line": h.line, "score": round(h.score, 4),
                               "text": h.text} for h in hits]))
            return
        console = Console()
        for hit in hits:
            console.rule(f"{hit.score:.3f} · {hit.source}:{hit.line}", align="left")
            console.print(hit.text, markup=False, highlight=False)


@memory_app.command("list")
def memory_list(
    as_json: JsonOption = False,
    chroma_url: ChromaUrlOption = None,
) -> None:
    """The sources in memory, with their chunk counts."""
    with user_errors():
        import dataclasses

        store = stored_memory(chroma_url)
        sources = store.sources() if store is not None else []
        if as_json:
            print(json.dumps([dataclasses.asdict(s) for s in sources], default=str))
            return
        from rich.table import Table

        table = Table("source", "chunks", "added")
        for info in sources:
            row = dataclasses.asdict(info)
            table.add_row(str(row.get("source")), str(row.get("chunks")), str(row.get("added", "")))
        Console().print(table)


@memory_app.command("forget")
def memory_forget(
    target: Annotated[str, typer.Argument(help="A source (file path or name), a folder, or a chunk id.")],
    chroma_url: ChromaUrlOption = None,
) -> None:
    """Remove a source's chunks (or one chunk) from memory."""
    with user_errors():
        store = stored_memory(chroma_url)
        removed = store.forget(target) if store is not None else 0
        if not removed:
            raise ValueError(f"nothing in memory matches {target!r}")
        err_console().print(f"forgot {removed} chunks")


@memory_app.command("stats")
def memory_stats(
    as_json: JsonOption = False,
    chroma_url: ChromaUrlOption = None,
) -> None:
    """How much is in memory and where it lives."""
    with user_errors():
        import dataclasses

        stats = dataclasses.asdict(memory_store(chroma_url).stats())
        if as_json:
            print(json.dumps(stats, default=str))
            return
        for key, value in stats.items():
            Console().print(f"{key:>12}: {value}", highlight=False)
