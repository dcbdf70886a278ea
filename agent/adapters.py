"""The adapter store: trained LoRA adapters in KIGI_HOME/adapters, and the ones kigi ships.

Each adapter is a directory in the PEFT layout (see llm/lora/io.py). A user adapter shadows
a shipped one of the same name. `RoleAdapters` binds adapters to roles (ToT's propose
and value steps...) and switches between them on one loaded model.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from agent.home import KigiHome
from agent.prompts import ChatTemplate, Message
from llm.engine import Engine
from llm.lora import (
    ADAPTER_CONFIG,
    ADAPTER_WEIGHTS,
    AdapterInfo,
    AdapterNotFoundError,
    LoRAConfig,
    LoRAError,
    adapters_of,
    check_name,
    read_adapter_meta,
)

# Adapters shipped with kigi (agent/bundled_adapters/<name>/), usable without training anything.
# Package data of `agent`, so a checkout, an editable install and an installed wheel all have
# them at the same place relative to the package.
BUNDLED_DIR = Path(str(resources.files("agent") / "bundled_adapters"))
RUNS_DIR = ".runs"  # unfinished training runs (checkpoints), hidden from listings


@dataclass(frozen=True)
class StoredAdapter:
    name: str
    path: Path
    config: LoRAConfig
    base_name: str | None
    base_fingerprint: str | None
    bundled: bool
    size: int  # bytes of the weights file
    training: dict[str, Any] = field(default_factory=dict)  # the training card, when kigi trained it

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": str(self.path), "source": "bundled" if self.bundled else "user",
                "base": {"name": self.base_name, "fingerprint": self.base_fingerprint},
                "lora": self.config.to_dict(), "size": self.size, "training": self.training}


class AdapterStore:
    def __init__(self, root: Path, bundled: Path | None = BUNDLED_DIR) -> None:
        self.root, self.bundled = Path(root), Path(bundled) if bundled else None

    @classmethod
    def of(cls, home: KigiHome) -> AdapterStore:
        return cls(home.adapters)

    def path_for(self, name: str) -> Path:
        """Where a user adapter called `name` lives (whether or not it exists yet)."""
        return self.root / check_name(name)

    def checkpoint_dir(self, name: str) -> Path:
        return self.root / RUNS_DIR / check_name(name)

    def find(self, name: str) -> tuple[Path, bool] | None:
        """(directory, bundled) of `name`: a user adapter first, then a shipped one."""
        check_name(name)
        for directory, bundled in ((self.root, False), (self.bundled, True)):
            if directory is not None and (directory / name / ADAPTER_CONFIG).is_file():
                return directory / name, bundled
        return None

    def exists(self, name: str) -> bool:
        return self.find(name) is not None

    def info(self, name: str) -> StoredAdapter:
        found = self.find(name)
        if found is None:
            raise AdapterNotFoundError(f"no adapter named {name!r} (see `kigi adapter list`)")
        return self._describe(name, *found)

    def list(self) -> list[StoredAdapter]:
        seen: dict[str, StoredAdapter] = {}
        for directory, bundled in ((self.root, False), (self.bundled, True)):
            if directory is None or not directory.is_dir():
                continue
            for path in sorted(directory.iterdir()):
                if path.name.startswith(".") or path.name in seen or not (path / ADAPTER_CONFIG).is_file():
                    continue
                try:
                    seen[path.name] = self._describe(path.name, path, bundled)
                except LoRAError:
                    continue  # a damaged directory is not an adapter; `info` names the problem
        return sorted(seen.values(), key=lambda a: a.name)

    def remove(self, name: str) -> Path:
        found = self.find(name)
        if found is None:
            raise AdapterNotFoundError(f"no adapter named {name!r}")
        path, bundled = found
        if bundled:
            raise LoRAError(f"adapter {name!r} ships with kigi ({path}) and cannot be removed")
        shutil.rmtree(path)
        shutil.rmtree(self.checkpoint_dir(name), ignore_errors=True)
        return path

    def _describe(self, name: str, path: Path, bundled: bool) -> StoredAdapter:
        config, side = read_adapter_meta(path)
        base = side.get("base") or {}
        weights = path / ADAPTER_WEIGHTS
        return StoredAdapter(name, path, config, base.get("name"), base.get("fingerprint"), bundled,
                             weights.stat().st_size if weights.is_file() else 0, side.get("training") or {})

    # -- onto a model -----------------------------------------------------------------------
    def resolve(self, name_or_path: str) -> tuple[str, Path]:
        """An adapter by store name, or a directory path (named after the directory)."""
        path = Path(name_or_path).expanduser()
        if ("/" in name_or_path or name_or_path.startswith(".")) and path.is_dir():
            return path.resolve().name, path
        found = self.find(name_or_path)
        if found is None:
            raise AdapterNotFoundError(f"no adapter named {name_or_path!r} (see `kigi adapter list`)")
        return name_or_path, found[0]

    def load_onto(self, engine: Engine, name_or_path: str, *, activate: bool = False) -> AdapterInfo:
        """Attach the adapter to the engine's model (once; later calls reuse it)."""
        name, path = self.resolve(name_or_path)
        adapters = adapters_of(engine.model)
        info = adapters.info(name) if name in adapters else adapters.load(path, name)
        if activate:
            adapters.activate(name)
        return info

    def use(self, engine: Engine, name_or_path: str | None) -> AdapterInfo | None:
        """Make `name_or_path` the active adapter (None or 'off': the plain base model)."""
        if name_or_path in (None, "", "off", "none"):
            adapters_of(engine.model).activate(None)
            return None
        return self.load_onto(engine, name_or_path, activate=True)


class RoleAdapters:
    """Adapters bound to roles on one model: `activate("propose")` switches in microseconds.

    A role bound to None (or not bound) runs the plain base model.
    """

    def __init__(self, engine: Engine, store: AdapterStore, roles: Mapping[str, str | None]) -> None:
        self.engine, self.roles = engine, dict(roles)
        self.names: dict[str, str | None] = {}
        for role, adapter in self.roles.items():
            self.names[role] = None if adapter in (None, "", "off", "none") else store.load_onto(engine, adapter).name

    def activate(self, role: str) -> str | None:
        name = self.names.get(role)
        adapters_of(self.engine.model).activate(name)
        return name

    def switcher(self, role: str) -> Callable[[], None]:
        """A no-argument callable that switches to `role`'s adapter (EngineLM's `before_call`)."""
        def switch() -> None:
            self.activate(role)

        return switch

    @contextmanager
    def use(self, role: str) -> Iterator[str | None]:
        adapters = adapters_of(self.engine.model)
        previous = adapters.active
        try:
            yield self.activate(role)
        finally:
            adapters.activate(previous)


def chat_render(tokenizer: Any, template: ChatTemplate | None = None) -> Callable[[Sequence[Mapping[str, str]], bool],
                                                                                 list[int]]:
    """The `render(messages, add_generation_prompt)` that llm.train.data needs, over our
    chat template, so adapters are trained on exactly the prompts they will be shown."""
    template = template or ChatTemplate()

    def render(messages: Sequence[Mapping[str, str]], add_generation_prompt: bool) -> list[int]:
        return template.render_ids(tokenizer, [Message(m["role"], m["content"]) for m in messages],
                                   add_generation_prompt)

    return render
