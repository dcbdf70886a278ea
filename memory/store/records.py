"""What the memory hands out and takes in: its config, search hits, the report of an add,
and the listings. Plain dataclasses, so that callers (and `Retriever` fakes in tests)
need neither Chroma nor a store to use them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

Progress = Callable[[str, int, int], None]  # (stage, done, total); total 0 when unknown
Status = Literal["added", "updated", "unchanged", "skipped"]


@dataclass(frozen=True)
class MemoryConfig:
    """How a memory is named, chunked and written; a bad value is a ValueError naming the field."""

    collection: str = "documents"
    chunk_chars: int = 800  # ~200 word pieces: inside MiniLM's 256-token window
    overlap_chars: int = 120
    write_batch: int = 128  # chunks embedded, then written under the lock in one go
    lock_timeout: float = 120.0  # seconds to wait for another writer
    lexical: bool = True  # also rank chunks by their words (BM25) and fuse with the vectors; local memories

    def __post_init__(self) -> None:
        name = self.collection
        if not (3 <= len(name) <= 512 and name[0].isalnum() and name[-1].isalnum()
                and all(c.isalnum() or c in "._-" for c in name)):
            raise ValueError(f"MemoryConfig.collection must be 3-512 characters of [a-zA-Z0-9._-], got {name!r}")
        if self.chunk_chars < 50:
            raise ValueError(f"MemoryConfig.chunk_chars must be at least 50, got {self.chunk_chars}")
        if not 0 <= self.overlap_chars <= self.chunk_chars // 2:
            raise ValueError(
                f"MemoryConfig.overlap_chars must be between 0 and chunk_chars/2, got {self.overlap_chars}")
        if not 1 <= self.write_batch <= 5000:
            raise ValueError(f"MemoryConfig.write_batch must be between 1 and 5000, got {self.write_batch}")
        if self.lock_timeout <= 0:
            raise ValueError(f"MemoryConfig.lock_timeout must be positive, got {self.lock_timeout}")


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk; `score` is the cosine similarity (1 - distance), higher is closer."""

    id: str
    text: str
    source: str
    position: int
    score: float
    line: int = 0
    section: str = ""


class Retriever(Protocol):
    """What grounding needs from a memory; `MemoryStore` is one, tests use fakes."""

    def search(self, query: str, k: int = 5, min_relevance: float = 0.0) -> list[Hit]: ...


@dataclass(frozen=True)
class FileOutcome:
    source: str
    status: Status
    chunks: int = 0  # chunks stored for this source by this add
    reason: str = ""  # why it was skipped


@dataclass
class AddReport:
    outcomes: list[FileOutcome] = field(default_factory=list)

    def _with(self, status: Status) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def added(self) -> list[FileOutcome]:
        return self._with("added")

    @property
    def updated(self) -> list[FileOutcome]:
        return self._with("updated")

    @property
    def unchanged(self) -> list[FileOutcome]:
        return self._with("unchanged")

    @property
    def skipped(self) -> list[FileOutcome]:
        return self._with("skipped")

    @property
    def chunks(self) -> int:
        return sum(o.chunks for o in self.outcomes if o.status in ("added", "updated"))


@dataclass(frozen=True)
class SourceInfo:
    source: str
    chunks: int
    added: str  # ISO-8601 UTC of its latest add
    file_hash: str


@dataclass(frozen=True)
class MemoryStats:
    location: str
    collection: str
    chunks: int
    sources: int
    disk_bytes: int | None  # None for a server
    embedding: str
