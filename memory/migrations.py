"""Named schema migrations of the SQLite log, applied in order and recorded in the database.

A migration, once released, never changes: a new schema is a new migration at the end of
`MIGRATIONS`. Each one only adds (tables, columns, indexes, backfilled rows), so a log
written by an older kigi upgrades in place and nothing in it is lost.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from memory.errors import LogError


@dataclass(frozen=True)
class Migration:
    """One schema step: a unique name and the SQL statements that perform it."""

    name: str
    statements: tuple[str, ...]


# 1: the chat log itself, as the first `kigi ask` needed it.
_INITIAL = Migration(
    "m001_initial",
    (
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
    ),
)

# 2: preference data. Answers already in the log become candidate 0 of their user turn,
# so old conversations can be retried, rated and compared like new ones.
_PREFERENCES = Migration(
    "m002_candidates_ratings_preferences",
    (
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
    ),
)

# 3: results of `kigi eval`, kept beside the answers they judge.
_EVAL_RUNS = Migration(
    "m003_eval_runs",
    (
        """CREATE TABLE eval_runs (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            params TEXT NOT NULL,
            summary TEXT NOT NULL,
            created TEXT NOT NULL
        )""",
        "CREATE INDEX eval_runs_name ON eval_runs(name, created)",
    ),
)

MIGRATIONS: tuple[Migration, ...] = (_INITIAL, _PREFERENCES, _EVAL_RUNS)

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


def pending(conn: sqlite3.Connection, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[str]:
    """Names of the migrations not yet applied; names unknown to this kigi are ignored."""
    done = set(applied(conn))
    return [m.name for m in migrations if m.name not in done]


def migrate(conn: sqlite3.Connection, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[str]:
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
        if is_foreign(conn):
            raise LogError("an SQLite database without kigi's migrations table; it was left untouched")
        conn.execute(_MIGRATIONS_TABLE)
        done = set(applied(conn))
        applied_now = []
        for migration in migrations:
            if migration.name in done:
                continue
            for statement in migration.statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                (migration.name, _now()),
            )
            applied_now.append(migration.name)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return applied_now


def is_foreign(conn: sqlite3.Connection) -> bool:
    """True for an SQLite database that holds tables but is not a kigi log: never touch it."""
    return not _has_table(conn, "migrations") and _has_any_table(conn)


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return row is not None


def _has_any_table(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'").fetchone() is not None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
