"""Candidates, ratings and preference pairs: the data that trains a reward model and DPO.

Preference data flows: an answer is candidate 0 of its user turn, `/retry` adds more
candidates, `/compare` and `kigi rate` record which of two was preferred (and which was
shown first), and `export_preferences` writes them in the conversational format TRL reads.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, TextIO

from memory.clock import utc_now
from memory.errors import LogError
from memory.log.database import LogDatabase
from memory.log.records import OUTCOMES, Candidate, Generation, Label, Outcome, PreferencePair, PrefsStats, Rating, Turn
from memory.log.rows import (
    GEN_COLUMNS,
    NO_GEN_COLUMNS,
    candidate_from,
    check_text,
    dumps,
    insert_candidate,
    insert_generation,
    message_from,
    new_id,
    ordered,
)


class Preferences(LogDatabase):
    """More answers to a turn, ratings of one answer, comparisons of two, and their export."""

    def add_candidate(self, turn_id: str, content: str, *, generation: Generation | None = None) -> Candidate:
        """Add another answer to a user turn (`/retry`); it gets the next index."""
        content = check_text(content, "content")
        now = utc_now()
        with self._write() as conn:
            _require_turn(conn, turn_id)
            gid = insert_generation(conn, None, generation) if generation else None
            cand_id, index = insert_candidate(conn, turn_id, content, None, gid, now)
        return Candidate(cand_id, turn_id, index, content, now, None, gid, generation)

    def candidates(self, turn_id: str) -> list[Candidate]:
        """The candidates of a user turn in index order (empty if it has none)."""
        with self._read() as conn:
            _require_turn(conn, turn_id)
            return _candidates_of(conn, turn_id)

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
        rater = check_text(rater, "rater")
        now = utc_now()
        rid = new_id()
        with self._write() as conn:
            cand_id = _resolve_answer(conn, answer_id)
            conn.execute(
                "INSERT INTO ratings (id, candidate_id, score, label, rater, created) VALUES (?, ?, ?, ?, ?, ?)",
                (rid, cand_id, score, label, rater, now),
            )
        return Rating(rid, cand_id, score, label, rater, now)

    def ratings(self, answer_id: str) -> list[Rating]:
        """The ratings of an answer (a candidate or assistant message id), oldest first."""
        with self._read() as conn:
            cand_id = _resolve_answer(conn, answer_id)
            rows = conn.execute(
                "SELECT * FROM ratings WHERE candidate_id = ? ORDER BY created, rowid", (cand_id,)
            ).fetchall()
        return [Rating(r["id"], r["candidate_id"], r["score"], r["label"], r["rater"], r["created"]) for r in rows]

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
        sql, args = ordered(sql, [min_candidates], "max(m.created) DESC, max(m.rowid) DESC", limit)
        with self._read() as conn:
            turns = []
            for row in conn.execute(sql, args).fetchall():
                message = message_from(
                    conn.execute(
                        f"SELECT m.*, {NO_GEN_COLUMNS} FROM messages m WHERE m.id = ?",
                        (row["turn_id"],),
                    ).fetchone()
                )
                turns.append(
                    Turn(
                        message.conversation_id,
                        message,
                        tuple(_prompt(conn, row["turn_id"])),
                        tuple(_candidates_of(conn, row["turn_id"])),
                        row["judged"],
                    )
                )
        return turns

    def record_preference(self, a_id: str, b_id: str, outcome: Outcome, *, rater: str = "user",
                          reason: str | None = None) -> PreferencePair:
        """Record a comparison of two candidates of one turn; `a_id` is the one shown first.

        `outcome` is "a" or "b" (the preferred one), "tie" or "both_bad"; `reason`, why. The
        prompt is stored as the rater saw it, so later edits to the conversation do not change it.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome: must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
        if a_id == b_id:
            raise ValueError("a_id, b_id: a candidate cannot be compared with itself")
        rater = check_text(rater, "rater")
        reason = None if reason is None else check_text(reason, "reason")
        now = utc_now()
        pid = new_id()
        with self._write() as conn:
            a = _candidate_by_id(conn, a_id)
            b = _candidate_by_id(conn, b_id)
            if a.turn_id != b.turn_id:
                raise LogError(f"candidates {a_id!r} and {b_id!r} answer different turns")
            prompt = _prompt(conn, a.turn_id)
            conn.execute(
                "INSERT INTO preferences (id, turn_id, prompt, a_id, b_id, outcome, rater, created, reason)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (pid, a.turn_id, dumps(prompt, "prompt"), a.id, b.id, outcome, rater, now, reason),
            )
            cid = _conversation_of(conn, a.turn_id)
        return PreferencePair(pid, a.turn_id, cid, tuple(prompt), a, b, outcome, rater, now, reason)

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
                        _conversation_of(conn, r["turn_id"]),
                        tuple(json.loads(r["prompt"])),
                        _candidate_by_id(conn, r["a_id"]),
                        _candidate_by_id(conn, r["b_id"]),
                        r["outcome"],
                        r["rater"],
                        r["created"],
                        r["reason"],
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



def _require_turn(conn: sqlite3.Connection, turn_id: str) -> None:
    row = conn.execute("SELECT role FROM messages WHERE id = ?", (turn_id,)).fetchone()
    if row is None:
        raise LogError(f"no message {turn_id!r} in the log")
    if row["role"] != "user":
        raise LogError(f"message {turn_id!r} is a {row['role']} message, not a user turn")


def _conversation_of(conn: sqlite3.Connection, message_id: str) -> str:
    row = conn.execute("SELECT conversation_id FROM messages WHERE id = ?", (message_id,)).fetchone()
    return row["conversation_id"]


def _resolve_answer(conn: sqlite3.Connection, answer_id: str) -> str:
    row = conn.execute(
        "SELECT id FROM candidates WHERE id = ? OR message_id = ? ORDER BY idx LIMIT 1",
        (answer_id, answer_id),
    ).fetchone()
    if row is None:
        raise LogError(f"no answer {answer_id!r} in the log")
    return row["id"]


def _candidates_of(conn: sqlite3.Connection, turn_id: str) -> list[Candidate]:
    rows = conn.execute(
        f"SELECT c.*, {GEN_COLUMNS} FROM candidates c"
        " LEFT JOIN generations g ON g.id = c.generation_id WHERE c.turn_id = ? ORDER BY c.idx",
        (turn_id,),
    ).fetchall()
    return [candidate_from(r) for r in rows]


def _candidate_by_id(conn: sqlite3.Connection, candidate_id: str) -> Candidate:
    row = conn.execute(
        f"SELECT c.*, {GEN_COLUMNS} FROM candidates c"
        " LEFT JOIN generations g ON g.id = c.generation_id WHERE c.id = ?",
        (candidate_id,),
    ).fetchone()
    if row is None:
        raise LogError(f"no candidate {candidate_id!r} in the log")
    return candidate_from(row)


def _prompt(conn: sqlite3.Connection, turn_id: str) -> list[dict[str, str]]:
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


# Breaks that JSON leaves raw in a string but that str.splitlines() and some editors
# take for line ends; escaped, a JSONL record is one line whoever counts the lines.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _jsonl_line(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False).translate(_LINE_BREAKS) + "\n"
