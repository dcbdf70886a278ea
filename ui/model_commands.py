"""`kigi model ...`: the model cache: pull a known model, add a local one, inspect, remove.

cli.py registers the app. torch is imported inside the commands (`kigi --help` is instant).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from ui.errors import err_console, user_errors
from ui.loading import home
from ui.options import DEFAULT_MODEL, JsonOption

model_app = typer.Typer(help="Download, add and inspect models.", no_args_is_help=True)


@model_app.command("pull")
def model_pull(
    name: Annotated[str, typer.Argument(help="Model to download.")] = DEFAULT_MODEL,
    force: Annotated[bool, typer.Option(help="Download again even if present.")] = False,
) -> None:
    """Download a known model into the model cache and verify its checksum."""
    with user_errors():
        from agent.models import model_registry
        from ui.progress import byte_progress

        with byte_progress(err_console()) as progress:
            entry = model_registry(home()).pull(name, progress, force=force)
        err_console().print(f"[green]✓[/] {entry.name}: {entry.path} ({entry.size / 1e6:.1f} MB, sha256 ok)")


@model_app.command("list")
def model_list(as_json: JsonOption = False) -> None:
    """Models in the cache, and the built-in ones that can be pulled."""
    with user_errors():
        from agent.models import model_registry
        from llm.registry import KNOWN_MODELS

        registry = model_registry(home())
        rows = {e.name: {"name": e.name, "status": "ready", "source": e.source, "size": e.size, "path": e.path}
                for e in registry.entries()}
        for name, source in KNOWN_MODELS.items():
            rows.setdefault(name, {"name": name, "status": "not pulled", "source": source.requirement,
                                   "size": None, "path": None})
        if as_json:
            print(json.dumps(list(rows.values())))
            return
        from rich.table import Table

        table = Table("name", "status", "source", "size")
        for row in rows.values():
            size = f"{row['size'] / 1e6:.1f} MB" if row["size"] else "-"
            table.add_row(row["name"], row["status"], row["source"], size)
        Console().print(table)


@model_app.command("info")
def model_info(name: Annotated[str, typer.Argument(help="Model name.")] = DEFAULT_MODEL) -> None:
    """Architecture, size and source of a model, and the precision it runs at by default
    and why (measured once against fp32 on first use)."""
    with user_errors():
        from agent.models import ensure_model, model_registry
        from agent.precision import default_precision
        from llm.weights import load_weights

        path = ensure_model(home(), name)
        entry = model_registry(home()).resolve(name)
        weights = load_weights(path)
        params = sum(t.numel() for t in weights.state_dict.values())
        status = err_console().status(f"choosing {name}'s default precision: int4 and int8 against fp32 (once)")
        choice = default_precision(home(), name, on_measure=status.start)
        status.stop()
        info = {"name": name, "path": str(path), "source": entry.source, "sha256": entry.sha256,
                "parameters": params, **weights.config.to_dict(),
                "default_precision": {"precision": choice.precision, "why": choice.reason,
                                      "measured": [q.__dict__ for q in choice.measured]}}
        print(json.dumps(info, indent=2))


@model_app.command("add")
def model_add(
    path: Annotated[str, typer.Argument(help="A .gguf file or a Hugging Face model directory.")],
    name: Annotated[str, typer.Option("--name", "-n", help="Name to use with --model.")],
) -> None:
    """Register a local model (GGUF file or HF directory) under a name; it is checked first."""
    with user_errors():
        from pathlib import Path

        from agent.models import model_registry
        from llm.weights import build_model, load_weights

        build_model(load_weights(Path(path)))  # refuse a damaged or unsupported model now, not later
        entry = model_registry(home()).add(Path(path), name)
        err_console().print(f"[green]✓[/] added {entry.name} → {entry.path}")


@model_app.command("remove")
def model_remove(name: Annotated[str, typer.Argument(help="Model name.")]) -> None:
    """Forget a model and delete its caches; a pulled file is deleted, an added path left alone."""
    with user_errors():
        from agent.models import model_registry

        model_registry(home()).remove(name)
        err_console().print(f"removed {name}")
