"""`MemoryStore`, the public face of the Chroma memory: add, search, list, forget, stats.

A store is a `ChromaSession` (where the collection lives, and the locked `reading()` and
`writing()` sessions on it) with the operations a user asks for; adding runs through
`memory.store.ingest`, finding files through `memory.store.scanning`.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from memory.chunking import Kind, kind_of
from memory.store.ingest import ingest
from memory.store.lexical import LexicalIndex, fuse
from memory.store.records import AddReport, Hit, MemoryStats, Progress, SourceInfo
from memory.store.scanning import BLOCK, file_items
from memory.store.session import ChromaSession, chunk_pages, metadata_pages

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

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
        """The `k` best chunks for `query` whose cosine similarity is at least `min_relevance`,
        best first. Best: nearest in embedding space, or, with the word index (local memories
        by default), first in the fusion of that ranking with BM25's over `pool` candidates each;
        there `min_relevance` gates the search as a whole (`_gate`): if the nearest chunk reaches
        it, the fused top `k` are kept whatever their own cosine.

        BM25 runs on a thread of its own while this one embeds the query (SQLite and torch
        both let go of the GIL, and the query is embedded on one core), and the candidates
        are ranked by ids and scores alone, so only the `k` kept are read, in one call
        (reading the pool's texts and metadata was a third of a search at 100k chunks)."""
        if k <= 0:
            raise ValueError(f"k must be positive, got {k}")
        if not query.strip():
            return []
        lexical = self.lexical
        pool = k if lexical is None else max(4 * k, 20)
        if (prepare := getattr(self.embedding_function, "prepare_query", None)) is not None:
            prepare()  # the query's encoder is loaded before the lock, not while other processes wait on it
        with self.reading() as collection, ThreadPoolExecutor(1, thread_name_prefix="kigi-bm25") as aside:
            if collection is None:
                return []
            words = None if lexical is None else self._word_ranking(lexical, collection, query, pool, aside)
            vector = self.embedding_function.embed_query([query])
            near = collection.query(query_embeddings=vector, n_results=pool, include=["distances"])
            scores = {id_: 1.0 - float(d) for id_, d in zip(near["ids"][0], near["distances"][0], strict=True)}
            order = list(scores)
            if words is not None:
                order = fuse(order, words())
                min_relevance = _gate(scores, min_relevance)
            return _best(collection, order, scores, vector[0], k, min_relevance)

    def _word_ranking(self, lexical: LexicalIndex, collection: Collection, query: str, n: int,
                      aside: Executor) -> Callable[[], list[str]]:
        """BM25's ranking, started on `aside`; the returned call waits for it. The index is
        first brought level with Chroma if it is not (missing, damaged, or a writer stopped
        between the two); dense-only if even that fails.

        Counting both sides costs ~100 ms at 100k chunks, so it is done once per reading
        client: any write (by any process) closes that client, so while it stays open a
        check that found them level still holds."""
        if self._lexical_level and lexical.path.exists():
            started = aside.submit(lexical.search, query, n)

            def finish() -> list[str]:
                try:
                    return started.result()
                except sqlite3.DatabaseError:  # damaged since: rebuilt below, as on a first search
                    self._lexical_level = False
                    return self._level_word_ranking(lexical, collection, query, n)

            return finish
        ranking = self._level_word_ranking(lexical, collection, query, n)
        return lambda: ranking

    def _level_word_ranking(self, lexical: LexicalIndex, collection: Collection, query: str, n: int) -> list[str]:
        for _ in range(2):
            try:
                if not (self._lexical_level and lexical.path.exists()):
                    if lexical.count() != collection.count():
                        lexical.rebuild(chunk_pages(collection))
                    self._lexical_level = True
                return lexical.search(query, n)
            except sqlite3.DatabaseError:
                self._lexical_level = False
                lexical.discard()
        return []

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
                    if (lexical := self.lexical) is not None:
                        lexical.delete_source(source)
            return sum(sources[s] for s in doomed)
        if self.get([target]):
            with self.writing() as collection:
                collection.delete(ids=[target])
                if (lexical := self.lexical) is not None:
                    lexical.delete_ids([target])
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


def _gate(scores: dict[str, float], min_relevance: float) -> float:
    """The threshold fused hits must each pass: none once the query's nearest chunk reaches
    `min_relevance`. With words to vouch for a chunk, the threshold asks whether the memory
    is about the question at all, not whether each chunk is phrased like it: a chunk found by
    a rare word it shares with the question (an invented name, an error code) often sits at
    cosine 0.2, and was dropped (three answering chunks of the development KBs). When the
    nearest chunk falls short, every chunk does, and nothing is kept, as before."""
    return min_relevance if max(scores.values(), default=-1.0) < min_relevance else -1.0


def _best(collection: Collection, order: list[str], scores: dict[str, float], vector: Any, k: int,
          min_relevance: float) -> list[Hit]:
    """The first `k` chunks of `order` whose cosine to the query is at least `min_relevance`.
    A chunk found by its words only has no score yet: it is scored from its stored vector,
    read with its text in the same `get` (one call, unless the threshold rejects some)."""
    candidates = [i for i in order if scores.get(i, min_relevance) >= min_relevance]
    query = np.asarray(vector, dtype=np.float64)
    best: list[Hit] = []
    while len(best) < k and candidates:
        window, candidates = candidates[:k - len(best)], candidates[k - len(best):]
        unscored = any(i not in scores for i in window)
        got = collection.get(ids=window, include=["documents", "metadatas", *(["embeddings"] if unscored else [])])
        vectors = got["embeddings"] if unscored else [None] * len(got["ids"])
        found = {i: (d, m, v)
                 for i, d, m, v in zip(got["ids"], got["documents"], got["metadatas"], vectors, strict=True)}
        for id_ in (i for i in window if i in found):  # an id the word index holds but Chroma lost is left out
            text, meta, stored = found[id_]
            score = scores[id_] if id_ in scores else _cosine(np.asarray(stored, dtype=np.float64), query)
            if score >= min_relevance:
                best.append(_hit(id_, text, meta, score))
    return best


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) or 1.0))
