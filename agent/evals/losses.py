"""Where a Game of 24 search lost its way: for each level, how many of its states can still
reach 24 and how many of those were kept, so a failure is put down to the proposer (no step
it listed keeps 24 reachable) or to the value role (every one that did was pruned).

The solver labels the states after the search is over; nothing here feeds back into it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from agent.tasks.game24.solver import solvable
from agent.tasks.game24.task import Game24Task
from agent.tot import SearchTree


def levels(task: Game24Task, tree: SearchTree) -> list[dict[str, int]]:
    """Per depth below the root, up to the last one before a final answer: the states
    reached, those that can still reach 24 (`ways_on`), and those of them kept."""
    rows = []
    for depth in range(1, task.depth):
        nodes = [n for n in tree.nodes if n.depth == depth and not n.final]
        ways_on = [n for n in nodes if solvable(task.left(n.state))]
        rows.append({"states": len(nodes), "ways_on": len(ways_on), "kept": sum(n.kept for n in ways_on)})
    return rows


def where_lost(rows: list[dict[str, int]], solved: bool, stopped: str | None = None) -> str | None:
    """`propose@D` when no state at depth D can reach 24, `value@D` when some can but none
    was kept, `last step` when a way on was kept to the end, `REASON@D` when a budget
    stopped the search before depth D; None for a solved puzzle."""
    if solved:
        return None
    for depth, row in enumerate(rows, 1):
        if row["states"] == 0 and stopped is not None:
            return f"{stopped}@{depth}"
        if row["kept"] == 0:
            return f"{'propose' if row['ways_on'] == 0 else 'value'}@{depth}"
    return "last step"


def lost_counts(trees: Iterable[dict[str, Any] | None]) -> dict[str, int] | None:
    """How many unsolved searches were lost where, over result lines' tree summaries (those
    written before the losses were recorded are left out); None when none says."""
    counts = Counter(tree["lost"] for tree in trees if tree and tree.get("lost"))
    return dict(sorted(counts.items())) or None
