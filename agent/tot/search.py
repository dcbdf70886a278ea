"""The search algorithms alone: breadth-first and depth-first over a task, each level in
three phases (generation, evaluation, selection); the bookkeeping lives in `run.py`."""

from __future__ import annotations

import time
from collections.abc import Callable

from agent.tot.config import SearchConfig
from agent.tot.evaluate import StateEvaluator
from agent.tot.protocols import Task
from agent.tot.run import SearchRun
from agent.tot.thoughts import ThoughtGenerator
from agent.tot.tree import Node, OnUpdate, SearchTree


def bfs(
    task: Task,
    generator: ThoughtGenerator,
    evaluator: StateEvaluator,
    config: SearchConfig,
    *,
    on_update: OnUpdate | None = None,
    clock: Callable[[], float] = time.monotonic,
    root_generator: ThoughtGenerator | None = None,
) -> SearchTree:
    """Breadth-first search: each level keeps its best states (`breadth`, `last_breadth`
    at the level before the last), for `depth` levels. `root_generator` proposes the root's
    children when another model should (one that ranks first steps, above one that lists
    every step)."""
    run = SearchRun(task, generator, evaluator, config, on_update, clock, root_generator)
    frontier = [run.root]
    if task.is_final(run.root.state):
        frontier = []
    for level in range(config.depth):
        if not frontier or run.tree.stopped is not None:
            break
        # generation: the children of every state of the frontier
        children = run.expand_all(frontier)
        run.notify()
        # evaluation: a score for each child
        run.evaluate(children)
        run.notify()
        # selection: the best children are kept, the rest pruned by rank
        ranked = run.rank(children)
        kept = config.kept_at(level)
        for position, node in enumerate(ranked):
            if position < kept:
                node.status = "kept"
            else:
                node.status, node.reason = "pruned", "rank"
        run.notify()
        frontier = [n for n in ranked[:kept] if not n.final]
    return run.finish()


def dfs(
    task: Task,
    generator: ThoughtGenerator,
    evaluator: StateEvaluator,
    config: SearchConfig,
    *,
    on_update: OnUpdate | None = None,
    clock: Callable[[], float] = time.monotonic,
    root_generator: ThoughtGenerator | None = None,
) -> SearchTree:
    """Depth-first search: visit the best children first, prune below the threshold,
    backtrack from dead ends, stop after `solutions` final answers or a budget."""
    run = SearchRun(task, generator, evaluator, config, on_update, clock, root_generator)
    found = 0

    def visit(node: Node) -> None:
        nonlocal found
        if node.final:
            if node.answer is not None:
                found += 1
            return
        if node.depth >= config.depth:
            return
        # generation: the children of this state
        children = run.expand(node)
        run.notify()
        # evaluation: a score for each child
        run.evaluate(children)
        run.notify()
        # selection: the best `breadth` children are visited in order, the rest pruned by rank
        ranked = run.rank(children)
        for child in ranked[config.breadth :]:
            child.status, child.reason = "pruned", "rank"
        for child in ranked[: config.breadth]:
            if found >= config.solutions or run.tree.stopped is not None:
                break  # left open; finish() marks why they were never visited
            child.status = "kept"
            run.notify()
            visit(child)

    if not task.is_final(run.root.state):
        visit(run.root)
    return run.finish()


def search(
    task: Task,
    generator: ThoughtGenerator,
    evaluator: StateEvaluator,
    config: SearchConfig,
    *,
    on_update: OnUpdate | None = None,
    clock: Callable[[], float] = time.monotonic,
    root_generator: ThoughtGenerator | None = None,
) -> SearchTree:
    """Run `config.method` (bfs or dfs)."""
    method = bfs if config.method == "bfs" else dfs
    return method(task, generator, evaluator, config, on_update=on_update, clock=clock, root_generator=root_generator)
