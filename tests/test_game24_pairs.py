"""Two-number data drawn beyond the puzzles: right verdicts, half sure, near misses among the
negatives, every step listed for the proposer, and no state a search over the test puzzles
can show."""

from __future__ import annotations

import json
import random
from fractions import Fraction

from agent.tasks.game24 import held_out_numbers, load_puzzles, reachable_states, solvable, training_examples_from_csv
from agent.tasks.game24.pairs import impossible_pair, sure_pair, value_pairs
from agent.tasks.game24.training import every_step_target, pair_examples
from tests.test_game24 import DATA, puzzles  # noqa: F401  (the module's fixture)


def test_drawn_pairs_carry_the_solvers_verdict_half_and_half():
    pairs = list(value_pairs(200, refused=set(), seed=5))
    assert len({state for state, _ in pairs}) == 200
    assert all(len(state) == 2 and solvable(state) == sure for state, sure in pairs)
    assert sum(sure for _, sure in pairs) == 100
    assert pairs == list(value_pairs(200, refused=set(), seed=5)), "a seed writes the same pairs"


def test_each_operator_makes_the_sure_pairs_and_near_misses_sit_beside_them():
    rng = random.Random(0)
    sure = [sure_pair(rng) for _ in range(400)]
    made_by = {op for a, b in sure for op, value in
               (("+", a + b), ("-", b - a), ("*", a * b), ("/", b / a)) if value == 24}
    assert made_by == {"+", "-", "*", "/"}
    assert any(x.denominator > 1 for pair in sure for x in pair), "fractions too"
    misses = [impossible_pair(rng) for _ in range(300)]
    assert not any(solvable(pair) for pair in misses)
    near = [pair for pair in misses if any(abs(op - 24) <= 3 and op != 24 for op in
                                          (pair[0] + pair[1], pair[1] - pair[0], pair[0] * pair[1]))]
    assert len(near) > len(misses) // 5, "many negatives are a step from 24"


def test_refused_states_are_never_drawn():
    refused = {state for state, _ in value_pairs(100, refused=set(), seed=2)}
    assert refused.isdisjoint(state for state, _ in value_pairs(100, refused=refused, seed=2))


def test_pair_examples_are_value_records_grouped_apart_and_clear_of_test_states(puzzles):  # noqa: F811
    test_states = reachable_states(held_out_numbers(puzzles))
    examples = pair_examples(300, test_states, seed=1)
    for example in examples:
        record = json.loads(json.dumps(example.to_dict()))
        state = tuple(sorted(Fraction(x) for x in example.state.split()))
        assert state not in test_states
        assert record["messages"][-1] == {"role": "assistant", "content": "sure" if solvable(state) else "impossible"}
        assert record["meta"]["group"] == f"pair {example.state}" and record["meta"]["kind"] == "value"


def test_propose_pair_examples_list_every_step_with_the_one_that_makes_24(puzzles):  # noqa: F811
    test_states = reachable_states(held_out_numbers(puzzles))
    examples = pair_examples(200, test_states, seed=3, kinds=("propose",))
    assert len(examples) == 200 and {e.kind for e in examples} == {"propose"}
    for example in examples:
        state = tuple(sorted(Fraction(x) for x in example.state.split()))
        assert state not in test_states
        reply = example.messages[-1]["content"]
        assert reply == every_step_target(state)
        # a sure pair's list holds the step to 24, written as the search's calculator reads it
        assert ("= 24 (left: 24)" in reply) == solvable(state)
    both = pair_examples(10, test_states, seed=3, kinds=("propose", "value"))
    assert [e.kind for e in both] == ["propose", "value"] * 10
    assert [e.state for e in both[::2]] == [e.state for e in examples[:10]], "the same draws for both roles"


def test_the_csv_generator_appends_pairs_to_the_value_data_without_repeats():
    plain = training_examples_from_csv(DATA, "1-40", states_per_puzzle=2, kinds=("value",))
    with_pairs = training_examples_from_csv(DATA, "1-40", states_per_puzzle=2, kinds=("value",), pairs=50)
    assert with_pairs[: len(plain)] == plain and len(with_pairs) == len(plain) + 50
    prompts = [e.messages[0]["content"] for e in with_pairs]
    assert len(prompts) == len(set(prompts))
    test_states = reachable_states(held_out_numbers(load_puzzles(DATA)))
    assert {tuple(sorted(Fraction(x) for x in e.state.split())) for e in with_pairs}.isdisjoint(test_states)


def test_the_data_command_adds_pairs_to_the_value_and_propose_roles(tmp_path):
    from typer.testing import CliRunner

    from cli import app

    out = tmp_path / "value.jsonl"
    args = ["train", "game24-data", "-o", str(out), "--puzzles", str(DATA), "--states", "1", "--pairs", "6"]
    result = CliRunner().invoke(app, [*args, "--role", "value"])
    assert result.exit_code == 0, result.output
    groups = [json.loads(line)["meta"].get("group") for line in out.read_text().splitlines()]
    assert sum(g is not None and g.startswith("pair ") for g in groups) == 6
    result = CliRunner().invoke(app, [*args, "--role", "propose", "--list-all-below", "3"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    drawn = [r for r in records if r["meta"].get("group", "").startswith("pair ")]
    assert len(drawn) == 6 and all(r["meta"]["kind"] == "propose" for r in drawn)
    assert all(r["messages"][-1]["content"].count("(left: ") >= 4 for r in drawn), "every step listed"
    result = CliRunner().invoke(app, [*args, "--role", "answer"])
    assert result.exit_code == 0, result.output
    assert not any("group" in json.loads(line)["meta"] for line in out.read_text().splitlines())
