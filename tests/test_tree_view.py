"""The live ToT tree: scores shown, pruned branches dimmed, final candidates highlighted,
nothing drawn on a console that is not a terminal."""

from __future__ import annotations

import io

from rich.console import Console
from rich.style import Style
from rich.text import Text

from agent.tot import SearchConfig, SearchTree, StateEvaluator, ThoughtGenerator, bfs
from tests.test_tot import FakeLM, ToyTask
from ui.tree import LiveTree, format_score, node_label, render_tree


def small_tree() -> SearchTree:
    tree = SearchTree(config=SearchConfig(breadth=1, depth=2))
    root = tree.add(None, "", "Numbers: 4 6 8 8")
    root.status = "kept"
    a = tree.add(root, "a\n", "8 - 6 = 2 (left: 2 4 8)")
    a.score, a.status = 5.0, "kept"
    b = tree.add(root, "b\n", "8 + 8 = 16 (left: 4 6 16)")
    b.score, b.status, b.reason = 0.5, "pruned", "rank"
    win = tree.add(a, "a\nw\n", "2 * 8 = 16 ... (left: 24)")
    win.score, win.status, win.final, win.answer = 20.0, "kept", True, "(8 - 6) * 8 + 4 + 4 = 24"
    lose = tree.add(a, "a\nl\n", "4 + 8 = 12 (left: 2 12)")
    lose.score, lose.status, lose.reason = 0.001, "pruned", "threshold"
    tree.candidates, tree.done, tree.tokens, tree.seconds = [win.id], True, 321, 4.2
    return tree


def text_of(renderable, width: int = 120) -> str:
    console = Console(file=io.StringIO(), width=width, record=True, force_terminal=True, color_system="truecolor")
    console.print(renderable)
    return console.export_text()


def is_dim(text: Text, part: str) -> bool:
    start = text.plain.index(part)
    styles = [Style.parse(str(s.style)) for s in text.spans if s.start <= start < s.end]
    return any(style.dim for style in styles)


def test_the_tree_shows_scores_thoughts_and_what_became_of_them():
    out = text_of(render_tree(small_tree()))
    assert "bfs b=1 d=2 · 4 states · 321 tokens · 4.2s · 1 candidate" in out
    assert " 5.00 8 - 6 = 2 (left: 2 4 8)" in out
    assert "★ 2 * 8 = 16 ... (left: 24)  → (8 - 6) * 8 + 4 + 4 = 24" in out
    assert "8 + 8 = 16 (left: 4 6 16)  (rank)" in out and "(threshold)" in out


def test_pruned_nodes_are_dimmed_and_candidates_highlighted():
    view = render_tree(small_tree())
    (root,) = view.children
    kept, pruned = root.children  # kept ones first
    assert is_dim(pruned.label, "8 + 8 = 16") and not is_dim(kept.label, "8 - 6 = 2")
    best, lost = kept.children
    assert "★" in best.label.plain and "bold green" in {str(s.style) for s in best.label.spans}
    assert is_dim(lost.label, "4 + 8 = 12")


def test_only_the_first_children_are_shown_when_asked():
    out = text_of(render_tree(small_tree(), max_children=1))
    assert "8 + 8 = 16" not in out and "… 1 more" in out


def test_scores_are_short():
    assert [format_score(s) for s in (None, 0.001, 1.25, 20.0)] == ["  –  ", " 0.00", " 1.25", " 20.0"]
    label = node_label(small_tree().nodes[1])
    assert label.plain.startswith(" 5.00 ")


def test_live_tree_draws_nothing_off_a_terminal():
    stream = io.StringIO()
    with LiveTree(Console(file=stream, force_terminal=False)) as live:
        live.on_update(small_tree())
    assert stream.getvalue() == "" and live.updates == 1
    stream = io.StringIO()
    with LiveTree(Console(file=stream, force_terminal=False, width=120), show_final=True) as live:
        live(small_tree())
    assert stream.getvalue().count("Tree of Thoughts") == 1


def test_live_tree_follows_a_search_on_a_terminal():
    stream = io.StringIO()
    lm = FakeLM()
    with LiveTree(Console(file=stream, force_terminal=True, width=100), refresh_per_second=50) as live:
        tree = bfs(ToyTask(), ThoughtGenerator(lm), StateEvaluator(lm), SearchConfig(breadth=2, depth=3),
                   on_update=live.on_update, clock=lm.clock)
    assert live.updates > 3 and live.tree is tree
    assert "★ 210" in stream.getvalue()


def test_an_answer_that_only_repeats_the_steps_is_not_shown_again():
    tree = small_tree()
    win = tree.nodes[3]
    win.state, win.answer = "first step\nsecond step\n", "first step\nsecond step"
    assert "→" not in node_label(win, best=True, candidate=True).plain
