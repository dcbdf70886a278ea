"""The result of a search: every node, its score, who was kept and why not, the final
candidates and the cost; it round-trips through a dict for the log."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from agent.tot.config import SearchConfig

Status = Literal["open", "kept", "pruned"]


@dataclass
class Node:
    """One state of the search. `thought` is its short line for display.

    status: kept (in the beam, or visited by dfs), pruned (with a reason: rank,
    threshold, dead end (terminal without an answer; never scored, never takes a slot),
    unvisited, or the budget that stopped the search: max_nodes, max_tokens,
    max_seconds) or open (still undecided while the search runs).
    """

    id: int
    parent: int | None
    depth: int
    state: str
    thought: str
    score: float | None = None
    status: Status = "open"
    reason: str | None = None
    final: bool = False
    answer: str | None = None

    @property
    def kept(self) -> bool:
        return self.status == "kept"

    @property
    def pruned(self) -> bool:
        return self.status == "pruned"


@dataclass
class SearchTree:
    """The whole search: every node, who was kept, the final candidates and the cost."""

    config: SearchConfig
    nodes: list[Node] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)  # kept final nodes, best first
    frontier: list[int] = field(default_factory=list)  # kept, not final, never expanded
    stopped: str | None = None  # the budget that ended the search early, if any
    tokens: int = 0
    calls: int = 0
    seconds: float = 0.0
    duplicates: int = 0
    cache_hits: int = 0
    done: bool = False

    def add(self, parent: Node | None, state: str, thought: str) -> Node:
        node = Node(
            id=len(self.nodes),
            parent=None if parent is None else parent.id,
            depth=0 if parent is None else parent.depth + 1,
            state=state,
            thought=thought,
        )
        self.nodes.append(node)
        return node

    def children(self, node_id: int) -> list[Node]:
        return [n for n in self.nodes if n.parent == node_id]

    def path(self, node_id: int) -> list[Node]:
        """Nodes from the root down to `node_id`."""
        path = []
        current: int | None = node_id
        while current is not None:
            node = self.nodes[current]
            path.append(node)
            current = node.parent
        return path[::-1]

    @property
    def best(self) -> Node | None:
        return self.nodes[self.candidates[0]] if self.candidates else None

    @property
    def answer(self) -> str | None:
        best = self.best
        return None if best is None else best.answer

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["config"] = self.config.to_dict()
        data["nodes"] = [asdict(n) for n in self.nodes]
        data["candidates"] = list(self.candidates)
        data["frontier"] = list(self.frontier)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SearchTree:
        values = dict(data)
        values["config"] = SearchConfig(**values["config"])
        values["nodes"] = [Node(**n) for n in values["nodes"]]
        return cls(**values)


OnUpdate = Callable[[SearchTree], None]
