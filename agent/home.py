"""The one user-state directory: models, adapters, memory and the log.

Resolved from `KIGI_HOME` or the platform's user data dir; created on first use with
user-only permissions. Nothing here runs at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from agent.errors import HomeError


@dataclass(frozen=True)
class KigiHome:
    root: Path

    @classmethod
    def resolve(cls, environ: dict[str, str] | None = None) -> KigiHome:
        env = os.environ if environ is None else environ
        if env.get("KIGI_HOME"):
            return cls(Path(env["KIGI_HOME"]).expanduser())
        import platformdirs

        return cls(Path(platformdirs.user_data_dir("kigi", appauthor=False)))

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def adapters(self) -> Path:
        return self.root / "adapters"

    @property
    def memory(self) -> Path:
        return self.root / "memory"

    @property
    def db(self) -> Path:
        return self.root / "kigi.db"

    def ensure(self) -> KigiHome:
        """Create the missing directories user-only (0700) and return self. A directory that
        already exists keeps its permissions: its owner may share it on purpose."""
        for path in (self.root, self.models, self.adapters, self.memory):
            try:
                path.mkdir(mode=0o700, parents=True, exist_ok=True)  # the mode applies only to what it creates
            except OSError as exc:
                in_the_way = isinstance(exc, (FileExistsError, NotADirectoryError))
                reason = "a file is in the way" if in_the_way else exc.strerror or str(exc)
                raise HomeError(f"cannot create {path} ({reason}); set KIGI_HOME to a folder kigi can write") from None
        return self
