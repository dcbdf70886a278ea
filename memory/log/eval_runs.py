"""Eval runs: the parameters and summary of each `kigi eval`, kept beside the answers they judge."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from memory.clock import utc_now
from memory.log.database import LogDatabase
from memory.log.records import EvalRun
from memory.log.rows import check_text, dumps, new_id, ordered


class EvalRuns(LogDatabase):
    """Record an eval run; list them by name, newest first."""

    def record_eval_run(self, name: str, params: Mapping[str, Any], summary: Mapping[str, Any]) -> str:
        """Keep the parameters and summary of one `kigi eval` run; return its id."""
        name = check_text(name, "name")
        eid = new_id()
        row = (eid, name, dumps(dict(params), "params"), dumps(dict(summary), "summary"), utc_now())
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
        sql, args = ordered(sql, args, "created DESC, rowid DESC", limit)
        with self._read() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [
            EvalRun(r["id"], r["name"], json.loads(r["params"]), json.loads(r["summary"]), r["created"]) for r in rows
        ]

    def eval_run(self, id_or_prefix: str) -> EvalRun:
        """The run whose id is or starts with `id_or_prefix` (refused when none or several do)."""
        prefix = check_text(id_or_prefix, "run id").strip()
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM eval_runs WHERE substr(id, 1, ?) = ? ORDER BY created LIMIT 2",
                                (len(prefix), prefix)).fetchall() if prefix else []
        if len(rows) != 1:
            raise ValueError(f"eval run {id_or_prefix!r}: {'several runs match' if rows else 'no such run'}"
                             " (see `kigi stats --json` for run ids)")
        r = rows[0]
        return EvalRun(r["id"], r["name"], json.loads(r["params"]), json.loads(r["summary"]), r["created"])

