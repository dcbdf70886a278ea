"""Prompt versions: the texts behind each named prompt's content hash, kept the first time
a version is used, so `kigi prompts show` and `diff` work on versions the code no longer has."""

from __future__ import annotations

import json
from collections.abc import Mapping

from memory.clock import utc_now
from memory.log.database import LogDatabase
from memory.log.records import PromptVersion
from memory.log.rows import check_text, dumps


class PromptVersions(LogDatabase):
    def record_prompt_version(self, name: str, version: str, texts: Mapping[str, str]) -> bool:
        """Keep `texts` as `name`@`version` unless that version is known; True when it was new."""
        row = (check_text(name, "name"), check_text(version, "version"), dumps(dict(texts), "texts"), utc_now())
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO prompt_versions (name, version, texts, first_seen) VALUES (?, ?, ?, ?)", row)
        return cursor.rowcount == 1

    def prompt_versions(self, name: str | None = None) -> list[PromptVersion]:
        """Recorded versions, oldest first (of `name` only, when given)."""
        sql, args = "SELECT * FROM prompt_versions", []
        if name is not None:
            sql += " WHERE name = ?"
            args.append(name)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY first_seen, rowid", args).fetchall()
        return [PromptVersion(r["name"], r["version"], json.loads(r["texts"]), r["first_seen"]) for r in rows]

    def generations_with(self, version: str) -> int:
        """How many logged answers were written with a prompt of this version (alone or
        joined with others, as "chat+grounded" versions are)."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM generations WHERE prompt_version = ? OR prompt_version LIKE ? "
                "OR prompt_version LIKE ? OR prompt_version LIKE ?",
                (version, f"{version}+%", f"%+{version}", f"%+{version}+%")).fetchone()
        return int(row[0])
