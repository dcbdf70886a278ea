"""What a one-shot question is made of: the argument, piped-in context, or both."""

from __future__ import annotations

from dataclasses import dataclass

from agent.errors import AgentError, EmptyInputError


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


def make_query(question: str | None, piped: str | None) -> Query:
    """An argument plus piped text is a question with context; either alone is the question."""
    question = (question or "").strip()
    piped = (piped or "").strip()
    if question and piped:
        return Query(question, piped)
    if question or piped:
        return Query(question or piped)
    raise EmptyInputError("no question given: pass one as an argument or pipe text on stdin")
