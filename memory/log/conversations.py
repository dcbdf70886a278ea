"""Conversations, their messages and how each answer was generated.

An assistant answer to a user turn is also candidate 0 of that turn (written in the same
transaction), so that every logged answer can later be retried, rated and compared.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from memory.clock import utc_now
from memory.errors import LogError
from memory.log.database import LogDatabase
from memory.log.records import ROLES, Conversation, ConversationSummary, Generation, Message, Role
from memory.log.rows import (
    GEN_COLUMNS,
    check_opt_text,
    check_text,
    insert_candidate,
    insert_generation,
    like_escape,
    message_from,
    new_id,
    ordered,
)

_TITLE_CHARS = 80


class Conversations(LogDatabase):
    """Start a conversation, append its messages, read it back, list and search them."""

    def start_conversation(self, model: str | None = None, system: str | None = None, title: str | None = None) -> str:
        """Create an empty conversation; return its id."""
        now = utc_now()
        cid = new_id()
        with self._write() as conn:
            conn.execute(
                "INSERT INTO conversations (id, created, updated, title, model, system) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    cid,
                    now,
                    now,
                    check_opt_text(title, "title"),
                    check_opt_text(model, "model"),
                    check_opt_text(system, "system"),
                ),
            )
        return cid

    def add_message(
        self,
        conversation_id: str,
        role: Role,
        content: str,
        *,
        generation: Generation | None = None,
    ) -> Message:
        """Append a message; an assistant answer to a user turn also becomes its candidate 0.

        Message, generation and candidate are written in one transaction: a turn is
        logged whole or not at all.
        """
        if role not in ROLES:
            raise ValueError(f"role: must be one of {', '.join(ROLES)}, got {role!r}")
        content = check_text(content, "content")
        if generation is not None and role != "assistant":
            raise ValueError("generation: only an assistant message has one")
        now = utc_now()
        mid = new_id()
        with self._write() as conn:
            _require_conversation(conn, conversation_id)
            last = conn.execute(
                "SELECT id, role, position FROM messages WHERE conversation_id = ? ORDER BY position DESC LIMIT 1",
                (conversation_id,),
            ).fetchone()
            position = 0 if last is None else last["position"] + 1
            conn.execute(
                "INSERT INTO messages (id, conversation_id, position, role, content, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (mid, conversation_id, position, role, content, now),
            )
            conn.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))
            if role == "user":
                conn.execute(
                    "UPDATE conversations SET title = ? WHERE id = ? AND title IS NULL",
                    (_title(content), conversation_id),
                )
            gid = insert_generation(conn, mid, generation) if generation else None
            if role == "assistant" and last is not None and last["role"] == "user":
                insert_candidate(conn, last["id"], content, mid, gid, now)
        return Message(mid, conversation_id, position, role, content, now, generation)

    def log_generation(self, message_id: str, record: Generation) -> str:
        """Attach how an assistant message was generated; return the generation id."""
        with self._write() as conn:
            row = conn.execute("SELECT role FROM messages WHERE id = ?", (message_id,)).fetchone()
            if row is None:
                raise LogError(f"no message {message_id!r} in the log")
            if row["role"] != "assistant":
                raise LogError(f"message {message_id!r} is a {row['role']} message, not an answer")
            gid = insert_generation(conn, message_id, record)
            conn.execute("UPDATE candidates SET generation_id = ? WHERE message_id = ?", (gid, message_id))
        return gid

    def last_conversation_id(self) -> str | None:
        """The conversation with the most recent activity (for `kigi ask -c`), or None."""
        with self._read() as conn:
            row = conn.execute("SELECT id FROM conversations ORDER BY updated DESC, rowid DESC LIMIT 1").fetchone()
        return None if row is None else row["id"]

    def resolve_conversation_id(self, id_or_prefix: str) -> str:
        """The full id of a conversation given its id or a unique prefix of 4+ characters."""
        with self._read() as conn:
            return _resolve(conn, id_or_prefix)

    def conversation(self, conversation_id: str) -> Conversation:
        """A conversation and its messages in order; the id may be a unique prefix."""
        with self._read() as conn:
            cid = _resolve(conn, conversation_id)
            row = conn.execute("SELECT * FROM conversations WHERE id = ?", (cid,)).fetchone()
            rows = conn.execute(
                f"SELECT m.*, {GEN_COLUMNS} FROM messages m"
                " LEFT JOIN generations g ON g.id = (SELECT id FROM generations"
                "   WHERE message_id = m.id ORDER BY created DESC, rowid DESC LIMIT 1)"
                " WHERE m.conversation_id = ? ORDER BY m.position",
                (cid,),
            ).fetchall()
        messages = tuple(message_from(r) for r in rows)
        return Conversation(
            row["id"],
            row["created"],
            row["updated"],
            row["title"],
            row["model"],
            row["system"],
            messages,
        )

    def list_conversations(self, limit: int | None = 20, query: str | None = None) -> list[ConversationSummary]:
        """Recent conversations, newest activity first; `query` searches titles and messages."""
        if limit is not None and limit < 0:
            raise ValueError(f"limit: must be >= 0 or None, got {limit}")
        sql = (
            "SELECT c.*, (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)"
            " AS message_count FROM conversations c"
        )
        args: list[Any] = []
        if query:
            pattern = f"%{like_escape(query)}%"
            sql += (
                " WHERE c.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m"
                " WHERE m.conversation_id = c.id AND m.content LIKE ? ESCAPE '\\')"
            )
            args += [pattern, pattern]
        sql, args = ordered(sql, args, "c.updated DESC, c.rowid DESC", limit)
        with self._read() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [
            ConversationSummary(r["id"], r["created"], r["updated"], r["title"], r["model"], r["message_count"])
            for r in rows
        ]


def _require_conversation(conn: sqlite3.Connection, conversation_id: str) -> None:
    row = conn.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
    if row is None:
        raise LogError(f"no conversation {conversation_id!r} in the log")


def _resolve(conn: sqlite3.Connection, id_or_prefix: str) -> str:
    if conn.execute("SELECT 1 FROM conversations WHERE id = ?", (id_or_prefix,)).fetchone():
        return id_or_prefix
    if len(id_or_prefix) >= 4:
        rows = conn.execute(
            "SELECT id FROM conversations WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
            (like_escape(id_or_prefix) + "%",),
        ).fetchall()
        if len(rows) == 1:
            return rows[0]["id"]
        if len(rows) > 1:
            raise LogError(f"conversation id {id_or_prefix!r} is ambiguous; give more of it")
    raise LogError(f"no conversation {id_or_prefix!r} in the log")


def _title(content: str) -> str | None:
    """The first non-blank line of the first question, cut short; None if it is blank."""
    line = next((ln.strip() for ln in content.splitlines() if ln.strip()), None)
    if line is None:
        return None
    return line if len(line) <= _TITLE_CHARS else line[: _TITLE_CHARS - 1] + "…"
