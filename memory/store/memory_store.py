"""`MemoryStore`, the public face of the Chroma memory: add, search, list, forget, stats.

A store is a `ChromaSession` (where the collection lives, and the locked `reading()` and
`writing()` sessions on it) with the operations a user asks for; adding runs through
`memory.store.ingest`, finding files through `memory.store.scanning`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from memory.chunking import Kind, kind_of
from memory.store.ingest import ingest
from memory.store.records import AddReport, Hit, MemoryStats, Progress, SourceInfo
from memory.store.scanning import BLOCK, file_items
from memory.store.session import ChromaSession, metadata_pages

SPOOL_MEMORY = 16 << 20  # stdin beyond this goes to a temporary file


class MemoryStore(ChromaSession):
    """A Chroma collection of document chunks in a directory (`path`) or on a server (`url`)."""

    # -- adding ----------------------------------------------------------------------------
    def add(self, paths: str | Path | Iterable[str | Path], progress: Progress | None = None) -> AddReport:
        """Add files and folders (recursively); each file's fate is in the report."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        items, problems = file_items(paths)
        report = ingest(self, items, progress)
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

            return ingest(self, [(source, kind or kind_of(source), opener)], progress)

    # -- reading ---------------------------------------------------------------------------
    def search(self, query: str, k: int = 5, min_relevance: float = 0.0) -> list[Hit]:
        """The `k` chunks closest to `query` with a score of at least `min_relevance`, best first."""
        if k <= 0:
            raise ValueError(f"k must be positive, got {k}")
        if not query.strip():
            return []
        vector = self.embedding_function.embed_query([query])
        with self.reading() as collection:
            if collection is None:
                return []
            result = collection.query(query_embeddings=vector, n_results=k,
                                      include=["documents", "metadatas", "distances"])
        hits = []
        for id_, text, meta, distance in zip(result["ids"][0], result["documents"][0], result["metadatas"][0],
                                             result["distances"][0], strict=True):
            score = 1.0 - float(distance)
            if score >= min_relevance:
                hits.append(_hit(id_, text, meta, score))
        return hits

    def _all_metadata(self) -> Iterator[tuple[str, dict[str, Any]]]:
        with self.reading() as collection:
            if collection is not None:
                yield from metadata_pages(collection)

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
        with self.reading() as collection:
            if collection is None or not ids:
                return []
            got = collection.get(ids=ids, include=["documents", "metadatas"])
        return [_hit(i, d, m, 1.0) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)]

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
            with self.writing() as collection:
                for source in doomed:
                    collection.delete(where={"source": source})
            return sum(sources[s] for s in doomed)
        if self.get([target]):
            with self.writing() as collection:
                collection.delete(ids=[target])
            return 1
        return 0

    def count(self) -> int:
        with self.reading() as collection:
            return 0 if collection is None else collection.count()

    def stats(self) -> MemoryStats:
        sources = self.sources()
        disk = None
        if self.path is not None and self.path.is_dir():
            disk = sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())
        return MemoryStats(self.location, self.config.collection, sum(s.chunks for s in sources), len(sources),
                           disk, self.embedding_function.name())


def _hit(id_: str, text: str | None, meta: Any, score: float) -> Hit:
    return Hit(id_, text or "", str(meta.get("source", "")), int(meta.get("position", 0)), score,
               int(meta.get("line", 0)), str(meta.get("section", "")))
