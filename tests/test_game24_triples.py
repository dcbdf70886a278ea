"""Every solvable three-number state of the training puzzles as a propose prompt: the
states a search must get past, each once, none a test state, targets led by a way on."""

from __future__ import annotations

from fractions import Fraction

from agent.tasks.game24 import held_out_numbers, load_puzzles, next_steps, reachable_states, solvable
from agent.tasks.game24.arithmetic import sorted_values
from agent.tasks.game24.training import training_examples_from_csv, training_puzzles
from tests.test_game24 import DATA


def _state(example) -> tuple[Fraction, ...]:
    return sorted_values(Fraction(x) for x in example.state.split())


def test_every_solvable_triple_of_the_training_puzzles_is_a_prompt_once():
    puzzles = load_puzzles(DATA)
    test_states = reachable_states(held_out_numbers(puzzles))
    expected = {step.left for p in training_puzzles(puzzles, "1-60")
                for step in next_steps(p.numbers) if solvable(step.left)} - test_states
    plain = training_examples_from_csv(DATA, "1-60", states_per_puzzle=1, kinds=("propose",), seed=4)
    every = training_examples_from_csv(DATA, "1-60", states_per_puzzle=1, kinds=("propose",), seed=4,
                                       solvable_triples=True)
    triples = [_state(e) for e in every if len(_state(e)) == 3 and solvable(_state(e))]
    assert set(triples) == expected and len(triples) == len(expected), "each once, all of them"
    assert len({_state(e) for e in plain} & expected) < len(expected), "the flag adds states"
    assert not {_state(e) for e in every} & test_states
    for example in every:
        state = _state(example)
        if len(state) == 3 and solvable(state):
            first = example.messages[-1]["content"].splitlines()[0]
            assert any(step.line() == first and solvable(step.left) for step in next_steps(state)), first


def test_negative_pairs_is_a_one_line_error(tmp_path):
    from typer.testing import CliRunner

    from cli import app

    result = CliRunner().invoke(app, ["train", "game24-data", "-o", str(tmp_path / "v.jsonl"), "--puzzles",
                                      str(DATA), "--pairs", "-3"])
    assert result.exit_code != 0
    assert "pairs must be >= 0" in result.output and "Traceback" not in result.output
