"""One search in progress: the steps bfs and dfs are built from (expand, evaluate, rank,
finish) over the tree, the budget and the states seen."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

from agent.tot.budget import BudgetExhausted, Meter, PartialScores
from agent.tot.config import SearchConfig
from agent.tot.evaluate import StateEvaluator
from agent.tot.protocols import Task
from agent.tot.thoughts import ThoughtGenerator
from agent.tot.tree import Node, OnUpdate, SearchTree


class SearchRun:
    """State shared by bfs and dfs: the tree, the budget, dedup and bookkeeping."""

    def __init__(
        self,
        task: Task,
        generator: ThoughtGenerator,
        evaluator: StateEvaluator,
        config: SearchConfig,
        on_update: OnUpdate | None,
        clock: Callable[[], float],
        root_generator: ThoughtGenerator | None = None,
    ) -> None:
        self.task = task
        self.generator = generator
        self.root_generator = root_generator or generator
        self.evaluator = evaluator
        self.config = config
        self.on_update = on_update
        self.meter = Meter(config.max_tokens, config.max_seconds, clock)
        self.tree = SearchTree(config=config)
        self.seen: set[str] = set()
        self.rng = random.Random(config.seed)
        root_state = task.root()
        self.root = self.tree.add(None, root_state, task.describe(root_state))
        self.root.status = "kept"
        self.seen.add(task.state_key(root_state))

    def notify(self) -> None:
        self.tree.tokens = self.meter.tokens
        self.tree.calls = self.meter.calls
        self.tree.cache_hits = self.meter.cache_hits
        self.tree.seconds = self.meter.seconds
        if self.on_update is not None:
            self.on_update(self.tree)

    def stop(self, reason: str) -> None:
        if self.tree.stopped is None:
            self.tree.stopped = reason

    def n_generate(self, node: Node) -> int:
        """Completions for expanding `node` (the root may have its own count)."""
        root_n = self.config.n_generate_root
        return root_n if node is self.root and root_n is not None else self.config.n_generate

    def expand(self, node: Node) -> list[Node]:
        """Generate the children of `node`, dropping duplicates; respects max_nodes."""
        if self.tree.stopped is not None:
            return []
        try:
            generator = self.root_generator if node is self.root else self.generator
            states = generator.generate(self.task, node.state, self.n_generate(node), self.meter)
        except BudgetExhausted as exc:
            self.stop(exc.reason)
            return []
        return self._adopt(node, states)

    def expand_all(self, nodes: Sequence[Node]) -> list[Node]:
        """The children of every node of a level: one batched decode when the model can,
        else node by node (stopping as soon as a budget runs out)."""
        if len(nodes) < 2 or not all(self.generator.batches(self.n_generate(n)) for n in nodes):
            children: list[Node] = []
            for node in nodes:
                children.extend(self.expand(node))
                if self.tree.stopped is not None:
                    break
            return children
        if self.tree.stopped is not None:
            return []
        try:
            per_node = self.generator.generate_each(self.task, [n.state for n in nodes], self.meter)
        except BudgetExhausted as exc:
            self.stop(exc.reason)
            return []
        return [child for node, states in zip(nodes, per_node, strict=True) for child in self._adopt(node, states)]

    def _adopt(self, node: Node, states: Sequence[str]) -> list[Node]:
        """Add new `states` as children of `node`; duplicates of seen states are dropped."""
        children = []
        for state in states:
            key = self.task.state_key(state)
            if key in self.seen:
                self.tree.duplicates += 1
                continue
            max_nodes = self.config.max_nodes
            if max_nodes is not None and len(self.tree.nodes) - 1 >= max_nodes:
                self.stop("max_nodes")
                break
            self.seen.add(key)
            child = self.tree.add(node, state, self.task.describe(state))
            child.final = self.task.is_final(state)
            if child.final:
                child.answer = self.task.final_answer(state)
            children.append(child)
        return children

    def evaluate(self, nodes: Sequence[Node]) -> None:
        """Score `nodes`; those a budget leaves unscored keep score None. Dead ends
        (terminal states without an answer) are not worth a model call."""
        nodes = [n for n in nodes if not _dead_end(n)]
        if not nodes:
            return
        try:
            scores = self.evaluator.evaluate(
                self.task, [n.state for n in nodes], self.config.n_evaluate, self.meter
            )
        except PartialScores as exc:
            scores = exc.scores
            self.stop(exc.reason)
        except BudgetExhausted as exc:
            scores = [None] * len(nodes)
            self.stop(exc.reason)
        for node, score in zip(nodes, scores, strict=True):
            node.score = score

    def rank(self, nodes: Sequence[Node]) -> list[Node]:
        """Scored nodes above the threshold, in the order selection prefers them."""
        threshold = self.config.threshold
        eligible = []
        for node in nodes:
            if _dead_end(node):
                node.status, node.reason = "pruned", "dead end"
            elif node.score is None:  # a budget stopped the search before it was scored
                node.status, node.reason = "pruned", self.tree.stopped or "unscored"
            elif threshold is not None and node.score < threshold:
                node.status, node.reason = "pruned", "threshold"
            else:
                eligible.append(node)
        if self.config.select == "sample":
            return self._sample_order(eligible)
        return sorted(eligible, key=lambda n: (-(n.score or 0.0), n.id))

    def _sample_order(self, nodes: list[Node]) -> list[Node]:
        """Weighted sampling without replacement, proportional to score."""
        pool, order = list(nodes), []
        while pool:
            weights = [max(n.score or 0.0, 0.0) for n in pool]
            if sum(weights) <= 0:
                weights = [1.0] * len(pool)
            pick = self.rng.choices(range(len(pool)), weights=weights)[0]
            order.append(pool.pop(pick))
        return order

    def finish(self) -> SearchTree:
        reason = self.tree.stopped or "unvisited"
        for node in self.tree.nodes:
            if node.status == "open":
                node.status, node.reason = "pruned", reason
        finals = [n for n in self.tree.nodes if n.kept and n.final and n.answer is not None]
        finals.sort(key=lambda n: (-(n.score if n.score is not None else -math.inf), n.id))
        self.tree.candidates = [n.id for n in finals]
        expanded = {n.parent for n in self.tree.nodes}
        self.tree.frontier = [
            n.id for n in self.tree.nodes if n.kept and not n.final and n.id not in expanded
        ]
        self.tree.done = True
        self.notify()
        return self.tree


def _dead_end(node: Node) -> bool:
    return node.final and node.answer is None
