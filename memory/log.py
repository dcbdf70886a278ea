"""The conversation log: every turn, how it was generated, and the preferences people record.

One SQLite file (the CLI passes `KIGI_HOME/kigi.db`), in WAL mode so that many `kigi ask`
processes can write to it at once. Every public method that writes is one transaction,
taken with BEGIN IMMEDIATE so that a busy writer waits (up to `timeout`) instead of
failing, and a process killed mid-write leaves no half-written row. Ids are 32 hex
characters (uuid4), so that a short prefix names one; timestamps are ISO-8601 UTC.

Preference data flows: an answer is candidate 0 of its user turn, `/retry` adds more
candidates, `/compare` and `kigi rate` record which of two was preferred (and which was
shown first), and `export_preferences` writes them in the conversational format TRL reads.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO
from urllib.parse import quote

from memory import migrations
from memory.clock import utc_now
from memory.errors import LogError

Role = Literal["system", "user", "assistant"]
Label = Literal["good", "bad"]
Outcome = Literal["a", "b", "tie", "both_bad"]

ROLES: tuple[str, ...] = ("system", "user", "assistant")
OUTCOMES: tuple[str, ...] = ("a", "b", "tie", "both_bad")
_TITLE_CHARS = 80


# ----------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Generation:
    """How one answer was produced, logged so any answer can be explained and reproduced."""

    model: str
    adapter: str | None = None
    prompt_version: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)  # sampling params, JSON-shaped
    seed: int | None = None
    chunk_ids: Sequence[str] = ()  # retrieved memory chunks, in prompt order
    tot_tree: Any = None  # the Tree-of-Thoughts search tree, JSON-shaped
    tokens_in: int | None = None
    tokens_out: int | None = None
    latency_s: float | None = None
    ttft_s: float | None = None  # time to first token
    interrupted: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.model, str) or not self.model:
            raise ValueError("model: must be a non-empty string")
        if not isinstance(self.params, Mapping):
            raise ValueError("params: must be a mapping")
        if isinstance(self.chunk_ids, str) or not all(isinstance(c, str) for c in self.chunk_ids):
            raise ValueError("chunk_ids: must be a sequence of strings")
        object.__setattr__(self, "chunk_ids", tuple(self.chunk_ids))
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int)):
            raise ValueError("seed: must be an integer or None")
        for name in ("tokens_in", "tokens_out"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError(f"{name}: must be an integer or None")
            if value is not None and value < 0:
                raise ValueError(f"{name}: must be >= 0, got {value}")
        for name in ("latency_s", "ttft_s"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, int | float) and math.isfinite(value)):
                raise ValueError(f"{name}: must be a finite number or None")
            if value is not None and value < 0:
                raise ValueError(f"{name}: must be >= 0, got {value}")
        if not isinstance(self.interrupted, bool):
            raise ValueError("interrupted: must be a bool")


@dataclass(frozen=True)
class Message:
    """One message of a conversation; `generation` is set for logged assistant answers."""

    id: str
    conversation_id: str
    position: int
    role: str
    content: str
    created: str
    generation: Generation | None = None

    def chat(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class Conversation:
    """A conversation with its messages in order."""

    id: str
    created: str
    updated: str
    title: str | None
    model: str | None
    system: str | None
    messages: tuple[Message, ...] = ()

    def chat(self) -> list[dict[str, str]]:
        """The messages as chat dicts, the system prompt first: what a template renders."""
        head = [{"role": "system", "content": self.system}] if self.system else []
        return head + [m.chat() for m in self.messages]


@dataclass(frozen=True)
class ConversationSummary:
    """One line of `kigi logs`."""

    id: str
    created: str
    updated: str
    title: str | None
    model: str | None
    message_count: int


@dataclass(frozen=True)
class Candidate:
    """One answer to a user turn; index 0 is the answer logged in the conversation."""

    id: str
    turn_id: str  # the user message it answers
    index: int
    content: str
    created: str
    message_id: str | None = None  # the assistant message, when it is in the conversation
    generation_id: str | None = None
    generation: Generation | None = None


@dataclass(frozen=True)
class Rating:
    """A 1-5 score and/or a good/bad label on one candidate."""

    id: str
    candidate_id: str
    score: int | None
    label: str | None
    rater: str
    created: str


@dataclass(frozen=True)
class Turn:
    """A user turn with its candidates: what `kigi rate` shows side by side."""

    conversation_id: str
    message: Message
    prompt: tuple[dict[str, str], ...]
    candidates: tuple[Candidate, ...]
    judgements: int  # preferences already recorded for this turn


@dataclass(frozen=True)
class PreferencePair:
    """A comparison of two candidates: `a` was shown first, `outcome` is what the rater said."""

    id: str
    turn_id: str
    conversation_id: str
    prompt: tuple[dict[str, str], ...]
    a: Candidate
    b: Candidate
    outcome: str
    rater: str
    created: str

    @property
    def chosen(self) -> Candidate | None:
        return {"a": self.a, "b": self.b}.get(self.outcome)

    @property
    def rejected(self) -> Candidate | None:
        return {"a": self.b, "b": self.a}.get(self.outcome)

    def record(self) -> dict[str, Any] | None:
        """The TRL conversational preference record, or None for a tie or both bad."""
        chosen, rejected = self.chosen, self.rejected
        if chosen is None or rejected is None:
            return None
        gen_c, gen_r = chosen.generation, rejected.generation
        return {
            "prompt": [dict(m) for m in self.prompt],
            "chosen": [{"role": "assistant", "content": chosen.content}],
            "rejected": [{"role": "assistant", "content": rejected.content}],
            "metadata": {
                "pair_id": self.id,
                "conversation_id": self.conversation_id,
                "turn_id": self.turn_id,
                "chosen_candidate_id": chosen.id,
                "rejected_candidate_id": rejected.id,
                "model": gen_c.model if gen_c else None,
                "adapter": gen_c.adapter if gen_c else None,
                "prompt_version": gen_c.prompt_version if gen_c else None,
                "rejected_model": gen_r.model if gen_r else None,
                "rejected_adapter": gen_r.adapter if gen_r else None,
                "rejected_prompt_version": gen_r.prompt_version if gen_r else None,
                "rater": self.rater,
                "created": self.created,
                "shown_first": "chosen" if self.outcome == "a" else "rejected",
            },
        }


@dataclass(frozen=True)
class PrefsStats:
    """Counts for `kigi prefs stats`; `first_shown_won` against `pairs` shows position bias."""

    pairs: int
    ties: int
    both_bad: int
    first_shown_won: int
    turns_ready: int  # user turns with two or more candidates
    turns_judged: int
    candidates: int
    ratings: int
    good: int
    bad: int
    mean_score: float | None


@dataclass(frozen=True)
class EvalRun:
    """The parameters and summary of one `kigi eval` run."""

    id: str
    name: str
    params: dict[str, Any]
    summary: dict[str, Any]
    created: str


# ----------------------------------------------------------------------------- the log


class ConversationLog:
    """The SQLite log. Use as a context manager; every error it raises is a `LogError`.

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
                try:
                    # Checked before WAL mode is switched on, which would rewrite the file
                    # header; migrate() checks again, inside its transaction.
                    migrations.refuse_foreign(conn)
                    conn.execute("PRAGMA journal_mode = WAL").fetchone()
                    if migrations.pending(conn):
                        migrations.migrate(conn)
                except LogError as e:
                    raise LogError(f"{self.path} is not a kigi log: {e}") from None
        except sqlite3.Error as e:
            conn.close()
            raise self._error(e) from None
        except BaseException:
            conn.close()
            raise
        self._conn = conn

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

    def __enter__(self) -> ConversationLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def applied_migrations(self) -> list[str]:
        """Names of the schema migrations this log has, oldest first."""
        with self._read() as conn:
            return migrations.applied(conn)

    # -- conversations and messages

    def start_conversation(self, model: str | None = None, system: str | None = None, title: str | None = None) -> str:
        """Create an empty conversation; return its id."""
        now = utc_now()
        cid = _new_id()
        with self._write() as conn:
            conn.execute(
                "INSERT INTO conversations (id, created, updated, title, model, system) VALUES (?, ?, ?, ?, ?, ?)",
                (cid, now, now, _opt_text(title, "title"), _opt_text(model, "model"), _opt_text(system, "system")),
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
        content = _text(content, "content")
        if generation is not None and role != "assistant":
            raise ValueError("generation: only an assistant message has one")
        now = utc_now()
        mid = _new_id()
        with self._write() as conn:
            self._require_conversation(conn, conversation_id)
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
            gid = self._insert_generation(conn, mid, generation) if generation else None
            if role == "assistant" and last is not None and last["role"] == "user":
                self._insert_candidate(conn, last["id"], content, mid, gid, now)
        return Message(mid, conversation_id, position, role, content, now, generation)

    def log_generation(self, message_id: str, record: Generation) -> str:
        """Attach how an assistant message was generated; return the generation id."""
        with self._write() as conn:
            row = conn.execute("SELECT role FROM messages WHERE id = ?", (message_id,)).fetchone()
            if row is None:
                raise LogError(f"no message {message_id!r} in the log")
            if row["role"] != "assistant":
                raise LogError(f"message {message_id!r} is a {row['role']} message, not an answer")
            gid = self._insert_generation(conn, message_id, record)
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
            return self._resolve(conn, id_or_prefix)

    def conversation(self, conversation_id: str) -> Conversation:
        """A conversation and its messages in order; the id may be a unique prefix."""
        with self._read() as conn:
            cid = self._resolve(conn, conversation_id)
            row = conn.execute("SELECT * FROM conversations WHERE id = ?", (cid,)).fetchone()
            rows = conn.execute(
                f"SELECT m.*, {_GEN_COLUMNS} FROM messages m"
                " LEFT JOIN generations g ON g.id = (SELECT id FROM generations"
                "   WHERE message_id = m.id ORDER BY created DESC, rowid DESC LIMIT 1)"
                " WHERE m.conversation_id = ? ORDER BY m.position",
                (cid,),
            ).fetchall()
        messages = tuple(_message(r) for r in rows)
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
            pattern = f"%{_like_escape(query)}%"
            sql += (
                " WHERE c.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m"
                " WHERE m.conversation_id = c.id AND m.content LIKE ? ESCAPE '\\')"
            )
            args += [pattern, pattern]
        sql += " ORDER BY c.updated DESC, c.rowid DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self._read() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [
            ConversationSummary(r["id"], r["created"], r["updated"], r["title"], r["model"], r["message_count"])
            for r in rows
        ]

    # -- candidates and ratings

    def add_candidate(self, turn_id: str, content: str, *, generation: Generation | None = None) -> Candidate:
        """Add another answer to a user turn (`/retry`); it gets the next index."""
        content = _text(content, "content")
        now = utc_now()
        with self._write() as conn:
            self._require_turn(conn, turn_id)
            gid = self._insert_generation(conn, None, generation) if generation else None
            cand_id, index = self._insert_candidate(conn, turn_id, content, None, gid, now)
        return Candidate(cand_id, turn_id, index, content, now, None, gid, generation)

    def candidates(self, turn_id: str) -> list[Candidate]:
        """The candidates of a user turn in index order (empty if it has none)."""
        with self._read() as conn:
            self._require_turn(conn, turn_id)
            return self._candidates(conn, turn_id)

    def rate(
        self,
        answer_id: str,
        *,
        score: int | None = None,
        label: Label | None = None,
        rater: str = "user",
    ) -> Rating:
        """Record a 1-5 score and/or good/bad for an answer (a candidate or assistant message id)."""
        if score is not None and (isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5):
            raise ValueError(f"score: must be an integer from 1 to 5, got {score!r}")
        if label is not None and label not in ("good", "bad"):
            raise ValueError(f"label: must be 'good' or 'bad', got {label!r}")
        if score is None and label is None:
            raise ValueError("score, label: give at least one")
        rater = _text(rater, "rater")
        now = utc_now()
        rid = _new_id()
        with self._write() as conn:
            cand_id = self._resolve_answer(conn, answer_id)
            conn.execute(
                "INSERT INTO ratings (id, candidate_id, score, label, rater, created) VALUES (?, ?, ?, ?, ?, ?)",
                (rid, cand_id, score, label, rater, now),
            )
        return Rating(rid, cand_id, score, label, rater, now)

    def ratings(self, answer_id: str) -> list[Rating]:
        """The ratings of an answer (a candidate or assistant message id), oldest first."""
        with self._read() as conn:
            cand_id = self._resolve_answer(conn, answer_id)
            rows = conn.execute(
                "SELECT * FROM ratings WHERE candidate_id = ? ORDER BY created, rowid", (cand_id,)
            ).fetchall()
        return [Rating(r["id"], r["candidate_id"], r["score"], r["label"], r["rater"], r["created"]) for r in rows]

    # -- preferences

    def turns_with_candidates(
        self, min_candidates: int = 2, *, unjudged_only: bool = False, limit: int | None = None
    ) -> list[Turn]:
        """User turns with at least `min_candidates` answers, newest first (for `kigi rate`)."""
        if min_candidates < 1:
            raise ValueError(f"min_candidates: must be >= 1, got {min_candidates}")
        sql = (
            "SELECT c.turn_id, count(*) AS n,"
            " (SELECT count(*) FROM preferences p WHERE p.turn_id = c.turn_id) AS judged"
            " FROM candidates c JOIN messages m ON m.id = c.turn_id"
            " GROUP BY c.turn_id HAVING n >= ?"
        )
        if unjudged_only:
            sql += " AND judged = 0"
        sql += " ORDER BY max(m.created) DESC, max(m.rowid) DESC"
        args: list[Any] = [min_candidates]
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self._read() as conn:
            turns = []
            for row in conn.execute(sql, args).fetchall():
                message = _message(
                    conn.execute(
                        f"SELECT m.*, {_NO_GEN_COLUMNS} FROM messages m WHERE m.id = ?",
                        (row["turn_id"],),
                    ).fetchone()
                )
                turns.append(
                    Turn(
                        message.conversation_id,
                        message,
                        tuple(self._prompt(conn, row["turn_id"])),
                        tuple(self._candidates(conn, row["turn_id"])),
                        row["judged"],
                    )
                )
        return turns

    def record_preference(self, a_id: str, b_id: str, outcome: Outcome, *, rater: str = "user") -> PreferencePair:
        """Record a comparison of two candidates of one turn; `a_id` is the one shown first.

        `outcome` is "a" or "b" (the preferred one), "tie" or "both_bad". The prompt is
        stored as the rater saw it, so later edits to the conversation do not change it.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome: must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
        if a_id == b_id:
            raise ValueError("a_id, b_id: a candidate cannot be compared with itself")
        rater = _text(rater, "rater")
        now = utc_now()
        pid = _new_id()
        with self._write() as conn:
            a = self._candidate(conn, a_id)
            b = self._candidate(conn, b_id)
            if a.turn_id != b.turn_id:
                raise LogError(f"candidates {a_id!r} and {b_id!r} answer different turns")
            prompt = self._prompt(conn, a.turn_id)
            conn.execute(
                "INSERT INTO preferences (id, turn_id, prompt, a_id, b_id, outcome, rater, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (pid, a.turn_id, _dumps(prompt, "prompt"), a.id, b.id, outcome, rater, now),
            )
            cid = self._conversation_of(conn, a.turn_id)
        return PreferencePair(pid, a.turn_id, cid, tuple(prompt), a, b, outcome, rater, now)

    def preference_pairs(self, *, decided_only: bool = False) -> list[PreferencePair]:
        """Recorded comparisons, oldest first; `decided_only` drops ties and both-bad."""
        sql = "SELECT * FROM preferences"
        if decided_only:
            sql += " WHERE outcome IN ('a', 'b')"
        sql += " ORDER BY created, rowid"
        with self._read() as conn:
            pairs = []
            for r in conn.execute(sql).fetchall():
                pairs.append(
                    PreferencePair(
                        r["id"],
                        r["turn_id"],
                        self._conversation_of(conn, r["turn_id"]),
                        tuple(json.loads(r["prompt"])),
                        self._candidate(conn, r["a_id"]),
                        self._candidate(conn, r["b_id"]),
                        r["outcome"],
                        r["rater"],
                        r["created"],
                    )
                )
        return pairs

    def preference_records(self) -> list[dict[str, Any]]:
        """The decided pairs as TRL conversational preference records (see `export_preferences`)."""
        records = (p.record() for p in self.preference_pairs(decided_only=True))
        return [r for r in records if r is not None]

    def export_preferences(self, fp: TextIO) -> int:
        """Write decided pairs as JSONL, one `{prompt, chosen, rejected, metadata}` per line.

        prompt is the conversation up to and including the user turn; chosen and rejected
        are one-item lists holding the assistant answer. Ties and both-bad are left out:
        they say nothing about which answer is better. `fp` is a text file opened with
        encoding="utf-8". Returns the number of records written.
        """
        records = self.preference_records()
        for record in records:
            fp.write(_jsonl_line(record))
        return len(records)

    def prefs_stats(self) -> PrefsStats:
        """How much preference data the log holds."""
        with self._read() as conn:
            p = conn.execute(
                "SELECT count(*) FILTER (WHERE outcome IN ('a', 'b')) AS pairs,"
                " count(*) FILTER (WHERE outcome = 'tie') AS ties,"
                " count(*) FILTER (WHERE outcome = 'both_bad') AS both_bad,"
                " count(*) FILTER (WHERE outcome = 'a') AS first_won,"
                " count(DISTINCT turn_id) AS judged FROM preferences"
            ).fetchone()
            c = conn.execute(
                "SELECT count(*) AS n, (SELECT count(*) FROM (SELECT 1 FROM candidates"
                " GROUP BY turn_id HAVING count(*) >= 2)) AS ready FROM candidates"
            ).fetchone()
            r = conn.execute(
                "SELECT count(*) AS n, count(*) FILTER (WHERE label = 'good') AS good,"
                " count(*) FILTER (WHERE label = 'bad') AS bad, avg(score) AS mean FROM ratings"
            ).fetchone()
        return PrefsStats(
            pairs=p["pairs"],
            ties=p["ties"],
            both_bad=p["both_bad"],
            first_shown_won=p["first_won"],
            turns_ready=c["ready"],
            turns_judged=p["judged"],
            candidates=c["n"],
            ratings=r["n"],
            good=r["good"],
            bad=r["bad"],
            mean_score=r["mean"],
        )

    # -- eval runs

    def record_eval_run(self, name: str, params: Mapping[str, Any], summary: Mapping[str, Any]) -> str:
        """Keep the parameters and summary of one `kigi eval` run; return its id."""
        name = _text(name, "name")
        eid = _new_id()
        row = (eid, name, _dumps(dict(params), "params"), _dumps(dict(summary), "summary"), utc_now())
        with self._write() as conn:
            conn.execute(
                "INSERT INTO eval_runs (id, name, params, summary, created) VALUES (?, ?, ?, ?, ?)",
                row,
            )
        return eid

    def eval_runs(self, name: str | None = None, limit: int | None = None) -> list[EvalRun]:
        """Eval runs, newest first, optionally only those called `name`."""
        sql, args = "SELECT * FROM eval_runs", []
        if name is not None:
            sql += " WHERE name = ?"
            args.append(name)
        sql += " ORDER BY created DESC, rowid DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self._read() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [
            EvalRun(r["id"], r["name"], json.loads(r["params"]), json.loads(r["summary"]), r["created"]) for r in rows
        ]

    # -- transactions and errors

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
        code = (getattr(e, "sqlite_errorcode", None) or 0) & 0xFF
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

    # -- helpers that run inside a transaction

    def _require_conversation(self, conn: sqlite3.Connection, conversation_id: str) -> None:
        row = conn.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        if row is None:
            raise LogError(f"no conversation {conversation_id!r} in the log")

    def _resolve(self, conn: sqlite3.Connection, id_or_prefix: str) -> str:
        if conn.execute("SELECT 1 FROM conversations WHERE id = ?", (id_or_prefix,)).fetchone():
            return id_or_prefix
        if len(id_or_prefix) >= 4:
            rows = conn.execute(
                "SELECT id FROM conversations WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
                (_like_escape(id_or_prefix) + "%",),
            ).fetchall()
            if len(rows) == 1:
                return rows[0]["id"]
            if len(rows) > 1:
                raise LogError(f"conversation id {id_or_prefix!r} is ambiguous; give more of it")
        raise LogError(f"no conversation {id_or_prefix!r} in the log")

    def _require_turn(self, conn: sqlite3.Connection, turn_id: str) -> None:
        row = conn.execute("SELECT role FROM messages WHERE id = ?", (turn_id,)).fetchone()
        if row is None:
            raise LogError(f"no message {turn_id!r} in the log")
        if row["role"] != "user":
            raise LogError(f"message {turn_id!r} is a {row['role']} message, not a user turn")

    def _conversation_of(self, conn: sqlite3.Connection, message_id: str) -> str:
        row = conn.execute("SELECT conversation_id FROM messages WHERE id = ?", (message_id,)).fetchone()
        return row["conversation_id"]

    def _resolve_answer(self, conn: sqlite3.Connection, answer_id: str) -> str:
        row = conn.execute(
            "SELECT id FROM candidates WHERE id = ? OR message_id = ? ORDER BY idx LIMIT 1",
            (answer_id, answer_id),
        ).fetchone()
        if row is None:
            raise LogError(f"no answer {answer_id!r} in the log")
        return row["id"]

    def _insert_generation(self, conn: sqlite3.Connection, message_id: str | None, g: Generation) -> str:
        gid = _new_id()
        conn.execute(
            "INSERT INTO generations (id, message_id, model, adapter, prompt_version, params,"
            " seed, chunk_ids, tot_tree, tokens_in, tokens_out, latency_s, ttft_s, interrupted,"
            " created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                gid,
                message_id,
                g.model,
                g.adapter,
                g.prompt_version,
                _dumps(dict(g.params), "params"),
                g.seed,
                _dumps(list(g.chunk_ids), "chunk_ids"),
                None if g.tot_tree is None else _dumps(g.tot_tree, "tot_tree"),
                g.tokens_in,
                g.tokens_out,
                g.latency_s,
                g.ttft_s,
                int(g.interrupted),
                utc_now(),
            ),
        )
        return gid

    def _insert_candidate(
        self,
        conn: sqlite3.Connection,
        turn_id: str,
        content: str,
        message_id: str | None,
        generation_id: str | None,
        now: str,
    ) -> tuple[str, int]:
        index = conn.execute(
            "SELECT coalesce(max(idx) + 1, 0) FROM candidates WHERE turn_id = ?", (turn_id,)
        ).fetchone()[0]
        cand_id = _new_id()
        conn.execute(
            "INSERT INTO candidates (id, turn_id, idx, content, message_id, generation_id, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (cand_id, turn_id, index, content, message_id, generation_id, now),
        )
        return cand_id, index

    def _candidates(self, conn: sqlite3.Connection, turn_id: str) -> list[Candidate]:
        rows = conn.execute(
            f"SELECT c.*, {_GEN_COLUMNS} FROM candidates c"
            " LEFT JOIN generations g ON g.id = c.generation_id WHERE c.turn_id = ? ORDER BY c.idx",
            (turn_id,),
        ).fetchall()
        return [_candidate(r) for r in rows]

    def _candidate(self, conn: sqlite3.Connection, candidate_id: str) -> Candidate:
        row = conn.execute(
            f"SELECT c.*, {_GEN_COLUMNS} FROM candidates c"
            " LEFT JOIN generations g ON g.id = c.generation_id WHERE c.id = ?",
            (candidate_id,),
        ).fetchone()
        if row is None:
            raise LogError(f"no candidate {candidate_id!r} in the log")
        return _candidate(row)

    def _prompt(self, conn: sqlite3.Connection, turn_id: str) -> list[dict[str, str]]:
        """The chat context of a user turn: system prompt, earlier messages, the turn itself."""
        turn = conn.execute("SELECT conversation_id, position FROM messages WHERE id = ?", (turn_id,)).fetchone()
        system = conn.execute("SELECT system FROM conversations WHERE id = ?", (turn["conversation_id"],)).fetchone()[
            "system"
        ]
        rows = conn.execute(
            "SELECT role, content FROM messages WHERE conversation_id = ? AND position <= ? ORDER BY position",
            (turn["conversation_id"], turn["position"]),
        ).fetchall()
        head = [{"role": "system", "content": system}] if system else []
        return head + [{"role": r["role"], "content": r["content"]} for r in rows]


# ----------------------------------------------------------------------------- helpers

_GEN_FIELDS = (
    "id",
    "model",
    "adapter",
    "prompt_version",
    "params",
    "seed",
    "chunk_ids",
    "tot_tree",
    "tokens_in",
    "tokens_out",
    "latency_s",
    "ttft_s",
    "interrupted",
)
_GEN_COLUMNS = ", ".join(f"g.{f} AS g_{f}" for f in _GEN_FIELDS)
_NO_GEN_COLUMNS = ", ".join(f"NULL AS g_{f}" for f in _GEN_FIELDS)


def _generation(row: sqlite3.Row) -> Generation | None:
    if row["g_id"] is None:
        return None
    return Generation(
        model=row["g_model"],
        adapter=row["g_adapter"],
        prompt_version=row["g_prompt_version"],
        params=json.loads(row["g_params"]),
        seed=row["g_seed"],
        chunk_ids=json.loads(row["g_chunk_ids"]),
        tot_tree=None if row["g_tot_tree"] is None else json.loads(row["g_tot_tree"]),
        tokens_in=row["g_tokens_in"],
        tokens_out=row["g_tokens_out"],
        latency_s=row["g_latency_s"],
        ttft_s=row["g_ttft_s"],
        interrupted=bool(row["g_interrupted"]),
    )


def _message(row: sqlite3.Row) -> Message:
    return Message(
        row["id"],
        row["conversation_id"],
        row["position"],
        row["role"],
        row["content"],
        row["created"],
        _generation(row),
    )


def _candidate(row: sqlite3.Row) -> Candidate:
    return Candidate(
        row["id"],
        row["turn_id"],
        row["idx"],
        row["content"],
        row["created"],
        row["message_id"],
        row["generation_id"],
        _generation(row),
    )


def _new_id() -> str:
    """32 random hex characters: a short prefix of one is enough to name it, as with git."""
    return uuid.uuid4().hex


def _text(value: object, name: str) -> str:
    """Check text is a str SQLite can store as UTF-8 (lone surrogates from bad input cannot)
    and holds no NUL, which C tools and exports downstream would cut the text at."""
    if not isinstance(value, str):
        raise ValueError(f"{name}: must be a string, got {type(value).__name__}")
    nul = value.find("\0")
    if nul >= 0:
        raise ValueError(f"{name}: contains a NUL character (at index {nul}); the log does not store it")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(
            f"{name}: not valid Unicode text (undecodable input?); decode it with errors='replace'"
        ) from None
    return value


def _opt_text(value: object, name: str) -> str | None:
    return None if value is None else _text(value, name)


def _title(content: str) -> str | None:
    """The first non-blank line of the first question, cut short; None if it is blank."""
    line = next((ln.strip() for ln in content.splitlines() if ln.strip()), None)
    if line is None:
        return None
    return line if len(line) <= _TITLE_CHARS else line[: _TITLE_CHARS - 1] + "…"


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _json_default(value: object) -> Any:
    # numpy and torch scalars/arrays turn up in sampling params and ToT scores.
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


# Breaks that JSON leaves raw in a string but that str.splitlines() and some editors
# take for line ends; escaped, a JSONL record is one line whoever counts the lines.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _jsonl_line(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False).translate(_LINE_BREAKS) + "\n"


def _dumps(value: Any, name: str) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{name}: {e}") from None
