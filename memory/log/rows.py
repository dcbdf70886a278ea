"""Between records and SQL rows, for every record family: ids, checked text, JSON columns,
a generation joined beside its message or candidate, and the two inserts that a turn and a
retry share (a generation, a candidate)."""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from typing import Any

from memory.clock import utc_now
from memory.log.records import Candidate, Generation, Message

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
    "withheld",
)
# Select these beside a message or candidate (joined as `g`) and read them with `message_from`/`candidate_from`.
GEN_COLUMNS = ", ".join(f"g.{f} AS g_{f}" for f in _GEN_FIELDS)
NO_GEN_COLUMNS = ", ".join(f"NULL AS g_{f}" for f in _GEN_FIELDS)


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
        withheld=row["g_withheld"],
    )


def message_from(row: sqlite3.Row) -> Message:
    return Message(
        row["id"],
        row["conversation_id"],
        row["position"],
        row["role"],
        row["content"],
        row["created"],
        _generation(row),
    )


def candidate_from(row: sqlite3.Row) -> Candidate:
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


def insert_generation(conn: sqlite3.Connection, message_id: str | None, g: Generation) -> str:
    gid = new_id()
    conn.execute(
        "INSERT INTO generations (id, message_id, model, adapter, prompt_version, params,"
        " seed, chunk_ids, tot_tree, tokens_in, tokens_out, latency_s, ttft_s, interrupted,"
        " withheld, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            gid,
            message_id,
            g.model,
            g.adapter,
            g.prompt_version,
            dumps(dict(g.params), "params"),
            g.seed,
            dumps(list(g.chunk_ids), "chunk_ids"),
            None if g.tot_tree is None else dumps(g.tot_tree, "tot_tree"),
            g.tokens_in,
            g.tokens_out,
            g.latency_s,
            g.ttft_s,
            int(g.interrupted),
            g.withheld,
            utc_now(),
        ),
    )
    return gid


def insert_candidate(
    conn: sqlite3.Connection,
    turn_id: str,
    content: str,
    message_id: str | None,
    generation_id: str | None,
    now: str,
) -> tuple[str, int]:
    """Add an answer to a user turn at the next index; return its id and index."""
    index = conn.execute(
        "SELECT coalesce(max(idx) + 1, 0) FROM candidates WHERE turn_id = ?", (turn_id,)
    ).fetchone()[0]
    cand_id = new_id()
    conn.execute(
        "INSERT INTO candidates (id, turn_id, idx, content, message_id, generation_id, created)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (cand_id, turn_id, index, content, message_id, generation_id, now),
    )
    return cand_id, index


def ordered(sql: str, args: list[Any], order: str, limit: int | None) -> tuple[str, list[Any]]:
    """A listing query ordered by `order` and cut to `limit` rows (None: all of them)."""
    sql += f" ORDER BY {order}"
    if limit is not None:
        sql += " LIMIT ?"
        args = [*args, limit]
    return sql, args


def new_id() -> str:
    """32 random hex characters: a short prefix of one is enough to name it, as with git."""
    return uuid.uuid4().hex


def check_text(value: object, name: str) -> str:
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


def check_opt_text(value: object, name: str) -> str | None:
    return None if value is None else check_text(value, name)


def like_escape(text: str) -> str:
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


def dumps(value: Any, name: str) -> str:
    """JSON text for a column; what cannot be stored is a ValueError naming the field."""
    try:
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{name}: {e}") from None
