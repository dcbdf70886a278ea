"""The word index beside the Chroma memory: BM25 finds rare words that vectors blur, the
fusion follows its formula, and the index stays level with Chroma whatever happens to it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from memory.store import MemoryConfig, MemoryStore
from memory.store.lexical import FILE_NAME, RRF_K, LexicalIndex, fuse, match_query
from tests.test_store import HashEmbedding

RARE = "Quillimore"
TARGET = f"{RARE} is the museum cat; she sleeps in the east gallery."
CROWD = "Who is who at the museum: who is the curator, who is the guide, who is at the desk, number {n}."


def test_fuse_is_reciprocal_rank_fusion_by_hand() -> None:
    # a: ranks 1 and 3; b: rank 2 in the first list only; c: rank 1 in the second only.
    order = fuse(["a", "b"], ["c", "x", "a"])
    score = {"a": 1 / (RRF_K + 1) + 1 / (RRF_K + 3), "b": 1 / (RRF_K + 2), "c": 1 / (RRF_K + 1),
             "x": 1 / (RRF_K + 2)}
    assert order[0] == "a"
    assert set(order) == set(score)
    assert [score[i] for i in order] == sorted(score.values(), reverse=True)


def test_match_query_quotes_words_and_drops_stopwords() -> None:
    assert match_query('Who is "Quillimore" AND the NEAR cat?') == '"quillimore" OR "near" OR "cat"'
    assert match_query("who is it?") == ""


def _crowded(tmp_path: Path, lexical: bool) -> MemoryStore:
    store = MemoryStore(tmp_path / ("mem-lex" if lexical else "mem-dense"), embedding_function=HashEmbedding(),
                        config=MemoryConfig(lexical=lexical))
    for n in range(30):
        store.add_text(CROWD.format(n=n), source=f"crowd{n}.txt")
    store.add_text(TARGET, source="cat.txt")
    return store


def test_a_rare_word_is_found_among_chunks_that_share_the_common_words(tmp_path: Path) -> None:
    question = f"Who is {RARE}?"
    dense = [h.source for h in _crowded(tmp_path, lexical=False).search(question, k=3)]
    hybrid = _crowded(tmp_path, lexical=True).search(question, k=3)
    assert "cat.txt" not in dense  # the vectors prefer the chunks full of "who is"
    found = next(h for h in hybrid if h.source == "cat.txt")  # BM25's first ties the vectors' first
    assert 0 < found.score <= 1  # a hit found by its words still carries its cosine similarity


@pytest.mark.parametrize("quantile", [0.0, 0.3, 0.6, 0.9, None])
def test_search_is_the_fused_order_gated_by_the_nearest_chunk_whatever_it_reads(tmp_path: Path,
                                                                                 quantile: float | None) -> None:
    """Search reads only the chunks it keeps (scoring those found by their words only as it
    reads them), so check it against the rule computed in full: every chunk's cosine, the
    vectors' top 20 fused with BM25's, the first 4 if the nearest chunk reaches the
    threshold, else none (None: a threshold above every chunk)."""
    store = _crowded(tmp_path, lexical=True)
    for n in range(30, 70):  # more chunks than the pool, so some are found by their words only
        text = f"{RARE} ferry timetable {n}: boats leave the harbour kiosk at nine." if n % 5 == 0 else CROWD
        store.add_text(text.format(n=n), source=f"more{n}.txt")
    question = f"Who is {RARE} at the museum desk?"
    query = np.asarray(HashEmbedding()([question])[0], dtype=np.float64)
    with store.reading() as collection:
        assert collection is not None
        stored = collection.get(include=["embeddings"])
    cosine = {i: float(np.asarray(v) @ query / np.linalg.norm(v))
              for i, v in zip(stored["ids"], stored["embeddings"], strict=True)}
    dense = sorted(cosine, key=lambda i: -cosine[i])[:20]
    assert store.lexical is not None
    fused = fuse(dense, store.lexical.search(question, 20))
    assert any(i not in dense for i in fused[:8])  # word-only chunks compete for the top places
    nearest = cosine[dense[0]]
    threshold = nearest + 0.01 if quantile is None else float(np.quantile([cosine[i] for i in fused], quantile))
    expected = fused[:4] if nearest >= threshold else []
    hits = store.search(question, k=4, min_relevance=threshold)
    assert [h.id for h in hits] == expected
    assert all(abs(h.score - cosine[h.id]) < 1e-5 and h.text for h in hits)


def test_vectors_alone_keep_each_hit_at_the_threshold(tmp_path: Path) -> None:
    """Without the word index nothing vouches for a chunk but its cosine: each is held to it."""
    store = _crowded(tmp_path, lexical=False)
    question = f"Who is {RARE}?"
    everything = store.search(question, k=8)
    threshold = (everything[0].score + everything[-1].score) / 2
    hits = store.search(question, k=8, min_relevance=threshold)
    assert hits and [h.id for h in hits] == [h.id for h in everything if h.score >= threshold]


def test_the_index_follows_forget_and_changed_files(tmp_path: Path) -> None:
    store = _crowded(tmp_path, lexical=True)
    index = store.lexical
    assert index is not None
    assert index.count() == store.count() == 31
    store.add_text(TARGET.replace("east", "west"), source="cat.txt")  # a new version replaces the old
    assert index.count() == store.count() == 31
    assert [h.text for h in store.search(f"{RARE} west", k=1)] == [TARGET.replace("east", "west")]
    assert store.forget("cat.txt") == 1
    assert index.search(RARE, 5) == []
    assert index.count() == store.count() == 30


@pytest.mark.parametrize("damage", ["delete", "garbage", "stale"])
def test_a_missing_damaged_or_stale_index_is_rebuilt_from_chroma(tmp_path: Path, damage: str) -> None:
    store = _crowded(tmp_path, lexical=True)
    path = tmp_path / "mem-lex" / FILE_NAME
    if damage == "delete":
        path.unlink()
    elif damage == "garbage":
        path.write_bytes(b"this is not a database" * 100)
    else:  # a writer stopped between Chroma and the index
        LexicalIndex(path, "documents").delete_source("cat.txt")
    assert "cat.txt" in [h.source for h in store.search(f"Who is {RARE}?", k=2)]
    assert LexicalIndex(path, "documents").count() == store.count()


def test_without_the_index_nothing_is_written_beside_chroma(tmp_path: Path) -> None:
    store = _crowded(tmp_path, lexical=False)
    assert store.lexical is None
    assert not (tmp_path / "mem-dense" / FILE_NAME).exists()
    assert len(store.search("museum", k=4)) == 4


def test_a_word_in_more_chunks_than_common_is_left_out_of_the_match(tmp_path: Path) -> None:
    index = LexicalIndex(tmp_path / FILE_NAME, "documents")
    texts = [f"The engine of boat {n} was serviced." for n in range(6)] + [f"The engine of {RARE} runs on oil."]
    ids = [f"c{n}" for n in range(len(texts))]
    index.upsert(ids, texts, [{"source": f"{i}.txt"} for i in ids])
    assert index.search(f"engine {RARE}", 10, common=3) == ["c6"]  # "engine" (7 chunks) is left out
    assert index.search("engine", 10, common=3) == []  # nothing telling left: the vectors rank alone
    assert sorted(index.search("engine", 10)) == ids  # below the default bound every word counts
    assert index.search(f"engine {RARE}", 10, common=7)[0] == "c6"  # at the bound a word still counts


def test_the_index_is_counted_against_chroma_once_per_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _crowded(tmp_path, lexical=True)
    counted: list[int] = []
    count = LexicalIndex.count

    def counting(self: LexicalIndex) -> int:
        counted.append(1)
        return count(self)

    monkeypatch.setattr(LexicalIndex, "count", counting)
    for _ in range(3):
        assert "cat.txt" in [h.source for h in store.search(f"Who is {RARE}?", k=2)]
    assert len(counted) == 1  # nobody wrote between the searches: still level
    other = MemoryStore(tmp_path / "mem-lex", embedding_function=HashEmbedding())  # as another process would
    other.add_text(f"{RARE} has a sister called Mott.", source="sister.txt")
    assert {h.source for h in store.search(f"{RARE} sister Mott", k=2)} == {"cat.txt", "sister.txt"}
    assert len(counted) == 2  # a write since: checked again
    (tmp_path / "mem-lex" / FILE_NAME).unlink()  # the index deleted by hand: found missing, rebuilt
    assert any(RARE in hit.text for hit in store.search(f"Who is {RARE}?", k=2))
    assert len(counted) == 3 and count(LexicalIndex(tmp_path / "mem-lex" / FILE_NAME, "documents")) == 32


def test_bm25_runs_beside_the_query_embedding_and_survives_damage_found_there(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the index is known level, BM25 ranks on a thread of its own while this one embeds
    the query; an index damaged after that is rebuilt, and the search still finds by words."""
    import threading

    store = _crowded(tmp_path, lexical=True)
    store.search("museum", k=1)  # the index is now known level with Chroma
    threads: list[str] = []
    search = LexicalIndex.search

    def recording(self: LexicalIndex, query: str, n: int, common: int = 2000) -> list[str]:
        threads.append(threading.current_thread().name)
        return search(self, query, n, common)

    monkeypatch.setattr(LexicalIndex, "search", recording)
    assert "cat.txt" in [h.source for h in store.search(f"Who is {RARE}?", k=2)]
    assert threads and threads[0] != threading.current_thread().name
    path = tmp_path / "mem-lex" / FILE_NAME
    path.write_bytes(b"this is not a database" * 100)
    assert "cat.txt" in [h.source for h in store.search(f"Who is {RARE}?", k=2)]
    assert LexicalIndex(path, "documents").count() == store.count()


def test_the_query_encoder_is_made_ready_before_the_memory_is_locked(tmp_path: Path) -> None:
    """A search's first query loads its encoder (a second or so for MiniLM); that happens
    before the lock, so another process's write does not wait on it."""
    from filelock import FileLock

    from memory.store.session import LOCK_NAME

    locked: list[bool] = []

    class Preparing(HashEmbedding):
        def prepare_query(self) -> None:
            probe = FileLock(str(tmp_path / "mem" / LOCK_NAME))
            try:
                probe.acquire(timeout=0)
                probe.release()
                locked.append(False)
            except Exception:
                locked.append(True)

    store = MemoryStore(tmp_path / "mem", embedding_function=Preparing())
    store.add_text(TARGET, source="cat.txt")
    assert store.search(f"Who is {RARE}?", k=1)[0].source == "cat.txt"
    assert locked == [False]
