"""The Chroma memory of the user's documents: add, search, list, forget, stats.

A `MemoryStore` lives in a directory (Chroma's `PersistentClient`) or on a Chroma server
(`HttpClient`, for a memory shared by a team). Files are chunked along their structure
(`memory.chunking`), embedded by the collection's embedding function and upserted with
their source, position, line, section, content hash, file hash and time added.

Ids are derived from source, position and content, so adding an unchanged file again is
a no-op (its file hash is already stored, with the marker of a complete add) and a
changed file replaces its old chunks: new chunks are written first, stale ones deleted
last, so a crash mid-way never loses what was stored. Chunks whose text is already
stored for that source keep their embedding instead of being embedded again.

Chroma's on-disk index must not have two writer processes at once (each process keeps
its own in-memory HNSW index and persists it over the other's: measured, items become
unfindable). So every operation on a local store takes a file lock, opens a client, and
closes it (which flushes its index) before letting go of the lock; writes are batched
across files so this happens once per `write_batch` chunks. Embedding, the slow part,
happens outside the lock.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import urlparse

from memory.chunking import Chunk, Kind, chunks, kind_of
from memory.clock import utc_now
from memory.errors import MemoryStoreError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import EmbeddingFunction

Progress = Callable[[str, int, int], None]  # (stage, done, total); total 0 when unknown
Status = Literal["added", "updated", "unchanged", "skipped"]

BLOCK = 1 << 20  # bytes read at a time when scanning
LINE_LIMIT = 1 << 16  # characters: a longer line arrives in pieces, so memory stays bounded
SPOOL_MEMORY = 16 << 20  # stdin beyond this goes to a temporary file
SKIP_DIRS = {"__pycache__", "node_modules", "venv", "site-packages", "dist", "build"}
LOCK_NAME = ".kigi-memory.lock"
PAGE = 2000  # rows per page when listing a whole collection
# Chroma persists its HNSW index every `sync_threshold` changes; until then the changes
# live only in its write-ahead log, and the count is per process: another process that
# persists its index may let the log be purged of them. Measured with two writer
# processes and the lock: 100 lost an item in 3 of 3 runs, 1 lost none (and keeps the log
# short, so opening a client per operation stays cheap: 0.75 s -> 0.03 s per query at
# 10k chunks compared with the default of 1000).
SYNC_THRESHOLD = 1


class MemoryCorruptError(MemoryStoreError):
    """The memory directory cannot be read as a Chroma database; it is left untouched."""


class MemoryUnavailableError(MemoryStoreError):
    """The memory location is not usable (not a directory, server unreachable)."""


class MemoryBusyError(MemoryStoreError):
    """Another process held the memory's write lock for too long."""


@dataclass(frozen=True)
class MemoryConfig:
    collection: str = "documents"
    chunk_chars: int = 800  # ~200 word pieces: inside MiniLM's 256-token window
    overlap_chars: int = 120
    write_batch: int = 128  # chunks embedded, then written under the lock in one go
    lock_timeout: float = 120.0  # seconds to wait for another writer

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


class _Skip(Exception):
    """A file that cannot be added, with the reason shown to the user."""


@dataclass(eq=False)
class _Pending:
    """One scanned source on its way into the store."""

    source: str
    kind: Kind
    opener: Callable[[], Any]
    file_hash: str
    size: int
    existing: set[str] = field(default_factory=set)  # ids stored for this source before
    reuse: dict[str, str] = field(default_factory=dict)  # content hash -> an id holding that text
    created: list[str] = field(default_factory=list)  # ids this add wrote that were not there
    stored: int = 0
    unchanged: bool = False
    complete: bool = False
    failed: str = ""

    def outcome(self) -> FileOutcome:
        if self.failed:
            return FileOutcome(self.source, "skipped", reason=self.failed)
        if self.unchanged:
            return FileOutcome(self.source, "unchanged", self.stored)
        if not self.complete:  # a text that made no chunk at all
            return FileOutcome(self.source, "skipped", reason="no text to store")
        return FileOutcome(self.source, "updated" if self.existing else "added", self.stored)


def chunk_id(source: str, position: int, content_hash: str) -> str:
    return hashlib.sha256(f"{source}\0{position}\0{content_hash}".encode()).hexdigest()[:32]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def scan(opener: Callable[[], IO[bytes]]) -> tuple[str, int]:
    """(sha256, size) of a readable, non-empty UTF-8 text, read in blocks; else `_Skip`."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    size, has_text = 0, False
    try:
        with opener() as fh:
            while block := fh.read(BLOCK):
                if b"\0" in block:
                    raise _Skip("binary file (NUL bytes)")
                try:
                    text = decoder.decode(block)
                except UnicodeDecodeError as exc:
                    raise _Skip(f"not UTF-8 text (bad byte at offset {size + exc.start})") from None
                has_text = has_text or bool(text.strip())
                digest.update(block)
                size += len(block)
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise _Skip("not UTF-8 text (ends inside a character)") from None
    except OSError as exc:
        raise _Skip(f"unreadable ({exc.strerror or exc})") from None
    if size == 0:
        raise _Skip("empty file")
    if not has_text:
        raise _Skip("empty file (only whitespace)")
    return digest.hexdigest(), size


def _lines(fh: IO[bytes]) -> Iterator[str]:
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline=None)
    try:
        while line := text.readline(LINE_LIMIT):
            yield line
    finally:
        text.detach()  # the caller owns (and closes) the binary file


def _with_last(items: Iterable[Chunk]) -> Iterator[tuple[Chunk, bool]]:
    iterator = iter(items)
    previous = next(iterator, None)
    for item in iterator:
        yield previous, False  # type: ignore[misc]
        previous = item
    if previous is not None:
        yield previous, True


def walk(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileOutcome]]:
    """Files under `paths` (folders recursively, hidden entries and build folders left out)
    and the paths that cannot be read at all."""
    files: list[Path] = []
    problems: list[FileOutcome] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            for root, dirs, names in os.walk(path, onerror=lambda e, out=problems: out.append(
                    FileOutcome(str(e.filename), "skipped", reason=f"unreadable ({e.strerror})"))):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
                for name in sorted(names):
                    if not name.startswith("."):
                        files.append(Path(root) / name) if (Path(root) / name).is_file() else problems.append(
                            _not_a_file(Path(root) / name))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(_not_a_file(path))
    return files, problems


def _not_a_file(path: Path) -> FileOutcome:
    if path.is_symlink() and not path.exists():
        reason = "unreadable (broken symbolic link)"
    elif path.exists():
        reason = "not a regular file"
    else:
        reason = "no such file or directory"
    return FileOutcome(str(path), "skipped", reason=reason)


def _forget_failed_system(identifier: str) -> None:
    """Chroma caches a System per path before starting it and keeps it when the start fails;
    every later client for that path would then fail with an unrelated error."""
    from chromadb.api.shared_system_client import SharedSystemClient

    if identifier not in SharedSystemClient._identifier_to_refcount:
        SharedSystemClient._identifier_to_system.pop(identifier, None)


class MemoryStore:
    """A Chroma collection of document chunks in a directory (`path`) or on a server (`url`)."""

    def __init__(self, path: str | Path | None = None, *, url: str | None = None,
                 embedding_function: EmbeddingFunction, config: MemoryConfig | None = None) -> None:
        if (path is None) == (url is None):
            raise ValueError("MemoryStore needs exactly one of path (a directory) or url (a Chroma server)")
        self.path = Path(path).expanduser() if path is not None else None
        self.url = url
        self.embedding_function = embedding_function
        self.config = config or MemoryConfig()
        self._client: ClientAPI | None = None  # a server's client, kept open
        self._chroma_settings: Any = None

    @property
    def location(self) -> str:
        return str(self.path) if self.path is not None else str(self.url)

    # -- connections -----------------------------------------------------------------------
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
            client.close()

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

        A local client lives only inside the lock: a client that stays open while another
        process writes holds a stale index, and closing it later was measured to drop items
        that the other process had written."""
        with self._lock():
            if self.path is None:
                if self._client is None:
                    self._client = self._open_server()
                with self._errors():
                    yield self._collection(self._client, create=create)
                return
            self._prepare_dir()
            client = self._open_local()
            try:
                with self._errors():
                    yield self._collection(client, create=create)
            finally:
                client.close()  # flushes this process's index while no one else can write

    @contextmanager
    def _reading(self) -> Iterator[Collection | None]:
        with self._session(create=False) as collection:
            yield collection

    @contextmanager
    def _writing(self) -> Iterator[Collection]:
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

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- adding ----------------------------------------------------------------------------
    def add(self, paths: str | Path | Iterable[str | Path], progress: Progress | None = None) -> AddReport:
        """Add files and folders (recursively); each file's fate is in the report."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        files, problems = walk(paths)
        items = [(str(f.resolve()), kind_of(f), partial(open, f, "rb")) for f in files]
        report = self._add_items(items, progress)
        report.outcomes[:0] = problems
        return report

    def add_text(self, text: str | IO[str] | IO[bytes], source: str = "stdin",
                 progress: Progress | None = None, kind: Kind | None = None) -> AddReport:
        """Add text (a string, or a stream such as stdin, spooled to disk if large) as `source`."""
        if not source.strip():
            raise ValueError("add_text needs a non-empty source name")
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as spool:
            if isinstance(text, str):
                spool.write(text.encode("utf-8"))
            else:
                while block := text.read(BLOCK):
                    spool.write(block.encode("utf-8") if isinstance(block, str) else block)

            @contextmanager
            def opener() -> Iterator[IO[bytes]]:
                spool.seek(0)
                yield spool  # type: ignore[misc]

            return self._add_items([(source, kind or kind_of(source), opener)], progress)

    def _add_items(self, items: list[tuple[str, Kind, Callable[[], Any]]], progress: Progress | None) -> AddReport:
        """Scan every item, look up what is stored in one read, then stream the chunks of the
        new and changed ones through shared batches: embed outside the lock, write inside."""
        outcomes: list[FileOutcome | _Pending] = []
        scanned: list[_Pending] = []
        total = 0
        for i, (source, kind, opener) in enumerate(items):
            try:
                file_hash, size = scan(opener)
            except _Skip as skip:
                outcomes.append(FileOutcome(source, "skipped", reason=str(skip)))
                continue
            finally:
                if progress:
                    progress("scanning", i + 1, len(items))
            pending = _Pending(source, kind, opener, file_hash, size)
            outcomes.append(pending)
            scanned.append(pending)
            total += size
        todo = self._plan(scanned)
        done_bytes = 0

        def rows() -> Iterator[tuple[_Pending, Chunk, bool]]:
            nonlocal done_bytes
            for pending in todo:
                try:
                    with pending.opener() as fh:
                        config = self.config
                        for n, (chunk, last) in enumerate(
                                _with_last(chunks(_lines(fh), pending.kind, config.chunk_chars, config.overlap_chars))):
                            yield pending, chunk, last
                            if progress and n % 16 == 15:
                                progress("bytes", done_bytes + min(fh.tell(), pending.size), total)
                except OSError as exc:
                    pending.failed = f"unreadable ({exc.strerror or exc})"
                done_bytes += pending.size
                if progress:
                    progress("bytes", done_bytes, total)

        try:
            batch: list[tuple[_Pending, Chunk, bool]] = []
            for row in rows():
                batch.append(row)
                if len(batch) >= self.config.write_batch:
                    self._write(batch)
                    batch = []
            if batch:
                self._write(batch)
        except BaseException:
            self._undo([p for p in todo if not p.complete])
            raise
        self._undo([p for p in todo if p.failed])
        if progress:
            progress("files", len(items), len(items))
        return AddReport([o if isinstance(o, FileOutcome) else o.outcome() for o in outcomes])

    def _plan(self, scanned: list[_Pending]) -> list[_Pending]:
        """Mark unchanged items (and tidy their leftovers); return the ones to (re)write."""
        todo, tidy = [], []
        with self._reading() as collection:
            for pending in scanned:
                existing: dict[str, dict[str, Any]] = {}
                if collection is not None:
                    offset = 0
                    while True:
                        page = collection.get(where={"source": pending.source}, include=["metadatas"],
                                              limit=PAGE, offset=offset)
                        existing.update(zip(page["ids"], page["metadatas"] or [], strict=True))
                        if len(page["ids"]) < PAGE:
                            break
                        offset += PAGE
                mine = [m for m in existing.values() if m.get("file_hash") == pending.file_hash]
                complete = [m for m in mine if m.get("last")]
                pending.existing = set(existing)
                if complete and len(mine) == int(complete[0]["position"]) + 1:
                    pending.unchanged, pending.complete, pending.stored = True, True, len(mine)
                    if len(mine) < len(existing):
                        tidy.append(pending)  # an earlier replacement was cut short
                else:
                    pending.reuse = {str(m["content_hash"]): i for i, m in existing.items()}
                    todo.append(pending)
        if tidy:
            with self._writing() as collection:
                for pending in tidy:
                    self._delete_stale(collection, pending)
        return todo

    def _write(self, batch: list[tuple[_Pending, Chunk, bool]]) -> None:
        rows = [(p, c, last) for p, c, last in batch if not p.failed]
        if not rows:
            return
        added = utc_now("seconds")
        ids, texts, metadatas = [], [], []
        for pending, chunk, last in rows:
            digest = content_hash(chunk.text)
            ids.append(chunk_id(pending.source, chunk.position, digest))
            texts.append(chunk.text)
            metadatas.append({
                "source": pending.source, "position": chunk.position, "line": chunk.line, "section": chunk.section,
                "content_hash": digest, "file_hash": pending.file_hash, "added": added, "kind": pending.kind,
                "last": last,
            })
        reused = {i: rows[i][0].reuse[m["content_hash"]] for i, m in enumerate(metadatas)
                  if m["content_hash"] in rows[i][0].reuse}
        embeddings: list[Any] = [None] * len(ids)
        fresh = [i for i in range(len(ids)) if i not in reused]
        if fresh:  # the slow part, outside the lock
            for i, vector in zip(fresh, self.embedding_function([texts[i] for i in fresh]), strict=True):
                embeddings[i] = vector
        with self._writing() as collection:
            if reused:  # the same text was stored for this source: keep its vector
                got = collection.get(ids=list(set(reused.values())), include=["embeddings"])
                vectors = dict(zip(got["ids"], got["embeddings"], strict=True))
                lost = [i for i, old in reused.items() if old not in vectors]
                for i, old in reused.items():
                    if old in vectors:
                        embeddings[i] = vectors[old]
                if lost:  # forgotten meanwhile by another process
                    for i, vector in zip(lost, self.embedding_function([texts[i] for i in lost]), strict=True):
                        embeddings[i] = vector
            collection.upsert(ids=ids, documents=texts, metadatas=metadatas, embeddings=embeddings)
            for (pending, _, last), id_ in zip(rows, ids, strict=True):
                pending.stored += 1
                if id_ not in pending.existing:
                    pending.created.append(id_)
                if last:
                    self._delete_stale(collection, pending)
                    pending.complete = True

    @staticmethod
    def _delete_stale(collection: Collection, pending: _Pending) -> None:
        collection.delete(where={"$and": [{"source": pending.source}, {"file_hash": {"$ne": pending.file_hash}}]})

    def _undo(self, pendings: list[_Pending]) -> None:
        """Remove the chunks that unfinished adds created; what was stored before stays."""
        created = [i for p in pendings for i in p.created]
        if created:
            with self._writing() as collection:
                for start in range(0, len(created), PAGE):
                    collection.delete(ids=created[start:start + PAGE])
        for pending in pendings:
            pending.created.clear()

    # -- reading ---------------------------------------------------------------------------
    def search(self, query: str, k: int = 5, min_relevance: float = 0.0) -> list[Hit]:
        """The `k` chunks closest to `query` with a score of at least `min_relevance`, best first."""
        if k <= 0:
            raise ValueError(f"k must be positive, got {k}")
        if not query.strip():
            return []
        vector = self.embedding_function.embed_query([query])
        with self._reading() as collection:
            if collection is None:
                return []
            result = collection.query(query_embeddings=vector, n_results=k,
                                      include=["documents", "metadatas", "distances"])
        hits = []
        for id_, text, meta, distance in zip(result["ids"][0], result["documents"][0], result["metadatas"][0],
                                             result["distances"][0], strict=True):
            score = 1.0 - float(distance)
            if score >= min_relevance:
                hits.append(Hit(id_, text or "", str(meta.get("source", "")), int(meta.get("position", 0)), score,
                                int(meta.get("line", 0)), str(meta.get("section", ""))))
        return hits

    def _all_metadata(self) -> Iterator[tuple[str, dict[str, Any]]]:
        with self._reading() as collection:
            if collection is None:
                return
            offset = 0
            while True:
                page = collection.get(include=["metadatas"], limit=PAGE, offset=offset)
                yield from zip(page["ids"], page["metadatas"] or [], strict=True)
                if len(page["ids"]) < PAGE:
                    return
                offset += PAGE

    def sources(self) -> list[SourceInfo]:
        """Every source in the memory, sorted, with its chunk count and latest add time."""
        seen: dict[str, list[Any]] = {}
        for _, meta in self._all_metadata():
            entry = seen.setdefault(str(meta.get("source", "")), [0, "", ""])
            entry[0] += 1
            if str(meta.get("added", "")) >= entry[1]:
                entry[1], entry[2] = str(meta.get("added", "")), str(meta.get("file_hash", ""))
        return [SourceInfo(s, n, added, h) for s, (n, added, h) in sorted(seen.items())]

    def get(self, ids: list[str]) -> list[Hit]:
        """Chunks by id (those that exist), with score 1."""
        with self._reading() as collection:
            if collection is None or not ids:
                return []
            got = collection.get(ids=ids, include=["documents", "metadatas"])
        return [Hit(i, d or "", str(m.get("source", "")), int(m.get("position", 0)), 1.0, int(m.get("line", 0)),
                    str(m.get("section", "")))
                for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)]

    def forget(self, target: str) -> int:
        """Delete a source (as stored, or a path naming a file or folder) or one chunk id;
        returns how many chunks went."""
        candidates = [target]
        if self.path is not None or "://" not in target:
            resolved = str(Path(target).expanduser().resolve())
            if resolved != target:
                candidates.append(resolved)
        sources = {info.source: info.chunks for info in self.sources()}
        doomed = [c for c in candidates if c in sources]
        if not doomed:
            prefix = candidates[-1].rstrip(os.sep) + os.sep
            doomed = [s for s in sources if s.startswith(prefix)]
        if doomed:
            with self._writing() as collection:
                for source in doomed:
                    collection.delete(where={"source": source})
            return sum(sources[s] for s in doomed)
        if self.get([target]):
            with self._writing() as collection:
                collection.delete(ids=[target])
            return 1
        return 0

    def count(self) -> int:
        with self._reading() as collection:
            return 0 if collection is None else collection.count()

    def stats(self) -> MemoryStats:
        sources = self.sources()
        disk = None
        if self.path is not None and self.path.is_dir():
            disk = sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())
        return MemoryStats(self.location, self.config.collection, sum(s.chunks for s in sources), len(sources),
                           disk, self.embedding_function.name())
