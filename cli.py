"""kigi's command line: parse, call the library, render. Nothing else.

Exit codes: 0 success, 1 a clear error (bad input, missing model, damaged file...),
2 a usage error, 130 interrupted (Ctrl-C). Answers go to stdout; everything else
(progress, diagnostics, decorations) goes to stderr. Heavy libraries (torch, chromadb)
are imported inside the commands so that `kigi --help` stays instant.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console

app = typer.Typer(
    name="kigi",
    help="kigi (木々): a terminal chat agent that thinks in trees.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
model_app = typer.Typer(help="Download, add and inspect models.", no_args_is_help=True)
app.add_typer(model_app, name="model")

DEFAULT_MODEL = "smollm2-135m-instruct"  # llm.registry.DEFAULT_MODEL, without importing torch

ModelOption = Annotated[str, typer.Option("--model", "-m", help="Model name (see `kigi model list`).",
                                          envvar="KIGI_MODEL")]
PrecisionOption = Annotated[str, typer.Option(help="Weights precision: fp32 (exact) or bf16.",
                                              envvar="KIGI_PRECISION")]


def err_console() -> Console:
    return Console(stderr=True, soft_wrap=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's typed errors into one red line on stderr and exit code 1."""
    from agent.errors import AgentError
    from llm.errors import LLMError
    from memory.errors import MemoryStoreError

    try:
        yield
    except (LLMError, MemoryStoreError, AgentError, ValueError) as exc:
        err_console().print(f"[bold red]kigi: error:[/] {exc}", highlight=False, markup=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err_console().print("[yellow]kigi: interrupted[/]")
        raise typer.Exit(130) from None


def home():  # -> agent.home.KigiHome
    from agent.home import KigiHome

    return KigiHome.resolve().ensure()


def read_piped_stdin() -> str | None:
    """Piped stdin as text, or None when stdin is a terminal or absent."""
    from agent.inputs import decode_stdin

    if sys.stdin is None or sys.stdin.closed or sys.stdin.isatty():
        return None
    try:
        data = sys.stdin.buffer.read()
    except (OSError, ValueError):
        return None
    return decode_stdin(data)


def load_engine_with_progress(model: str, precision: str):  # -> llm.engine.Engine
    from agent.models import load_engine
    from ui.progress import byte_progress

    console = err_console()
    with byte_progress(console) as progress:
        return load_engine(home(), model, precision, progress)  # type: ignore[arg-type]


# -- ask ------------------------------------------------------------------------------------
@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question. Piped stdin becomes its context.")] = None,
    model: ModelOption = DEFAULT_MODEL,
    system: Annotated[str | None, typer.Option("--system", "-s", help="System prompt.")] = None,
    temperature: Annotated[float, typer.Option(help="0 decodes greedily.")] = 0.0,
    top_p: Annotated[float, typer.Option(help="Nucleus sampling threshold.")] = 1.0,
    top_k: Annotated[int, typer.Option(help="Sample from the k likeliest tokens (0: all).")] = 0,
    max_tokens: Annotated[int, typer.Option(help="Most tokens to generate.")] = 512,
    seed: Annotated[int | None, typer.Option(help="Seed for sampling.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")] = False,
    precision: PrecisionOption = "fp32",
) -> None:
    """Answer one question. `echo CONTEXT | kigi ask "QUESTION"` uses stdin as context."""
    with user_errors():
        from agent.inputs import make_query

        query = make_query(question, read_piped_stdin())
        from agent.session import Session
        from llm.generate import SamplingConfig

        sampling = SamplingConfig(max_new_tokens=max_tokens, temperature=temperature, top_p=top_p,
                                  top_k=top_k, seed=seed)
        engine = load_engine_with_progress(model, precision)
        session = Session(engine, system=system)
        stream = session.reply(query.question, query.context, sampling)
        if as_json:
            for _ in stream:
                pass
        else:
            render_stream(stream)
        result = session.last
        assert result is not None
        if as_json:
            print(json.dumps(turn_json(result, model)))
        if result.finish_reason == "interrupted":
            raise KeyboardInterrupt


def render_stream(stream: Iterator[str]) -> None:
    """Plain text as it arrives; a closed pipe ends the answer quietly."""
    out = sys.stdout
    try:
        for piece in stream:
            out.write(piece)
            out.flush()
        out.write("\n")
        out.flush()
    except BrokenPipeError:
        stream_close = getattr(stream, "close", None)
        if stream_close:
            stream_close()
        sys.stdout = None  # type: ignore[assignment]  # nothing more can be written


def turn_json(result: Any, model: str) -> dict[str, Any]:
    return {
        "answer": result.text,
        "model": model,
        "finish_reason": result.finish_reason,
        "prompt_tokens": result.prompt_tokens,
        "completion_tokens": result.completion_tokens,
        "ttft_s": round(result.ttft_s, 4) if result.ttft_s is not None else None,
        "seconds": round(result.seconds, 4),
        "prompt_version": result.prompt_version,
    }


# -- model ------------------------------------------------------------------------------------
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
def model_list(as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False) -> None:
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
    """Architecture, size and source of a model (loads its header)."""
    with user_errors():
        from agent.models import ensure_model, model_registry
        from llm.weights import load_weights

        path = ensure_model(home(), name)
        entry = model_registry(home()).resolve(name)
        weights = load_weights(path)
        params = sum(t.numel() for t in weights.state_dict.values())
        info = {"name": name, "path": str(path), "source": entry.source, "sha256": entry.sha256,
                "parameters": params, **weights.config.to_dict()}
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
    """Forget a model (a pulled file is deleted; an added path is left alone)."""
    with user_errors():
        from agent.models import model_registry

        model_registry(home()).remove(name)
        err_console().print(f"removed {name}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
