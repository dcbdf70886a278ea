"""Named schema migrations of the SQLite log, applied in order and recorded in the database.

A migration is a function registered with `@migration`; its name is the function's name,
and that name is what a database records, so a released migration is never renamed or
changed: a new schema is a new function at the end of this file. Each one only adds
(tables, columns, indexes, backfilled rows), so a log written by an older kigi upgrades
in place and nothing in it is lost. As in simonw/llm, one place per migration; unlike
it, all pending ones run in one transaction and a foreign database is never touched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from memory.clock import utc_now
from memory.errors import LogError


@dataclass(frozen=True)
class Migration:
    """One schema step: the name recorded in the database and the function that performs it."""

    name: str
    apply: Callable[[sqlite3.Connection], None]


MIGRATIONS: list[Migration] = []


def migration(fn: Callable[[sqlite3.Connection], None]) -> Migration:
    """Register `fn` as the next migration, named after the function."""
    step = Migration(fn.__name__, fn)
    MIGRATIONS.append(step)
    return step


def _run(conn: sqlite3.Connection, *statements: str) -> None:
    # One statement at a time: executescript() would commit the open transaction.
    for statement in statements:
        conn.execute(statement)


@migration
def m001_initial(conn: sqlite3.Connection) -> None:
    """The chat log itself, as the first `kigi ask` needed it."""
    _run(
        conn,
        """CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            title TEXT,
            model TEXT,
            system TEXT
        )""",
        "CREATE INDEX conversations_updated ON conversations(updated)",
        """CREATE TABLE messages (
            id TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL REFERENCES conversations(id),
            position INTEGER NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
            content TEXT NOT NULL,
            created TEXT NOT NULL,
            UNIQUE (conversation_id, position)
        )""",
        """CREATE TABLE generations (
            id TEXT PRIMARY KEY,
            message_id TEXT REFERENCES messages(id),
            model TEXT NOT NULL,
            adapter TEXT,
            prompt_version TEXT,
            params TEXT NOT NULL DEFAULT '{}',
            seed INTEGER,
            chunk_ids TEXT NOT NULL DEFAULT '[]',
            tot_tree TEXT,
            tokens_in INTEGER,
            tokens_out INTEGER,
            latency_s REAL,
            ttft_s REAL,
            interrupted INTEGER NOT NULL DEFAULT 0 CHECK (interrupted IN (0, 1)),
            created TEXT NOT NULL
        )""",
        "CREATE INDEX generations_message ON generations(message_id)",
    )


@migration
def m002_candidates_ratings_preferences(conn: sqlite3.Connection) -> None:
    """Preference data. Answers already in the log become candidate 0 of their user turn,
    so old conversations can be retried, rated and compared like new ones."""
    _run(
        conn,
        """CREATE TABLE candidates (
            id TEXT PRIMARY KEY,
            turn_id TEXT NOT NULL REFERENCES messages(id),
            idx INTEGER NOT NULL,
            content TEXT NOT NULL,
            message_id TEXT REFERENCES messages(id),
            generation_id TEXT REFERENCES generations(id),
            created TEXT NOT NULL,
            UNIQUE (turn_id, idx)
        )""",
        "CREATE INDEX candidates_message ON candidates(message_id)",
        """CREATE TABLE ratings (
            id TEXT PRIMARY KEY,
            candidate_id TEXT NOT NULL REFERENCES candidates(id),
            score INTEGER CHECK (score BETWEEN 1 AND 5),
            label TEXT CHECK (label IN ('good', 'bad')),
            rater TEXT NOT NULL,
            created TEXT NOT NULL,
            CHECK (score IS NOT NULL OR label IS NOT NULL)
        )""",
        "CREATE INDEX ratings_candidate ON ratings(candidate_id)",
        # a_id is the candidate shown first; prompt is the context as the rater saw it.
        """CREATE TABLE preferences (
            id TEXT PRIMARY KEY,
            turn_id TEXT NOT NULL REFERENCES messages(id),
            prompt TEXT NOT NULL,
            a_id TEXT NOT NULL REFERENCES candidates(id),
            b_id TEXT NOT NULL REFERENCES candidates(id),
            outcome TEXT NOT NULL CHECK (outcome IN ('a', 'b', 'tie', 'both_bad')),
            rater TEXT NOT NULL,
            created TEXT NOT NULL,
            CHECK (a_id <> b_id)
        )""",
        "CREATE INDEX preferences_turn ON preferences(turn_id)",
        """INSERT INTO candidates (id, turn_id, idx, content, message_id, generation_id, created)
        SELECT lower(hex(randomblob(16))), u.id, 0, a.content, a.id,
               (SELECT g.id FROM generations g WHERE g.message_id = a.id
                ORDER BY g.created DESC, g.rowid DESC LIMIT 1),
               a.created
        FROM messages a
        JOIN messages u ON u.conversation_id = a.conversation_id AND u.position = a.position - 1
        WHERE a.role = 'assistant' AND u.role = 'user'""",
    )


@migration
def m003_eval_runs(conn: sqlite3.Connection) -> None:
    """Results of `kigi eval`, kept beside the answers they judge."""
    _run(
        conn,
        """CREATE TABLE eval_runs (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            params TEXT NOT NULL,
            summary TEXT NOT NULL,
            created TEXT NOT NULL
        )""",
        "CREATE INDEX eval_runs_name ON eval_runs(name, created)",
    )


@migration
def m004_preference_reasons(conn: sqlite3.Connection) -> None:
    """Why the rater chose (a simulated rater with ground truth says: "only A is correct")."""
    _run(conn, "ALTER TABLE preferences ADD COLUMN reason TEXT")


_MIGRATIONS_TABLE = """CREATE TABLE IF NOT EXISTS migrations (
    name TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
)"""


def applied(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations recorded in the database, oldest first."""
    if not _has_table(conn, "migrations"):
        return []
    rows = conn.execute("SELECT name FROM migrations ORDER BY applied_at, rowid").fetchall()
    return [row[0] for row in rows]


def pending(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> list[str]:
    """Names of the migrations not yet applied; names unknown to this kigi are ignored."""
    done = set(applied(conn))
    return [m.name for m in migrations if m.name not in done]


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> list[str]:
    """Apply the pending migrations in order, all in one transaction; return their names.

    `conn` must be in autocommit mode (isolation_level=None). BEGIN IMMEDIATE takes the
    write lock before reading what is applied, so processes that open a new log at the
    same moment apply each migration exactly once.
    """
    names = [m.name for m in migrations]
    if len(set(names)) != len(names):
        raise ValueError("migrations: names must be unique")
    conn.execute("BEGIN IMMEDIATE")
    try:
        refuse_foreign(conn)
        conn.execute(_MIGRATIONS_TABLE)
        done = set(applied(conn))
        applied_now = []
        for step in migrations:
            if step.name in done:
                continue
            step.apply(conn)
            conn.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (step.name, utc_now()))
            applied_now.append(step.name)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return applied_now


def refuse_foreign(conn: sqlite3.Connection) -> None:
    """Raise `LogError` for an SQLite database that holds tables but is not a kigi log:
    never touch someone else's data."""
    # One statement, so one snapshot: two queries could straddle another process's
    # first migration and see its tables without (yet) its migrations table.
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if tables and "migrations" not in tables:
        raise LogError("an SQLite database without kigi's migrations table; it was left untouched")


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return row is not None


@migration
def m005_prompt_versions(conn: sqlite3.Connection) -> None:
    """The texts behind each prompt version the log mentions, so old versions can be shown
    and diffed after the code has moved on (`kigi prompts`)."""
    _run(
        conn,
        """CREATE TABLE prompt_versions (
            name TEXT NOT NULL,
            version TEXT NOT NULL,
            texts TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            PRIMARY KEY (name, version)
        )""",
    )


@migration
def m006_withheld_answers(conn: sqlite3.Connection) -> None:
    """The reader's answer that its cited sources did not support, kept beside the
    abstention shown in its place, so a withheld answer can still be read and rated."""
    _run(conn, "ALTER TABLE generations ADD COLUMN withheld TEXT")
