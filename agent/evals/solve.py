"""One puzzle by one method: the baselines' single reply (io, cot) or majority (cot-sc),
or a Tree-of-Thoughts search; the answer checked by the verifier."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from agent.evals.config import Game24EvalConfig
from agent.evals.losses import levels, where_lost
from agent.evals.results import PuzzleResult, prompt_tokens_since, stats_now
from agent.tasks.game24.prompts import cot_messages, io_messages
from agent.tasks.game24.puzzles import Puzzle
from agent.tasks.game24.replies import extract_answer, majority_answer
from agent.tasks.game24.task import Game24Task
from agent.tasks.game24.verifier import verify
from agent.tot import (
    LanguageModel,
    Render,
    SearchConfig,
    SearchTree,
    StateEvaluator,
    ThoughtGenerator,
    bfs,
    plain_render,
)

_OUTPUT_CHARS = 600  # of a baseline's raw reply kept per result line, to see how it failed


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


def solve_puzzle(lm: LanguageModel, puzzle: Puzzle, config: Game24EvalConfig, render: Render | None = None,
                 roles: Mapping[str, LanguageModel] | None = None) -> PuzzleResult:
    """Run `config.method` on one puzzle. `render` defaults to the model's own (`lm.render`);
    `roles` may give another model (an adapter-bound view) for propose, value or answer."""
    from llm.errors import ContextOverflowError

    render = render or getattr(lm, "render", None) or plain_render
    seed = config.seed + puzzle.rank  # the same puzzle gets the same seed however it is scheduled
    before = stats_now(lm)
    start = time.perf_counter()
    numbers = list(puzzle.numbers)
    result = PuzzleResult(puzzle.rank, numbers, config.method, None, False, "", 0, None, 0, 0.0)
    try:
        roles = roles or {}
        if config.method == "tot":
            _solve_tot(lm, roles, puzzle, config, render, seed, result)
        else:
            _solve_baseline(roles.get("answer", lm), puzzle, config, render, seed, result)
    except ContextOverflowError as exc:
        result.answer, result.ok, result.reason = None, False, f"context overflow: {exc}"
    result.seconds = round(time.perf_counter() - start, 3)
    result.prompt_tokens = prompt_tokens_since(lm, before)
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


def _solve_tot(lm: LanguageModel, roles: Mapping[str, LanguageModel], puzzle: Puzzle, config: Game24EvalConfig,
               render: Render, seed: int, result: PuzzleResult) -> None:
    task = Game24Task(puzzle, render=render, few_shot=config.few_shot, check=config.check, answer=config.answer,
                      left_guard=bool(config.left_guard))

    def proposer(model: LanguageModel) -> ThoughtGenerator:
        return ThoughtGenerator(model, config.generate, max_tokens=config.reply_tokens(), seed=seed)

    generator = proposer(roles.get("propose", lm))
    root_generator = proposer(roles["propose-root"]) if "propose-root" in roles else None
    evaluator = StateEvaluator(roles.get("value", lm), config.evaluate, seed=seed)
    search = SearchConfig(
        breadth=config.breadth, last_breadth=config.last_breadth, root_breadth=config.root_breadth,
        depth=task.depth,
        n_generate=config.n_generate, n_evaluate=config.n_evaluate, n_generate_root=config.n_generate_root,
        max_tokens=config.budget_tokens, max_seconds=config.budget_seconds, seed=seed,
    )
    tree = bfs(task, generator, evaluator, search, root_generator=root_generator)
    result.tokens, result.calls = tree.tokens, tree.calls
    result.answer = tree.answer
    verdict = verify(puzzle.numbers, result.answer)
    result.ok, result.reason = verdict.ok, verdict.reason
    result.any_ok = any(task.judge(tree.nodes[i].answer or "") for i in tree.candidates)
    rows = levels(task, tree)
    result.tree = {**tree_summary(tree), "levels": rows, "lost": where_lost(rows, result.ok, tree.stopped)}
