"""The Chroma memory against real Chroma databases: a temp directory, a second process,
and a `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from memory.chunking import chunk_text, chunks, segments
from memory.errors import MemoryStoreError
from memory.store import (
    MemoryConfig,
    MemoryCorruptError,
    MemoryStore,
    MemoryUnavailableError,
)
from memory.store.scanning import lines
from tests.need import missing

REPO = Path(__file__).resolve().parents[1]


@register_embedding_function
class HashEmbedding(EmbeddingFunction[Documents]):
    """A fast stand-in for the real model: hashed bag of words plus a little per-text noise,
    unit length. Texts that share words are close; every text is nearest to itself."""

    def __init__(self, fail_after: int = 0) -> None:
        self.fail_after = fail_after  # raise on the call after this many (0: never)
        self.calls = 0

    def __call__(self, input: Documents) -> Embeddings:
        self.calls += 1
        if self.fail_after and self.calls > self.fail_after:
            raise RuntimeError("embedding failed on purpose")
        out = []
        for text in input:
            v = np.zeros(256, dtype=np.float32)
            for word in re.findall(r"\w+", text.lower()) or ["<empty>"]:
                v[int(hashlib.md5(word.encode()).hexdigest()[:8], 16) % 256] += 1.0
            seed = int(hashlib.md5(text.encode()).hexdigest()[:8], 16)
            noise = np.random.default_rng(seed).standard_normal(256).astype(np.float32)
            v = v / np.linalg.norm(v) + 0.2 * noise / np.linalg.norm(noise)  # a text is nearest to itself
            out.append(v / np.linalg.norm(v))
        return out

    @staticmethod
    def name() -> str:
        return "kigi_test_hash"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashEmbedding:
        return HashEmbedding()


@pytest.fixture()
def store(tmp_path: Path) -> MemoryStore:
    with MemoryStore(tmp_path / "memory", embedding_function=HashEmbedding()) as s:
        yield s


@pytest.fixture(scope="session")
def minilm(minilm_dir: Path) -> Any:
    from memory.embed import KigiEmbeddingFunction

    return KigiEmbeddingFunction(minilm_dir)


GUIDE = """# Zorblat care guide

Zorblats are fictional pets from the planet Quux.

## Feeding

Feed a zorblat three purple lentils at dawn. Never feed it cheese: cheese makes zorblats float.

## Sleeping

Zorblats sleep upside down in copper bowls for nineteen hours a day.
"""


# -- chunking -------------------------------------------------------------------------------
def test_markdown_chunks_follow_headings_and_code_fences() -> None:
    md = GUIDE + "\n```bash\n# not a heading\necho hi\n```\n"
    got = chunk_text(md, "markdown", 400, 60)
    assert [c.section for c in got] == ["Zorblat care guide", "Feeding", "Sleeping"]
    assert got[1].text.startswith("## Feeding") and "cheese" in got[1].text
    assert "# not a heading" in got[2].text and got[2].line == 9
    assert [c.position for c in got] == [0, 1, 2]


def test_code_chunks_by_top_level_definitions() -> None:
    py = textwrap.dedent('''\
        import os


        @decorator
        def f(a):
            return a


        class A:
            def m(self):
                pass

            def n(self):
                pass
        ''')
    got = chunk_text(py, "python", 400, 60)
    assert [c.section for c in got] == ["", "def f(a):", "class A:"]
    assert got[1].text.startswith("@decorator") and "def n" in got[2].text
    js = "const x = 1;\n\nfunction a() {\n  return 1;\n}\n\nexport class B {}\n"
    assert [c.section for c in chunk_text(js, "code", 400, 60)] == ["", "function a() {", "export class B {}"]


def test_rst_titles_start_sections() -> None:
    rst = "Title\n=====\n\nPara one.\n\nSection two\n-----------\nBody.\n"
    assert [c.section for c in chunk_text(rst, "rst", 400, 60)] == ["Title", "Section two"]


def test_chunks_are_bounded_and_overlap_when_split_by_size() -> None:
    words = " ".join(f"w{i}" for i in range(3000))
    text = "# Big\n\n" + words + "\n\n" + "\n".join(f"line {i} of a long paragraph" for i in range(200))
    got = chunk_text(text, "markdown", 300, 50)
    assert len(got) > 20 and all(len(c.text) <= 300 for c in got)
    for prev, nxt in zip(got, got[1:], strict=False):
        if nxt.section == prev.section:
            head = nxt.text[:20].split()[0]
            assert head in prev.text[-60:], (prev.text[-60:], nxt.text[:60])  # the seam is repeated
    seen = " ".join(c.text for c in got)
    assert all(f"w{i}" in seen for i in range(0, 3000, 7)) and "line 199 of" in seen


def test_chunking_streams_with_bounded_memory() -> None:
    def huge_lines() -> Any:  # ~9 MB of text, never held at once
        for i in range(150_000):
            yield f"paragraph {i} says something about the number {i * 7}.\n"
            if i % 5 == 4:
                yield "\n"

    tracemalloc.start()
    n = 0
    for c in chunks(huge_lines(), "text", 800, 120):
        n += 1
        assert len(c.text) <= 800
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert n > 8_000 and peak < 2_000_000


def test_a_single_giant_line_is_read_in_pieces() -> None:
    import io

    raw = io.BytesIO(("x" * 300_000 + " end").encode())
    pieces = list(lines(raw))
    assert max(map(len, pieces)) <= 1 << 16 and "".join(pieces).endswith("end")
    assert all(len(s.text) <= 200 for s in segments(iter(pieces), "text", 200))


# -- the store: add, search, forget, idempotence ------------------------------------------------
def test_add_search_forget_and_idempotent_readd_with_minilm(tmp_path: Path, minilm: Any) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    guide = docs / "zorblat.md"
    guide.write_text(GUIDE)
    (docs / "notes.txt").write_text("The lighthouse keeper of Vell paints the lamp green every winter.\n")
    progress: list[tuple[str, int, int]] = []
    with MemoryStore(tmp_path / "memory", embedding_function=minilm) as store:
        report = store.add(docs, progress=lambda *a: progress.append(a))
        assert [o.status for o in report.outcomes] == ["added", "added"] and report.chunks == 4
        assert progress[-1] == ("files", 2, 2) and ("bytes", guide.stat().st_size + 66, progress[-2][2]) in progress

        hits = store.search("What must you never feed a zorblat?", k=2)
        assert hits[0].source == str(guide.resolve()) and "cheese" in hits[0].text
        assert hits[0].score > hits[1].score and hits[0].section == "Feeding" and hits[0].position == 1
        assert store.search("lamp colour in winter", k=1)[0].source.endswith("notes.txt")
        gated = store.search("zorblat food", k=4, min_relevance=0.3)  # the nearest chunk passes, so the fused top 4
        assert gated[0].score >= 0.3 and len(gated) == 4
        assert store.search("zorblat food", k=4, min_relevance=0.99) == []  # nothing is near enough

        again = store.add(docs)
        assert [o.status for o in again.outcomes] == ["unchanged", "unchanged"] and store.count() == 4

        guide.write_text(GUIDE.replace("three purple lentils", "seven golden pears"))
        changed = store.add(guide)
        assert changed.outcomes[0].status == "updated" and store.count() == 4
        top = store.search("what do zorblats eat at dawn", k=1)[0]
        assert "golden pears" in top.text
        assert not any("lentils" in h.text for h in store.search("purple lentils", k=4))

        info = {s.source: s for s in store.sources()}
        assert info[str(guide.resolve())].chunks == 3
        assert store.forget(str(guide)) == 3 and store.count() == 1
        only = store.search("lighthouse", k=1)[0]
        assert store.forget(only.id) == 1 and store.count() == 0
        assert store.forget("nothing-like-this") == 0


def test_add_text_from_a_stream_and_metadata(store: MemoryStore) -> None:
    import io

    report = store.add_text(io.StringIO("First note about turnips.\n\nSecond note about radishes.\n"), "stdin")
    assert report.outcomes[0].status == "added"
    assert store.add_text("First note about turnips.\n\nSecond note about radishes.\n", "stdin").outcomes[0].status \
        == "unchanged"
    hit = store.search("turnips", k=1)[0]
    assert hit.source == "stdin" and hit.line == 1
    with store.reading() as collection:
        meta = collection.get(ids=[hit.id], include=["metadatas"])["metadatas"][0]
    assert set(meta) >= {"source", "position", "line", "content_hash", "file_hash", "added", "last"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta["added"])


def test_forget_a_folder_and_stats(tmp_path: Path, store: MemoryStore) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "x.txt").write_text(f"file in {sub}\n")
    store.add([tmp_path / "a", tmp_path / "b"])
    stats = store.stats()
    assert (stats.chunks, stats.sources, stats.embedding) == (2, 2, "kigi_test_hash") and stats.disk_bytes > 0
    assert store.forget(str(tmp_path / "a")) == 1
    assert [s.source for s in store.sources()] == [str((tmp_path / "b" / "x.txt").resolve())]


# -- bad input ------------------------------------------------------------------------------------
def test_bad_files_are_skipped_with_reasons_and_the_rest_is_added(tmp_path: Path, store: MemoryStore) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.md").write_text("# Good\n\nA fine document.\n")
    (docs / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (docs / "latin1.txt").write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    (docs / "empty.txt").write_text("")
    (docs / "blank.txt").write_text("   \n\n\t\n")
    (docs / "dangling.txt").symlink_to(docs / "gone.txt")
    (docs / ".hidden.txt").write_text("not picked up")
    report = store.add([docs, tmp_path / "missing.txt"])
    reasons = {Path(o.source).name: o.reason for o in report.skipped}
    assert reasons == {
        "image.png": "binary file (NUL bytes)",
        "latin1.txt": "not UTF-8 text (bad byte at offset 3)",
        "empty.txt": "empty file",
        "blank.txt": "empty file (only whitespace)",
        "dangling.txt": reasons["dangling.txt"],
        "missing.txt": "no such file or directory",
    }
    assert reasons["dangling.txt"].startswith("unreadable")
    assert [Path(o.source).name for o in report.added] == ["good.md"] and store.count() == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_is_reported(tmp_path: Path, store: MemoryStore) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("hidden")
    secret.chmod(0)
    assert store.add(secret).skipped[0].reason.startswith("unreadable")


def test_huge_single_line_file_is_streamed_into_bounded_chunks(tmp_path: Path, store: MemoryStore) -> None:
    big = tmp_path / "big.txt"
    with big.open("w") as fh:
        for i in range(60_000):
            fh.write(f"tok{i} ")  # ~500 kB on one line
    report = store.add(big)
    assert report.added[0].chunks == store.count() > 500
    with store.reading() as collection:
        got = collection.get(include=["documents", "metadatas"])
    docs = got["documents"]
    assert max(map(len, docs)) <= store.config.chunk_chars
    last = [d for d, m in zip(docs, got["metadatas"], strict=True) if m["last"]]
    assert len(last) == 1 and last[0].rstrip().endswith("tok59999")
    words = set(" ".join(docs).split())
    assert all(f"tok{i}" in words for i in range(60_000))


def test_missing_memory_directory_is_created(tmp_path: Path) -> None:
    where = tmp_path / "deep" / "er" / "memory"
    with MemoryStore(where, embedding_function=HashEmbedding()) as store:
        assert store.search("anything") == [] and store.count() == 0
        store.add_text("hello there", "note")
    assert where.is_dir() and (where / "chroma.sqlite3").is_file()


def test_memory_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "memory").write_text("oops")
    with pytest.raises(MemoryUnavailableError, match="not a directory"):
        MemoryStore(tmp_path / "memory", embedding_function=HashEmbedding()).count()


def test_corrupt_memory_is_a_clear_error_and_left_untouched(tmp_path: Path) -> None:
    where = tmp_path / "memory"
    with MemoryStore(where, embedding_function=HashEmbedding()) as store:
        store.add_text("precious words", "note")
    db = where / "chroma.sqlite3"
    backup = db.read_bytes()
    db.write_bytes(b"this is not a database" * 100)
    damaged = db.read_bytes()
    with MemoryStore(where, embedding_function=HashEmbedding()) as store:
        for action in (lambda: store.search("precious"), lambda: store.add_text("more", "other"), store.sources):
            with pytest.raises(MemoryCorruptError, match=re.escape(str(where))) as info:
                action()
            assert "left untouched" in str(info.value) and isinstance(info.value, MemoryStoreError)
    assert db.read_bytes() == damaged  # nothing recreated or wiped
    db.write_bytes(backup)
    with MemoryStore(where, embedding_function=HashEmbedding()) as store:
        assert store.search("precious words", k=1)[0].text == "precious words"


def test_a_failed_update_keeps_what_was_stored(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("\n\n".join(f"old paragraph {i} " + "filler " * 30 for i in range(12)))
    config = MemoryConfig(chunk_chars=200, overlap_chars=0, write_batch=4)
    with MemoryStore(tmp_path / "m", embedding_function=HashEmbedding(), config=config) as store:
        store.add(doc)
        before = sorted(h.text for h in store.get(store_ids(store)))
    doc.write_text("\n\n".join(f"new paragraph {i} " + "other " * 30 for i in range(12)))
    flaky = HashEmbedding(fail_after=1)
    with MemoryStore(tmp_path / "m", embedding_function=flaky, config=config) as store:
        with pytest.raises(RuntimeError, match="on purpose"):
            store.add(doc)
        assert sorted(h.text for h in store.get(store_ids(store))) == before


def store_ids(store: MemoryStore) -> list[str]:
    with store.reading() as collection:
        return collection.get(include=[])["ids"]


def test_bad_config_values_are_named() -> None:
    with pytest.raises(ValueError, match="collection"):
        MemoryConfig(collection="x")
    with pytest.raises(ValueError, match="overlap_chars"):
        MemoryConfig(chunk_chars=100, overlap_chars=80)
    with pytest.raises(ValueError, match="exactly one"):
        MemoryStore(embedding_function=HashEmbedding())


# -- two writer processes --------------------------------------------------------------------------
WRITER = """
import sys
from tests.test_store import HashEmbedding
from memory.store import MemoryConfig, MemoryStore
path, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
config = MemoryConfig(chunk_chars=60, overlap_chars=0, write_batch=40)
with MemoryStore(path, embedding_function=HashEmbedding(), config=config) as store:
    for i in range(n):
        text = "\\n\\n".join(f"{tag} item {i} part {j} unique{tag}{i}x{j}" for j in range(24))
        store.add_text(text, f"{tag}-{i}")
print("done")
"""


def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    where = tmp_path / "memory"
    store = MemoryStore(where, embedding_function=HashEmbedding(),
                        config=MemoryConfig(chunk_chars=60, overlap_chars=0))
    store.add_text("seed entry", "seed")
    assert store.search("seed entry", k=1)[0].source == "seed"  # this process has read before the writers
    n = 40  # ~700 chunks a process, in ~20 locked writes each
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(where), tag, str(n)], cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for tag in ("a", "b")]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0 and out.strip() == "done", err[-2000:]
    expected = 1 + sum(len(chunk_text("\n\n".join(f"{t} item {i} part {j} unique{t}{i}x{j}" for j in range(24)),
                                      "text", 60, 0)) for t in "ab" for i in range(n))
    assert expected > 1000 and store.count() == expected
    with store.reading() as collection:  # every chunk is its own nearest neighbour in the index
        got = collection.get(include=["embeddings"])
        nearest = collection.query(query_embeddings=got["embeddings"], n_results=1, include=[])["ids"]
    assert [ids[0] for ids in nearest] == got["ids"]
    assert store.search(f"b item {n - 1} part 23 uniqueb{n - 1}x23", k=1)[0].source == f"b-{n - 1}"
    store.close()


def test_reads_reuse_one_client_until_any_process_writes(tmp_path: Path, monkeypatch) -> None:
    from memory.store.session import ChromaSession

    opened: list[str] = []
    real_open = ChromaSession._open_local

    def counting_open(self):
        opened.append("open")
        return real_open(self)

    monkeypatch.setattr(ChromaSession, "_open_local", counting_open)
    where = tmp_path / "memory"
    config = MemoryConfig(chunk_chars=60, overlap_chars=0)
    store = MemoryStore(where, embedding_function=HashEmbedding(), config=config)
    store.add_text("seed entry", "seed")
    writes = len(opened)
    for _ in range(3):
        assert store.search("seed entry", k=1)[0].source == "seed"
    assert store.count() == 1 and len(opened) == writes + 1  # four reads, one client
    store.add_text("second entry", "second")  # this process writes: its reader is closed first
    assert store.search("second entry", k=1)[0].source == "second" and len(opened) == writes + 3
    proc = subprocess.run([sys.executable, "-c", WRITER, str(where), "w", "3"], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    reads = len(opened)
    assert store.search("w item 2 part 23 uniquew2x23", k=1)[0].source == "w-2"  # another process wrote: reopened
    assert len(opened) == reads + 1
    store.close()
    with MemoryStore(where, embedding_function=HashEmbedding(), config=config) as fresh:
        assert fresh.count() == store.count()


# -- a real Chroma server ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    exe = shutil.which("chroma")
    if exe is None:
        missing("the `chroma` executable (from the chromadb package) is not on PATH")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = tmp_path_factory.mktemp("chroma-server")
    log = (data / "server.log").open("w")
    proc = subprocess.Popen([exe, "run", "--path", str(data / "db"), "--port", str(port), "--host", "127.0.0.1"],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma run did not come up: {(data / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_http_client_against_a_chroma_run_server(chroma_server: str, tmp_path: Path, minilm: Any) -> None:
    doc = tmp_path / "zorblat.md"
    doc.write_text(GUIDE)
    with MemoryStore(url=chroma_server, embedding_function=minilm) as store:
        assert store.add(doc).added[0].chunks == 3
        assert store.add(doc).unchanged
        hit = store.search("Which metal are zorblat beds made of?", k=1)[0]
        assert "copper" in hit.text and hit.source == str(doc.resolve())
        assert store.stats().disk_bytes is None and store.stats().chunks == 3
    with MemoryStore(url=chroma_server, embedding_function=minilm) as other:  # another client sees it
        assert other.forget(str(doc)) == 3 and other.count() == 0


def test_unreachable_server_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(MemoryUnavailableError, match=f"127.0.0.1:{port}"):
        MemoryStore(url=f"http://127.0.0.1:{port}", embedding_function=HashEmbedding()).count()


def test_a_memory_counts_as_there_once_a_collection_was_made(tmp_path):
    """`kigi ask` opens Chroma and the query encoder only where there is something to
    search: a database that a listing left behind, with no collection, is not searched; one
    that holds a chunk is; a database that cannot be read is left to Chroma to report."""
    from agent.home import KigiHome
    from agent.recall import memory_exists

    home = KigiHome(tmp_path)
    assert not memory_exists(home)
    with MemoryStore(home.memory, embedding_function=HashEmbedding()) as store:
        assert store.sources() == []  # a read: the database is made, no collection in it
    assert (home.memory / "chroma.sqlite3").exists() and not memory_exists(home)
    with MemoryStore(home.memory, embedding_function=HashEmbedding()) as store:
        store.add_text("The lighthouse keeper lights the lamp at dusk.", source="notes.txt")
    assert memory_exists(home)
    assert memory_exists(home, url="http://127.0.0.1:8000")  # a server's: it may hold anything
    (home.memory / "chroma.sqlite3").write_bytes(b"not a database")
    assert memory_exists(home)
