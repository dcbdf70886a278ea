"""A conversation: messages, system prompt, template version, generation and its record.

`Session.reply` streams an answer as text pieces; when the stream ends (finished,
stopped, or interrupted by Ctrl-C) `session.last` holds what happened, so the caller can
log it. The session never prints: rendering is the face's job.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from agent.prompts import ChatTemplate, Message, user_turn
from llm.engine import Engine
from llm.errors import ContextOverflowError
from llm.generate import SamplingConfig


@dataclass
class TurnResult:
    """What one answer cost and how it ended."""

    text: str
    finish_reason: str  # stop | length | interrupted
    prompt_tokens: int
    completion_tokens: int
    ttft_s: float | None
    seconds: float
    sampling: SamplingConfig
    prompt_version: str

    @property
    def tokens_per_s(self) -> float:
        decode = self.seconds - (self.ttft_s or 0.0)
        return (self.completion_tokens - 1) / decode if self.completion_tokens > 1 and decode > 0 else 0.0


@dataclass
class Session:
    engine: Engine
    template: ChatTemplate = field(default_factory=ChatTemplate)
    system: str | None = None
    messages: list[Message] = field(default_factory=list)
    last: TurnResult | None = None

    def conversation(self) -> list[Message]:
        head = [Message("system", self.system)] if self.system else []
        return head + self.messages

    def prompt_ids(self, messages: list[Message], max_new_tokens: int) -> list[int]:
        """The rendered prompt; refused with a clear message when it cannot fit."""
        ids = self.template.render_ids(self.engine.tokenizer, messages)
        window = self.engine.context_window
        if len(ids) >= window:
            raise ContextOverflowError(
                f"the prompt is {len(ids)} tokens but the context window holds {window}; "
                "shorten the input or start a new conversation")
        return ids

    def reply(self, question: str, context: str | None = None,
              sampling: SamplingConfig | None = None) -> Iterator[str]:
        """Stream the answer to `question`; the turn is added to the conversation at the end."""
        sampling = sampling or SamplingConfig()
        stops = tuple(dict.fromkeys(sampling.stop_token_ids + self.template.stop_tokens(self.engine.tokenizer)))
        sampling = SamplingConfig(**{**sampling.__dict__, "stop_token_ids": stops})
        user = Message("user", user_turn(question, context))
        prompt = self.prompt_ids([*self.conversation(), user], sampling.max_new_tokens)
        return self._run(user, prompt, sampling)

    def _run(self, user: Message, prompt: list[int], sampling: SamplingConfig) -> Iterator[str]:
        start = time.perf_counter()
        ttft: float | None = None
        stream = self.engine.stream(prompt, sampling)
        try:
            for piece in stream:
                if ttft is None:
                    ttft = time.perf_counter() - start
                yield piece
        finally:
            done = stream.completion
            self.messages += [user, Message("assistant", done.text)]
            self.last = TurnResult(done.text, done.finish_reason, len(prompt), len(done.token_ids), ttft,
                                   time.perf_counter() - start, sampling, self.template.version)
