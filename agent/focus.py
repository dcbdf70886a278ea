"""Show the reader the sentences of a source nearest the question, not the whole chunk.

The reader adapter was trained on short sources (about 700 characters of source text per
prompt); retrieval hands it up to four 800-character chunks of dense prose, and a 135M
model asked to find one fact in 3,000 characters mostly says the sources do not say it
(issue 13: 43 of 110 retrieved, answerable held-out questions). Focusing keeps, from each
source longer than `min_chars`, the `per_source` passages that share the most words with
the question (BM25 over the prompt's passages, Porter-stemmed by SQLite FTS5, as the
memory's own word index), in document order, with "…" where passages were left out. A
source that shares no word with the question keeps its opening passages, so the reader
still sees what it is about and can say the sources do not answer.

A passage is a sentence of prose, one list item, or a whole Markdown table (a row means
nothing without its header). The chunk stays whole everywhere else: in the citations shown
to the user, in the log and in the groundedness check.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass

from memory.store.lexical import match_query

GAP = "…"
_BLOCK_BREAK = re.compile(r"\n\s*\n")
_HEADING = re.compile(r"^\s*(?:#{1,6}\s|\*\*[^*]+\*\*\s*$)")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[*]?[A-Z0-9])")
_ITEM = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s")


@dataclass(frozen=True)
class FocusConfig:
    per_source: int = 3  # passages kept from each long source
    min_chars: int = 400  # a source this short is shown whole
    max_passage: int = 240  # a paragraph longer than this is cut into sentences or list items

    def __post_init__(self) -> None:
        for name in ("per_source", "max_passage"):
            if getattr(self, name) <= 0:
                raise ValueError(f"FocusConfig.{name} must be positive, got {getattr(self, name)}")
        if self.min_chars < 0:
            raise ValueError(f"FocusConfig.min_chars must not be negative, got {self.min_chars}")


def parse_focus(value: str) -> FocusConfig | None:
    """A command-line `--focus`: a number of passages per source, or "off"."""
    if value.strip().lower() in ("off", "none", "0"):
        return None
    try:
        count = int(value)
    except ValueError:
        raise ValueError(f"--focus must be a number of passages or 'off', got {value!r}") from None
    return FocusConfig(per_source=count)


@dataclass(frozen=True)
class Passage:
    text: str
    heading: str  # the heading it sits under ("" for none): shown with it, and matched with it


def passages(text: str, max_passage: int = 240) -> list[Passage]:
    """`text` cut into paragraphs; a long paragraph into its sentences or list items; a
    Markdown table stays whole (a row means nothing without its header)."""
    out: list[Passage] = []
    heading = ""
    for block in _BLOCK_BREAK.split(text.strip()):
        block = block.strip()
        if not block:
            continue
        if _HEADING.match(block) and "\n" not in block:
            heading = block
        elif len(block) <= max_passage or block.startswith("|"):
            out.append(Passage(block, heading))
        else:
            out += [Passage(piece, heading) for piece in _pieces(block)]
    return out


def _pieces(block: str) -> list[str]:
    """A long paragraph's list items (each with its wrapped lines) or prose sentences."""
    lines = block.splitlines()
    if sum(bool(_ITEM.match(line)) for line in lines) > 1:
        items: list[str] = []
        for line in lines:
            if _ITEM.match(line) or not items:
                items.append(line.strip())
            else:
                items[-1] += " " + line.strip()
        return items
    return [s.strip() for s in _SENTENCE_END.split(" ".join(line.strip() for line in lines)) if s.strip()]


def ranked(question: str, pieces: Sequence[Passage]) -> list[int]:
    """Indices of the passages sharing words with `question` (their heading's too), best first (BM25)."""
    query = match_query(question)
    if not query or not pieces:
        return []
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.execute("CREATE VIRTUAL TABLE p USING fts5(text, tokenize='porter unicode61 remove_diacritics 2')")
        conn.executemany("INSERT INTO p (rowid, text) VALUES (?, ?)",
                         ((i, f"{p.heading}\n{p.text}") for i, p in enumerate(pieces)))
        rows = conn.execute("SELECT rowid FROM p WHERE p MATCH ? ORDER BY bm25(p), rowid", (query,)).fetchall()
    return [int(r[0]) for r in rows]


def focus(question: str, text: str, config: FocusConfig | None = None) -> str:
    """The passages of `text` a reader needs for `question` (see the module docstring)."""
    config = config or FocusConfig()
    if len(text) <= config.min_chars:
        return text
    pieces = passages(text, config.max_passage)
    if len(pieces) <= config.per_source:
        return text
    return render(pieces, sorted(ranked(question, pieces)[:config.per_source] or range(config.per_source)))


def render(pieces: Sequence[Passage], kept: Sequence[int]) -> str:
    """The passages at `kept` (ascending indices) in document order, each under its heading,
    with "…" where passages were left out."""
    shown: list[str] = []
    previous, heading = -1, ""
    for index in kept:
        if index > previous + 1:
            shown.append(GAP)
        if pieces[index].heading and pieces[index].heading != heading:
            heading = pieces[index].heading
            shown.append(heading)
        shown.append(pieces[index].text)
        previous = index
    if previous < len(pieces) - 1:
        shown.append(GAP)
    return "\n".join(shown)
