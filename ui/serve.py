"""`kigi serve`: the resident model behind an OpenAI-compatible HTTP API (issue 20).

Routes: `POST /v1/chat/completions` (streaming as server-sent events, or one JSON body;
temperature, top_p, top_k, repetition_penalty, max_tokens, stop, seed, n, the first token's
logprobs; an adapter asked for by name as the model), `GET /v1/models`, `POST /v1/embeddings`
(our all-MiniLM-L6-v2), `GET /health`. Requests from several clients are decoded together
(`llm.batcher`); a client that disconnects stops its answers. Every answer is logged as
`kigi ask` logs it, with the client's address in its parameters, unless `--no-log`.
Starlette serves it (a small, well-kept ASGI toolkit; uvicorn runs it): no framework
beyond routing and SSE is needed. It is a face, like the CLI: nothing imports it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from agent.prompts import ChatTemplate, Message
from llm.batcher import Batcher, Job
from llm.engine import Engine
from llm.sampling import SamplingConfig
from memory.log import ConversationLog, Generation

ROLES = ("system", "user", "assistant")
MAX_TOP_LOGPROBS = 20  # as OpenAI's API
CLIENT_LOGS = "X-Kigi-Client-Logs"  # sent by a kigi client that logs the exchange itself (with its sources)


class BadRequest(Exception):
    """A request the API refuses: 400 with an OpenAI-style error body."""


@dataclass
class ServeState:
    engine: Engine
    model_name: str
    batcher: Batcher
    template: ChatTemplate = field(default_factory=ChatTemplate)
    api_key: str | None = None
    log_path: Path | None = None  # the log, opened by the server's own thread when it starts
    log: ConversationLog | None = None
    embed: Any = None  # (texts) -> vectors, loaded on first use
    embed_loader: Any = None
    precision: str = "fp32"
    adapters: tuple[str, ...] = ()  # adapters attached to the model, each served as a model of its name

    def adapter_of(self, model: Any) -> str | None:
        """The adapter a request's `model` names (vLLM's way: a LoRA adapter is a model of
        its own name); the base model or no name: None."""
        if model in (None, "", self.model_name):
            return None
        if model in self.adapters:
            return str(model)
        served = ", ".join([self.model_name, *self.adapters])
        raise BadRequest(f"model: {model!r} is not served here (served: {served})")


def error(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind}}, status_code=status)


@dataclass(frozen=True)
class ChatRequest:
    messages: list[Message]
    sampling: SamplingConfig
    n: int = 1
    stream: bool = False
    adapter: str | None = None
    usage_in_stream: bool = False  # stream_options.include_usage: a last chunk with the token counts
    top_logprobs: int = 0  # logprobs=true: the first token's log-probability and this many alternatives


def parse_chat(body: Any, state: ServeState) -> ChatRequest:
    """What a chat-completions body asks for (top_k and repetition_penalty are read as vLLM
    reads them; an adapter is asked for by its name as the model)."""
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("messages: a non-empty list is required")
    parsed = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str):
            raise BadRequest(f"messages[{i}]: expected {{role: system|user|assistant, content: text}}")
        parsed.append(Message(m["role"], m["content"]))
    stop = body.get("stop") or ()
    stop = (stop,) if isinstance(stop, str) else tuple(stop)
    n = body.get("n", 1)
    if not isinstance(n, int) or not 1 <= n <= 8:
        raise BadRequest("n: an integer from 1 to 8")
    try:
        sampling = SamplingConfig(
            max_new_tokens=int(body.get("max_tokens") or body.get("max_completion_tokens") or 512),
            temperature=float(body.get("temperature", 1.0)), top_p=float(body.get("top_p", 1.0)),
            top_k=int(body.get("top_k") or 0), repetition_penalty=float(body.get("repetition_penalty") or 1.0),
            seed=body.get("seed"), stop_strings=tuple(str(s) for s in stop), loop_stop=int(body.get("loop_stop") or 0),
            stop_token_ids=state.template.stop_tokens(state.engine.tokenizer))
    except (TypeError, ValueError) as exc:
        raise BadRequest(str(exc)) from None
    options = body.get("stream_options")
    usage = isinstance(options, dict) and bool(options.get("include_usage"))
    top = body.get("top_logprobs") or 0
    if not isinstance(top, int) or not 0 <= top <= MAX_TOP_LOGPROBS:
        raise BadRequest(f"top_logprobs: an integer from 0 to {MAX_TOP_LOGPROBS}")
    top = max(top, 1) if body.get("logprobs") else 0
    return ChatRequest(parsed, sampling, n, bool(body.get("stream", False)), state.adapter_of(body.get("model")),
                       usage, top)


def create_app(state: ServeState) -> Starlette:
    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "model": state.model_name, "precision": state.precision,
                             "adapters": list(state.adapters), "context_window": state.engine.context_window})

    async def models(request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [
            {"id": state.model_name, "object": "model", "created": 0, "owned_by": "kigi"},
            *({"id": name, "object": "model", "created": 0, "owned_by": "kigi", "parent": state.model_name}
              for name in state.adapters)]})

    async def chat(request: Request) -> Response:
        if (refused := _auth(request, state)) is not None:
            return refused
        try:
            asked = parse_chat(await _json(request), state)
        except BadRequest as exc:
            return error(400, str(exc))
        messages, sampling, n = asked.messages, asked.sampling, asked.n
        ids = state.template.render_ids(state.engine.tokenizer, messages)
        window = state.engine.context_window
        if len(ids) + 1 > window:
            return error(400, f"the prompt is {len(ids)} tokens but the context window holds {window}",
                         "context_length_exceeded")
        sampling = dataclasses.replace(sampling, max_new_tokens=min(sampling.max_new_tokens, window - len(ids)))
        loop = asyncio.get_running_loop()
        pieces: asyncio.Queue[tuple[int, str, str | None]] = asyncio.Queue()
        job = Job(ids, sampling, lambda i, text, end: loop.call_soon_threadsafe(pieces.put_nowait, (i, text, end)), n,
                  asked.adapter, asked.top_logprobs)
        started = time.perf_counter()
        state.batcher.submit(job)
        answer_id, created = f"chatcmpl-{secrets.token_hex(12)}", int(time.time())
        client = request.client.host if request.client else "unknown"
        if request.headers.get(CLIENT_LOGS) == "1":
            client = None  # the kigi client logs this exchange, with what only it knows
        if asked.stream:
            return StreamingResponse(_sse(state, job, pieces, answer_id, created, asked, ids, client, started),
                                     media_type="text/event-stream")
        texts, reasons = [""] * n, [None] * n
        while any(r is None for r in reasons):
            index, text, end = await pieces.get()
            texts[index] += text
            if end is not None:
                reasons[index] = end
        await asyncio.to_thread(job.done.wait)
        if job.error is not None:
            return error(500, f"decoding failed: {job.error}", "server_error")
        _log(state, messages, job, ids, client, time.perf_counter() - started)
        return JSONResponse({
            "id": answer_id, "object": "chat.completion", "created": created, "model": state.model_name,
            "choices": [{"index": i, "message": {"role": "assistant", "content": texts[i]},
                         "finish_reason": reasons[i], "logprobs": _logprobs(state, job, i, asked.top_logprobs)}
                        for i in range(n)],
            "usage": _usage(job, ids), "system_fingerprint": f"kigi-seed-{job.sampling.seed}"})

    async def embeddings(request: Request) -> Response:
        if (refused := _auth(request, state)) is not None:
            return refused
        body = await _json(request)
        inputs = body.get("input") if isinstance(body, dict) else None
        inputs = [inputs] if isinstance(inputs, str) else inputs
        if not isinstance(inputs, list) or not inputs or not all(isinstance(t, str) for t in inputs):
            return error(400, "input: a string or a non-empty list of strings is required")
        if state.embed is None:
            state.embed = await asyncio.to_thread(state.embed_loader)
        vectors = await asyncio.to_thread(state.embed, inputs)
        return JSONResponse({"object": "list", "model": "all-minilm-l6-v2", "data": [
            {"object": "embedding", "index": i, "embedding": [float(x) for x in v]} for i, v in enumerate(vectors)],
            "usage": {"prompt_tokens": 0, "total_tokens": 0}})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # SQLite connections belong to the thread that opened them: the one serving requests
        state.log = ConversationLog(state.log_path) if state.log_path is not None else None
        try:
            yield
        finally:
            if state.log is not None:
                state.log.close()

    return Starlette(routes=[
        Route("/health", health), Route("/v1/models", models),
        Route("/v1/chat/completions", chat, methods=["POST"]), Route("/v1/embeddings", embeddings, methods=["POST"]),
    ], lifespan=lifespan)


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


def _auth(request: Request, state: ServeState) -> Response | None:
    if state.api_key is None:
        return None
    if request.headers.get("authorization", "") != f"Bearer {state.api_key}":
        return error(401, "a valid API key is required (Authorization: Bearer KEY)", "authentication_error")
    return None


async def _sse(state: ServeState, job: Job, pieces: asyncio.Queue, answer_id: str, created: int,
               asked: ChatRequest, ids: list[int], client: str | None, started: float) -> AsyncIterator[str]:
    def event(**fields: Any) -> str:
        body = {"id": answer_id, "object": "chat.completion.chunk", "created": created, "model": state.model_name,
                **fields}
        return f"data: {json.dumps(body)}\n\n"

    def chunk(index: int, delta: dict[str, Any], reason: str | None) -> str:
        return event(choices=[{"index": index, "delta": delta, "finish_reason": reason, "logprobs": None}])

    try:
        for index in range(job.n):
            yield chunk(index, {"role": "assistant", "content": ""}, None)
        open_rows = job.n
        while open_rows:
            index, text, end = await pieces.get()
            if text:
                yield chunk(index, {"content": text}, None)
            if end is not None:
                open_rows -= 1
                yield chunk(index, {}, end)
        await asyncio.to_thread(job.done.wait)
        if asked.usage_in_stream:
            yield event(choices=[], usage=_usage(job, ids))
        _log(state, asked.messages, job, ids, client, time.perf_counter() - started)  # logged before the client is done
        yield "data: [DONE]\n\n"
    finally:
        job.cancelled.set()  # the client left (or all is sent): its rows stop taking part


def _logprobs(state: ServeState, job: Job, index: int, top: int) -> dict[str, Any] | None:
    """OpenAI's logprobs object for the answer's first token (its log-probability and the
    `top` likeliest alternatives), the only token kigi serve reports them for: what a
    search valuing states by the reply's first word needs."""
    if not top or job.first_token_probs is None or not job.completions[index].token_ids:
        return None
    decode = state.engine.tokenizer.decode_bytes

    def entry(token: int, p: float) -> dict[str, Any]:
        raw = decode([token])
        return {"token": raw.decode("utf-8", errors="replace"), "logprob": math.log(p) if p > 0 else -9999.0,
                "bytes": list(raw)}

    ranked = sorted(job.first_token_probs.items(), key=lambda kv: -kv[1])[:top]
    chosen = job.completions[index].token_ids[0]
    return {"content": [{**entry(chosen, job.first_token_probs[chosen]),
                         "top_logprobs": [entry(t, p) for t, p in ranked]}]}


def _usage(job: Job, ids: list[int]) -> dict[str, int]:
    used = sum(len(c.token_ids) for c in job.completions)
    return {"prompt_tokens": len(ids), "completion_tokens": used, "total_tokens": len(ids) + used}


def _log(state: ServeState, messages: list[Message], job: Job, ids: list[int], client: str | None,
         seconds: float) -> None:
    """The exchange in the log as `kigi ask` writes it: the conversation, then each answer
    (not when the client is a kigi that logs it itself: client None)."""
    if state.log is None or client is None or not job.completions:
        return
    system = next((m.content for m in messages if m.role == "system"), None)
    cid = state.log.start_conversation(state.model_name, system)
    turn = None
    for m in messages:
        if m.role != "system":
            turn = state.log.add_message(cid, m.role, m.content)
    params = {k: v for k, v in dataclasses.asdict(job.sampling).items() if k != "seed"} | {"client": client, "n": job.n}

    def generation(completion: Any) -> Generation:
        return Generation(model=state.model_name, adapter=job.adapter, prompt_version=state.template.version,
                          params=params, seed=job.sampling.seed, tokens_in=len(ids),
                          tokens_out=len(completion.token_ids), latency_s=seconds,
                          interrupted=completion.finish_reason == "interrupted")

    first, *others = job.completions
    state.log.add_message(cid, "assistant", first.text, generation=generation(first))
    for other in others:  # the other answers of n > 1: candidates of the same turn, as after /retry
        if turn is not None:
            state.log.add_candidate(turn.id, other.text, generation=generation(other))
