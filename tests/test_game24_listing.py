"""The proposer's data for small states lists every step, so the search sees every child of
a three- or two-number state and the value role chooses (issue 14, round three)."""

from __future__ import annotations

import json
from fractions import Fraction

from agent.tasks.game24 import (
    Game24Task,
    Puzzle,
    generate_training_examples,
    held_out_numbers,
    load_puzzles,
    next_steps,
    reachable_states,
    solvable,
    training_examples_from_csv,
)
from agent.tasks.game24.training import every_step_target
from tests.test_game24 import DATA, puzzles  # noqa: F401  (the module's fixture)

SYNTHETIC = [Puzzle(1, (1, 1, 4, 6)), Puzzle(2, (1, 2, 3, 4)), Puzzle(3, (4, 4, 6, 8)), Puzzle(4, (2, 3, 5, 12))]


def _children(state: tuple[Fraction, ...], reply: str) -> list[tuple[Fraction, ...]]:
    task = Game24Task(state, check="drop")  # a line with wrong arithmetic would be dropped
    return [task.left(child) for child in task.parse_thoughts("", reply)]


def test_every_step_target_lists_each_distinct_child_once_with_right_arithmetic():
    for numbers in [(1, 4, 6), (3, 3, 8), (Fraction(8, 3), 3, 9), (5, 5), (2, 12)]:
        state = tuple(sorted(Fraction(x) for x in numbers))
        reply = every_step_target(state)
        lefts = _children(state, reply)
        assert len(lefts) == len(reply.splitlines()), "every line passes the calculator check"
        assert len(lefts) == len(set(lefts)), "no child twice"
        assert set(lefts) == {step.left for step in next_steps(state)}, "no child missing"
    assert every_step_target((Fraction(1), Fraction(4), Fraction(6))).splitlines()[0] == "4 + 1 = 5 (left: 5 6)"


def test_small_states_get_the_whole_list_and_four_numbers_the_short_ranked_one():
    examples = generate_training_examples(SYNTHETIC, kinds=("propose",), states_per_puzzle=3,
                                          three_number_share=0.5, list_all_below=3, propose_lines=5, seed=3)
    sizes = set()
    for example in examples:
        state = tuple(Fraction(x) for x in example.state.split())
        reply = example.messages[-1]["content"]
        sizes.add(len(state))
        if len(state) <= 3:
            assert reply == every_step_target(state)
        else:
            lefts = _children(state, reply)
            assert 1 <= len(lefts) <= 5
            if solvable(state):
                assert solvable(lefts[0]), "a good first step comes first"
    assert sizes == {2, 3, 4}


def test_root_share_leaves_out_puzzles_own_numbers_and_one_keeps_the_old_stream():
    options = dict(kinds=("propose", "value"), states_per_puzzle=2, seed=5)
    assert generate_training_examples(SYNTHETIC, root_share=1.0, **options) == generate_training_examples(
        SYNTHETIC, **options), "the default writes what it wrote before the option existed"
    without_roots = generate_training_examples(SYNTHETIC, root_share=0.0, **options)
    assert without_roots and all(len(e.state.split()) < 4 for e in without_roots)


def test_listed_data_of_the_real_puzzles_never_shows_a_test_state(puzzles):  # noqa: F811
    examples = training_examples_from_csv(DATA, kinds=("propose",), states_per_puzzle=1, list_all_below=3,
                                          three_number_share=0.85, root_share=0.1, seed=1)
    states = {tuple(Fraction(x) for x in e.state.split()) for e in examples}
    assert any(len(s) == 3 for s in states) and any(len(s) == 2 for s in states)
    assert states.isdisjoint(reachable_states(held_out_numbers(load_puzzles(DATA))))


def test_the_game24_data_command_lists_every_step_of_small_states(tmp_path):
    from typer.testing import CliRunner

    from cli import app

    data = tmp_path / "puzzles.csv"
    rows = "".join(f"{r},{' '.join(map(str, p.numbers))},5.0,99%,5.0,1.0\n" for r, p in enumerate(SYNTHETIC, 1))
    data.write_text("Rank,Puzzles,AMT (s),Solved rate,1-sigma Mean (s),1-sigma STD (s)\n" + rows)
    out = tmp_path / "propose.jsonl"
    result = CliRunner().invoke(app, ["train", "game24-data", "-o", str(out), "--role", "propose",
                                      "--puzzles", str(data), "--states", "2", "--list-all-below", "3",
                                      "--root-share", "0"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert records
    for record in records:
        state = tuple(Fraction(x) for x in record["meta"]["state"].split())
        assert len(state) < 4 and record["messages"][-1]["content"] == every_step_target(state)
    bad = CliRunner().invoke(app, ["train", "game24-data", "-o", str(out), "--puzzles", str(data), "--root-share", "2"])
    assert bad.exit_code == 1 and "root_share" in bad.output


def test_a_zero_denominator_in_model_text_is_not_a_number_and_never_stops_a_search():
    from agent.tasks.game24 import parse_step

    assert parse_step("14 / 0 = 14/0 (left: 14/0 2)") is None
    assert parse_step("13 + 1 = 14 (left: 0 14/0)") is None
    state = "11 - 11 = 0 (left: 0 1 13)\n"
    reply = "13 / 0 = 13/0 (left: 1 13/0)\n0 / 13 = 0 (left: 0 1)\n13 + 1 = 14 (left: 0 14)"
    for check in ("drop", "repair", "none"):
        children = Game24Task((1, 11, 11, 13), check=check).parse_thoughts(state, reply)
        assert [c.splitlines()[-1] for c in children] == ["0 / 13 = 0 (left: 0 1)", "13 + 1 = 14 (left: 0 14)"]
