"""`SearchConfig`: how a search runs, validated where it is made."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal


@dataclass
class SearchConfig:
    """How a search runs. Budgets are off when None.

    breadth: states kept per level (bfs) or children visited per state (dfs).
    last_breadth: states kept (bfs) at the level whose children end the search (those one
      step from a final answer); None: `breadth`. A wide last level costs one generation call
      per state and no evaluation of the final states that are dead ends.
    root_breadth: states kept (bfs) among the root's children; None: as any other level.
      Where several root lists give more children than `breadth`, the evaluator's choice
      there bounds everything below it.
    depth: most thoughts from the root to a leaf.
    n_generate: completions per expanded state; n_evaluate: samples per evaluation.
    n_generate_root: completions for the root, when it differs: its children bound how far
      the whole search can reach, so more lists there buy more than anywhere else.
    threshold: states scoring below it are pruned (dfs; bfs too when set).
    solutions: dfs stops after finding this many final answers.
    max_nodes counts the nodes added under the root; max_tokens the generated tokens.
    """

    method: Literal["bfs", "dfs"] = "bfs"
    breadth: int = 5
    last_breadth: int | None = None
    root_breadth: int | None = None
    depth: int = 3
    n_generate: int = 1
    n_evaluate: int = 1
    n_generate_root: int | None = None
    select: Literal["greedy", "sample"] = "greedy"
    threshold: float | None = None
    solutions: int = 1
    max_nodes: int | None = None
    max_tokens: int | None = None
    max_seconds: float | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.method not in ("bfs", "dfs"):
            raise ValueError(f"method must be 'bfs' or 'dfs', got {self.method!r}")
        if self.select not in ("greedy", "sample"):
            raise ValueError(f"select must be 'greedy' or 'sample', got {self.select!r}")
        for name in ("breadth", "depth", "n_generate", "n_evaluate", "solutions"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        for name in ("max_nodes", "max_tokens", "n_generate_root", "last_breadth", "root_breadth"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise ValueError(f"{name} must be an integer >= 1 or None, got {value!r}")
        if self.max_seconds is not None and not (
            isinstance(self.max_seconds, int | float) and 0 < self.max_seconds < math.inf
        ):
            raise ValueError(
                f"max_seconds must be a positive number or None, got {self.max_seconds!r}"
            )
        if self.threshold is not None and not (
            isinstance(self.threshold, int | float) and math.isfinite(self.threshold)
        ):
            raise ValueError(f"threshold must be a finite number or None, got {self.threshold!r}")

    def kept_at(self, level: int) -> int:
        """States bfs keeps among the children of level `level` (0: the root's children)."""
        if self.root_breadth is not None and level == 0:
            return self.root_breadth
        if self.last_breadth is not None and level == self.depth - 2:
            return self.last_breadth
        return self.breadth

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
