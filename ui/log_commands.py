"""`kigi logs`, `kigi rate` and `kigi prefs ...`: the log read back, logged answers rated side
by side, preference pairs exported for training.

cli.py registers the commands. Heavy imports stay inside them (`kigi --help` is instant).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console

from llm.loops import ANSWER_LOOP_STOP
from ui.errors import err_console, user_errors
from ui.loading import home, load_engine_with_progress, read_log, sampling_config
from ui.options import DEFAULT_MODEL, JsonOption, ModelOption, PrecisionOption


def logs(
    conversation: Annotated[str | None, typer.Argument(help="Show this conversation (id or prefix).")] = None,
    count: Annotated[int, typer.Option("-n", help="How many conversations to list.")] = 20,
    query: Annotated[str | None, typer.Option("-q", "--query", help="Only conversations mentioning TEXT.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List past conversations, search them, or show one."""
    with user_errors():
        log = read_log()
        if conversation:
            convo = log.conversation(conversation)
            if as_json:
                print(json.dumps({"id": convo.id, "created": convo.created, "model": convo.model,
                                  "system": convo.system, "messages": convo.chat()}))
                return
            from rich.markdown import Markdown

            from ui.sources import show_withheld

            console = Console()
            console.print(f"[bold]{convo.title or '(untitled)'}[/] [dim]{convo.id} · {convo.created}[/]")
            for message in convo.messages:
                console.rule(f"[cyan]{message.role}[/]", align="left")
                console.print(Markdown(message.content) if message.role == "assistant" else message.content)
                if message.generation is not None and message.generation.withheld is not None:
                    show_withheld(console, message.generation.withheld)
            return
        rows = log.list_conversations(limit=count, query=query)
        if as_json:
            print(json.dumps([{"id": r.id, "updated": r.updated, "title": r.title, "model": r.model,
                               "messages": r.message_count} for r in rows]))
            return
        from rich.table import Table

        table = Table("id", "updated", "messages", "title")
        for r in rows:
            table.add_row(r.id[:12], r.updated, str(r.message_count), r.title or "")
        Console().print(table)


def rate(
    generate: Annotated[bool, typer.Option("--generate", help="Sample a second answer where there is one.")] = False,
    model: ModelOption = DEFAULT_MODEL,
    limit: Annotated[int, typer.Option(help="Most turns to show.")] = 20,
    precision: PrecisionOption = "fp32",
) -> None:
    """Compare logged answers side by side (random A/B order) and record which is better."""
    with user_errors():
        import random

        from memory.log import ConversationLog
        from ui.compare import ask_verdict, show_side_by_side

        log = ConversationLog(home().db)
        turns = log.turns_with_candidates(1 if generate else 2, unjudged_only=True, limit=limit)
        console = Console()
        if not turns:
            err_console().print("nothing to rate: no unjudged turn has two answers (try --generate or /retry)")
            return
        engine = None
        for number, turn in enumerate(turns, 1):
            candidates = list(turn.candidates)
            if len(candidates) < 2:
                from agent.rating import sample_candidates

                engine = engine or load_engine_with_progress(model, precision)
                writer = _adapter_of(engine, candidates[0])
                sampling = sampling_config(0.8, 1.0, 0, 512, None, ANSWER_LOOP_STOP)  # as `kigi ask` ends a loop
                candidates += sample_candidates(engine, log, turn, model, sampling, adapter=writer)
            first, second = random.sample(candidates[-2:], 2)
            console.rule(f"turn {number}/{len(turns)}")
            console.print(f"[bold]{turn.message.content}[/]")
            show_side_by_side(console, first.content, second.content)
            verdict = ask_verdict(console, input, extra={"s": "skip", "q": "quit"})
            if verdict == "quit":
                break
            if verdict != "skip":
                log.record_preference(first.id, second.id, verdict)  # type: ignore[arg-type]


def _adapter_of(engine: Any, candidate: Any) -> str | None:
    """The adapter that wrote `candidate`, loaded onto the engine, so that the second answer
    comes from the same writer; one no longer installed is named on stderr, and the base
    model writes."""
    name = candidate.generation.adapter if candidate.generation is not None else None
    if not name:
        return None
    from agent.adapters import AdapterStore
    from llm.lora import LoRAError, adapters_of

    if name in adapters_of(engine.model):
        return name
    try:
        return AdapterStore.of(home()).load_onto(engine, name).name
    except LoRAError as exc:
        err_console().print(f"[yellow]the answer was written with adapter {name!r}, which cannot be loaded ({exc}); "
                            "the second answer comes from the base model[/]", highlight=False)
        return None


prefs_app = typer.Typer(help="Preference data for reward models and DPO.", no_args_is_help=True)


@prefs_app.command("export")
def prefs_export(
    output: Annotated[str, typer.Option("--output", "-o", help="JSONL file to write ('-' for stdout).")] = "-",
) -> None:
    """Write preference pairs as JSONL: prompt/chosen/rejected message lists (TRL's format)."""
    with user_errors():
        log = read_log()
        if output == "-":
            count = log.export_preferences(sys.stdout)
        else:
            from pathlib import Path

            target = Path(output)
            partial = target.with_name(target.name + ".partial")
            with partial.open("w", encoding="utf-8") as fp:
                count = log.export_preferences(fp)
            partial.replace(target)
        err_console().print(f"exported {count} preference pairs")


@prefs_app.command("stats")
def prefs_stats(as_json: JsonOption = False) -> None:
    """Counts of candidates, ratings and preference pairs in the log."""
    with user_errors():
        import dataclasses

        stats = dataclasses.asdict(read_log().prefs_stats())
        if as_json:
            print(json.dumps(stats))
            return
        for key, value in stats.items():
            Console().print(f"{key:>16}: {value}")
