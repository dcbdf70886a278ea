"""Chat templates and prompt texts, each versioned by a hash of its content.

The version goes into the log with every generation, so a change of wording is visible
when answers are compared later.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


class SpecialTokenizer(Protocol):
    def encode(self, text: str) -> list[int]: ...
    def special_id(self, token: str) -> int: ...


def content_version(*texts: str) -> str:
    """A short, stable id for a set of prompt texts."""
    return hashlib.sha256("\x1e".join(texts).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class ChatTemplate:
    """ChatML: `<|im_start|>role\\ncontent<|im_end|>\\n`, as SmolLM2 was trained on."""

    default_system: str | None = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
    start: str = "<|im_start|>"
    end: str = "<|im_end|>"
    name: str = "chatml"

    @property
    def version(self) -> str:
        return content_version(self.name, self.default_system or "", self.start, self.end, CONTEXT_PROMPT)

    def with_system(self, messages: Sequence[Message]) -> list[Message]:
        if messages and messages[0].role == "system" or self.default_system is None:
            return list(messages)
        return [Message("system", self.default_system), *messages]

    def render_ids(self, tokenizer: SpecialTokenizer, messages: Sequence[Message],
                   add_generation_prompt: bool = True) -> list[int]:
        """Token ids of the conversation; user text can never become a control token."""
        start, end = tokenizer.special_id(self.start), tokenizer.special_id(self.end)
        newline = tokenizer.encode("\n")
        ids: list[int] = []
        for message in self.with_system(messages):
            ids += [start, *tokenizer.encode(f"{message.role}\n{message.content}"), end, *newline]
        if add_generation_prompt:
            ids += [start, *tokenizer.encode("assistant\n")]
        return ids

    def render_text(self, messages: Sequence[Message], add_generation_prompt: bool = True) -> str:
        text = "".join(f"{self.start}{m.role}\n{m.content}{self.end}\n" for m in self.with_system(messages))
        return text + (f"{self.start}assistant\n" if add_generation_prompt else "")

    def stop_tokens(self, tokenizer: SpecialTokenizer) -> tuple[int, ...]:
        ids = [tokenizer.special_id(self.end)]
        try:
            ids.append(tokenizer.special_id("<|endoftext|>"))
        except KeyError:
            pass
        return tuple(ids)


CONTEXT_PROMPT = "{context}\n\n{question}"


def user_turn(question: str, context: str | None = None) -> str:
    """The user message for a question, with piped-in text placed before it."""
    if not context:
        return question
    return CONTEXT_PROMPT.format(context=context.strip(), question=question.strip())
