"""`kigi serve`: the command that starts the OpenAI-compatible server (`ui/serve.py`);
heavy imports wait until it runs, so `kigi --help` stays instant."""

from __future__ import annotations

from typing import Annotated

import typer

from ui.errors import err_console, user_errors
from ui.loading import home, load_engine_with_progress
from ui.options import DEFAULT_MODEL, ModelOption, NoLogOption, PrecisionOption


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    model: ModelOption = DEFAULT_MODEL,
    precision: PrecisionOption = "auto",
    api_key: Annotated[str | None, typer.Option(
        "--api-key", envvar="KIGI_API_KEY", help="Require this key (Authorization: Bearer KEY).")] = None,
    max_batch: Annotated[int, typer.Option(help="Most answers decoded together.")] = 16,
    no_log: NoLogOption = False,
) -> None:
    """Serve the model over HTTP with OpenAI's chat-completions API (streaming or not),
    /v1/models, /v1/embeddings and /health; requests of several clients are decoded together."""
    with user_errors():
        import uvicorn

        from llm.batcher import Batcher
        from memory.embed import KigiEmbeddingFunction, pull_embedding_model
        from ui.serve import ServeState, create_app

        engine = load_engine_with_progress(model, precision)
        batcher = Batcher(engine, max_rows=max_batch)
        state = ServeState(engine, model, batcher, api_key=api_key, log_path=None if no_log else home().db,
                           embed_loader=lambda: KigiEmbeddingFunction(pull_embedding_model(home().models)))
        err_console().print(f"kigi serve: {model} on http://{host}:{port}/v1 (Ctrl-C stops)", highlight=False)
        try:
            uvicorn.run(create_app(state), host=host, port=port, log_level="warning")
        finally:
            batcher.close()
