"""`RemoteEngine`: a model served elsewhere behind OpenAI's chat-completions API.

vLLM, llama.cpp's server, Ollama and `kigi serve` all speak it. The remote engine is
another engine beside `Engine`: it takes the chat messages the agent built (the server
renders them with its own template) and streams text back. It knows nothing of prompts or
logs, and it needs no torch: the standard library's HTTP client is all it uses, so a
`kigi ask` answered by a resident `kigi serve` starts in a fraction of a second.
What needs our own weights (adapters other than the server's, training, logprob scoring)
is not here, and callers say so.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from llm.errors import ContextOverflowError, LLMError
from llm.sampling import Completion, SamplingConfig

Messages = Sequence[Mapping[str, str]]


class RemoteError(LLMError):
    """The server could not be reached, or refused a request (its message is kept)."""


@dataclass(frozen=True)
class RemoteConfig:
    """Where the model is served. `url` is the API's base (it ends in /v1); `model` is the
    server's name for it; `context_window` is what the server holds (for fitting prompts)."""

    url: str
    model: str
    api_key: str | None = None
    context_window: int = 8192
    timeout_s: float = 600.0
    headers: tuple[tuple[str, str], ...] = ()  # sent with every request
    kigi_fields: bool = False  # the server is `kigi serve`: kigi's own sampling fields (loop_stop) go too

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"a remote model's URL starts with http:// or https://, got {self.url!r}")


def request_body(messages: Messages, sampling: SamplingConfig, model: str, n: int, stream: bool,
                 kigi_fields: bool = False) -> dict[str, Any]:
    """A chat-completions body for `sampling`. top_k and repetition_penalty go only when they
    are set: vLLM and `kigi serve` read them, other servers may refuse unknown fields;
    loop_stop only to `kigi serve` (`kigi_fields`)."""
    body: dict[str, Any] = {"model": model, "messages": [dict(m) for m in messages], "n": n, "stream": stream,
                            "temperature": sampling.temperature, "top_p": sampling.top_p,
                            "max_tokens": sampling.max_new_tokens}
    if sampling.seed is not None:
        body["seed"] = sampling.seed
    if sampling.stop_strings:
        body["stop"] = list(sampling.stop_strings)
    if sampling.top_k:
        body["top_k"] = sampling.top_k
    if sampling.repetition_penalty != 1.0:
        body["repetition_penalty"] = sampling.repetition_penalty
    if kigi_fields and sampling.loop_stop:
        body["loop_stop"] = sampling.loop_stop
    if stream:
        body["stream_options"] = {"include_usage": True}
    return body


class RemoteStream:
    """One answer streamed from the server as text pieces; `.completion` tells how it ended.
    A consumer that stops early (Ctrl-C, a closed pipe) closes the connection, and the
    completion stays marked "interrupted" with the text received so far."""

    def __init__(self, engine: RemoteEngine, body: dict[str, Any]) -> None:
        self.engine, self.body = engine, body
        self.text, self.finish_reason = "", "interrupted"
        self.prompt_tokens = self.completion_tokens = 0

    def __iter__(self) -> Iterator[str]:
        try:
            yield from self._pieces()
        except (OSError, http.client.HTTPException, ValueError) as exc:  # the connection broke mid-answer
            raise RemoteError(f"{self.engine.name}: the answer stopped arriving ({exc})") from None

    def _pieces(self) -> Iterator[str]:
        pieces = 0
        with self.engine.post("/chat/completions", self.body) as response:
            for raw in response:
                line = raw.decode("utf-8", errors="replace").strip()
                if not line.startswith("data:"):
                    continue
                data = line[len("data:"):].strip()
                if data == "[DONE]":
                    break
                event = json.loads(data)
                if event.get("usage"):
                    self.prompt_tokens = int(event["usage"].get("prompt_tokens", 0))
                    self.completion_tokens = int(event["usage"].get("completion_tokens", 0))
                for choice in event.get("choices") or ():
                    piece = (choice.get("delta") or {}).get("content") or ""
                    if piece:
                        pieces += 1
                        self.text += piece
                        yield piece
                    if choice.get("finish_reason"):
                        self.finish_reason = choice["finish_reason"]
        if self.finish_reason == "interrupted":  # the stream ended without saying why
            self.finish_reason = "stop"
        self.completion_tokens = self.completion_tokens or pieces

    @property
    def completion(self) -> Completion:
        return Completion([], self.text, self.finish_reason)


class RemoteEngine:
    """Chat completions from an OpenAI-compatible server; `stream_chat` and `complete_chat`
    mirror `Engine.stream` and `Engine.complete` with messages in place of token ids."""

    remote: ClassVar[bool] = True

    def __init__(self, config: RemoteConfig, name: str | None = None) -> None:
        self.config = config
        self.name = name or config.model

    @property
    def context_window(self) -> int:
        return self.config.context_window

    def stream_chat(self, messages: Messages, sampling: SamplingConfig, model: str | None = None) -> RemoteStream:
        """The answer streamed; `model` picks another of the server's models (an adapter
        that `kigi serve` or vLLM serves under its own name)."""
        return RemoteStream(self, request_body(messages, sampling, model or self.config.model, 1, True,
                                               self.config.kigi_fields))

    def complete_chat(self, messages: Messages, sampling: SamplingConfig, n: int = 1,
                      model: str | None = None) -> list[Completion]:
        """`n` answers of one request (the server decodes them together where it can)."""
        reply = self.chat(messages, sampling, n, model)
        choices = sorted(reply.get("choices") or (), key=lambda c: c.get("index", 0))
        return [Completion([], (c.get("message") or {}).get("content") or "", c.get("finish_reason") or "stop")
                for c in choices]

    def chat(self, messages: Messages, sampling: SamplingConfig, n: int = 1, model: str | None = None,
             **extra: Any) -> dict[str, Any]:
        """The server's whole reply to one chat-completions request (`extra`: more fields,
        such as logprobs=True, top_logprobs=20)."""
        body = request_body(messages, sampling, model or self.config.model, n, False, self.config.kigi_fields) | extra
        with self.post("/chat/completions", body) as response:
            try:
                return json.load(response)
            except ValueError as exc:
                raise RemoteError(f"{self.name}: the reply is not JSON ({exc})") from None

    def models(self, timeout_s: float = 5.0) -> list[dict[str, Any]]:
        """The server's models (`GET /models`)."""
        with self._open(urllib.request.Request(self._url("/models"), headers=self._headers()), timeout_s) as response:
            return list(json.load(response).get("data") or ())

    # -- HTTP ----------------------------------------------------------------------------
    def post(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(self._url(path), data=json.dumps(body).encode(), method="POST",
                                         headers={**self._headers(), "Content-Type": "application/json"})
        return self._open(request, self.config.timeout_s)

    def _url(self, path: str) -> str:
        return self.config.url.rstrip("/") + path

    def _headers(self) -> dict[str, str]:
        auth = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        return {**dict(self.config.headers), **auth}

    def _open(self, request: urllib.request.Request, timeout_s: float) -> Any:
        try:
            return urllib.request.urlopen(request, timeout=timeout_s)  # noqa: S310 (the URL is the user's)
        except urllib.error.HTTPError as exc:
            message = _error_message(exc)
            if "context" in message.lower() and ("length" in message.lower() or "window" in message.lower()):
                raise ContextOverflowError(f"{self.name}: {message}") from None
            raise RemoteError(f"{self.name} at {self.config.url} answered {exc.code}: {message}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RemoteError(f"cannot reach {self.name} at {self.config.url}: {reason}") from None


def _error_message(exc: urllib.error.HTTPError) -> str:
    """The server's own words: OpenAI's {"error": {"message": ...}} body, or its text."""
    try:
        raw = exc.read().decode("utf-8", errors="replace")
    except OSError:
        return str(exc.reason)
    try:
        error = json.loads(raw).get("error")
        return str(error.get("message") if isinstance(error, dict) else error or raw).strip()
    except (ValueError, AttributeError):
        return raw.strip()[:300] or str(exc.reason)
