"""ToT role data for ordinary questions: the search's own prompts, concrete steps as
targets, labels that match the paths, the same file for the same seed."""

from __future__ import annotations

import random

from agent.tasks.meta_talk import is_meta_talk
from agent.tasks.open_question import OpenQuestionTask
from agent.tasks.step_check import check_step
from agent.tasks.word_problems import generate
from agent.tasks.word_problems.training import (
    META_STEPS,
    RoleDataConfig,
    _wrong_setup,
    role_data,
    role_examples,
    trace,
)
from agent.tot import plain_render


def test_step_examples_are_the_search_prompts_with_the_solver_steps_as_targets() -> None:
    problem = generate(1, seed=5)[0]
    examples = [e for e in role_examples(problem, random.Random(0), RoleDataConfig()) if e["meta"]["kind"] == "step"]
    task = OpenQuestionTask(problem.question, steps=RoleDataConfig().depth,
                            render=lambda m: m[-1]["content"])
    steps = trace(problem)
    assert [e["messages"][1]["content"] for e in examples] == steps
    assert [e["messages"][0]["content"] for e in examples] == [
        task.sample_prompt("\n".join(steps[:i])) for i in range(len(steps))]
    assert task.is_final("\n".join(steps))  # the answer step ends the path
    # the prompt text is what the search shows inside its chat turn
    plain = OpenQuestionTask(problem.question, steps=RoleDataConfig().depth, render=plain_render)
    assert examples[0]["messages"][0]["content"] in plain.sample_prompt("")


def test_no_step_target_talks_about_reasoning_and_every_one_computes() -> None:
    records = list(role_data(RoleDataConfig(problems=120, seed=1)))
    steps = [r["messages"][1]["content"] for r in records if r["meta"]["kind"] == "step"]
    assert steps and not any(is_meta_talk(s) for s in steps)
    assert all(any(c.isdigit() for c in s) for s in steps)
    assert all(is_meta_talk(s) for s in META_STEPS)  # the negatives the evaluator learns are meta-talk


def test_value_labels_follow_the_path() -> None:
    records = [r for r in role_data(RoleDataConfig(problems=150, seed=2)) if r["meta"]["kind"] == "value"]
    labels = {r["messages"][1]["content"] for r in records}
    assert labels == {"sure", "likely", "impossible"}
    for record in records:
        prompt, label = record["messages"][0]["content"], record["messages"][1]["content"]
        finished = "So the answer is" in prompt
        meta = any(m in prompt for m in META_STEPS)
        if label == "sure":
            assert finished and not meta
        if meta:
            assert label == "impossible"


def test_the_same_seed_writes_the_same_data() -> None:
    config = RoleDataConfig(problems=30, seed=7)
    assert list(role_data(config)) == list(role_data(config))
    assert list(role_data(config)) != list(role_data(RoleDataConfig(problems=30, seed=8)))


def test_a_wrong_set_up_is_right_arithmetic_on_another_operation_or_number() -> None:
    step = "4 × 21 = 84, so adult singles come to £84."
    for seed in range(30):
        wrong = _wrong_setup(step, [4, 21, 2, 8], random.Random(seed))
        assert wrong is not None and wrong != step and check_step(wrong)[0]
        a, op, b = wrong.split(" = ")[0].split()
        assert op != "×" or {int(a), int(b)} != {4, 21}  # another operation or another number
        result = wrong.split(" = ")[1].split(",")[0]
        assert wrong.endswith(f"come to £{result}.")
    assert _wrong_setup("So the answer is 84.", [4], random.Random(0)) is None


def test_impossible_paths_include_wrong_set_ups_with_right_arithmetic() -> None:
    records = [r for r in role_data(RoleDataConfig(problems=150, seed=3)) if r["meta"]["kind"] == "value"
               and r["messages"][1]["content"] == "impossible"]
    last_lines = [r["messages"][0]["content"].split("\nIs this")[0].splitlines()[-1] for r in records]
    set_ups = [line for line in last_lines if " = " in line and check_step(line)[0]]
    assert len(set_ups) >= len(records) // 4
