"""Where an unsolved Game of 24 search was lost, told apart per level: the proposer listed
no way on, or the value role pruned every one; and counted over a run's results."""

from __future__ import annotations

from agent.evals import Game24EvalConfig, solve_puzzle
from agent.evals.losses import lost_counts, where_lost
from agent.tasks.game24 import Puzzle, solvable
from agent.tot import plain_render
from tests.test_game24 import Oracle

PUZZLE = Puzzle(1, (4, 5, 6, 10))
CONFIG = Game24EvalConfig(method="tot", breadth=1, last_breadth=None)


class Contrary(Oracle):
    """Proposes every step but values the states that can reach 24 lowest."""

    def label_probs(self, prompt, labels):
        sure = not solvable(self._numbers(prompt))
        return [{"sure": float(sure), "likely": 0.0, "impossible": float(not sure)}[w] for w in labels]


def test_a_proposer_of_dead_ends_loses_at_the_first_level():
    result = solve_puzzle(Oracle("dead ends"), PUZZLE, CONFIG, render=plain_render)
    assert not result.ok and result.tree["lost"] == "propose@1"
    assert result.tree["levels"][0]["states"] > 0 and result.tree["levels"][0]["ways_on"] == 0


def test_a_value_role_that_prunes_every_way_on_is_blamed_and_a_solved_search_is_not():
    lost = solve_puzzle(Contrary(), PUZZLE, CONFIG, render=plain_render)
    first = lost.tree["levels"][0]
    assert not lost.ok and lost.tree["lost"] == "value@1"
    assert first["ways_on"] > 0 and first["kept"] == 0
    solved = solve_puzzle(Oracle(), PUZZLE, CONFIG, render=plain_render)
    assert solved.ok and solved.tree["lost"] is None
    assert [row["kept"] for row in solved.tree["levels"]] == [1, 1]  # breadth 1: the one kept could go on


def test_losses_name_the_last_step_and_a_budget_and_are_counted():
    rows = [{"states": 3, "ways_on": 1, "kept": 1}, {"states": 4, "ways_on": 2, "kept": 1}]
    assert where_lost(rows, solved=False) == "last step"
    assert where_lost(rows, solved=True) is None
    cut = [rows[0], {"states": 0, "ways_on": 0, "kept": 0}]
    assert where_lost(cut, solved=False, stopped="max_tokens") == "max_tokens@2"
    assert where_lost(cut, solved=False) == "propose@2"
    trees = [{"lost": "value@2"}, {"lost": None}, None, {"nodes": 3}, {"lost": "propose@1"}, {"lost": "value@2"}]
    assert lost_counts(trees) == {"propose@1": 1, "value@2": 2}
    assert lost_counts([{"lost": None}]) is None


def test_the_root_proposer_writes_the_first_step_and_only_it():
    ways, dead = Oracle(), Oracle("dead ends")
    first_only = solve_puzzle(dead, PUZZLE, CONFIG, render=plain_render, roles={"propose": dead, "propose-root": ways})
    assert not first_only.ok and first_only.tree["lost"] == "propose@2", "a way on at the root, none below"
    below_only = solve_puzzle(ways, PUZZLE, CONFIG, render=plain_render, roles={"propose": ways, "propose-root": dead})
    assert not below_only.ok and below_only.tree["lost"] == "propose@1"
    both = solve_puzzle(dead, PUZZLE, CONFIG, render=plain_render, roles={"propose": ways, "propose-root": ways})
    assert both.ok
