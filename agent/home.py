"""The one user-state directory: models, adapters, memory, log and config.

Resolved from `KIGI_HOME` or the platform's user data dir; created on first use with
user-only permissions. Nothing here runs at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


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

    @property
    def config(self) -> Path:
        return self.root / "config.toml"

    def ensure(self) -> KigiHome:
        """Create the directory tree (user-only permissions) and return self."""
        for path in (self.root, self.models, self.adapters, self.memory):
            path.mkdir(parents=True, exist_ok=True)
            os.chmod(path, 0o700)
        return self
