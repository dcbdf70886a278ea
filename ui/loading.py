"""What the commands load from the library: the user directory, the log, an engine (with
progress bars), sampling settings. Each import happens inside the call, so that importing
a command module (and `kigi --help`) never pulls in torch or chromadb."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.errors import err_console

if TYPE_CHECKING:
    from agent.home import KigiHome
    from llm.engine import Engine
    from llm.remote import RemoteEngine
    from llm.sampling import SamplingConfig
    from memory.log import ConversationLog


def home() -> KigiHome:
    """KIGI_HOME (or the platform's user data dir), created on first use."""
    from agent.home import KigiHome

    return KigiHome.resolve().ensure()


def open_log(no_log: bool = False) -> ConversationLog | None:
    """The log to write to, or None with --no-log."""
    from agent.prompt_catalog import record_catalog
    from memory.log import ConversationLog

    if no_log:
        return None
    log = ConversationLog(home().db)
    record_catalog(log)  # the texts behind every prompt version this kigi may log
    return log


def read_log() -> ConversationLog:
    """The log for reading; a first run creates the (empty) database instead of failing."""
    from memory.log import ConversationLog

    path = home().db
    return ConversationLog(path, readonly=path.exists())


def load_engine_with_progress(model: str, precision: str, compile: bool | None = False, *,
                              wait_compiled: bool = False) -> Engine:
    """The model ready to generate; a first use pulls it, with byte bars on stderr.
    `precision` "auto" is the model's measured default (`agent.precision`). A compiled
    decode step stored by an earlier run is loaded in the background from the first answer's
    second token on, which decodes eagerly until it is ready; with `wait_compiled` it is
    ready (loaded, or compiled now and stored) before this returns."""
    from agent.models import ensure_model, load_engine
    from agent.precision import AUTO, resolve
    from agent.remote_models import remote_models
    from ui.progress import byte_progress, measuring_progress, stage_progress

    if model in remote_models(home()):
        raise ValueError(f"{model} is served remotely, and this needs the model's own weights (use a local model)")
    console = err_console()
    if precision == AUTO:
        with byte_progress(console) as progress:
            ensure_model(home(), model, progress)
        with stage_progress(console) as progress:
            precision = resolve(home(), model, AUTO, measuring_progress(model, progress))
    with byte_progress(console) as progress:
        engine = load_engine(home(), model, precision, progress, compile=compile)  # type: ignore[arg-type]
    if compile and wait_compiled:
        with console.status("preparing the compiled decode step (compiled once, then loaded from disk)"):
            engine.warm_up()
    return engine


def sampling_config(temperature: float, top_p: float, top_k: int, max_tokens: int,
                    seed: int | None, loop_stop: int = 0) -> SamplingConfig:
    from llm.sampling import SamplingConfig

    return SamplingConfig(max_new_tokens=max_tokens, temperature=temperature, top_p=top_p, top_k=top_k, seed=seed,
                          loop_stop=loop_stop)


def load_reader(engine: Engine | RemoteEngine, reader: str) -> str | None:
    """The adapter that answers from sources, attached to the engine (None for off). The
    shipped default that does not fit the model (another base model) is skipped with a note;
    one the user named must load."""
    if reader.lower() in ("off", "none", ""):
        return None
    if getattr(engine, "remote", False):
        return served_reader(engine, reader)  # type: ignore[arg-type]
    from agent.reading import DEFAULT_READER

    return load_role_adapter(engine, reader, DEFAULT_READER, "sources are read")  # type: ignore[arg-type]


def load_tot_roles(engine: Engine | RemoteEngine, roles: str) -> str | None:
    """The adapter that writes and values the ToT search's steps, attached to the engine
    (None for off, and for a served model: the search there runs without our adapters)."""
    from agent.tasks.open_question import DEFAULT_ROLES

    if roles.lower() in ("off", "none", ""):
        return None
    if getattr(engine, "remote", False):
        if roles != DEFAULT_ROLES:
            raise ValueError(f"the ToT roles adapter {roles} needs the model's own weights (--no-server)")
        return None
    return load_role_adapter(engine, roles, DEFAULT_ROLES, "the search runs")  # type: ignore[arg-type]


def load_role_adapter(engine: Engine, name: str, default: str, without: str) -> str | None:
    """`name` attached to the engine. The shipped `default` that does not fit the model
    (another base model) is skipped with a note; one the user named must load."""
    from agent.adapters import AdapterStore
    from llm.lora import LoRAError

    try:
        return AdapterStore.of(home()).load_onto(engine, name).name
    except LoRAError as exc:
        if name != default:
            raise
        err_console().print(f"[dim]note: {without} without the {name} adapter ({exc})[/]")
        return None


def served_reader(engine: RemoteEngine, reader: str) -> str | None:
    """The reader when the server serves it under its name (`kigi serve` does by default);
    a named one it lacks is refused, the shipped default skipped with a note."""
    from agent.reading import DEFAULT_READER

    if reader in {m.get("id") for m in engine.models()}:
        return reader
    if reader != DEFAULT_READER:
        raise ValueError(f"{engine.name}'s server does not serve the reader {reader}")
    err_console().print(f"[dim]note: sources are read without the {reader} adapter (the server lacks it)[/]")
    return None
