"""Adding texts to the memory: scan, plan, chunk, embed, write, and undo what a failed add
left behind.

Ids are derived from source, position and content, so adding an unchanged file again is
a no-op (its file hash is already stored, with the marker of a complete add) and a
changed file replaces its old chunks: new chunks are written first, stale ones deleted
last, so a crash mid-way never loses what was stored. Chunks whose text is already
stored for that source keep their embedding instead of being embedded again. Writes are
batched across files, so the lock is taken once per `write_batch` chunks; embedding, the
slow part, happens outside it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from memory.chunking import Chunk, Kind, chunks
from memory.clock import utc_now
from memory.store.records import AddReport, FileOutcome, Progress
from memory.store.scanning import Item, Opener, Skip, lines, scan
from memory.store.session import PAGE, ChromaSession, metadata_pages

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection


@dataclass(eq=False)
class Pending:
    """One scanned source on its way into the store."""

    source: str
    kind: Kind
    opener: Opener
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


Row = tuple[Pending, Chunk, bool]  # a chunk of a source, and whether it is the source's last


def chunk_id(source: str, position: int, content_hash: str) -> str:
    return hashlib.sha256(f"{source}\0{position}\0{content_hash}".encode()).hexdigest()[:32]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def ingest(session: ChromaSession, items: list[Item], progress: Progress | None = None) -> AddReport:
    """Scan every item, look up what is stored in one read, then stream the chunks of the
    new and changed ones through shared batches: embed outside the lock, write inside."""
    outcomes: list[FileOutcome | Pending] = []
    scanned: list[Pending] = []
    total = 0
    for i, (source, kind, opener) in enumerate(items):
        try:
            file_hash, size = scan(opener)
        except Skip as skip:
            outcomes.append(FileOutcome(source, "skipped", reason=str(skip)))
            continue
        finally:
            if progress:
                progress("scanning", i + 1, len(items))
        pending = Pending(source, kind, opener, file_hash, size)
        outcomes.append(pending)
        scanned.append(pending)
        total += size
    todo = _plan(session, scanned)
    done_bytes = 0

    def rows() -> Iterator[Row]:
        nonlocal done_bytes
        for pending in todo:
            try:
                with pending.opener() as fh:
                    config = session.config
                    for n, (chunk, last) in enumerate(
                            _with_last(chunks(lines(fh), pending.kind, config.chunk_chars, config.overlap_chars))):
                        yield pending, chunk, last
                        if progress and n % 16 == 15:
                            progress("bytes", done_bytes + min(fh.tell(), pending.size), total)
            except OSError as exc:
                pending.failed = f"unreadable ({exc.strerror or exc})"
            done_bytes += pending.size
            if progress:
                progress("bytes", done_bytes, total)

    try:
        batch: list[Row] = []
        for row in rows():
            batch.append(row)
            if len(batch) >= session.config.write_batch:
                _write(session, batch)
                batch = []
        if batch:
            _write(session, batch)
    except BaseException:
        _undo(session, [p for p in todo if not p.complete])
        raise
    _undo(session, [p for p in todo if p.failed])
    if progress:
        progress("files", len(items), len(items))
    return AddReport([o if isinstance(o, FileOutcome) else o.outcome() for o in outcomes])


def _plan(session: ChromaSession, scanned: list[Pending]) -> list[Pending]:
    """Mark unchanged items (and tidy their leftovers); return the ones to (re)write."""
    todo, tidy = [], []
    with session.reading() as collection:
        for pending in scanned:
            existing: dict[str, dict[str, Any]] = {}
            if collection is not None:
                existing.update(metadata_pages(collection, where={"source": pending.source}))
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
        with session.writing() as collection:
            for pending in tidy:
                _delete_stale(session, collection, pending)
    return todo


def _write(session: ChromaSession, batch: list[Row]) -> None:
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
    embed = session.embedding_function
    embeddings: list[Any] = [None] * len(ids)
    fresh = [i for i in range(len(ids)) if i not in reused]
    if fresh:  # the slow part, outside the lock
        for i, vector in zip(fresh, embed([texts[i] for i in fresh]), strict=True):
            embeddings[i] = vector
    with session.writing() as collection:
        if reused:  # the same text was stored for this source: keep its vector
            got = collection.get(ids=list(set(reused.values())), include=["embeddings"])
            vectors = dict(zip(got["ids"], got["embeddings"], strict=True))
            lost = [i for i, old in reused.items() if old not in vectors]
            for i, old in reused.items():
                if old in vectors:
                    embeddings[i] = vectors[old]
            if lost:  # forgotten meanwhile by another process
                for i, vector in zip(lost, embed([texts[i] for i in lost]), strict=True):
                    embeddings[i] = vector
        collection.upsert(ids=ids, documents=texts, metadatas=metadatas, embeddings=embeddings)
        if (lexical := session.lexical) is not None:
            lexical.upsert(ids, texts, metadatas)
        for (pending, _, last), id_ in zip(rows, ids, strict=True):
            pending.stored += 1
            if id_ not in pending.existing:
                pending.created.append(id_)
            if last:
                _delete_stale(session, collection, pending)
                pending.complete = True


def _delete_stale(session: ChromaSession, collection: Collection, pending: Pending) -> None:
    collection.delete(where={"$and": [{"source": pending.source}, {"file_hash": {"$ne": pending.file_hash}}]})
    if (lexical := session.lexical) is not None:
        lexical.delete_source(pending.source, keep_file_hash=pending.file_hash)


def _undo(session: ChromaSession, pendings: list[Pending]) -> None:
    """Remove the chunks that unfinished adds created; what was stored before stays."""
    created = [i for p in pendings for i in p.created]
    if created:
        with session.writing() as collection:
            for start in range(0, len(created), PAGE):
                collection.delete(ids=created[start:start + PAGE])
            if (lexical := session.lexical) is not None:
                lexical.delete_ids(created)
    for pending in pendings:
        pending.created.clear()


def _with_last(items: Iterable[Chunk]) -> Iterator[tuple[Chunk, bool]]:
    iterator = iter(items)
    previous = next(iterator, None)
    for item in iterator:
        yield previous, False  # type: ignore[misc]
        previous = item
    if previous is not None:
        yield previous, True
