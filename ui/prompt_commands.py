"""`kigi prompts ...`: every prompt kigi writes, by name and content hash; the texts of old
versions come from the log, which keeps each version the first time a kigi writes to it."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from ui.errors import user_errors
from ui.loading import read_log
from ui.options import JsonOption

prompts_app = typer.Typer(help="List, show and diff the versioned prompts.", no_args_is_help=True)


@prompts_app.command("list")
def prompts_list(as_json: JsonOption = False) -> None:
    """Each named prompt: its current version, the versions the log holds, and how many
    logged answers used the current one."""
    with user_errors():
        from agent.prompt_catalog import catalog

        with read_log() as log:
            rows = [{"name": p.name, "version": p.version, "about": p.about,
                     "versions_in_log": [v.version for v in log.prompt_versions(p.name)],
                     "answers_with_current": log.generations_with(p.version)} for p in catalog()]
        if as_json:
            print(json.dumps(rows))
            return
        from rich.table import Table

        table = Table("name", "current", "answers with it", "versions in the log", "what it is")
        for row in rows:
            table.add_row(row["name"], row["version"], str(row["answers_with_current"]),
                          ", ".join(row["versions_in_log"]) or "-", row["about"])
        Console().print(table)


@prompts_app.command("show")
def prompts_show(ref: Annotated[str, typer.Argument(help="NAME or NAME@VERSION (a prefix of the hash).")]) -> None:
    """The texts of a prompt: the current version, or one the log recorded."""
    with user_errors():
        from agent.prompt_catalog import as_text, find

        name, _, version = ref.partition("@")
        with read_log() as log:
            prompts = find(log, name, version or None)
        print(f"# {prompts.name}@{prompts.version}: {prompts.about}")
        print("\n".join(as_text(prompts.texts)).rstrip())


@prompts_app.command("diff")
def prompts_diff(
    name: Annotated[str, typer.Argument(help="Prompt name (see `kigi prompts list`).")],
    old: Annotated[str, typer.Argument(help="The older version (a prefix of its hash).")],
    new: Annotated[str, typer.Argument(help="The newer version; 'current' for this kigi's.")] = "current",
) -> None:
    """A unified diff between two versions of a prompt (exit 0 either way)."""
    with user_errors():
        from agent.prompt_catalog import diff, find

        with read_log() as log:
            lines = diff(name, find(log, name, old), find(log, name, new))
        print("\n".join(lines) if lines else f"{name}: the two versions have the same texts")
