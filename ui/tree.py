"""The Tree-of-Thoughts search drawn as a rich tree, live while it runs.

    with LiveTree(console) as live:          # a stderr console by default
        tree = search(..., on_update=live.on_update)

Scores sit before each thought; kept states are plain, pruned ones dimmed with the
reason, final candidates highlighted (the best one marked). Nothing is drawn unless the
console is a terminal, so piped output never carries the tree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.live import Live
from rich.text import Text
from rich.tree import Tree

if TYPE_CHECKING:
    from agent.tot import Node, SearchTree

MAX_THOUGHT = 72

STYLES = {
    "best": "bold green",
    "final": "green",
    "kept": "",
    "open": "italic",
    "pruned": "dim",
    "score": "cyan",
    "header": "bold",
}


def format_score(score: float | None) -> str:
    if score is None:
        return "  –  "
    return f"{score:5.1f}" if abs(score) >= 10 else f"{score:5.2f}"


def _short(text: str, limit: int = MAX_THOUGHT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def node_label(node: Node, *, best: bool = False, candidate: bool = False) -> Text:
    """One line: score, thought, and what became of the node."""
    label = Text()
    pruned = node.pruned
    label.append(format_score(node.score) + " ", style="dim" if pruned else STYLES["score"])
    if best:
        style, mark = STYLES["best"], "★ "
    elif candidate:
        style, mark = STYLES["final"], "☆ "
    elif pruned:
        style, mark = STYLES["pruned"], ""
    else:
        style, mark = STYLES["open" if node.status == "open" else "kept"], ""
    label.append(mark + _short(node.thought), style=style)
    if candidate and node.answer and node.answer.strip() not in node.state:  # not just the steps again
        label.append("  → " + _short(node.answer, 48), style=style)
    if pruned:
        label.append(f"  ({node.reason or 'pruned'})", style="dim italic")
    elif node.status == "open":
        label.append("  …", style="dim")
    return label


def _header(tree: SearchTree) -> Text:
    config = tree.config
    nodes = len(tree.nodes) - 1
    parts = [f"{config.method} b={config.breadth} d={config.depth}", f"{nodes} states",
             f"{tree.tokens} tokens", f"{tree.seconds:.1f}s"]
    if tree.stopped:
        parts.append(f"stopped: {tree.stopped}")
    elif tree.done:
        parts.append(f"{len(tree.candidates)} candidate{'s' * (len(tree.candidates) != 1)}")
    return Text("Tree of Thoughts · " + " · ".join(parts), style=STYLES["header"])


def render_tree(tree: SearchTree, *, max_children: int | None = None, root_label: str | None = None) -> Tree:
    """The search as a rich `Tree`. `max_children` shows only the first that many children
    of a node (kept ones first, then by score) and counts the rest."""
    candidates = set(tree.candidates)
    best = tree.candidates[0] if tree.candidates else None
    children: dict[int, list[Node]] = {}
    for node in tree.nodes[1:]:
        if node.parent is not None:
            children.setdefault(node.parent, []).append(node)

    view = Tree(_header(tree), guide_style="dim")
    if not tree.nodes:
        return view
    root = tree.nodes[0]
    view_root = view.add(Text(_short(root_label or root.thought or "(start)"), style="bold"))

    def add(branch: Tree, node_id: int) -> None:
        kids = children.get(node_id, [])
        kids = sorted(kids, key=lambda n: (n.pruned, -(n.score if n.score is not None else float("-inf")), n.id))
        shown = kids if max_children is None else kids[:max_children]
        for child in shown:
            sub = branch.add(node_label(child, best=child.id == best, candidate=child.id in candidates))
            add(sub, child.id)
        hidden = len(kids) - len(shown)
        if hidden > 0:
            branch.add(Text(f"… {hidden} more", style="dim"))

    add(view_root, root.id)
    return view


class LiveTree:
    """A context manager whose `on_update` redraws the tree live (rich `Live`).

    On a console that is not a terminal it draws nothing; `show_final` prints the last
    tree once when the block ends (on a terminal it stays on screen anyway unless
    `transient`).
    """

    def __init__(
        self,
        console: Console | None = None,
        *,
        max_children: int | None = 6,
        refresh_per_second: float = 8,
        transient: bool = False,
        show_final: bool = False,
        root_label: str | None = None,
    ) -> None:
        self.console = console or Console(stderr=True)
        self.max_children = max_children
        self.transient = transient
        self.show_final = show_final
        self.root_label = root_label
        self.enabled = self.console.is_terminal
        self.tree: SearchTree | None = None
        self.updates = 0
        # the default overflow crops a tall tree while it grows; rich shows it whole at stop
        self._live = Live(console=self.console, refresh_per_second=refresh_per_second,
                          transient=transient) if self.enabled else None

    def render(self) -> Tree | Text:
        if self.tree is None:
            return Text("Tree of Thoughts · starting…", style="dim")
        return render_tree(self.tree, max_children=self.max_children, root_label=self.root_label)

    def on_update(self, tree: SearchTree) -> None:
        self.tree = tree
        self.updates += 1
        if self._live is not None:
            self._live.update(self.render(), refresh=tree.done)

    __call__ = on_update

    def __enter__(self) -> LiveTree:
        if self._live is not None:
            self._live.update(self.render())
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            if self.tree is not None:
                self._live.update(self.render())
            self._live.stop()
        elif self.show_final and self.tree is not None:
            self.console.print(self.render())
