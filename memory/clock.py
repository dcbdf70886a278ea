"""The one clock of the memory layer: ISO-8601 UTC text, which sorts as it reads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal


def utc_now(timespec: Literal["seconds", "microseconds"] = "microseconds") -> str:
    """Now, ending in Z. The log keeps microseconds so that rows written in one second still
    sort in order; chunk metadata keeps whole seconds."""
    return datetime.now(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")
