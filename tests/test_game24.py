"""Game of 24: solver against brute force, verifier on tricky inputs, the puzzle file,
the ToT task, baselines' answer extraction, and the training data's test-set exclusion."""

from __future__ import annotations

import itertools
import json
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from agent.evals.config import Game24EvalConfig
from agent.evals.solve import solve_puzzle
from agent.tasks.game24 import (
    TEST_RANKS,
    Game24Error,
    Game24Task,
    HeldOutPuzzleError,
    Puzzle,
    Step,
    check_not_test,
    compose_answer,
    cot_messages,
    default_data_path,
    evaluate_expression,
    extract_answer,
    few_shot_examples,
    generate_training_examples,
    held_out_numbers,
    io_messages,
    load_puzzles,
    majority_answer,
    next_steps,
    parse_rank_range,
    reachable_states,
    select_ranks,
    solvable,
    solve,
    training_examples_from_csv,
    training_puzzles,
    verify,
)
from agent.tot import SearchConfig, StateEvaluator, ThoughtGenerator, bfs, plain_render
from tests.need import missing
from tests.test_layout import import_graph

DATA = default_data_path()


@pytest.fixture(scope="module")
def puzzles() -> list[Puzzle]:
    if not DATA.exists():
        missing(f"{DATA} not found: the public Game of 24 list is read by path, "
                "never copied into the repository")
    return load_puzzles(DATA)


# -- solver ------------------------------------------------------------------------------


def brute_force_solvable(sets: np.ndarray) -> np.ndarray:
    """Every ordering, operator triple and bracketing of 4 numbers, in floats, vectorised
    over puzzles: an independent check of the exact solver."""
    ops = [np.add, np.subtract, np.multiply, np.divide]
    found = np.zeros(len(sets), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for perm in itertools.permutations(range(4)):
            a, b, c, d = (sets[:, i].astype(float) for i in perm)
            for f, g, h in itertools.product(ops, repeat=3):
                for value in (
                    h(g(f(a, b), c), d),
                    h(g(a, f(b, c)), d),
                    g(f(a, b), h(c, d)),
                    f(a, h(g(b, c), d)),
                    f(a, g(b, h(c, d))),
                ):
                    found |= np.abs(value - 24) < 1e-9
    return found


def test_solver_agrees_with_brute_force_on_every_puzzle(puzzles):
    assert len(puzzles) == 1362
    sets = np.array([p.numbers for p in puzzles])
    expected = brute_force_solvable(sets)
    for puzzle, want in zip(puzzles, expected, strict=True):
        expression = solve(puzzle.numbers)
        assert (expression is not None) == want, puzzle
        if expression is not None:
            assert verify(puzzle.numbers, expression).ok, (puzzle, expression)


def test_solver_agrees_with_brute_force_on_all_sets_of_1_to_13():
    sets = np.array(list(itertools.combinations_with_replacement(range(1, 14), 4)))
    expected = brute_force_solvable(sets)
    got = np.array([solvable(tuple(s)) for s in sets])
    assert (got == expected).all()
    assert 0 < expected.sum() < len(sets)  # both kinds are tested
    assert solve((1, 1, 1, 1)) is None


def test_solver_handles_fraction_puzzles():
    for numbers in ((3, 3, 8, 8), (1, 5, 5, 5), (1, 3, 4, 6), (4, 4, 7, 7)):
        assert verify(numbers, solve(numbers)).ok


def test_next_steps_are_distinct_and_correct():
    steps = next_steps((4, 4, 6))
    assert len({s.line() for s in steps}) == len(steps)
    assert Step(Fraction(6), "-", Fraction(4), Fraction(2), (Fraction(2), Fraction(4))) in steps
    assert all(s.result >= 0 for s in steps)
    assert any(s.result < 0 for s in next_steps((4, 6), nonnegative=False))


# -- verifier ----------------------------------------------------------------------------

P = (4, 4, 6, 8)


@pytest.mark.parametrize(
    "text",
    [
        "(6 - 4) * (4 + 8)",
        "Answer: (6 - 4) * (4 + 8) = 24",
        "answer: (4+8)*(6-4)=24",
        "(6 − 4) × (4 + 8)",
        "`(8 - (6 - 4)) * 4 = 24`",
        "((8 - (6 - 4)) * 4)",
    ],
)
def test_verifier_accepts_right_answers(text):
    assert verify(P, text).ok


def test_verifier_is_exact_where_floats_are_not():
    assert 8 / (3 - 8 / 3) != 24  # floats miss it
    assert verify((3, 3, 8, 8), "8 / (3 - 8 / 3)").ok


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("4 * 6 * (8 / 8)", "uses"),  # 8 reused, 4 missing
        ("4 * 6", "uses"),  # numbers left out
        ("(4 + 8) * (6 - 4) * 4 / 4", "uses"),  # an extra number
        ("(4 + 4 + 8) + 6", "equals 22"),
        ("6 * 8 / (4 - 4)", "division by zero"),
        ("24.0000001", "uses"),
        ("4 * 6 * (8 - 4) / 4.0000001", "uses"),
        ("((6 - 4) * (4 + 8)", "unbalanced"),
        ("(6 - 4)) * (4 + 8", "unbalanced"),
        ("(6 - 4 * (4 + 8", "unbalanced"),
        (")6 - 4( * (4 + 8)", "unbalanced"),
        ("6 - 4 * * 4 + 8", "expected a number"),
        ("6 4 4 8", "unexpected"),
        ("-4 + 4 + 6 * 8", "expected a number"),
        ("2(6 + 4) + 4 + 8", "unexpected"),
        ("6 * 4 + 8 - 4 -", "ends"),
        ("6 ** 4 + 4 + 8", "unexpected number"),  # markdown bold stripped, never a power
        ("1**2 * 4 + 4 + 6 + 8", "unexpected number"),  # not 12
        ("__import__('os').system('true')", "unexpected character"),
        ("", "no expression"),
        ("Answer:", "empty"),
    ],
)
def test_verifier_rejects_tricky_inputs(text, reason):
    verdict = verify(P, text)
    assert not verdict.ok and not verdict
    assert reason in verdict.reason


def test_verifier_rejects_near_24_and_deep_nesting_without_crashing():
    assert evaluate_expression("24.0000001") != 24
    assert not verify((24,), "24.0000001").ok
    assert verify((24,), "24").ok
    assert not verify(P, "(" * 1000 + "4" + ")" * 1000).ok
    deep = "(" * 40 + "6 - 4" + ")" * 40 + " * (4 + 8)"
    assert "deeply" in verify(P, deep).reason
    assert not verify(P, None).ok


# -- the puzzle file ---------------------------------------------------------------------


def test_load_puzzles_and_select_the_test_ranks(puzzles):
    assert [p.rank for p in puzzles] == list(range(1, 1363))
    test = select_ranks(puzzles, "901-1000")
    assert len(test) == 100 and test[0].text == "4 5 6 10"
    assert all(p.is_test for p in test)
    assert select_ranks(puzzles, (1, 1))[0].numbers == (1, 1, 4, 6)


@pytest.mark.parametrize("text", ["", "a-b", "1000-901", "0-5", "5-", "1,2"])
def test_bad_rank_ranges_are_refused(text):
    with pytest.raises(Game24Error, match="range"):
        parse_rank_range(text)


def test_rank_range_forms():
    assert parse_rank_range("901-1000") == (901, 1000)
    assert parse_rank_range(" 7 ") == (7, 7)


def test_bad_files_are_refused(tmp_path: Path):
    with pytest.raises(Game24Error, match="no puzzle file"):
        load_puzzles(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("Rank,Numbers\n1,1 2 3 4\n")
    with pytest.raises(Game24Error, match="Puzzles"):
        load_puzzles(bad)
    bad.write_text("Rank,Puzzles\n1,1 2 3\n")
    with pytest.raises(Game24Error, match="4 numbers"):
        load_puzzles(bad)


# -- the ToT task ------------------------------------------------------------------------


def reachable(module: str) -> set[str]:
    """Every project module that `module` imports, directly or through others."""
    graph, found, todo = import_graph(), set(), [module]
    while todo:
        for target in graph[todo.pop()] - found:
            found.add(target)
            todo.append(target)
    return found


def test_the_task_never_reaches_the_solver():
    """A search must find answers itself: nothing the task imports, at any depth and
    function-level imports included, is the solver (the training data may use it)."""
    solver = "agent.tasks.game24.solver"
    assert solver not in reachable("agent.tasks.game24.task")
    assert solver in reachable("agent.tasks.game24.training")  # the walk does see it


def test_proposals_are_parsed_and_checked():
    task = Game24Task("4 4 6 8")
    text = (
        "1. 4 + 8 = 12 (left: 4 6 12)\n"
        "8 * 4 = 33 (left: 4 6 33)\n"  # wrong arithmetic
        "9 - 4 = 5 (left: 4 5 6 8)\n"  # 9 is not there
        "6 - 4 = 2 (left: 2 4 9)\n"  # wrong numbers left
        "6 / 4 = 3/2\n"  # nothing left said
        "6 × 4 = 24 (left: 4 8 24)\n"
        "I think we should add them\n"
    )
    assert task.parse_thoughts("", text) == [
        "4 + 8 = 12 (left: 4 6 12)\n",
        "6 * 4 = 24 (left: 4 8 24)\n",
    ]
    repaired = Game24Task("4 4 6 8", check="repair").parse_thoughts("", text)
    assert "8 * 4 = 32 (left: 4 6 32)\n" in repaired
    assert "6 - 4 = 2 (left: 2 4 8)\n" in repaired and "6 / 4 = 3/2 (left: 3/2 4 8)\n" in repaired
    assert not any(line.startswith("9") for line in repaired)
    as_written = Game24Task("4 4 6 8", check="none").parse_thoughts("", text)
    assert "8 * 4 = 33 (left: 4 6 33)\n" in as_written


def test_division_by_zero_step_is_dropped():
    task = Game24Task("4 4 6 8")
    state = "4 - 4 = 0 (left: 0 6 8)\n"
    assert task.parse_thoughts(state, "6 / 0 = 0 (left: 0 8)") == []
    repair = Game24Task("4 4 6 8", check="repair")
    assert repair.parse_thoughts(state, "6 / 0 = 1 (left: 1 8)") == []


def test_states_finals_and_answers():
    task = Game24Task(Puzzle(1077, (4, 4, 6, 8)))
    assert task.depth == 3
    steps = ["4 + 8 = 12 (left: 4 6 12)", "6 - 4 = 2 (left: 2 12)", "2 * 12 = 24 (left: 24)"]
    state = ""
    for step in steps:
        assert not task.is_final(state)
        (state,) = task.parse_thoughts(state, step)
    assert task.is_final(state)
    answer = task.final_answer(state)
    assert answer == "(6 - 4) * (4 + 8) = 24" and task.judge(answer)
    dead = "4 + 8 = 12 (left: 4 6 12)\n6 + 4 = 10 (left: 10 12)\n12 - 10 = 2 (left: 2)\n"
    assert task.is_final(dead) and task.final_answer(dead) is None
    assert task.describe("") == "Numbers: 4 4 6 8"
    assert task.describe(state) == steps[-1]


def test_commutative_steps_are_the_same_state():
    task = Game24Task("4 4 6 8")
    (a,) = task.parse_thoughts("", "4 + 8 = 12 (left: 4 6 12)")
    (b,) = task.parse_thoughts("", "8 + 4 = 12 (left: 4 6 12)")
    assert a != b and task.state_key(a) == task.state_key(b)


def test_model_written_answers():
    task = Game24Task("4 4 6 8", answer="model")
    assert task.depth == 4
    state = "4 + 8 = 12 (left: 4 6 12)\n6 - 4 = 2 (left: 2 12)\n2 * 12 = 24 (left: 24)\n"
    assert not task.is_final(state)
    prompt = task.propose_prompt(state)
    assert "Steps:" in prompt and "2 * 12 = 24" in prompt
    (final,) = task.parse_thoughts(state, "Answer: (6 - 4) * (4 + 8) = 24")
    assert task.is_final(final) and task.judge(task.final_answer(final))
    assert "Answer: (6 - 4) * (4 + 8) = 24" in task.value_prompt(final)
    assert task.parse_thoughts(state, "no idea") == []


def test_compose_answer_keeps_needed_parentheses():
    steps = next(
        [a, b, c] for a in next_steps((1, 2, 3, 4)) for b in next_steps(a.left)
        for c in next_steps(b.left) if c.left == (24,) and a.op == "+"
    )
    expression = compose_answer((1, 2, 3, 4), steps)
    assert verify((1, 2, 3, 4), expression).ok
    missing = Step(Fraction(9), "+", Fraction(1), Fraction(10), ())
    assert compose_answer((1, 2, 3, 4), [missing]) is None


def test_prompts_are_short_zero_shot_and_rendered_by_the_hook():
    task = Game24Task("4 5 6 10")
    for prompt in (task.propose_prompt(""), task.sample_prompt(""), task.value_prompt("")):
        assert "4 5 6 10" in prompt
        assert len(prompt.split()) < 40
        assert prompt.count("Numbers:") == 1  # no examples inside the adapters' prompts
    assert task.value_prompt("").rstrip().endswith("sure, likely or impossible.")

    def chatml(messages):
        turns = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
        return turns + "<|im_start|>assistant\n"

    chat = Game24Task("4 5 6 10", render=chatml, few_shot=True)
    prompt = chat.value_prompt("")
    assert prompt.endswith("<|im_start|>assistant\n")
    assert prompt.count("<|im_start|>user") == 4  # three examples, then the question


def test_few_shot_examples_are_right_and_not_from_the_test_set(puzzles):
    held_out = held_out_numbers(puzzles)
    task = Game24Task("2 3 5 12")
    for numbers, reply in few_shot_examples():
        values = tuple(sorted(int(x) for x in numbers.split()))
        assert values not in held_out, numbers
        if reply in ("sure", "impossible"):
            assert (reply == "sure") == solvable(values), numbers
        elif "Answer:" in reply:
            assert verify(values, extract_answer(reply)).ok, reply
        else:
            lines = reply.splitlines()
            assert len(Game24Task(values).parse_thoughts("", reply)) == len(lines), reply
    assert task.numbers == (2, 3, 5, 12)


class Oracle:
    """Proposes every legal step (or only those that keep 24 reachable, or only dead ends) and
    values states by the solver."""

    def __init__(self, steps: str = "all"):
        self.prompts = []
        self.steps = steps

    def _numbers(self, prompt):
        line = re.findall(r"Numbers: ([^\n]*)", prompt)[-1]
        return [Fraction(x) for x in line.split()]

    def complete(self, prompt, *, n=1, max_tokens=128, temperature=0.0, stop=(), seed=None, rule=None):
        self.prompts.append(prompt)
        steps = next_steps(self._numbers(prompt))
        if self.steps != "all":
            steps = [s for s in steps if solvable(s.left) == (self.steps == "ways on")]
        text = "\n".join(s.line() for s in steps)
        return [type("C", (), {"text": text, "tokens": len(text.split())})()] * n

    def label_probs(self, prompt, labels):
        self.prompts.append(prompt)
        sure = solvable(self._numbers(prompt))
        return [{"sure": float(sure), "likely": 0.0, "impossible": float(not sure)}[w] for w in labels]


def test_tot_solves_a_puzzle_with_an_oracle_model():
    """The plumbing end to end: a fake model that proposes every legal step and values
    states by the solver lets BFS with breadth 1 find a correct answer."""
    oracle = Oracle()
    task = Game24Task("4 5 6 10", render=plain_render)
    tree = bfs(task, ThoughtGenerator(oracle), StateEvaluator(oracle),
               SearchConfig(breadth=1, depth=task.depth))
    assert tree.answer is not None and task.judge(tree.answer)
    assert tree.tokens > 0 and tree.calls == len(oracle.prompts)
    assert json.dumps(tree.to_dict())


@pytest.mark.parametrize("check", ["repair", "drop"])
def test_the_eval_scores_a_proposer_of_dead_ends_zero_and_one_of_ways_on_full(check):
    """Whatever the search shape adds (five root lists, a calculator that repairs), only the
    proposer's steps are searched: dead ends alone solve nothing."""
    for rank, numbers in enumerate([(4, 5, 6, 10), (1, 1, 4, 6), (3, 3, 8, 8)], 1):
        config = Game24EvalConfig(method="tot", check=check, n_generate_root=5)
        dead = solve_puzzle(Oracle("dead ends"), Puzzle(rank, numbers), config, render=plain_render)
        assert not dead.ok and not dead.any_ok
        ways = solve_puzzle(Oracle("ways on"), Puzzle(rank, numbers), config, render=plain_render)
        assert ways.ok, ways


# -- baselines ---------------------------------------------------------------------------


def test_io_and_cot_prompts():
    assert "4 5 6 10" in io_messages((4, 5, 6, 10))[-1]["content"]
    assert len(io_messages((4, 5, 6, 10))) == 1 and len(io_messages((4, 5, 6, 10), True)) == 5
    assert "step" in cot_messages((4, 5, 6, 10))[-1]["content"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4 + 8 = 12 (left: 4 6 12)\nAnswer: (6 - 4) * (4 + 8) = 24", "(6 - 4) * (4 + 8)"),
        ("(4 + 8) * (6 - 4) = 24", "(4 + 8) * (6 - 4)"),
        ("answer: 1 * 2 * 3 * 4.", "1 * 2 * 3 * 4"),
        ("**Answer:** `(4 + 8) * (6 - 4)`", "(4 + 8) * (6 - 4)"),
        ("I cannot find a way.", None),
        ("", None),
    ],
)
def test_extract_answer(text, expected):
    assert extract_answer(text) == expected


def test_majority_answer_for_cot_sc():
    replies = ["Answer: 1+2", "Answer: 1 + 2", "Answer: 3*1", "no answer"]
    assert majority_answer(replies) == "1+2"
    assert majority_answer(["nothing"]) is None


# -- training data and the test set ------------------------------------------------------


def test_test_set_constant():
    assert range(901, 1001) == TEST_RANKS


def test_check_not_test_raises_by_rank_and_by_numbers():
    with pytest.raises(HeldOutPuzzleError, match="test set"):
        check_not_test(Puzzle(950, (1, 2, 3, 4)))
    with pytest.raises(HeldOutPuzzleError):
        check_not_test(Puzzle(5, (4, 5, 6, 10)), {(4, 5, 6, 10)})
    check_not_test(Puzzle(5, (1, 1, 4, 6)), {(4, 5, 6, 10)})


def test_generator_refuses_test_puzzles():
    with pytest.raises(HeldOutPuzzleError):
        generate_training_examples([Puzzle(1, (1, 1, 4, 6)), Puzzle(901, (4, 5, 6, 10))])
    with pytest.raises(HeldOutPuzzleError):
        generate_training_examples([Puzzle(1, (4, 5, 6, 10))], test_numbers={(4, 5, 6, 10)})
    synthetic = [Puzzle(1, (1, 1, 4, 6)), Puzzle(950, (4, 5, 6, 10)), Puzzle(2, (10, 6, 5, 4))]
    assert training_puzzles(synthetic) == [Puzzle(1, (1, 1, 4, 6))]  # same numbers, other rank
    with pytest.raises(HeldOutPuzzleError, match="overlap"):
        training_puzzles(synthetic, "1-901")
    with pytest.raises(HeldOutPuzzleError, match="overlap"):
        training_puzzles(synthetic, (1000, 1100))


def test_generator_never_emits_test_set_puzzles(puzzles):
    held_out = held_out_numbers(puzzles)
    assert len(held_out) == 100
    examples = training_examples_from_csv(DATA, states_per_puzzle=1, kinds=("value",))
    assert {e.rank for e in examples}.isdisjoint(TEST_RANKS)
    assert {e.puzzle for e in examples}.isdisjoint(held_out)
    shown = {tuple(int(x) for x in e.state.split()) for e in examples if len(e.state.split()) == 4}
    assert shown.isdisjoint(held_out)
    assert len({e.puzzle for e in examples}) == 1362 - 100
    # no state a search over a test puzzle can show the model is a training prompt
    test_states = reachable_states(held_out)
    assert {tuple(Fraction(x) for x in e.state.split()) for e in examples}.isdisjoint(test_states)


def test_reachable_states_are_every_state_any_sequence_of_steps_leaves(puzzles):
    half = Fraction(3, 2)
    assert reachable_states([(2, 3)]) == {(2, 3), (5,), (6,), (1,), (-1,), (half,), (1 / half,)}
    train = training_puzzles(puzzles, "1-30")
    roots = {tuple(sorted(Fraction(x) for x in p.numbers)) for p in train}
    below = reachable_states([p.numbers for p in train]) - roots  # every state after a step
    examples = generate_training_examples(train, kinds=("propose", "value"), test_states=below, seed=1)
    assert examples and all(len(e.state.split()) == 4 for e in examples)  # only the roots are left


def test_generated_examples_are_chat_sft_records_with_solver_targets(puzzles):
    train = training_puzzles(puzzles, "1-30")
    examples = generate_training_examples(train, kinds=("propose", "value", "answer"), seed=1)
    assert examples == generate_training_examples(
        train, kinds=("propose", "value", "answer"), seed=1
    )
    kinds = {e.kind for e in examples}
    assert kinds == {"propose", "value", "answer"}
    labels = {e.messages[-1]["content"] for e in examples if e.kind == "value"}
    assert labels == {"sure", "impossible"}
    for example in examples:
        record = json.loads(json.dumps(example.to_dict()))
        roles = [m["role"] for m in record["messages"]]
        assert roles == ["user", "assistant"], "zero-shot: one prompt, one reply"
        state = tuple(Fraction(x) for x in example.state.split())
        reply = record["messages"][-1]["content"]
        if example.kind == "value":
            assert (reply == "sure") == solvable(state)
        elif example.kind == "answer":
            assert verify(example.puzzle, extract_answer(reply)).ok
        else:
            task = Game24Task(state)
            children = task.parse_thoughts("", reply)
            assert len(children) == len(reply.splitlines()) >= 1
            lefts = [task.left(child) for child in children]
            assert len(lefts) == len(set(lefts)), "each line is a different child"
            if solvable(state):
                assert solvable(task.left(children[0])), "a good step comes first"
    prompts = [e.messages[0]["content"] for e in examples]
    assert len(prompts) == len(set(prompts))


def test_the_game24_data_command_writes_one_role(tmp_path):
    from typer.testing import CliRunner

    from cli import app

    data = tmp_path / "puzzles.csv"
    data.write_text("Rank,Puzzles,AMT (s),Solved rate,1-sigma Mean (s),1-sigma STD (s)\n"
                    + "".join(f"{r},{p},5.0,99%,5.0,1.0\n" for r, p in enumerate(["1 1 4 6", "1 2 3 4", "4 4 6 8"], 1)))
    out = tmp_path / "value.jsonl"
    result = CliRunner().invoke(app, ["train", "game24-data", "-o", str(out), "--role", "value", "--puzzles", str(data),
                                      "--states", "2", "--three-number-share", "1.0"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert records and {r["meta"]["kind"] for r in records} == {"value"}
    assert {len(r["meta"]["state"].split()) for r in records} <= {3, 4}  # one step from each puzzle, or the puzzle
    bad = CliRunner().invoke(app, ["train", "game24-data", "-o", str(out), "--role", "judge", "--puzzles", str(data)])
    assert bad.exit_code == 1 and "--role" in bad.output
