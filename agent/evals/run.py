"""Running an evaluation: the puzzles of a rank range not yet in the results file, in this
process or in worker processes that each load their own model, appended as they finish."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agent.evals.config import EVAL_NAME, Game24EvalConfig
from agent.evals.losses import lost_counts
from agent.evals.results import (
    EvalError,
    EvalSummary,
    PuzzleResult,
    check_header,
    header_record,
    read_results,
    results_writer,
    summarize,
)
from agent.evals.solve import solve_puzzle
from agent.tasks.game24.puzzles import Puzzle, load_puzzles, select_ranks
from agent.tot import LanguageModel

if TYPE_CHECKING:
    from memory.log import ConversationLog

Progress = Callable[[int, int, PuzzleResult | None], None]  # (done, total, the result just in)


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
    exit_with_parent(os.getppid())
    _worker_model = spec.load()


def exit_with_parent(parent: int, every: float = 1.0) -> threading.Thread:
    """End this worker when its parent goes: a parent killed by a signal (SIGTERM, SIGKILL)
    runs no cleanup, and its workers would otherwise solve on, orphaned, for as long as
    their queue lasts (seen: an hour of both cores)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    watcher = threading.Thread(target=watch, name="exit-with-parent", daemon=True)
    watcher.start()
    return watcher


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
    check_header(results, header, config)
    todo = [p for p in puzzles if p.rank not in done]
    total, finished, new = len(puzzles), len(puzzles) - len(todo), 0
    if progress is not None:
        progress(finished, total, None)
    with results_writer(results, header_record(config, data) if header is None else None) as write:

        def keep(result: PuzzleResult) -> None:
            nonlocal finished, new
            write(result)
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
    summary = summarize(done, [p.rank for p in puzzles], config.method, results, new)
    summary.lost = lost_counts(done[p.rank].tree for p in puzzles if p.rank in done)
    if log is not None:
        params = {**config.to_dict(), "data": str(data), "results": str(results)}
        summary.run_id = log.record_eval_run(EVAL_NAME, params, summary.to_dict())
    return summary


def _run_pool(config: Game24EvalConfig, todo: list[Puzzle], home: str | Path | None,
              keep: Callable[[PuzzleResult], None]) -> None:
    import multiprocessing
    from concurrent.futures import BrokenExecutor, ProcessPoolExecutor, as_completed

    workers = min(config.workers, len(todo))
    spec = _spec(config, home, threads=max(1, (os.cpu_count() or 1) // workers))
    # spawn, not fork: a forked copy of a process that already runs torch threads can hang
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(spec,))
    try:
        futures = [pool.submit(_solve_in_worker, puzzle, config) for puzzle in todo]
        for future in as_completed(futures):
            keep(future.result())
    except BrokenExecutor:
        pool.shutdown(wait=False, cancel_futures=True)
        raise EvalError("a worker process failed to load the model or died (killed, perhaps for memory); the "
                        "puzzles finished are kept: rerun the same command (with fewer --workers) to go on") from None
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _spec(config: Game24EvalConfig, home: str | Path | None, threads: int | None = None) -> ModelSpec:
    return ModelSpec(config.model, config.precision, None if home is None else str(home), threads,
                     tuple(sorted((config.adapters or {}).items())))

