"""`kigi serve`: the command that starts the OpenAI-compatible server (`ui/serve.py`);
heavy imports wait until it runs, so `kigi --help` stays instant."""

from __future__ import annotations

from typing import Annotated

import typer

from ui.errors import err_console, user_errors
from ui.loading import home, load_engine_with_progress, load_reader
from ui.options import (
    DEFAULT_MODEL,
    DEFAULT_READER,
    CompileOption,
    ModelOption,
    NoLogOption,
    PrecisionOption,
    ReaderOption,
)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    model: ModelOption = DEFAULT_MODEL,
    precision: PrecisionOption = "auto",
    api_key: Annotated[str | None, typer.Option(
        "--api-key", envvar="KIGI_API_KEY", help="Require this key (Authorization: Bearer KEY).")] = None,
    max_batch: Annotated[int, typer.Option(help="Most answers decoded together.")] = 16,
    adapter: Annotated[list[str] | None, typer.Option(
        "--adapter", "-a", help="Serve this adapter too, as a model of its name (repeatable).")] = None,
    reader: ReaderOption = DEFAULT_READER,
    compile: CompileOption = None,
    no_log: NoLogOption = False,
) -> None:
    """Serve the model over HTTP with OpenAI's chat-completions API (streaming or not),
    /v1/models, /v1/embeddings and /health; requests of several clients are decoded together.
    Adapters (the reader by default) are served as models of their own names, and `kigi ask`
    and `kigi chat` answer through a running server instead of loading the model."""
    with user_errors():
        import uvicorn

        from agent.adapters import AdapterStore
        from agent.precision import resolve
        from llm.batcher import Batcher
        from memory.embed import KigiEmbeddingFunction, pull_embedding_model
        from ui.serve import ServeState, create_app

        engine = load_engine_with_progress(model, precision, compile, wait_compiled=True)  # ready before serving
        served = [AdapterStore.of(home()).load_onto(engine, name).name for name in adapter or ()]
        served += [name for name in [load_reader(engine, reader)] if name and name not in served]
        batcher = Batcher(engine, max_rows=max_batch)
        state = ServeState(engine, model, batcher, api_key=api_key, log_path=None if no_log else home().db,
                           embed_loader=lambda: KigiEmbeddingFunction(pull_embedding_model(home().models)),
                           precision=resolve(home(), model, precision), adapters=tuple(served))
        err_console().print(f"kigi serve: {model} on http://{host}:{port}/v1 (Ctrl-C stops)", highlight=False)
        try:
            uvicorn.run(create_app(state), host=host, port=port, log_level="warning")
        finally:
            batcher.close()
