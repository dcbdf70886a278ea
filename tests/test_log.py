"""The SQLite conversation log: migrations, round-trips, preference export, bad files, concurrency."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from memory import migrations
from memory.errors import LogError
from memory.log import ConversationLog, Generation
from tests.need import extra

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "kigi.db"


@pytest.fixture
def log(db: Path):
    with ConversationLog(db) as opened:
        yield opened


def full_generation(**overrides) -> Generation:
    fields = dict(
        model="smollm2-135m",
        adapter="concise",
        prompt_version="chat-3f2a9c",
        params={"temperature": 0.7, "top_p": 0.9, "max_tokens": 64},
        seed=1234,
        chunk_ids=["doc1#0", "doc2#3"],
        tot_tree={"nodes": [{"id": 0, "score": 0.5, "kept": True, "children": [1]}]},
        tokens_in=42,
        tokens_out=17,
        latency_s=1.25,
        ttft_s=0.125,
        interrupted=False,
        withheld="apricot [2]",
    )
    fields.update(overrides)
    return Generation(**fields)


def one_line(err: pytest.ExceptionInfo) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


def table_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: conn.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}
    finally:
        conn.close()


# ----------------------------------------------------------------------------- migrations


def test_new_log_applies_every_migration_in_order(db: Path) -> None:
    with ConversationLog(db) as log:
        assert log.applied_migrations() == [m.name for m in migrations.MIGRATIONS]
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT name, applied_at FROM migrations ORDER BY rowid").fetchall()
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert [r[0] for r in rows] == [m.name for m in migrations.MIGRATIONS]
    # Released names are recorded in users' logs: renaming a migration function would re-run it.
    assert [r[0] for r in rows][:4] == ["m001_initial", "m002_candidates_ratings_preferences", "m003_eval_runs",
                                        "m004_preference_reasons"]
    assert all(r[1].endswith("Z") and "T" in r[1] for r in rows)
    assert mode == "wal"


def test_reopening_applies_nothing_twice(db: Path) -> None:
    for _ in range(3):
        ConversationLog(db).close()
    assert table_counts(db)["migrations"] == len(migrations.MIGRATIONS)


def test_log_created_by_first_schema_upgrades_in_place(db: Path) -> None:
    # Write the log as the first schema version did, with raw SQL (the old code's writes).
    conn = sqlite3.connect(db, isolation_level=None)
    assert migrations.migrate(conn, migrations.MIGRATIONS[:1]) == ["m001_initial"]
    t = "2024-05-01T10:00:00.000000Z"
    conn.execute(
        "INSERT INTO conversations VALUES ('c1', ?, ?, 'old chat', 'smollm2', 'be brief')",
        (t, t),
    )
    conn.executemany(
        "INSERT INTO messages VALUES (?, 'c1', ?, ?, ?, ?)",
        [
            ("m0", 0, "user", "what is 2+2?", t),
            ("m1", 1, "assistant", "4", t),
            ("m2", 2, "user", "and 3+3?", t),
            ("m3", 3, "assistant", "6", t),
        ],
    )
    conn.execute(
        "INSERT INTO generations (id, message_id, model, params, seed, tokens_in, tokens_out,"
        " latency_s, ttft_s, interrupted, created)"
        " VALUES ('g1', 'm1', 'smollm2', '{\"temperature\": 0.0}', 7, 10, 1, 0.5, 0.1, 0, ?)",
        (t,),
    )
    conn.close()
    before = table_counts(db)

    with ConversationLog(db) as log:
        assert log.applied_migrations() == [m.name for m in migrations.MIGRATIONS]
        old = log.conversation("c1")
        assert [(m.role, m.content) for m in old.messages] == [
            ("user", "what is 2+2?"),
            ("assistant", "4"),
            ("user", "and 3+3?"),
            ("assistant", "6"),
        ]
        assert old.title == "old chat" and old.system == "be brief"
        assert old.messages[1].generation == Generation(
            model="smollm2", params={"temperature": 0.0}, seed=7, tokens_in=10, tokens_out=1, latency_s=0.5, ttft_s=0.1
        )
        # Old answers became candidate 0 of their turn, so they can be retried and compared.
        first = log.candidates("m0")
        assert [(c.index, c.content, c.message_id, c.generation_id) for c in first] == [(0, "4", "m1", "g1")]
        assert log.candidates("m2")[0].generation is None
        retry = log.add_candidate("m0", "four")
        pair = log.record_preference(retry.id, first[0].id, "a")
        assert pair.prompt == (
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "what is 2+2?"},
        )
        log.add_message("c1", "user", "new question after the upgrade")

    after = table_counts(db)
    for table, count in before.items():
        if table != "messages":
            assert after[table] >= count, table
    assert after["messages"] == before["messages"] + 1
    assert after["migrations"] == len(migrations.MIGRATIONS)


def test_migration_names_must_be_unique(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    twice = (migrations.MIGRATIONS[0], migrations.MIGRATIONS[0])
    with pytest.raises(ValueError, match="unique"):
        migrations.migrate(conn, twice)
    conn.close()


# ----------------------------------------------------------------------------- round-trips


def test_conversation_round_trip(log: ConversationLog) -> None:
    cid = log.start_conversation(model="smollm2-135m", system="You are terse.")
    user = log.add_message(cid, "user", "Name a prime.\nAny prime.")
    gen = full_generation()
    answer = log.add_message(cid, "assistant", "7", generation=gen)
    partial = full_generation(interrupted=True, tokens_out=3, tot_tree=None, chunk_ids=())
    log.add_message(cid, "user", "Another?")
    cut = log.add_message(cid, "assistant", "Eleven is", generation=partial)

    conv = log.conversation(cid)
    assert (conv.id, conv.model, conv.system, conv.title) == (cid, "smollm2-135m", "You are terse.", "Name a prime.")
    assert [m.position for m in conv.messages] == [0, 1, 2, 3]
    assert conv.messages[0] == user
    assert conv.messages[1] == answer
    assert conv.messages[1].generation == gen
    assert conv.messages[3].generation == partial and conv.messages[3].generation.interrupted
    assert conv.messages[3] == cut
    assert conv.chat() == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Name a prime.\nAny prime."},
        {"role": "assistant", "content": "7"},
        {"role": "user", "content": "Another?"},
        {"role": "assistant", "content": "Eleven is"},
    ]
    assert conv.created.endswith("Z") and conv.updated >= conv.created


def test_log_generation_afterwards_links_candidate(log: ConversationLog) -> None:
    cid = log.start_conversation()
    user = log.add_message(cid, "user", "hi")
    answer = log.add_message(cid, "assistant", "hello")
    assert log.candidates(user.id)[0].generation is None
    gid = log.log_generation(answer.id, full_generation())
    cand = log.candidates(user.id)[0]
    assert cand.generation_id == gid and cand.generation == full_generation()
    assert log.conversation(cid).messages[1].generation == full_generation()
    with pytest.raises(LogError, match="not an answer"):
        log.log_generation(user.id, full_generation())


def test_candidates_and_ratings_round_trip(log: ConversationLog) -> None:
    cid = log.start_conversation(model="m")
    user = log.add_message(cid, "user", "Write a haiku.")
    answer = log.add_message(cid, "assistant", "first", generation=full_generation(seed=1))
    second = log.add_candidate(user.id, "second", generation=full_generation(seed=2))
    third = log.add_candidate(user.id, "third")
    cands = log.candidates(user.id)
    assert [(c.index, c.content) for c in cands] == [(0, "first"), (1, "second"), (2, "third")]
    assert cands[0].message_id == answer.id and cands[1].message_id is None
    assert cands[1] == second and cands[2] == third
    assert [c.generation.seed if c.generation else None for c in cands] == [1, 2, None]

    by_message = log.rate(answer.id, score=4)
    by_candidate = log.rate(second.id, label="bad", rater="alice")
    both = log.rate(cands[0].id, score=5, label="good")
    assert log.ratings(answer.id) == [by_message, both]
    assert log.ratings(second.id) == [by_candidate]
    assert by_message.candidate_id == cands[0].id
    assert (by_candidate.score, by_candidate.label, by_candidate.rater) == (None, "bad", "alice")

    for bad in (dict(score=0), dict(score=6), dict(score=True), dict(label="meh"), dict()):
        with pytest.raises(ValueError):
            log.rate(answer.id, **bad)
    with pytest.raises(LogError, match="no answer"):
        log.rate("nope", score=3)
    with pytest.raises(LogError, match="not a user turn"):
        log.add_candidate(answer.id, "x")


def test_preferences_round_trip_and_stats(log: ConversationLog) -> None:
    cid = log.start_conversation(system="sys")
    user = log.add_message(cid, "user", "q1")
    log.add_message(cid, "assistant", "a0", generation=full_generation(adapter=None))
    c1 = log.add_candidate(user.id, "a1", generation=full_generation(adapter="dpo"))
    c0 = log.candidates(user.id)[0]

    won_b = log.record_preference(c0.id, c1.id, "b", rater="alice")
    tie = log.record_preference(c1.id, c0.id, "tie")
    both_bad = log.record_preference(c0.id, c1.id, "both_bad")
    won_a = log.record_preference(c1.id, c0.id, "a", rater="truth-bot", reason="only A is correct")

    assert (won_b.chosen, won_b.rejected) == (c1, c0)
    assert won_a.reason == "only A is correct" and won_b.reason is None
    assert won_a.record()["metadata"]["reason"] == "only A is correct"
    assert (won_a.chosen, won_a.rejected) == (c1, c0)
    assert tie.chosen is None and both_bad.rejected is None
    assert won_b.prompt == ({"role": "system", "content": "sys"}, {"role": "user", "content": "q1"})
    assert won_b.conversation_id == cid and won_b.turn_id == user.id
    assert log.preference_pairs() == [won_b, tie, both_bad, won_a]
    assert log.preference_pairs(decided_only=True) == [won_b, won_a]

    stats = log.prefs_stats()
    assert (stats.pairs, stats.ties, stats.both_bad, stats.first_shown_won) == (2, 1, 1, 1)
    assert (stats.turns_ready, stats.turns_judged, stats.candidates) == (1, 1, 2)

    with pytest.raises(ValueError, match="outcome"):
        log.record_preference(c0.id, c1.id, "A")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="itself"):
        log.record_preference(c0.id, c0.id, "a")
    other = log.add_message(cid, "user", "q2")
    log.add_message(cid, "assistant", "b0")
    with pytest.raises(LogError, match="different turns"):
        log.record_preference(c0.id, log.candidates(other.id)[0].id, "a")
    with pytest.raises(LogError, match="no candidate"):
        log.record_preference(c0.id, "missing", "a")


def test_turns_with_candidates(log: ConversationLog) -> None:
    cid = log.start_conversation()
    single = log.add_message(cid, "user", "one answer only")
    log.add_message(cid, "assistant", "only")
    double = log.add_message(cid, "user", "two answers")
    log.add_message(cid, "assistant", "x")
    log.add_candidate(double.id, "y")

    turns = log.turns_with_candidates()
    assert [t.message.id for t in turns] == [double.id]
    turn = turns[0]
    assert turn.conversation_id == cid and turn.judgements == 0
    assert [c.content for c in turn.candidates] == ["x", "y"]
    assert turn.prompt[-1] == {"role": "user", "content": "two answers"}
    assert [m["content"] for m in turn.prompt] == ["one answer only", "only", "two answers"]
    assert {t.message.id for t in log.turns_with_candidates(1)} == {single.id, double.id}

    log.record_preference(turn.candidates[0].id, turn.candidates[1].id, "a")
    assert log.turns_with_candidates()[0].judgements == 1
    assert log.turns_with_candidates(unjudged_only=True) == []


def test_eval_runs_round_trip(log: ConversationLog) -> None:
    first = log.record_eval_run("game24", {"method": "tot", "breadth": 5}, {"solved": 0.74, "n": 100})
    log.record_eval_run("prefs", {"adapter": "a"}, {"win_rate": 0.6})
    runs = log.eval_runs("game24")
    assert len(runs) == 1
    assert (runs[0].id, runs[0].params, runs[0].summary) == (
        first,
        {"method": "tot", "breadth": 5},
        {"solved": 0.74, "n": 100},
    )
    assert [r.name for r in log.eval_runs()] == ["prefs", "game24"]


def test_list_search_and_last_conversation(log: ConversationLog) -> None:
    assert log.last_conversation_id() is None
    assert log.list_conversations() == []
    a = log.start_conversation(model="m")
    log.add_message(a, "user", "tell me about 100% cotton")
    b = log.start_conversation(model="m")
    log.add_message(b, "user", "What is SQLite?")
    log.add_message(b, "assistant", "An embedded database.")
    assert log.last_conversation_id() == b
    log.add_message(a, "assistant", "It breathes.")
    assert log.last_conversation_id() == a

    listed = log.list_conversations()
    assert [c.id for c in listed] == [a, b]
    assert [c.message_count for c in listed] == [2, 2]
    assert [c.id for c in log.list_conversations(limit=1)] == [a]
    assert [c.id for c in log.list_conversations(query="embedded")] == [b]
    assert [c.id for c in log.list_conversations(query="sqlite")] == [b]  # case-insensitive
    assert [c.id for c in log.list_conversations(query="100%")] == [a]
    assert log.list_conversations(query="%_") == []  # wildcards are literal
    assert log.list_conversations(query="nothing like this") == []


def test_conversation_prefix_and_unknown_ids(log: ConversationLog) -> None:
    cid = log.start_conversation()
    assert log.resolve_conversation_id(cid[:8]) == cid
    assert log.conversation(cid[:8]).id == cid
    with pytest.raises(LogError) as err:
        log.conversation("does-not-exist")
    assert one_line(err) == "no conversation 'does-not-exist' in the log"
    with pytest.raises(LogError, match="no conversation"):
        log.conversation(cid[:3])  # too short to be a prefix
    with pytest.raises(LogError, match="no conversation 'nope'"):
        log.add_message("nope", "user", "hi")
    with pytest.raises(LogError, match="no message"):
        log.candidates("nope")


def test_bad_values_are_refused(log: ConversationLog) -> None:
    cid = log.start_conversation()
    with pytest.raises(ValueError, match="role"):
        log.add_message(cid, "tool", "x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="content"):
        log.add_message(cid, "user", b"bytes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="content: not valid Unicode"):
        log.add_message(cid, "user", b"caf\xe9".decode("utf-8", "surrogateescape"))
    with pytest.raises(ValueError, match="generation"):
        log.add_message(cid, "user", "x", generation=full_generation())
    with pytest.raises(ValueError, match="tokens_out"):
        full_generation(tokens_out=-1)
    with pytest.raises(ValueError, match="latency_s"):
        full_generation(latency_s=float("nan"))
    with pytest.raises(ValueError, match="model"):
        full_generation(model="")
    assert log.conversation(cid).messages == ()


def test_failed_write_leaves_no_partial_rows(log: ConversationLog, db: Path) -> None:
    cid = log.start_conversation()
    user = log.add_message(cid, "user", "q")
    before = table_counts(db)
    unserialisable = full_generation(params={"stop": object()})
    with pytest.raises(ValueError, match="params"):
        # the message row is inserted before the generation fails to serialise
        log.add_message(cid, "assistant", "a", generation=unserialisable)
    assert table_counts(db) == before
    assert log.candidates(user.id) == []
    assert [m.role for m in log.conversation(cid).messages] == ["user"]


# ----------------------------------------------------------------------------- export


def test_export_is_trl_conversational_preference_jsonl(log: ConversationLog) -> None:
    cid = log.start_conversation(system="Answer briefly.")
    log.add_message(cid, "user", "Hi")
    log.add_message(cid, "assistant", "Hello! How can I help?")
    user = log.add_message(cid, "user", "Capital of France? «é»")
    log.add_message(cid, "assistant", "Paris.", generation=full_generation(adapter=None))
    longer = log.add_candidate(user.id, "The capital of France is Paris.", generation=full_generation(adapter="sft"))
    short = log.candidates(user.id)[0]
    log.record_preference(longer.id, short.id, "b", rater="sim:shorter")
    log.record_preference(longer.id, short.id, "tie")
    log.record_preference(short.id, longer.id, "both_bad")

    out = io.StringIO()
    assert log.export_preferences(out) == 1
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record == log.preference_records()[0]
    assert set(record) == {"prompt", "chosen", "rejected", "metadata"}
    for key in ("prompt", "chosen", "rejected"):
        assert all(set(m) == {"role", "content"} for m in record[key])
    assert record["prompt"] == [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "Capital of France? «é»"},
    ]
    assert record["chosen"] == [{"role": "assistant", "content": "Paris."}]
    assert record["rejected"] == [{"role": "assistant", "content": "The capital of France is Paris."}]
    meta = record["metadata"]
    assert meta["shown_first"] == "rejected"
    assert meta["rater"] == "sim:shorter"
    assert (meta["model"], meta["adapter"], meta["prompt_version"]) == ("smollm2-135m", None, "chat-3f2a9c")
    assert meta["rejected_adapter"] == "sft"
    assert (meta["chosen_candidate_id"], meta["rejected_candidate_id"]) == (short.id, longer.id)
    assert meta["conversation_id"] == cid and meta["turn_id"] == user.id and meta["created"].endswith("Z")


def test_export_loads_with_datasets(log: ConversationLog, tmp_path: Path) -> None:
    datasets = extra("datasets")
    cid = log.start_conversation()
    for i in range(3):
        user = log.add_message(cid, "user", f"q{i}")
        log.add_message(cid, "assistant", f"a{i}", generation=full_generation())
        other = log.add_candidate(user.id, f"b{i}")
        log.record_preference(log.candidates(user.id)[0].id, other.id, "a")
    path = tmp_path / "prefs.jsonl"
    with path.open("w", encoding="utf-8") as fp:
        assert log.export_preferences(fp) == 3
    ds = datasets.load_dataset("json", data_files=str(path), split="train")
    assert {"prompt", "chosen", "rejected"} <= set(ds.column_names)
    assert ds[2]["chosen"] == [{"role": "assistant", "content": "a2"}]
    assert ds[2]["prompt"][-1] == {"role": "user", "content": "q2"}


# ----------------------------------------------------------------------------- bad files


def test_log_files_are_user_only(db: Path) -> None:
    with ConversationLog(db) as log:
        log.start_conversation()
        wal = db.with_name(db.name + "-wal")
        assert wal.exists()
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "content",
    [os.urandom(8192), b"hello, this is a text file\n", b"SQLite format 3\x00" + b"\xff" * 200],
    ids=["random", "text", "bad-header"],
)
def test_corrupt_file_is_refused_and_left_untouched(db: Path, content: bytes) -> None:
    db.write_bytes(content)
    with pytest.raises(LogError) as err:
        ConversationLog(db)
    assert "is not a kigi log (corrupt?)" in one_line(err)
    assert str(db) in str(err.value)
    assert db.read_bytes() == content
    with pytest.raises(LogError, match="corrupt"):
        ConversationLog(db, readonly=True)
    assert db.read_bytes() == content


def test_foreign_sqlite_database_is_refused_and_left_untouched(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")
    conn.execute("INSERT INTO photos (path) VALUES ('a.jpg')")
    conn.commit()
    conn.close()
    content = db.read_bytes()
    with pytest.raises(LogError) as err:
        ConversationLog(db)
    assert "is not a kigi log" in one_line(err)
    assert db.read_bytes() == content
    assert table_counts(db) == {"photos": 1}


def test_missing_directory_is_a_log_error(tmp_path: Path) -> None:
    with pytest.raises(LogError, match="cannot create log"):
        ConversationLog(tmp_path / "no" / "such" / "kigi.db")
    with pytest.raises(LogError, match="cannot open log"):
        ConversationLog(tmp_path / "absent.db", readonly=True)


def test_readonly_log_reads_and_refuses_writes(db: Path) -> None:
    with ConversationLog(db) as log:
        cid = log.start_conversation()
        log.add_message(cid, "user", "kept")
    with ConversationLog(db, readonly=True) as ro:
        assert [m.content for m in ro.conversation(cid).messages] == ["kept"]
        with pytest.raises(LogError) as err:
            ro.add_message(cid, "user", "lost")
        assert "read-only" in one_line(err)
        with pytest.raises(LogError, match="read-only"):
            ro.start_conversation()
    with ConversationLog(db) as log:
        assert [m.content for m in log.conversation(cid).messages] == ["kept"]


def permissions_enforced(directory: Path) -> bool:
    """False where file modes are not enforced (root, unless CAP_DAC_OVERRIDE is dropped)."""
    probe = directory / "probe"
    probe.write_bytes(b"")
    probe.chmod(0o400)
    try:
        probe.open("ab").close()
    except PermissionError:
        return True
    finally:
        probe.unlink()
    return False


def test_read_only_file_is_a_log_error_on_write(db: Path, tmp_path: Path) -> None:
    if not permissions_enforced(tmp_path):
        pytest.skip("file modes are not enforced for this user (root)")
    with ConversationLog(db) as log:
        cid = log.start_conversation()
        log.add_message(cid, "user", "kept")
    db.chmod(0o400)
    try:
        with ConversationLog(db) as log:
            assert [m.content for m in log.conversation(cid).messages] == ["kept"]
            with pytest.raises(LogError) as err:
                log.add_message(cid, "user", "lost")
            assert "read-only" in one_line(err)
    finally:
        db.chmod(0o600)


def test_lock_held_past_timeout_is_a_log_error(db: Path) -> None:
    with ConversationLog(db, timeout=0.2) as log:
        cid = log.start_conversation()
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            started = time.monotonic()
            with pytest.raises(LogError) as err:
                log.add_message(cid, "user", "blocked")
            assert time.monotonic() - started >= 0.15  # it waited before giving up
            assert "locked" in one_line(err)
        finally:
            other.execute("ROLLBACK")
            other.close()
        log.add_message(cid, "user", "after the lock")
        assert [m.content for m in log.conversation(cid).messages] == ["after the lock"]


def test_a_new_log_opened_while_another_process_writes_it_waits_instead_of_failing(db: Path) -> None:
    # A writer that holds the log's write lock before WAL mode is on (as a process that
    # just created the log and is migrating it can): SQLite answers the journal-mode
    # switch with "locked" at once, without its busy handler. Opening must wait it out.
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    try:
        with ConversationLog(db) as log:
            assert log.applied_migrations() == [m.name for m in migrations.MIGRATIONS]
    finally:
        release.join()
        other.close()


def test_a_database_with_tables_but_no_migrations_table_is_refused_in_one_read(db: Path) -> None:
    # One statement, so one snapshot: two reads could straddle another process's first
    # migration and take a kigi log for someone else's database.
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("CREATE TABLE theirs (x)")
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    with pytest.raises(LogError, match="without kigi's migrations table"):
        migrations.refuse_foreign(conn)
    conn.close()
    assert len(seen) == 1


def test_closed_log_is_a_log_error(db: Path) -> None:
    log = ConversationLog(db)
    log.close()
    with pytest.raises(LogError, match="closed"):
        log.start_conversation()


# ----------------------------------------------------------------------------- processes


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from memory.log import ConversationLog, Generation

    db, go, worker, turns = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    while not go.exists():
        time.sleep(0.005)
    with ConversationLog(db) as log:  # every process races to create and migrate the log
        cid = log.start_conversation(model="fake")
        for turn in range(turns):
            user = log.add_message(cid, "user", f"w{worker} q{turn}")
            gen = Generation(model="fake", seed=worker, tokens_in=3, tokens_out=turn)
            log.add_message(cid, "assistant", f"w{worker} a{turn}", generation=gen)
            other = log.add_candidate(user.id, f"w{worker} b{turn}")
            log.record_preference(log.candidates(user.id)[0].id, other.id, "b")
    print(cid)
    """
)


def test_ten_processes_write_one_log_without_losing_a_row(db: Path, tmp_path: Path) -> None:
    workers, turns = 10, 5
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), str(go), str(w), str(turns)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        for w in range(workers)
    ]
    time.sleep(0.3)  # let them start, so they hit the new log together
    go.touch()
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
    cids = {out.strip() for out, _ in results}
    assert len(cids) == workers

    with ConversationLog(db) as log:
        assert log.applied_migrations() == [m.name for m in migrations.MIGRATIONS]
        for w, (out, _) in enumerate(results):
            conv = log.conversation(out.strip())
            expected = [t for i in range(turns) for t in (f"w{w} q{i}", f"w{w} a{i}")]
            assert [m.content for m in conv.messages] == expected
            assert [m.position for m in conv.messages] == list(range(2 * turns))
            assert all(m.generation.seed == w for m in conv.messages if m.role == "assistant")
        stats = log.prefs_stats()
        assert (stats.pairs, stats.candidates, stats.turns_ready) == (
            workers * turns,
            2 * workers * turns,
            workers * turns,
        )
    counts = table_counts(db)
    assert counts["conversations"] == workers
    assert counts["messages"] == 2 * workers * turns
    assert counts["generations"] == workers * turns
    assert counts["migrations"] == len(migrations.MIGRATIONS)


def test_process_killed_mid_write_leaves_whole_turns(db: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    go.touch()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(go), "0", "100000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (db.exists() and table_counts(db).get("preferences", 0) >= 20):
        time.sleep(0.05)
    proc.kill()  # SIGKILL: no cleanup, possibly inside a transaction
    proc.wait()

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with ConversationLog(db) as log:
        (cid,) = [c.id for c in log.list_conversations()]
        messages = log.conversation(cid).messages
        assert len(messages) >= 40
        for m in messages:
            if m.role == "assistant":  # an answer is logged with its generation and candidate
                assert m.generation is not None
                assert log.candidates(messages[m.position - 1].id)[0].message_id == m.id
        for turn in log.turns_with_candidates():
            assert turn.judgements == 1 or turn.message.id == messages[-2].id


def test_import_does_no_work(tmp_path: Path) -> None:
    code = "import sys, memory.log; print('torch' in sys.modules, 'chromadb' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["False", "False"]
    assert list(tmp_path.iterdir()) == []
