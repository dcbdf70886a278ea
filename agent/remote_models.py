"""Models served elsewhere: the ones a user registered (`kigi model add NAME --openai-url`),
and the resident `kigi serve` that `kigi ask` and `kigi chat` use when one is running.

Registered models live in `models/remote.json` beside the local registry: a name, the
API's base URL, the server's name for the model, the environment variable that holds its
key (never the key itself) and its context window.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from agent.home import KigiHome
from llm.registry import write_text_atomic
from llm.remote import RemoteConfig, RemoteEngine

DEFAULT_SERVER = "http://127.0.0.1:8000"  # where `kigi serve` listens by default
SERVER_ENV = "KIGI_SERVER"  # another address for the resident server
CLIENT_LOGS = ("X-Kigi-Client-Logs", "1")  # tells `kigi serve` that this client logs the exchange itself


@dataclass(frozen=True)
class RemoteModel:
    name: str
    url: str  # the API's base, ending in /v1
    model: str  # the server's name for it
    api_key_env: str | None = None
    context_window: int = 8192

    def engine(self) -> RemoteEngine:
        key = None
        if self.api_key_env:
            key = os.environ.get(self.api_key_env)
            if not key:
                raise ValueError(f"{self.name} needs its API key in ${self.api_key_env}, which is not set")
        return RemoteEngine(RemoteConfig(self.url, self.model, key, self.context_window), self.name)


def _path(home: KigiHome) -> Path:
    return home.models / "remote.json"


def remote_models(home: KigiHome) -> dict[str, RemoteModel]:
    path = _path(home)
    if not path.exists():
        return {}
    try:
        rows = json.loads(path.read_text())
        return {row["name"]: RemoteModel(**row) for row in rows}
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"{path} is damaged ({exc}); fix or delete it") from None


def add_remote(home: KigiHome, model: RemoteModel) -> None:
    models = remote_models(home) | {model.name: model}
    write_text_atomic(_path(home), json.dumps([asdict(m) for m in models.values()], indent=2))


def remove_remote(home: KigiHome, name: str) -> bool:
    models = remote_models(home)
    if models.pop(name, None) is None:
        return False
    write_text_atomic(_path(home), json.dumps([asdict(m) for m in models.values()], indent=2))
    return True


def resident_server(model: str, precision: str, adapter: str | None, timeout_s: float = 0.5) -> RemoteEngine | None:
    """The running `kigi serve` that can answer for `model` as a local load would (the same
    model, at the asked precision, with the asked adapter attached), or None."""
    root = os.environ.get(SERVER_ENV, DEFAULT_SERVER).rstrip("/")
    try:
        with urllib.request.urlopen(f"{root}/health", timeout=timeout_s) as response:  # noqa: S310
            health = json.load(response)
    except (OSError, ValueError):
        return None
    if not isinstance(health, dict) or health.get("model") != model:
        return None
    if precision not in ("auto", health.get("precision")) or (adapter and adapter not in health.get("adapters", ())):
        return None
    config = RemoteConfig(f"{root}/v1", adapter or model, os.environ.get("KIGI_API_KEY"),
                          int(health.get("context_window") or 2048), headers=(CLIENT_LOGS,), kigi_fields=True)
    return RemoteEngine(config, model)
