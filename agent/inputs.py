"""What a one-shot question is made of: the argument, piped-in context, or both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from agent.errors import AgentError, EmptyInputError, InputTooLargeError

# Piped input is capped at this many bytes per token of the context window: real text runs
# 3-5 bytes a token, so input past the cap cannot fit, and refusing it before decoding or
# tokenising keeps memory bounded whatever is piped in (64 MB of stdin used to peak at 4 GB).
BYTES_PER_TOKEN = 8
READ_BLOCK = 1 << 16


@dataclass(frozen=True)
class Query:
    question: str
    context: str | None = None


def decode_stdin(data: bytes, source: str = "stdin") -> str:
    """Text of piped input; binary or non-UTF-8 input is refused, not guessed at."""
    if b"\x00" in data:
        raise AgentError(f"{source} looks binary (it contains NUL bytes); pipe text instead")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AgentError(f"{source} is not UTF-8 text (invalid byte at offset {exc.start})") from None


def input_byte_limit(context_window: int) -> int:
    """The most bytes of piped input worth reading for a model with this context window."""
    return BYTES_PER_TOKEN * context_window


def read_capped(stream: BinaryIO, limit: int, source: str = "stdin") -> bytes:
    """At most `limit` bytes of `stream`, read in blocks; more than that is refused after
    reading one byte past the limit, never the whole stream."""
    blocks: list[bytes] = []
    size = 0
    while size <= limit:
        block = stream.read(min(READ_BLOCK, limit + 1 - size))
        if not block:
            return b"".join(blocks)
        blocks.append(block)
        size += len(block)
    raise InputTooLargeError(
        f"{source} is larger than {limit:,} bytes ({BYTES_PER_TOKEN} bytes a token of the model's "
        f"{limit // BYTES_PER_TOKEN:,}-token context window); pipe a shorter excerpt, or add it to "
        f"the memory with `kigi memory add -` and ask about it")


def make_query(question: str | None, piped: str | None) -> Query:
    """An argument plus piped text is a question with context; either alone is the question."""
    question = (question or "").strip()
    piped = (piped or "").strip()
    if question and piped:
        return Query(question, piped)
    if question or piped:
        return Query(question or piped)
    raise EmptyInputError("no question given: pass one as an argument or pipe text on stdin")
