"""`kigi serve`'s app on a tiny model, run by uvicorn on a free local port in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from llm.engine import Engine
from tests.need import extra
from tests.tiny import save_tiny_chat_model


def peaked_tiny_engine(directory: Path) -> Engine:
    """A tiny model with a trained model's peaked head: a random one's near-uniform logits put
    every sampled token on a knife edge that float rounding in a padded batch could tip."""
    import torch

    engine = Engine.load(save_tiny_chat_model(directory))
    with torch.no_grad():
        engine.model.lm_head.weight.mul_(20)
    return engine


@contextmanager
def serving(state) -> Iterator[str]:
    """The app of `state` listening on 127.0.0.1; yields its root URL, stops it after."""
    uvicorn = extra("uvicorn")
    from ui.serve import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    running = uvicorn.Server(uvicorn.Config(create_app(state), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=10)
        state.batcher.close()
