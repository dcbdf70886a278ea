"""The calculator for reasoning steps: which equations it reads, what it repairs, and how
the ToT search keeps, drops or repairs a step with wrong arithmetic."""

from __future__ import annotations

from fractions import Fraction

import pytest

from agent.tasks.open_question import OpenQuestionTask
from agent.tasks.step_check import StepContext, apply_check, check_step, evaluate


@pytest.mark.parametrize("expression, value", [
    ("4 × 21 + 3", 87), ("£100 - £28", 72), ("2 x 8", 16), ("1,200 / 4", 300), ("10 ÷ 4", Fraction(5, 2)),
    ("2 + 3 * 4", 14), ("import os", None), ("4 / 0", None), ("", None),
])
def test_evaluate_reads_arithmetic_only(expression: str, value: Fraction | int | None) -> None:
    assert evaluate(expression) == value


@pytest.mark.parametrize("step, ok, repaired", [
    ("100 - 28 = 72, so Hugo gets £72.", True, "100 - 28 = 72, so Hugo gets £72."),
    ("4 × 21 = 88, so adults pay £88.", False, "4 × 21 = 84, so adults pay £84."),
    ("4 * £21 = £88.", False, "4 * £21 = £84."),
    ("2 × 3 = 7 and 7 + 1 = 8", False, "2 × 3 = 6 and 6 + 1 = 7"),
    ("10 / 4 = 2 each", False, "10 / 4 = 2.5 each"),
    ("1,200 / 4 = 300 people", True, "1,200 / 4 = 300 people"),
    ("9 sheep do not run away, so 9 are left.", True, "9 sheep do not run away, so 9 are left."),
])
def test_wrong_results_are_found_and_repaired_where_the_step_repeats_them(step: str, ok: bool,
                                                                          repaired: str) -> None:
    assert check_step(step) == (ok, repaired)


def test_the_modes() -> None:
    wrong = "3 + 4 = 8"
    assert apply_check(wrong, "none") == wrong
    assert apply_check(wrong, "drop") is None
    assert apply_check(wrong, "repair") == "3 + 4 = 7"
    assert apply_check("3 + 4 = 7", "drop") == "3 + 4 = 7"


@pytest.mark.parametrize("mode, children", [
    ("none", ["3 + 4 = 8\n", "5 - 1 = 4\n"]),
    ("drop", ["5 - 1 = 4\n"]),
    ("repair", ["3 + 4 = 7\n", "5 - 1 = 4\n"]),
])
def test_the_search_keeps_drops_or_repairs_thoughts(mode: str, children: list[str]) -> None:
    task = OpenQuestionTask("What are 3 + 4 and 5 - 1?", check=mode)  # type: ignore[arg-type]
    assert task.parse_thoughts("", "3 + 4 = 8\n5 - 1 = 4") == children


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="check must be one of"):
        OpenQuestionTask("What?", check="fix")  # type: ignore[arg-type]


QUESTION = "Singles are £21. 4 adults buy returns at twice the single fare. How much do they pay?"


@pytest.mark.parametrize("step, drop, repair", [
    ("84 × 2 = 168, so returns cost £168.", "84 × 2 = 168, so returns cost £168.",
     "84 × 2 = 168, so returns cost £168."),
    ("84 × 60 = 5040, so minutes.", "84 × 60 = 5040, so minutes.", "84 × 60 = 5040, so minutes."),  # a unit factor
    ("84 × 9 = 756, so they pay £756.", None, None),  # 9 is in neither the question nor a step
    ("84 × 9 = 700, so they pay £700.", None, None),
    ("So the answer is £84.", "So the answer is £84.", "So the answer is £84."),
    ("So the answer is 90.", None, "So the answer is 84."),  # held to the last result
    ("84 × 2 = 170, so £170.", None, "84 × 2 = 168, so £168."),
])
def test_a_step_in_context_computes_with_given_numbers_and_answers_with_the_last_result(
        step: str, drop: str | None, repair: str | None) -> None:
    context = StepContext.of(QUESTION, ["4 × 21 = 84, so the singles cost £84."])
    assert context.last == 84 and {4, 21, 84} <= context.known
    assert apply_check(step, "drop", context) == drop
    assert apply_check(step, "repair", context) == repair
    assert apply_check(step, "none", context) == step


def test_an_answer_step_before_any_result_is_kept() -> None:
    assert apply_check("So the answer is 7.", "drop", StepContext.of("What is 3 + 4?", [])) == "So the answer is 7."


def test_the_search_checks_a_step_against_the_question_and_the_path() -> None:
    task = OpenQuestionTask(QUESTION, check="repair")
    state = "4 × 21 = 84, so the singles cost £84.\n"
    assert task.parse_thoughts(state, "84 × 9 = 756\nSo the answer is 90.") == [
        state + "So the answer is 84.\n"]
