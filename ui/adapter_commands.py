"""`kigi adapter ...`: the trained adapters, yours and the bundled ones: list, inspect, remove.

cli.py registers the app. torch is imported inside the commands (`kigi --help` is instant).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from ui.errors import err_console, user_errors
from ui.loading import home
from ui.options import JsonOption

adapter_app = typer.Typer(help="List, inspect and remove trained adapters.", no_args_is_help=True)


@adapter_app.command("list")
def adapter_list(as_json: JsonOption = False) -> None:
    """Trained adapters (yours in KIGI_HOME/adapters, and the ones shipped with kigi)."""
    with user_errors():
        from agent.adapters import AdapterStore

        adapters = AdapterStore.of(home()).list()
        if as_json:
            print(json.dumps([a.to_dict() for a in adapters]))
            return
        from rich.table import Table

        from llm.lora import targets_text

        table = Table()
        for column in ("name", "kind", "targets", "rank", "size", "steps", "loss", "source"):
            table.add_column(column, no_wrap=True)  # never cut a name: the other commands take it
        for a in adapters:
            result = (a.training or {}).get("result") or {}
            loss = result.get("final_eval_loss") or result.get("final_loss")
            table.add_row(a.name, (a.training or {}).get("kind", "-"),
                          targets_text(a.config.targets), str(a.config.rank), f"{a.size / 1e6:.1f} MB",
                          str(result.get("steps", "-")),
                          f"{loss:.4f}" if isinstance(loss, float) else "-", "bundled" if a.bundled else "user")
        Console().print(table)


@adapter_app.command("info")
def adapter_info(name: Annotated[str, typer.Argument(help="Adapter name.")]) -> None:
    """Config, base model and training card of an adapter, as JSON."""
    with user_errors():
        from agent.adapters import AdapterStore

        print(json.dumps(AdapterStore.of(home()).info(name).to_dict(), indent=2))


@adapter_app.command("remove")
def adapter_remove(name: Annotated[str, typer.Argument(help="Adapter name.")]) -> None:
    """Delete one of your adapters (shipped ones stay)."""
    with user_errors():
        from agent.adapters import AdapterStore

        path = AdapterStore.of(home()).remove(name)
        err_console().print(f"removed {name} ({path})", highlight=False)
