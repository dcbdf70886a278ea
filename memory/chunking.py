"""Split documents into retrieval chunks along their structure, streaming.

Two stages, both bounded in memory whatever the input's size:
1. `segments` turns lines into pieces of at most `max_chars - overlap` characters:
   paragraphs (blank-line separated), and a *hard* break before each Markdown heading
   (outside code fences), reStructuredText title, or top-level `def`/`class` (and their
   decorators) of code. A paragraph or line longer than the bound is cut at line, then
   word boundaries.
2. `chunks` packs consecutive pieces up to `max_chars`. A hard break always starts a new
   chunk (a section or function is not glued to the previous one); a chunk closed only
   because it is full hands its last `overlap` characters to the next, so a sentence cut
   at the seam is still whole in one of them.

What is promised (fuzzed in tests/test_fuzz.py): a chunk has at most `max_chars`
characters and some non-whitespace; with whitespace set aside (it is not kept exactly),
the chunks are contiguous pieces of the document in order, from its start to its end,
each one starting inside the previous one's last `overlap` characters or right after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Kind = Literal["markdown", "rst", "python", "code", "text"]

MARKDOWN = {".md", ".markdown", ".mdx"}
RST = {".rst", ".rest"}
PYTHON = {".py", ".pyi", ".pyw"}
CODE = {
    ".c", ".h", ".cc", ".cpp", ".hpp", ".cxx", ".cs", ".go", ".rs", ".java", ".kt", ".kts", ".scala",
    ".swift", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".rb", ".php", ".pl", ".lua", ".r", ".jl",
    ".sh", ".bash", ".zsh", ".fish", ".ps1", ".sql", ".m", ".mm", ".dart", ".ex", ".exs", ".erl",
    ".hs", ".ml", ".clj", ".vue", ".svelte", ".zig", ".nim",
}

_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_RST_ADORNMENT = re.compile(r"^([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")
_PY_TOP = re.compile(r"^(?:async\s+def|def|class)\s")
_CODE_TOP = re.compile(
    r"^(?:export\s+)?(?:default\s+)?(?:async\s+)?"
    r"(?:function\*?|class|def|fn|func|impl|struct|enum|trait|interface|type|module|macro_rules!"
    r"|pub(?:\([^)]*\))?\s+(?:async\s+)?(?:fn|struct|enum|trait|mod|impl|const|static|type)"
    r"|(?:public|private|protected|internal|static|final|abstract|sealed)\s)"
)


def kind_of(path: str | Path) -> Kind:
    suffix = Path(path).suffix.lower()
    if suffix in MARKDOWN:
        return "markdown"
    if suffix in RST:
        return "rst"
    if suffix in PYTHON:
        return "python"
    if suffix in CODE:
        return "code"
    return "text"


@dataclass(frozen=True)
class Segment:
    text: str
    line: int  # 1-based line where it starts
    hard: bool  # starts a new section: never share a chunk with what came before
    section: str  # the heading, title or definition it belongs to ("" before the first)


@dataclass(frozen=True)
class Chunk:
    text: str
    position: int  # 0, 1, 2... within its source
    line: int  # 1-based line where its own (non-overlap) text starts
    section: str


def split_long(text: str, limit: int) -> Iterator[str]:
    """Pieces of at most `limit` characters, cut after whitespace where there is some."""
    while len(text) > limit:
        cut = max(text.rfind(" ", 0, limit), text.rfind("\n", 0, limit), text.rfind("\t", 0, limit)) + 1
        if cut <= limit // 2:  # no usable whitespace (a minified line, a long token)
            cut = limit
        yield text[:cut]
        text = text[cut:]
    if text:
        yield text


def _rst_title(lines: list[str]) -> str | None:
    rows = [line.rstrip("\n") for line in lines if line.strip()]
    if len(rows) >= 2 and _RST_ADORNMENT.match(rows[1]) and not _RST_ADORNMENT.match(rows[0]):
        return rows[0].strip()
    if len(rows) >= 3 and _RST_ADORNMENT.match(rows[0]) and _RST_ADORNMENT.match(rows[2]):
        return rows[1].strip()
    return None


def segments(lines: Iterable[str], kind: Kind, limit: int) -> Iterator[Segment]:
    """Structural pieces of at most `limit` characters each (see the module docstring)."""
    if limit <= 0:
        raise ValueError(f"limit must be positive, got {limit}")
    buf: list[str] = []
    size = 0
    start = 1
    hard = False
    section = ""
    in_fence = False
    after_decorator = False

    def flush() -> Iterator[Segment]:
        nonlocal buf, size, hard, section
        if buf and any(line.strip() for line in buf):
            is_hard = hard
            if kind == "rst" and (title := _rst_title(buf)) is not None:
                section, is_hard = title, True
            yield Segment("".join(buf), start, is_hard, section)
            hard = False
        buf, size = [], 0

    lineno = 0
    for line in lines:
        lineno += 1
        stripped = line.strip()
        boundary, title = False, ""
        if kind == "markdown":
            if _MD_FENCE.match(line):
                in_fence = not in_fence
            elif not in_fence and (m := _MD_HEADING.match(line.rstrip("\n"))):
                boundary, title = True, m.group(2)
        elif kind in ("python", "code") and stripped and not line[0].isspace():
            top = _PY_TOP if kind == "python" else _CODE_TOP
            is_decorator = kind == "python" and line.startswith("@")
            if (is_decorator or top.match(line)) and not after_decorator:
                boundary, title = True, stripped[:120]
            elif after_decorator and top.match(line):
                section = stripped[:120]  # name a decorated definition by its def, not its decorator
            after_decorator = is_decorator or (after_decorator and not top.match(line))
        if boundary:
            yield from flush()
            hard, section, start = True, title, lineno
        if not stripped:
            if buf:
                if size + len(line) <= limit:  # the blank line closing a paragraph, if it fits
                    buf.append(line)
                    size += len(line)
                yield from flush()
            start = lineno + 1
            continue
        if len(line) > limit:
            yield from flush()
            for piece in split_long(line, limit):
                if piece.strip():  # a run of blanks cut off a long line holds nothing to find
                    yield Segment(piece, lineno, hard, section)
                    hard = False
            start = lineno + 1
            continue
        if size + len(line) > limit:
            yield from flush()
            start = lineno
        if not buf:
            start = lineno
        buf.append(line)
        size += len(line)
    yield from flush()


def _tail(text: str, overlap: int) -> str:
    """The last `overlap` characters of `text`, starting at a word boundary if one is near."""
    if overlap <= 0:
        return ""
    tail = text[-overlap:]
    if len(text) > overlap and not text[-overlap - 1].isspace():
        space = min((i for i in (tail.find(" "), tail.find("\n")) if i >= 0), default=-1)
        if 0 <= space < overlap // 2:
            tail = tail[space + 1:]
    return tail


def chunks(lines: Iterable[str], kind: Kind, max_chars: int = 800, overlap: int = 120) -> Iterator[Chunk]:
    """Chunks of at most `max_chars` characters (overlap included), in document order."""
    if max_chars <= 0:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    if not 0 <= overlap <= max_chars // 2:
        raise ValueError(f"overlap must be between 0 and max_chars/2 ({max_chars // 2}), got {overlap}")
    parts: list[str] = []
    size = 0
    fresh = False  # parts holds text that no chunk has yet
    line, section = 1, ""
    position = 0
    for seg in segments(lines, kind, max_chars - overlap):
        if fresh and (seg.hard or size + len(seg.text) > max_chars):
            text = "".join(parts)
            if text.strip():
                yield Chunk(text.strip("\n"), position, line, section)
                position += 1
            carry = "" if seg.hard else _tail(text, overlap)
            parts, size, fresh = ([carry], len(carry), False) if carry else ([], 0, False)
        if seg.hard and not fresh:  # a new section starts clean, without the previous one's tail
            parts, size = [], 0
        if not fresh:
            line, section = seg.line, seg.section
        parts.append(seg.text)
        size += len(seg.text)
        fresh = True
    if fresh:
        text = "".join(parts)
        if text.strip():
            yield Chunk(text.strip("\n"), position, line, section)


def chunk_text(text: str, kind: Kind = "text", max_chars: int = 800, overlap: int = 120) -> list[Chunk]:
    return list(chunks(text.splitlines(keepends=True), kind, max_chars, overlap))
