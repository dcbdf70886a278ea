"""Benchmarks run by `kigi eval`. Game of 24 by four methods: io, cot, cot-sc and tot.

    summary = run_game24_eval(Game24EvalConfig(method="tot", breadth=5), data, "results/tot-b5.jsonl")

Results are JSONL, one line per puzzle, appended and flushed as each puzzle finishes, so a
killed run loses at most the puzzle in flight; the first line is a header holding the
parameters. A rerun with the same parameters skips the puzzles already in the file (the
rank range may grow); a rerun with other parameters is refused. `workers` > 1 runs the
puzzles in that many processes, each loading its own engine.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from agent.errors import AgentError
from agent.tasks.game24.prompts import cot_messages, io_messages
from agent.tasks.game24.puzzles import Game24Error, Puzzle, load_puzzles, parse_rank_range, select_ranks
from agent.tasks.game24.replies import extract_answer, majority_answer
from agent.tasks.game24.task import AnswerMode, Check, Game24Task
from agent.tasks.game24.verifier import verify
from agent.tot import (
    EvaluateMode,
    GenerateMode,
    LanguageModel,
    Render,
    SearchConfig,
    SearchTree,
    StateEvaluator,
    ThoughtGenerator,
    bfs,
    plain_render,
)
from llm.config import PRECISIONS, Precision

if TYPE_CHECKING:
    from memory.log import ConversationLog

Method = Literal["io", "cot", "cot-sc", "tot"]
METHODS: tuple[str, ...] = ("io", "cot", "cot-sc", "tot")
ROLES: tuple[str, ...] = ("propose", "value", "answer")  # tot's generator and evaluator; the baselines' reply
EVAL_NAME = "game24"
_OUTPUT_CHARS = 600  # of a baseline's raw reply kept per result line, to see how it failed
# Fields that change what a result means: a results file holds one setting of them.
_NOT_IDENTITY = ("ranks", "workers")


class EvalError(AgentError):
    """A results file that cannot be resumed with these parameters, or is damaged."""


@dataclass(frozen=True)
class Game24EvalConfig:
    """One Game of 24 evaluation. `max_tokens`: per reply (io 64, cot/cot-sc 256) or per
    thought-generation call (tot, default 128); None picks the method's default.

    tot: `breadth` states kept per level, `generate` propose|sample, `evaluate`
    value|sampled_value|vote, `check` drop|repair|none for wrong steps, `answer`
    compose|model; `budget_tokens` / `budget_seconds` cap one puzzle's search.
    cot-sc: `samples` replies at `temperature`, majority answer.
    adapters: role (propose, value, answer) -> adapter name. Recorded here; the caller
    applies them by passing `roles`, models bound to them (`EngineLM.bind`).
    """

    method: Method = "io"
    ranks: str = "901-1000"
    model: str = "smollm2-135m-instruct"  # a registry name or a path to weights
    precision: Precision = "fp32"
    few_shot: bool = False
    max_tokens: int | None = None
    samples: int = 5
    temperature: float = 0.7
    breadth: int = 5
    generate: GenerateMode = "propose"
    evaluate: EvaluateMode = "value"
    n_generate: int = 1
    n_evaluate: int = 1
    check: Check = "drop"
    answer: AnswerMode = "compose"
    budget_tokens: int | None = None
    budget_seconds: float | None = None
    seed: int = 0
    workers: int = 1
    adapters: dict[str, str] | None = None

    def __post_init__(self) -> None:
        choices = {
            "method": METHODS, "precision": PRECISIONS, "generate": ("propose", "sample"),
            "evaluate": ("value", "sampled_value", "vote"), "check": ("drop", "repair", "none"),
            "answer": ("compose", "model"),
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {getattr(self, name)!r}")
        for name in ("samples", "breadth", "n_generate", "n_evaluate", "workers"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        for name in ("max_tokens", "budget_tokens"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be an integer >= 1 or None, got {value!r}")
        if self.budget_seconds is not None and not self.budget_seconds > 0:
            raise ValueError(f"budget_seconds must be > 0 or None, got {self.budget_seconds!r}")
        if not self.temperature >= 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature!r}")
        unknown = set(self.adapters or {}) - set(ROLES)
        if unknown:
            raise ValueError(f"adapters: roles must be among {', '.join(ROLES)}, got {sorted(unknown)}")
        try:
            parse_rank_range(self.ranks)
        except Game24Error as exc:
            raise ValueError(f"ranks: {exc}") from None

    @property
    def depth(self) -> int:
        """ToT depth: three steps, plus the model's written answer when answer=model."""
        return 3 + (self.answer == "model")

    def reply_tokens(self) -> int:
        if self.max_tokens is not None:
            return self.max_tokens
        return {"io": 64, "cot": 256, "cot-sc": 256, "tot": 128}[self.method]

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "depth": self.depth, "reply_tokens": self.reply_tokens()}

    def identity(self) -> dict[str, Any]:
        """The parameters that a results file is bound to."""
        return {k: v for k, v in self.to_dict().items() if k not in _NOT_IDENTITY}


def results_name(config: Game24EvalConfig) -> str:
    """A file name that tells runs apart: `game24-tot-b5-propose-value-drop-smollm2-135m-instruct-fp32.jsonl`."""
    parts = [EVAL_NAME, config.method]
    if config.method == "tot":
        parts += [f"b{config.breadth}", config.generate, config.evaluate, config.check]
        if config.answer == "model":
            parts.append("model-answer")
    elif config.method == "cot-sc":
        parts.append(f"k{config.samples}")
    if config.few_shot:
        parts.append("few-shot")
    if config.adapters:
        parts += [f"{role}={name}" for role, name in sorted(config.adapters.items())]
    parts += [Path(config.model).name or "model", config.precision]
    return "-".join(parts) + ".jsonl"


@dataclass
class PuzzleResult:
    """One puzzle's outcome. `any_ok`: some candidate (tot) or sample (cot-sc) was right."""

    rank: int
    puzzle: list[int]
    method: str
    answer: str | None
    ok: bool
    reason: str
    tokens: int  # generated
    prompt_tokens: int | None
    calls: int
    seconds: float
    any_ok: bool | None = None
    output: str | None = None  # the baselines' raw reply (truncated)
    tree: dict[str, Any] | None = None  # tot: a summary of the search tree

    def to_record(self) -> dict[str, Any]:
        return {"kind": "result", **dataclasses.asdict(self)}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> PuzzleResult:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in record.items() if k in names})


@dataclass
class EvalSummary:
    """Figures over every result in the file within the rank range (earlier runs included)."""

    method: str
    puzzles: int  # in the rank range
    done: int
    solved: int
    success_rate: float
    mean_tokens: float
    mean_prompt_tokens: float | None
    mean_seconds: float
    any_ok_rate: float | None
    new: int  # computed by this run
    skipped: int  # already in the results file
    results: str
    run_id: str | None = None

    @property
    def complete(self) -> bool:
        return self.done == self.puzzles

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "complete": self.complete}


Progress = Callable[[int, int, PuzzleResult | None], None]  # (done, total, the result just in)


# -- one puzzle --------------------------------------------------------------------------


def tree_summary(tree: SearchTree) -> dict[str, Any]:
    """What a result line keeps of a search: its size, cost and best path."""
    nodes = tree.nodes[1:]
    best = tree.best
    return {
        "nodes": len(nodes),
        "kept": sum(n.kept for n in nodes),
        "pruned": sum(n.pruned for n in nodes),
        "candidates": len(tree.candidates),
        "depth": max((n.depth for n in nodes), default=0),
        "calls": tree.calls,
        "duplicates": tree.duplicates,
        "cache_hits": tree.cache_hits,
        "stopped": tree.stopped,
        "best_path": [] if best is None else [n.thought for n in tree.path(best.id)[1:]],
        "best_score": None if best is None else best.score,
    }


def _lm_stats(lm: LanguageModel) -> Any:
    stats = getattr(lm, "stats", None)
    return None if stats is None else stats.snapshot()


def solve_puzzle(lm: LanguageModel, puzzle: Puzzle, config: Game24EvalConfig, render: Render | None = None,
                 roles: Mapping[str, LanguageModel] | None = None) -> PuzzleResult:
    """Run `config.method` on one puzzle. `render` defaults to the model's own (`lm.render`);
    `roles` may give another model (an adapter-bound view) for propose, value or answer."""
    from llm.errors import ContextOverflowError

    render = render or getattr(lm, "render", None) or plain_render
    seed = config.seed + puzzle.rank  # the same puzzle gets the same seed however it is scheduled
    before = _lm_stats(lm)
    start = time.perf_counter()
    numbers = list(puzzle.numbers)
    result = PuzzleResult(puzzle.rank, numbers, config.method, None, False, "", 0, None, 0, 0.0)
    try:
        roles = roles or {}
        if config.method == "tot":
            _solve_tot(roles.get("propose", lm), roles.get("value", lm), puzzle, config, render, seed, result)
        else:
            _solve_baseline(roles.get("answer", lm), puzzle, config, render, seed, result)
    except ContextOverflowError as exc:
        result.answer, result.ok, result.reason = None, False, f"context overflow: {exc}"
    result.seconds = round(time.perf_counter() - start, 3)
    after = _lm_stats(lm)
    if before is not None and after is not None:
        result.prompt_tokens = after.since(before).prompt_tokens
    return result


def _solve_baseline(lm: LanguageModel, puzzle: Puzzle, config: Game24EvalConfig, render: Render, seed: int,
                    result: PuzzleResult) -> None:
    messages = io_messages if config.method == "io" else cot_messages
    prompt = render(messages(puzzle.numbers, config.few_shot))
    n = config.samples if config.method == "cot-sc" else 1
    temperature = config.temperature if config.method == "cot-sc" else 0.0
    completions = lm.complete(prompt, n=n, max_tokens=config.reply_tokens(), temperature=temperature, seed=seed)
    texts = [c.text for c in completions]
    result.tokens = sum(c.tokens for c in completions)
    result.calls = 1
    result.answer = majority_answer(texts) if n > 1 else extract_answer(texts[0])
    verdict = verify(puzzle.numbers, result.answer)
    result.ok, result.reason = verdict.ok, verdict.reason
    if n > 1:
        result.any_ok = any(verify(puzzle.numbers, extract_answer(t)).ok for t in texts)
    result.output = "\n---\n".join(texts)[:_OUTPUT_CHARS]


def _solve_tot(propose: LanguageModel, value: LanguageModel, puzzle: Puzzle, config: Game24EvalConfig,
               render: Render, seed: int, result: PuzzleResult) -> None:
    task = Game24Task(puzzle, render=render, few_shot=config.few_shot, check=config.check, answer=config.answer)
    generator = ThoughtGenerator(propose, config.generate, max_tokens=config.reply_tokens(), seed=seed)
    evaluator = StateEvaluator(value, config.evaluate, seed=seed)
    search = SearchConfig(
        breadth=config.breadth, depth=task.depth, n_generate=config.n_generate, n_evaluate=config.n_evaluate,
        max_tokens=config.budget_tokens, max_seconds=config.budget_seconds, seed=seed,
    )
    tree = bfs(task, generator, evaluator, search)
    result.tokens, result.calls = tree.tokens, tree.calls
    result.answer = tree.answer
    verdict = verify(puzzle.numbers, result.answer)
    result.ok, result.reason = verdict.ok, verdict.reason
    result.any_ok = any(task.judge(tree.nodes[i].answer or "") for i in tree.candidates)
    result.tree = tree_summary(tree)


# -- the results file --------------------------------------------------------------------


def _header(config: Game24EvalConfig, data: Path) -> dict[str, Any]:
    return {"kind": "header", "eval": EVAL_NAME, "params": config.identity(), "data": str(data),
            "created": datetime.now(UTC).isoformat(timespec="seconds")}


def read_results(path: str | Path, *, repair: bool = False) -> tuple[dict[str, Any] | None, dict[int, PuzzleResult]]:
    """The header and the results (by rank) of a results file; (None, {}) when there is none.

    A last line cut short by a kill is ignored, and with `repair` cut off the file so that
    appending can go on.
    """
    path = Path(path)
    if not path.exists():
        return None, {}
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        if repair:
            with path.open("r+b") as f:
                f.truncate(cut)
        data = data[:cut]
    header: dict[str, Any] | None = None
    results: dict[int, PuzzleResult] = {}
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise EvalError(f"{path}:{number}: not a JSON line; the results file is damaged") from None
        if record.get("kind") == "header":
            header = header or record
        elif record.get("kind") == "result":
            result = PuzzleResult.from_record(record)
            results[result.rank] = result
    return header, results


def _check_header(path: Path, header: Mapping[str, Any] | None, config: Game24EvalConfig) -> None:
    if header is None:
        return
    if header.get("eval") != EVAL_NAME:
        raise EvalError(f"{path}: not a {EVAL_NAME} results file")
    saved, wanted = dict(header.get("params", {})), config.identity()
    differ = sorted(k for k in set(saved) | set(wanted) if saved.get(k) != wanted.get(k))
    if differ:
        detail = ", ".join(f"{k}: {saved.get(k)!r} there, {wanted.get(k)!r} now" for k in differ)
        raise EvalError(f"{path} holds results of other parameters ({detail}); use another results file")


def summarize(results: Mapping[int, PuzzleResult], puzzles: list[Puzzle], method: str, path: str | Path,
              new: int = 0) -> EvalSummary:
    ranks = {p.rank for p in puzzles}
    done = [r for rank, r in sorted(results.items()) if rank in ranks]
    count = len(done)

    def mean(values: list[float]) -> float:
        return round(sum(values) / len(values), 3) if values else 0.0

    prompt_tokens = [r.prompt_tokens for r in done if r.prompt_tokens is not None]
    any_ok = [r.any_ok for r in done if r.any_ok is not None]
    solved = sum(r.ok for r in done)
    return EvalSummary(
        method=method, puzzles=len(puzzles), done=count, solved=solved,
        success_rate=round(solved / count, 4) if count else 0.0,
        mean_tokens=mean([r.tokens for r in done]),
        mean_prompt_tokens=mean(prompt_tokens) if prompt_tokens else None,
        mean_seconds=mean([r.seconds for r in done]),
        any_ok_rate=round(sum(any_ok) / len(any_ok), 4) if any_ok else None,
        new=new, skipped=count - new, results=str(path),
    )


# -- running -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSpec:
    """How a process loads its model: a registry name (from `home`) or a path to weights,
    and the adapters bound to roles (role, adapter name) pairs."""

    model: str
    precision: str = "fp32"
    home: str | None = None
    threads: int | None = None
    adapters: tuple[tuple[str, str], ...] = ()

    def load(self) -> tuple[LanguageModel, dict[str, LanguageModel] | None]:
        """The model, and the role-bound views of it when adapters are named."""
        import torch

        from agent.adapters import AdapterStore, RoleAdapters
        from agent.home import KigiHome
        from agent.lm import EngineLM
        from agent.models import load_engine
        from llm.engine import Engine

        if self.threads:
            torch.set_num_threads(self.threads)
        home = (KigiHome(Path(self.home)) if self.home else KigiHome.resolve()).ensure()
        path = Path(self.model).expanduser()
        if path.exists():
            engine = Engine.load(path, precision=self.precision)  # type: ignore[arg-type]
        else:
            engine = load_engine(home, self.model, self.precision)  # type: ignore[arg-type]
        lm = EngineLM(engine)
        if not self.adapters:
            return lm, None
        switch = RoleAdapters(engine, AdapterStore.of(home), dict(self.adapters))
        return lm, {role: lm.bind(name, switch.switcher(role)) for role, name in self.adapters}


_worker_model: tuple[LanguageModel, dict[str, LanguageModel] | None] | None = None  # one per worker process


def _init_worker(spec: ModelSpec) -> None:
    global _worker_model
    _worker_model = spec.load()


def _solve_in_worker(puzzle: Puzzle, config: Game24EvalConfig) -> PuzzleResult:
    assert _worker_model is not None, "the worker's initializer loads the model"
    lm, roles = _worker_model
    return solve_puzzle(lm, puzzle, config, roles=roles)


def run_game24_eval(
    config: Game24EvalConfig,
    data: str | Path,
    results: str | Path,
    *,
    lm: LanguageModel | None = None,
    roles: Mapping[str, LanguageModel] | None = None,
    home: str | Path | None = None,
    log: ConversationLog | None = None,
    progress: Progress | None = None,
) -> EvalSummary:
    """Evaluate `config.method` on the puzzles of `data` within `config.ranks`.

    The model: `lm` when given (in this process; then `workers` must be 1), else
    `config.model` loaded from `home` (KIGI_HOME by default) in this process or in each
    worker, with `config.adapters` bound to their roles. `roles`: models bound to
    `config.adapters` (see `solve_puzzle`), passed with `lm`. Results go to the JSONL file
    `results` (created, or resumed). The summary covers every result in the range and is
    recorded in `log` when given.
    """
    data, results = Path(data), Path(results)
    if lm is not None and config.workers > 1:
        raise ValueError("workers must be 1 when a model object is passed in (each worker loads its own)")
    if (lm is not None and bool(config.adapters) != bool(roles)) or (roles and lm is None):
        raise ValueError("adapters: pass `lm` and `roles` (models bound to the adapters) together with them")
    puzzles = select_ranks(load_puzzles(data), config.ranks)
    if not puzzles:
        raise EvalError(f"{data} has no puzzles in ranks {config.ranks}")
    header, done = read_results(results, repair=True)
    _check_header(results, header, config)
    todo = [p for p in puzzles if p.rank not in done]
    results.parent.mkdir(parents=True, exist_ok=True)
    total, finished, new = len(puzzles), len(puzzles) - len(todo), 0
    if progress is not None:
        progress(finished, total, None)
    with results.open("a", encoding="utf-8") as out:
        if header is None:
            out.write(json.dumps(_header(config, data)) + "\n")
            out.flush()

        def keep(result: PuzzleResult) -> None:
            nonlocal finished, new
            out.write(json.dumps(result.to_record()) + "\n")
            out.flush()  # a kill loses at most the puzzles in flight
            done[result.rank] = result
            finished, new = finished + 1, new + 1
            if progress is not None:
                progress(finished, total, result)

        if todo and config.workers > 1:
            _run_pool(config, todo, home, keep)
        elif todo:
            if lm is None:
                lm, roles = _spec(config, home).load()
            for puzzle in todo:
                keep(solve_puzzle(lm, puzzle, config, roles=roles))
    summary = summarize(done, puzzles, config.method, results, new)
    if log is not None:
        params = {**config.to_dict(), "data": str(data), "results": str(results)}
        summary.run_id = log.record_eval_run(EVAL_NAME, params, summary.to_dict())
    return summary


def _run_pool(config: Game24EvalConfig, todo: list[Puzzle], home: str | Path | None,
              keep: Callable[[PuzzleResult], None]) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    workers = min(config.workers, len(todo))
    spec = _spec(config, home, threads=max(1, (os.cpu_count() or 1) // workers))
    # spawn, not fork: a forked copy of a process that already runs torch threads can hang
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(spec,))
    try:
        futures = [pool.submit(_solve_in_worker, puzzle, config) for puzzle in todo]
        for future in as_completed(futures):
            keep(future.result())
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _spec(config: Game24EvalConfig, home: str | Path | None, threads: int | None = None) -> ModelSpec:
    return ModelSpec(config.model, config.precision, None if home is None else str(home), threads,
                     tuple(sorted((config.adapters or {}).items())))

