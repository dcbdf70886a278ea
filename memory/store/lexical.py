"""A word index (SQLite FTS5, BM25-ranked) beside a local Chroma collection.

Dense vectors find paraphrases but blur rare words: an invented name, a part number, an
error code. Ranking the same chunks by BM25 as well, and fusing the two rankings
(`fuse`), finds the chunk that shares those words with the question even when a dozen
chunks on the same topic sit closer in embedding space.

Chroma stays the one truth. This index is derived from it: writes are mirrored while the
memory's lock is held, and a search that finds the index missing, damaged or not holding
as many chunks as the collection (a process killed between the two writes) rebuilds it
from Chroma first. Deleting the file loses nothing. FTS5 ships with every SQLite that
Chroma itself accepts (Chroma uses FTS5 for its own document filters).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

FILE_NAME = "lexical.sqlite3"
RRF_K = 60  # the constant of reciprocal rank fusion, as in Cormack et al. (2009) and most engines
COMMON_DOCS = 2000  # a query word in more chunks than this is left out of BM25's match
_TOKEN = re.compile(r"\w+")
STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "did", "do", "does", "for", "from", "had", "has",
    "have", "how", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "our", "so", "that", "the",
    "their", "there", "this", "to", "was", "we", "were", "what", "when", "where", "which", "who", "whom",
    "why", "will", "with", "you", "your"
})


def content_words(text: str) -> list[str]:
    """The words of `text` worth matching: lower-cased, each once, stopwords left out."""
    return list(dict.fromkeys(w for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS))


def match_query(text: str) -> str:
    """An FTS5 query matching any content word of `text` (quoted: no word is read as syntax)."""
    return _any_of(content_words(text))


def _any_of(words: Iterable[str]) -> str:
    return " OR ".join(f'"{w}"' for w in words)


def fuse(*rankings: Sequence[str], k: int = RRF_K) -> list[str]:
    """Reciprocal rank fusion: ids ordered by the sum of 1 / (k + rank) over the rankings."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, id_ in enumerate(ranking):
            scores[id_] = scores.get(id_, 0.0) + 1.0 / (k + rank + 1)
    return sorted(scores, key=lambda i: -scores[i])


class LexicalIndex:
    """The BM25 index of one collection's chunks, in `FILE_NAME` inside the memory directory."""

    def __init__(self, path: Path, collection: str) -> None:
        self.path = path
        self.table = "chunks_" + re.sub(r"\W", "_", collection)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.table} USING fts5("
                     "text, id UNINDEXED, source UNINDEXED, file_hash UNINDEXED, "
                     "tokenize='porter unicode61 remove_diacritics 2')")
        return conn

    def upsert(self, ids: Sequence[str], texts: Sequence[str], metadatas: Sequence[Mapping[str, Any]]) -> None:
        with closing(self._connect()) as conn, conn:
            self._delete_ids(conn, ids)
            self._insert(conn, zip(ids, texts, metadatas, strict=True))

    def delete_ids(self, ids: Sequence[str]) -> None:
        with closing(self._connect()) as conn, conn:
            self._delete_ids(conn, ids)

    def delete_source(self, source: str, keep_file_hash: str | None = None) -> None:
        """Forget a source's chunks (those of another file version than `keep_file_hash`)."""
        with closing(self._connect()) as conn, conn:
            if keep_file_hash is None:
                conn.execute(f"DELETE FROM {self.table} WHERE source = ?", (source,))
            else:
                conn.execute(f"DELETE FROM {self.table} WHERE source = ? AND file_hash != ?",
                             (source, keep_file_hash))

    def _insert(self, conn: sqlite3.Connection, chunks: Iterable[tuple[str, str, Mapping[str, Any]]]) -> None:
        conn.executemany(f"INSERT INTO {self.table} (text, id, source, file_hash) VALUES (?, ?, ?, ?)",
                         ((t, i, str(m.get("source", "")), str(m.get("file_hash", ""))) for i, t, m in chunks))

    def _delete_ids(self, conn: sqlite3.Connection, ids: Sequence[str]) -> None:
        # `id` is not indexed: one statement scans the table once for the whole batch
        # (a statement per id scanned it per id: minutes for a batch at 100k chunks)
        conn.execute(f"DELETE FROM {self.table} WHERE id IN (SELECT value FROM json_each(?))",
                     (json.dumps(list(ids)),))

    def count(self) -> int:
        with closing(self._connect()) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {self.table}").fetchone()[0])

    def search(self, query: str, n: int, common: int = COMMON_DOCS) -> list[str]:
        """Ids of the `n` chunks that BM25 ranks highest for the words of `query` that occur in
        at most `common` chunks."""
        words = content_words(query)
        if not words:
            return []
        with closing(self._connect()) as conn:
            telling = [w for w in words if self._chunks_with(conn, w, common + 1) <= common]
            if not telling:
                return []
            rows = conn.execute(f"SELECT id FROM {self.table} WHERE {self.table} MATCH ? "
                                f"ORDER BY bm25({self.table}) LIMIT ?", (_any_of(telling), n)).fetchall()
        return [r[0] for r in rows]

    def _chunks_with(self, conn: sqlite3.Connection, word: str, limit: int) -> int:
        """How many chunks hold `word`, counted up to `limit` (the scan stops there)."""
        return int(conn.execute(f"SELECT count(*) FROM (SELECT rowid FROM {self.table} WHERE {self.table} MATCH ? "
                                f"LIMIT ?)", (_any_of([word]), limit)).fetchone()[0])

    def rebuild(self, chunks: Iterable[tuple[str, str, Mapping[str, Any]]]) -> None:
        """Replace the index with `chunks` (id, text, metadata), in one transaction."""
        with closing(self._connect()) as conn, conn:
            conn.execute(f"DELETE FROM {self.table}")
            self._insert(conn, chunks)

    def discard(self) -> None:
        """Drop a damaged index file; the next search rebuilds it from Chroma."""
        self.path.unlink(missing_ok=True)
