"""Completions: the ids that generation yields, turned into text that is safe to show.

`TextStream` holds back an unfinished UTF-8 character and anything that may be the start
of a stop string. It takes the tokenizer's `decode_bytes`, so neither this module nor
generation needs to know the tokenizer.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator, Sequence

from llm.generate import DecodeStep, generate_ids, generate_ragged_ids, seeded_row
from llm.logits import TokenFilter
from llm.loops import LoopWatch
from llm.model import Transformer
from llm.sampling import Completion, SamplingConfig


def whole_characters(data: bytes) -> str:
    """`data` as text without an unfinished UTF-8 character at its end: one split across
    tokens waits for its last byte, one cut by the token limit is dropped. Invalid bytes
    before the end still become U+FFFD. NUL bytes go: a model can sample the 0x00 byte
    token (a tiny one does), but it is not text, and the log refuses it."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    text = decoder.decode(data.replace(b"\x00", b""), final=False)
    held = decoder.getstate()[0]
    try:
        held.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.end < len(held):  # CPython also holds ED A0..BF (a surrogate), which no byte completes
            text += held.decode("utf-8", errors="replace")
    return text


class TextStream:
    """Turns new token ids into text pieces that are safe to show: whole UTF-8 characters
    only, and nothing past (or possibly the start of) a stop string. With `loop_stop` it
    ends an answer that loops (`llm.loops`), keeping what was shown."""

    def __init__(self, decode_bytes: Callable[[list[int]], bytes], stop_strings: Sequence[str] = (),
                 stop_token_ids: Sequence[int] = (), loop_stop: int = 0) -> None:
        self.decode_bytes = decode_bytes
        self.stop_strings = tuple(s for s in stop_strings if s)
        self.stop_token_ids = set(stop_token_ids)
        self.loops = LoopWatch(loop_stop) if loop_stop else None
        self.ids: list[int] = []
        self.text = ""
        self.emitted = 0
        self.done = False
        self.finish_reason = "length"

    def push(self, token_id: int) -> str:
        """Add one token; return the newly safe text (maybe empty)."""
        if self.done:
            return ""
        if token_id in self.stop_token_ids:
            return self._stop(self.text)
        self.ids.append(token_id)
        self.text = whole_characters(self.decode_bytes(self.ids))
        for stop in self.stop_strings:
            cut = self.text.find(stop, max(0, self.emitted - len(stop)))
            if cut != -1:
                return self._stop(self.text[:cut])
        if self.loops is not None and self.loops.looping(self.ids):
            return self._stop(self.text, "loop")
        safe = len(self.text)
        for stop in self.stop_strings:
            for k in range(min(len(stop) - 1, safe), 0, -1):
                if self.text.endswith(stop[:k]):
                    safe = min(safe, len(self.text) - k)
                    break
        return self._emit(max(safe, self.emitted))

    def finish(self) -> str:
        """End of generation without a stop: show whatever was held back, except a character
        cut off by the token limit (its first bytes alone would print and log as U+FFFD)."""
        if not self.done:
            self.text = whole_characters(self.decode_bytes(self.ids))
            self.done = True
        return self._emit(len(self.text))

    @classmethod
    def of(cls, decode_bytes: Callable[[list[int]], bytes], config: SamplingConfig) -> TextStream:
        """The stream that `config`'s stops and loop watch end."""
        return cls(decode_bytes, config.stop_strings, config.stop_token_ids, config.loop_stop)

    def _stop(self, text: str, reason: str = "stop") -> str:
        self.text, self.done, self.finish_reason = text, True, reason
        return self._emit(len(text))

    def _emit(self, upto: int) -> str:
        piece = self.text[self.emitted:upto]
        self.emitted = max(self.emitted, upto)
        return piece


class StreamingCompletion:
    """One completion streamed as text pieces; `.completion` tells how it ended.

    If the consumer stops early (Ctrl-C, a closed pipe) the completion stays marked
    "interrupted" with the tokens produced so far.
    """

    def __init__(self, model: Transformer, prompt_ids: Sequence[int], config: SamplingConfig,
                 decode_bytes: Callable[[list[int]], bytes], compiled: DecodeStep | None = None,
                 token_filter: TokenFilter | None = None) -> None:
        self.model, self.prompt_ids, self.config, self.compiled = model, prompt_ids, config, compiled
        self.token_filter = token_filter
        self.stream = TextStream.of(decode_bytes, config)
        self.finish_reason = "interrupted"

    def __iter__(self) -> Iterator[str]:
        for (token,) in generate_ids(self.model, self.prompt_ids, self.config, n=1, compiled=self.compiled,
                                     token_filter=self.token_filter):
            if token is None:
                break
            piece = self.stream.push(token)
            if piece:
                yield piece
            if self.stream.done:
                break
        tail = self.stream.finish()
        if tail:
            yield tail
        self.finish_reason = self.stream.finish_reason

    @property
    def completion(self) -> Completion:
        return Completion(list(self.stream.ids), self.stream.text, self.finish_reason)


def complete_batch(model: Transformer, prompt_ids: Sequence[int], config: SamplingConfig, n: int,
                   decode_bytes: Callable[[list[int]], bytes], compiled: DecodeStep | None = None,
                   token_filter: TokenFilter | None = None) -> list[Completion]:
    """n completions of one prompt, decoded as one batch sharing the prefill."""
    steps = generate_ids(model, prompt_ids, config, n=n, compiled=compiled, token_filter=token_filter)
    return _collect(steps, n, config, decode_bytes)


def complete_ragged(model: Transformer, prompts: Sequence[Sequence[int]], config: SamplingConfig,
                    decode_bytes: Callable[[list[int]], bytes], compiled: DecodeStep | None = None,
                    filters: Sequence[TokenFilter | None] | None = None) -> list[Completion]:
    """One completion of each prompt, decoded as one batch (see `generate_ragged_ids`);
    one prompt, or a model without rotary positions, goes through `complete_batch`.
    `filters[i]` constrains prompt i's decoding (see `llm.logits.TokenFilter`)."""
    if len(prompts) > 1 and model.config.positions == "rope":
        steps = generate_ragged_ids(model, prompts, config, filters=filters)
        return _collect(steps, len(prompts), config, decode_bytes)
    return [
        complete_batch(model, prompt_ids, seeded_row(config, row), 1, decode_bytes, compiled,
                       None if filters is None else filters[row])[0]
        for row, prompt_ids in enumerate(prompts)
    ]


def _collect(steps: Iterator[list[int | None]], n: int, config: SamplingConfig,
             decode_bytes: Callable[[list[int]], bytes]) -> list[Completion]:
    streams = [TextStream.of(decode_bytes, config) for _ in range(n)]
    for step in steps:
        for stream, token in zip(streams, step, strict=True):
            if token is not None:
                stream.push(token)
        if all(s.done for s in streams):
            break
    results = []
    for stream in streams:
        stream.finish()
        results.append(Completion(list(stream.ids), stream.text, stream.finish_reason))
    return results
