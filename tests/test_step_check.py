"""The calculator for reasoning steps: which equations it reads, what it repairs, and how
the ToT search keeps, drops or repairs a step with wrong arithmetic."""

from __future__ import annotations

from fractions import Fraction

import pytest

from agent.tasks.open_question import OpenQuestionTask
from agent.tasks.step_check import apply_check, check_step, evaluate


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
    task = OpenQuestionTask("What is 3 + 4?", check=mode)  # type: ignore[arg-type]
    assert task.parse_thoughts("", "3 + 4 = 8\n5 - 1 = 4") == children


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="check must be one of"):
        OpenQuestionTask("What?", check="fix")  # type: ignore[arg-type]
