"""Environment switches for features that are on by default: one rule for what turns one off."""

from __future__ import annotations

import os

OFF = frozenset({"0", "false", "no", "off"})


def switched_off(name: str) -> bool:
    """Whether the environment variable `name` turns its feature off (unset: on)."""
    return os.environ.get(name, "1").strip().lower() in OFF
