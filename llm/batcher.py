"""Requests from several clients decoded together on one engine (what `kigi serve` runs on).

A job is a prompt, its sampling settings, `n` answers and the adapter that writes them. One
worker thread owns the model: it takes the waiting jobs that can share a batch (same
adapter, temperature, top-k/top-p, penalty and stop tokens; a model without rotary
positions decodes one job at a time) and decodes them as one left-padded batch
(`generate_ragged_ids`), each answer seeded with its own job's seed (+ its index), so an
answer is the one a lone decode with that seed gives. Each answer streams through its own
`TextStream` (its own stop strings, its own token limit) and ends alone; a cancelled job
(its client went away) stops taking part; once half the rows have ended the others are
packed together, so ended rows stop costing compute; the batch stops when no row is left. Jobs
that arrive during a batch join it when they fit (continuous batching: a free row, a prompt
no longer than the batch's current position, an answer no longer than the room left);
the others wait for the next batch.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from llm.completion import TextStream
from llm.engine import Engine
from llm.generate import generate_ids, generate_ragged_ids
from llm.lora import adapters_of
from llm.sampling import Completion, SamplingConfig

if TYPE_CHECKING:
    from torch import Tensor

Emit = Callable[[int, str, str | None], None]  # (answer index, new text, finish reason when it ended)


@dataclass
class Job:
    prompt_ids: list[int]
    sampling: SamplingConfig
    emit: Emit
    n: int = 1
    adapter: str | None = None  # the LoRA adapter (attached to the model) that answers; None: the base
    top_logprobs: int = 0  # how many of the first token's likeliest alternatives to report (0: none)
    first_token_probs: dict[int, float] | None = None  # the first token's likeliest ids -> probability
    cancelled: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    completions: list[Completion] = field(default_factory=list)
    error: Exception | None = None

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"n must be >= 1, got {self.n}")
        if self.sampling.seed is None:  # chosen now, so that every answer can be reproduced
            self.sampling = dataclasses.replace(self.sampling, seed=secrets.randbelow(2**31))

    def batch_key(self) -> tuple:
        s = self.sampling
        return (self.adapter, s.temperature, s.top_k, s.top_p, s.repetition_penalty, tuple(s.stop_token_ids))


class Batcher:
    """Owns the engine's model on one worker thread; `submit` jobs from any thread."""

    def __init__(self, engine: Engine, max_rows: int = 16) -> None:
        if max_rows < 1:
            raise ValueError(f"max_rows must be >= 1, got {max_rows}")
        self.engine, self.max_rows = engine, max_rows
        self._waiting: list[Job] = []
        self._wake = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="kigi-batcher", daemon=True)
        self._thread.start()
        self.batches = 0  # how many batches ran (and rows in the largest): for tests and logs
        self.largest = 0

    def submit(self, job: Job) -> Job:
        with self._wake:
            if self._closed:
                raise RuntimeError("the batcher is closed")
            self._waiting.append(job)
            self._wake.notify()
        return job

    def close(self) -> None:
        with self._wake:
            self._closed = True
            for job in self._waiting:
                job.cancelled.set()
                job.done.set()
            self._waiting.clear()
            self._wake.notify()
        self._thread.join(timeout=30)

    def _take(self) -> list[Job] | None:
        with self._wake:
            while not self._waiting and not self._closed:
                self._wake.wait()
            if self._closed:
                return None
            first = self._waiting[0]
            ragged = self.engine.model.config.positions == "rope"
            batch, rows = [], 0
            for job in list(self._waiting):
                fits = rows + job.n <= self.max_rows or not batch
                if job.batch_key() == first.batch_key() and fits and (ragged or not batch):
                    batch.append(job)
                    rows += job.n
                    self._waiting.remove(job)
            return batch

    def _loop(self) -> None:
        while (batch := self._take()) is not None:
            live = [job for job in batch if not job.cancelled.is_set()]
            ran: list[Job] = list(live)  # grows as jobs join the running batch
            try:
                if live:
                    with adapters_of(self.engine.model).using(live[0].adapter):
                        self._run(ran)
            except Exception as exc:  # reported to each job's caller, never kills the worker
                for job in ran:
                    job.error = exc
            finally:
                for job in [*batch, *ran]:
                    job.done.set()
            self._build_owed_when_idle()

    def _build_owed_when_idle(self) -> None:
        """With no request waiting, build the compiled decode steps the last ones owed (a
        state met with none stored: an adapter, a thread count): a server has no exit to
        build them at. A request that arrives meanwhile waits for the build, once a state."""
        compiled = self.engine.compiled
        with self._wake:
            idle = not self._waiting and not self._closed
        if compiled is not None and compiled.pending and idle:
            compiled.wait()

    def _joiners(self, key: tuple, free: int, where: int, room: int) -> list[Job]:
        """Waiting jobs that can join the running batch: same settings, `free` rows in all,
        prompts no longer than `where`, answers no longer than `room` (no first-token
        log-probabilities: those need the cache to themselves)."""
        taken: list[Job] = []
        with self._wake:
            for job in list(self._waiting):
                if (job.batch_key() == key and job.n <= free and not job.top_logprobs and not job.cancelled.is_set()
                        and len(job.prompt_ids) <= where and job.sampling.max_new_tokens <= room):
                    self._waiting.remove(job)
                    taken.append(job)
                    free -= job.n
        return taken

    def _run(self, jobs: list[Job]) -> None:
        """Decode `jobs` as one batch; jobs that arrive meanwhile and fit join it (continuous
        batching, `generate_ragged_ids(arrivals=)`) and are appended to `jobs`."""
        first = {id(job): self.engine.next_token_probs(job.prompt_ids) for job in jobs if job.top_logprobs}
        rows: list[tuple[Job, int]] = []  # (job, answer index) of each row, in the batch's order
        streams: list[TextStream] = []
        counts: list[int] = []
        ended: list[bool] = []

        def add_rows(job: Job) -> None:
            for i in range(job.n):
                rows.append((job, i))
                streams.append(TextStream.of(self.engine.tokenizer.decode_bytes, job.sampling))
                counts.append(0)
                ended.append(False)

        for job in jobs:
            add_rows(job)
        self.batches += 1
        config = dataclasses.replace(jobs[0].sampling, stop_strings=(),
                                     max_new_tokens=max(job.sampling.max_new_tokens for job in jobs))

        def arrivals(free: int, where: int, room: int) -> list[tuple[list[int], int | None]]:
            joined = self._joiners(jobs[0].batch_key(), free, where, room)
            for job in joined:
                jobs.append(job)
                add_rows(job)
            return [(job.prompt_ids, job.sampling.seed + i) for job in joined for i in range(job.n)]  # type: ignore[operator]

        model = self.engine.model
        if model.config.positions != "rope" or (self.engine.compiled is not None and len(rows) == 1):
            steps = generate_ids(model, jobs[0].prompt_ids, config, n=jobs[0].n, compiled=self.engine.compiled)
        else:
            seeds = [job.sampling.seed + i for job, i in rows]  # type: ignore[operator]
            steps = generate_ragged_ids(model, [job.prompt_ids for job, _ in rows], config, seeds=seeds,
                                        wanted=lambda r: not ended[r] and not rows[r][0].cancelled.is_set(),
                                        arrivals=arrivals, capacity=self.max_rows)
        for step in steps:
            self.largest = max(self.largest, sum(1 for r in range(len(step)) if not ended[r]))
            for r, token in enumerate(step):
                job, index = rows[r]
                if ended[r]:
                    continue
                if job.cancelled.is_set():
                    ended[r] = True
                    continue
                if token is not None:
                    counts[r] += 1
                    piece = streams[r].push(token)
                    if piece:
                        job.emit(index, piece, None)
                if token is None or streams[r].done or counts[r] >= job.sampling.max_new_tokens:
                    ended[r] = True
                    job.emit(index, streams[r].finish(), streams[r].finish_reason)
            if all(ended):
                break
        for r, (job, index) in enumerate(rows):
            if not ended[r] and not job.cancelled.is_set():
                job.emit(index, streams[r].finish(), streams[r].finish_reason)
        for job in jobs:
            mine = [streams[r] for r, (j, _) in enumerate(rows) if j is job]
            job.completions = [Completion(list(s.ids), s.text, s.finish_reason) for s in mine]
            if id(job) in first:
                job.first_token_probs = _first_token_report(first[id(job)], job)


def _first_token_report(probs: Tensor, job: Job) -> dict[int, float]:
    """The first token's `top_logprobs` likeliest ids and the id each answer starts with
    (a sampled one may lie outside the top), with their probabilities. The distribution is
    the prompt's alone, so it holds for every answer of the job whatever was sampled."""
    top = probs.topk(min(job.top_logprobs, probs.numel()))
    report = {int(i): float(p) for p, i in zip(top.values.tolist(), top.indices.tolist(), strict=True)}
    for completion in job.completions:
        if completion.token_ids:
            report.setdefault(completion.token_ids[0], float(probs[completion.token_ids[0]]))
    return report
