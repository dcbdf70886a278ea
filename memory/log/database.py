"""The log's SQLite file: opening (and migrating) it, transactions, and errors as one line.

One SQLite file (the CLI passes `KIGI_HOME/kigi.db`), in WAL mode so that many `kigi ask`
processes can write to it at once. Every public method that writes is one transaction,
taken with BEGIN IMMEDIATE so that a busy writer waits (up to `timeout`) instead of
failing, and a process killed mid-write leaves no half-written row. The record families
(conversations, preferences, eval runs) build on this class; `ConversationLog` joins them.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self
from urllib.parse import quote

from memory import migrations
from memory.errors import LogError


class LogDatabase:
    """The connection under every record family. Use as a context manager; every error it
    raises is a `LogError`.

    `timeout` is how long a write waits for another process's write before giving up.
    `readonly=True` opens an existing log without ever writing (for `kigi logs`).
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 15.0, readonly: bool = False) -> None:
        if timeout < 0:
            raise ValueError(f"timeout: must be >= 0, got {timeout}")
        self.path = Path(path)
        self.readonly = readonly
        self._conn: sqlite3.Connection | None = None
        if not readonly:
            self._create_file()
        try:
            if readonly:
                uri = f"file:{quote(str(self.path.absolute()))}?mode=ro"
                conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
            else:
                conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as e:
            raise self._error(e) from None
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            if readonly:
                if not migrations.applied(conn):
                    raise LogError(f"{self.path} is not a kigi log (no migrations table)")
                todo = migrations.pending(conn)
                if todo:
                    raise LogError(f"{self.path} needs upgrading ({', '.join(todo)}); open it writable once")
            else:
                self._prepare(conn, deadline=time.monotonic() + timeout)
        except sqlite3.Error as e:
            conn.close()
            raise self._error(e) from None
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def _prepare(self, conn: sqlite3.Connection, *, deadline: float) -> None:
        """Switch a writable log to WAL and migrate it, retrying while other processes do
        the same: switching the journal mode and a first read of a log being migrated can
        report "locked" at once instead of waiting in SQLite's busy handler."""
        pause = 0.005
        while True:
            try:
                # Checked before WAL mode is switched on, which would rewrite the file
                # header; migrate() checks again, inside its transaction.
                migrations.refuse_foreign(conn)
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
                if migrations.pending(conn):
                    migrations.migrate(conn)
                return
            except LogError as e:
                raise LogError(f"{self.path} is not a kigi log: {e}") from None
            except sqlite3.OperationalError as e:
                if not _is_busy(e) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(2 * pause, 0.1)

    def _create_file(self) -> None:
        """Create the log file user-only (0o600); SQLite gives its -wal and -shm the same mode."""
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        except OSError as e:
            raise LogError(f"cannot create log {self.path}: {e.strerror}") from None
        os.close(fd)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def applied_migrations(self) -> list[str]:
        """Names of the schema migrations this log has, oldest first."""
        with self._read() as conn:
            return migrations.applied(conn)


    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; BEGIN IMMEDIATE makes a busy writer wait, not fail."""
        with self._transaction("BEGIN IMMEDIATE") as conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction, so that a multi-query read sees one snapshot."""
        with self._transaction("BEGIN") as conn:
            yield conn

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Connection]:
        if self._conn is None:
            raise LogError(f"log {self.path} is closed")
        conn = self._conn
        try:
            conn.execute(begin)
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as e:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise self._error(e) from None

    def _error(self, e: sqlite3.Error) -> LogError:
        """Turn an SQLite error into one line that tells the user what is wrong."""
        code = _primary_code(e)
        detail = str(e).splitlines()[0] if str(e) else type(e).__name__
        if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
            return LogError(
                f"{self.path} is not a kigi log (corrupt?): {detail}; it was left untouched,"
                " move it aside to start a new log"
            )
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return LogError(f"log {self.path} is locked by another process; try again: {detail}")
        if code == sqlite3.SQLITE_READONLY:
            return LogError(f"log {self.path} is read-only: {detail}")
        if code == sqlite3.SQLITE_CANTOPEN:
            return LogError(f"cannot open log {self.path}: {detail}")
        if code == sqlite3.SQLITE_FULL:
            return LogError(f"cannot write log {self.path}: disk full")
        return LogError(f"log {self.path}: {detail}")


def _primary_code(e: sqlite3.Error) -> int:
    """The primary result code (SQLITE_BUSY for SQLITE_BUSY_RECOVERY and the like)."""
    return (getattr(e, "sqlite_errorcode", None) or 0) & 0xFF


def _is_busy(e: sqlite3.Error) -> bool:
    return _primary_code(e) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
