"""Finding and checking what to add, before anything touches Chroma: the files under some
paths (hidden entries and build folders left out), each file's kind by its name, and a
scan that hashes a file and refuses what is not non-empty UTF-8 text."""

from __future__ import annotations

import codecs
import hashlib
import io
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import IO

from memory.chunking import Kind, kind_of
from memory.store.records import FileOutcome

BLOCK = 1 << 20  # bytes read at a time when scanning
LINE_LIMIT = 1 << 16  # characters: a longer line arrives in pieces, so memory stays bounded
SKIP_DIRS = {"__pycache__", "node_modules", "venv", "site-packages", "dist", "build"}

Opener = Callable[[], AbstractContextManager[IO[bytes]]]  # opens the source's bytes, again on each call
Item = tuple[str, Kind, Opener]  # (source, kind, opener): one text on its way into the memory


class Skip(Exception):
    """A file that cannot be added, with the reason shown to the user."""


def file_items(paths: Iterable[str | Path]) -> tuple[list[Item], list[FileOutcome]]:
    """The files under `paths` as items (absolute path, kind by name, opener) and the paths
    that cannot be read at all."""
    files, problems = walk(paths)
    return [(str(f.resolve()), kind_of(f), partial(open, f, "rb")) for f in files], problems


def scan(opener: Opener) -> tuple[str, int]:
    """(sha256, size) of a readable, non-empty UTF-8 text, read in blocks; else `Skip`."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    size, has_text = 0, False
    try:
        with opener() as fh:
            while block := fh.read(BLOCK):
                if b"\0" in block:
                    raise Skip("binary file (NUL bytes)")
                try:
                    text = decoder.decode(block)
                except UnicodeDecodeError as exc:
                    raise Skip(f"not UTF-8 text (bad byte at offset {size + exc.start})") from None
                has_text = has_text or bool(text.strip())
                digest.update(block)
                size += len(block)
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise Skip("not UTF-8 text (ends inside a character)") from None
    except OSError as exc:
        raise Skip(f"unreadable ({exc.strerror or exc})") from None
    if size == 0:
        raise Skip("empty file")
    if not has_text:
        raise Skip("empty file (only whitespace)")
    return digest.hexdigest(), size


def lines(fh: IO[bytes]) -> Iterator[str]:
    """The text of a binary file, line by line (BOM dropped, newlines universal)."""
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline=None)
    try:
        while line := text.readline(LINE_LIMIT):
            yield line
    finally:
        text.detach()  # the caller owns (and closes) the binary file


def walk(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileOutcome]]:
    """Files under `paths` (folders recursively, hidden entries and build folders left out)
    and the paths that cannot be read at all."""
    files: list[Path] = []
    problems: list[FileOutcome] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            for root, dirs, names in os.walk(path, onerror=lambda e, out=problems: out.append(
                    FileOutcome(str(e.filename), "skipped", reason=f"unreadable ({e.strerror})"))):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
                for name in sorted(names):
                    if not name.startswith("."):
                        files.append(Path(root) / name) if (Path(root) / name).is_file() else problems.append(
                            _not_a_file(Path(root) / name))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(_not_a_file(path))
    return files, problems


def _not_a_file(path: Path) -> FileOutcome:
    if path.is_symlink() and not path.exists():
        reason = "unreadable (broken symbolic link)"
    elif path.exists():
        reason = "not a regular file"
    else:
        reason = "no such file or directory"
    return FileOutcome(str(path), "skipped", reason=reason)
