"""The Chroma session: one collection, in a directory (`PersistentClient`) or on a server
(`HttpClient`), used for one read or write at a time under the memory's lock.

Chroma's on-disk index must not have two writer processes at once (each process keeps
its own in-memory HNSW index and persists it over the other's: measured, items become
unfindable). So every read or write of a local store takes a file lock; a write opens a
client and closes it (which flushes its index) before letting go of the lock.

A read reuses the client this process opened for its last read, unless some process has
written since: every write first replaces a generation stamp kept beside the lock, and a
reader whose stamp differs closes its client and opens a fresh one. Opening a client costs
~175 ms at 100k chunks, so a chat's searches would otherwise pay it on every question.
Closing a reader's client after another process wrote was measured to lose nothing
(tests/test_store.py: a reader kept open across two writer processes).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlparse

from memory.errors import MemoryBusyError, MemoryCorruptError, MemoryStoreError, MemoryUnavailableError
from memory.store.lexical import FILE_NAME, LexicalIndex
from memory.store.records import MemoryConfig

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import EmbeddingFunction

LOCK_NAME = ".kigi-memory.lock"
GENERATION_NAME = ".kigi-memory.generation"  # replaced by every write; a reader's client is current while it matches
PAGE = 2000  # rows per page when listing a whole collection
# Chroma persists its HNSW index every `sync_threshold` changes; until then the changes
# live only in its write-ahead log, and the count is per process: another process that
# persists its index may let the log be purged of them. Measured with two writer
# processes and the lock: 100 lost an item in 3 of 3 runs, 1 lost none (and keeps the log
# short, so opening a client per operation stays cheap: 0.75 s -> 0.03 s per query at
# 10k chunks compared with the default of 1000).
SYNC_THRESHOLD = 1


class ChromaSession:
    """Where a memory lives and how to open it: a directory (`path`) or a server (`url`)."""

    def __init__(self, path: str | Path | None = None, *, url: str | None = None,
                 embedding_function: EmbeddingFunction, config: MemoryConfig | None = None) -> None:
        if (path is None) == (url is None):
            raise ValueError("MemoryStore needs exactly one of path (a directory) or url (a Chroma server)")
        self.path = Path(path).expanduser() if path is not None else None
        self.url = url
        self.embedding_function = embedding_function
        self.config = config or MemoryConfig()
        self._client: ClientAPI | None = None  # a server's client, or a local reader's, kept open
        self._client_generation: str | None = None  # the stamp a local reader's client was opened at
        self._lexical_level = False  # the word index was found level with Chroma since this reader opened
        self._reader_collection: Collection | None = None  # the local reader's collection, while it exists
        self._chroma_settings: Any = None

    @property
    def location(self) -> str:
        return str(self.path) if self.path is not None else str(self.url)

    @property
    def lexical(self) -> LexicalIndex | None:
        """The word index beside a local collection (None on a server, or when turned off);
        touch it only inside `reading()` or `writing()`, which hold the memory's lock."""
        if self.path is None or not self.config.lexical:
            return None
        return LexicalIndex(self.path / FILE_NAME, self.config.collection)

    def _settings(self) -> Any:
        if self._chroma_settings is None:  # building Settings costs ~20 ms; one per store
            from chromadb.config import Settings

            self._chroma_settings = Settings(anonymized_telemetry=False)
        return self._chroma_settings

    def _open_local(self) -> ClientAPI:
        import chromadb

        assert self.path is not None
        try:
            return chromadb.PersistentClient(path=str(self.path), settings=self._settings())
        except Exception as exc:
            _forget_failed_system(str(self.path))
            raise MemoryCorruptError(
                f"memory at {self.path} cannot be opened as a Chroma database ({exc}); it was left "
                f"untouched: move it aside to start an empty memory, or restore it from a backup") from None

    def _open_server(self) -> ClientAPI:
        import chromadb

        parsed = urlparse(self.url if "://" in str(self.url) else f"http://{self.url}")
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise MemoryUnavailableError(f"not a Chroma server URL: {self.url!r} (expected http://HOST:PORT)")
        ssl = parsed.scheme == "https"
        try:
            client = chromadb.HttpClient(host=parsed.hostname, port=parsed.port or (443 if ssl else 8000),
                                         ssl=ssl, settings=self._settings())
            client.heartbeat()
        except Exception as exc:
            raise MemoryUnavailableError(f"cannot reach the Chroma server at {self.url}: {exc}") from None
        return client

    def _prepare_dir(self) -> Path:
        assert self.path is not None
        if self.path.exists() and not self.path.is_dir():
            raise MemoryUnavailableError(f"memory location {self.path} exists but is not a directory")
        try:
            self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise MemoryUnavailableError(f"cannot create the memory directory {self.path}: {exc}") from None
        return self.path

    def _lock(self) -> AbstractContextManager[Any]:
        if self.path is None:
            return nullcontext()  # the server serialises its own writers
        from filelock import FileLock, Timeout

        lock = FileLock(str(self._prepare_dir() / LOCK_NAME), timeout=self.config.lock_timeout)

        @contextmanager
        def held() -> Iterator[None]:
            try:
                lock.acquire()
            except Timeout:
                raise MemoryBusyError(
                    f"memory at {self.path} is busy: another process held its lock for "
                    f"{self.config.lock_timeout:.0f} s") from None
            try:
                yield
            finally:
                lock.release()

        return held()

    def _drop_client(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            self._client_generation = self._reader_collection = None
            self._lexical_level = False  # a write since (by anyone) may have left it behind
            client.close()

    def _generation(self) -> str:
        """The stamp of the last write by any process ("" before the first); read under the lock."""
        try:
            return (self.path / GENERATION_NAME).read_text(encoding="utf-8")  # type: ignore[operator]
        except (OSError, UnicodeDecodeError):
            return ""

    def _new_generation(self) -> None:
        """Mark that a write begins, before it changes anything (a writer killed midway
        still makes readers reopen)."""
        stamp = self.path / GENERATION_NAME  # type: ignore[operator]  (the lock made the folder)
        temporary = stamp.with_name(f"{GENERATION_NAME}.{os.getpid()}")
        temporary.write_text(uuid.uuid4().hex, encoding="utf-8")
        os.replace(temporary, stamp)

    def _collection(self, client: ClientAPI, create: bool) -> Collection | None:
        from chromadb.errors import NotFoundError

        name = self.config.collection
        try:
            if create:
                return client.get_or_create_collection(
                    name, embedding_function=self.embedding_function,
                    configuration={"hnsw": {"space": "cosine", "sync_threshold": SYNC_THRESHOLD}})
            return client.get_collection(name, embedding_function=self.embedding_function)
        except NotFoundError:
            return None
        except ValueError as exc:  # another embedding function, or a damaged configuration
            raise MemoryStoreError(f"memory collection {name!r} at {self.location} cannot be used: {exc}") from None
        except Exception as exc:
            if self.path is None:
                raise MemoryUnavailableError(f"Chroma server at {self.url}: {exc}") from None
            raise MemoryCorruptError(
                f"memory at {self.path} is damaged ({exc}); it was left untouched: move it aside "
                f"to start an empty memory, or restore it from a backup") from None

    @contextmanager
    def _session(self, create: bool) -> Iterator[Collection | None]:
        """The collection, current as of now (None if it does not exist and `create` is False).

        A writing client lives only inside the lock: a client that stays open after writing
        while another process writes was measured to drop items that process wrote. A
        reading client stays open until a write (by anyone) changes the generation stamp."""
        with self._lock():
            if self.path is None:
                if self._client is None:
                    self._client = self._open_server()
                with self._errors():
                    yield self._collection(self._client, create=create)
                return
            generation = self._generation()
            if self._client is not None and (create or generation != self._client_generation):
                self._drop_client()  # stale, or about to write: a writer's client is closed after its write
            if create:
                self._new_generation()
                client = self._open_local()
                try:
                    with self._errors():
                        yield self._collection(client, create=True)
                finally:
                    client.close()  # flushes this process's index while no one else can write
                return
            if self._client is None:
                self._client, self._client_generation = self._open_local(), generation
            with self._errors():
                if self._reader_collection is None:  # looked up once per client (~1.6 ms a search)
                    self._reader_collection = self._collection(self._client, create=False)
                yield self._reader_collection

    @contextmanager
    def reading(self) -> Iterator[Collection | None]:
        """The collection to read, or None when nothing was ever stored; no other process
        writes meanwhile."""
        with self._session(create=False) as collection:
            yield collection

    @contextmanager
    def writing(self) -> Iterator[Collection]:
        """The collection to write (created if need be), under the lock, flushed on exit."""
        with self._session(create=True) as collection:
            assert collection is not None
            yield collection

    @contextmanager
    def _errors(self) -> Iterator[None]:
        from chromadb.errors import ChromaError

        try:
            yield
        except ChromaError as exc:
            if self.path is None:
                raise MemoryUnavailableError(f"Chroma server at {self.url}: {exc}") from None
            raise MemoryCorruptError(
                f"memory at {self.path}: Chroma failed ({exc}); the directory was left as it was") from None

    def close(self) -> None:
        self._drop_client()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def metadata_pages(collection: Collection, where: dict[str, Any] | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(id, metadata) of every chunk (that matches `where`), a page at a time."""
    for id_, _, meta in chunk_pages(collection, where, text=False):
        yield id_, meta


def chunk_pages(collection: Collection, where: dict[str, Any] | None = None,
                text: bool = True) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(id, text, metadata) of every chunk (that matches `where`), a page at a time; the
    text is "" unless asked for."""
    include: Any = ["metadatas", "documents"] if text else ["metadatas"]
    offset = 0
    while True:
        page = collection.get(where=where, include=include, limit=PAGE, offset=offset)
        texts = page["documents"] if text else [""] * len(page["ids"])
        yield from zip(page["ids"], texts or [], page["metadatas"] or [], strict=True)
        if len(page["ids"]) < PAGE:
            return
        offset += PAGE


def _forget_failed_system(identifier: str) -> None:
    """Chroma caches a System per path before starting it and keeps it when the start fails;
    every later client for that path would then fail with an unrelated error."""
    from chromadb.api.shared_system_client import SharedSystemClient

    if identifier not in SharedSystemClient._identifier_to_refcount:
        SharedSystemClient._identifier_to_system.pop(identifier, None)
