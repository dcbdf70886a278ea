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
from ui.options import DEFAULT_MODEL, JsonOption, PrecisionOption

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
        from agent.remote_models import remote_models
        from llm.registry import KNOWN_MODELS

        registry = model_registry(home())
        rows = {e.name: {"name": e.name, "status": "ready", "source": e.source, "size": e.size, "path": e.path}
                for e in registry.entries()}
        for remote in remote_models(home()).values():
            rows[remote.name] = {"name": remote.name, "status": "remote", "source": f"{remote.model} at {remote.url}",
                                 "size": None, "path": None}
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
def model_info(
    name: Annotated[str, typer.Argument(help="Model name.")] = DEFAULT_MODEL,
    measure: Annotated[bool, typer.Option(
        "--measure", help="Measure the default precision on this machine now (kept from then on), "
                          "even where kigi ships the choice measured for its release.")] = False,
) -> None:
    """Architecture, size and source of a model, and the precision it runs at by default
    and why (measured once against fp32 on first use, or shipped with kigi for the models
    it fetches by name)."""
    with user_errors():
        from agent.models import cache_dir_of, ensure_model, model_registry
        from agent.precision import default_precision
        from agent.remote_models import remote_models
        from llm.engine import step_store
        from llm.row_kernel import describe as describe_row_kernel
        from llm.weights import load_weights_cached
        from ui.progress import measuring_progress, stage_progress

        if (remote := remote_models(home()).get(name)) is not None:
            print(json.dumps({**remote.__dict__, "remote": True}, indent=2))
            return
        path = ensure_model(home(), name)
        entry = model_registry(home()).resolve(name)
        weights = load_weights_cached(path, cache_dir_of(home(), name))  # a GGUF's converted weights, once made
        params = sum(t.numel() for t in weights.state_dict.values())
        with stage_progress(err_console()) as progress:
            choice = default_precision(home(), name, measuring_progress(name, progress), here=measure)
        info = {"name": name, "path": str(path), "source": entry.source, "sha256": entry.sha256,
                "parameters": params, **{k: v for k, v in weights.config.to_dict().items() if k != "name"},
                "default_precision": {"precision": choice.precision, "why": choice.reason,
                                      "measured": [q.__dict__ for q in choice.measured]},
                "int4_kernel": describe_row_kernel(step_store(cache_dir_of(home(), name)))}
        print(json.dumps(info, indent=2))


@model_app.command("compile")
def model_compile(
    name: Annotated[str, typer.Argument(help="Model name.")] = DEFAULT_MODEL,
    precision: PrecisionOption = "auto",
    adapter: Annotated[list[str] | None, typer.Option(
        "--adapter", "-a", help="An adapter to attach (repeat for several, in the order a run attaches them).")] = None,
    active: Annotated[str | None, typer.Option(
        "--active", help="The adapter on while decoding, or off (default: the last --adapter).")] = None,
    threads: Annotated[int | None, typer.Option(
        min=1, help="Intra-op threads the step is for (default: all cores, and one fewer: a run on a "
                    "busy machine takes one fewer).")] = None,
    key: Annotated[str | None, typer.Option(hidden=True, help="Build only this model state's step.")] = None,
    background: Annotated[bool, typer.Option(hidden=True, help="Niced; quiet when another build runs.")] = False,
) -> None:
    """Compile the decode step for a model state now and store it: `kigi ask` and `chat`
    load it in later runs. (A run that decoded without one starts this in the background.)"""
    with user_errors():
        from ui.step_builds import build_now

        attached = adapter or []
        on = active if active is not None else (attached[-1] if attached else None)
        err_console().print(build_now(name, precision, attached, on, threads, key, background), highlight=False)


@model_app.command("add")
def model_add(
    path: Annotated[str, typer.Argument(
        help="A .gguf file or a Hugging Face model directory; with --openai-url, the name to register.")],
    name: Annotated[str | None, typer.Option("--name", "-n", help="Name to use with --model.")] = None,
    openai_url: Annotated[str | None, typer.Option(
        "--openai-url", help="A model served elsewhere: the base URL of its OpenAI-compatible API (…/v1).")] = None,
    remote_model: Annotated[str | None, typer.Option(
        "--remote-model", help="The server's name for the model (default: the name registered).")] = None,
    api_key_env: Annotated[str | None, typer.Option(
        "--api-key-env", help="Environment variable that holds the server's API key.")] = None,
    context_window: Annotated[int, typer.Option(help="The remote model's context window, in tokens.")] = 8192,
) -> None:
    """Register a local model (GGUF file or HF directory) under a name, or a model served by
    an OpenAI-compatible server (vLLM, llama.cpp's server, Ollama, `kigi serve`); either is
    checked first."""
    with user_errors():
        if openai_url is not None:
            add_remote_model(name or path, openai_url, remote_model or name or path, api_key_env, context_window)
            return
        if name is None:
            raise ValueError("--name is required for a local model")
        from pathlib import Path

        from agent.models import model_registry
        from llm.weights import build_model, load_weights

        build_model(load_weights(Path(path)))  # refuse a damaged or unsupported model now, not later
        entry = model_registry(home()).add(Path(path), name)
        err_console().print(f"[green]✓[/] added {entry.name} → {entry.path}")


def add_remote_model(name: str, url: str, served_as: str, api_key_env: str | None, context_window: int) -> None:
    """Register a remote model once its server answers and lists it."""
    from agent.models import model_registry
    from agent.remote_models import RemoteModel, add_remote
    from llm.registry import KNOWN_MODELS

    if not name.strip() or "/" in name:
        raise ValueError(f"a model name cannot be empty or hold '/', got {name!r}")
    if name in KNOWN_MODELS or model_registry(home()).get(name) is not None:
        raise ValueError(f"{name} is already a local model; choose another --name")
    if context_window < 16:
        raise ValueError(f"--context-window must be at least 16, got {context_window}")
    model = RemoteModel(name, url.rstrip("/"), served_as, api_key_env, context_window)
    listed = [str(m.get("id")) for m in model.engine().models()]
    if served_as not in listed:
        served = ", ".join(listed) or "nothing"
        raise ValueError(f"the server at {url} does not serve {served_as!r} (it serves: {served})")
    add_remote(home(), model)
    err_console().print(f"[green]✓[/] added {name} → {served_as} at {model.url}")


@model_app.command("remove")
def model_remove(name: Annotated[str, typer.Argument(help="Model name.")]) -> None:
    """Forget a model and delete its caches; a pulled file is deleted, an added path left alone."""
    with user_errors():
        from agent.models import model_registry
        from agent.remote_models import remove_remote

        if not remove_remote(home(), name):
            model_registry(home()).remove(name)
        err_console().print(f"removed {name}")
