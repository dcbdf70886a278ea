"""The meta-talk measure counts sentences about reasoning, and only those."""

from __future__ import annotations

import pytest

from agent.tasks.meta_talk import is_meta_talk, meta_talk_rate

META = [
    "The first step of reasoning towards the answer is to start with the assumption that there is only one sheep left.",
    "Every step towards the answer can be represented by a simple and elegant sentence.",
    "Let's think about the problem carefully.",
    "We need to figure out how many sheep are left.",
    "To answer this question, consider what the farmer has.",
    "The first step is to add 3 and 4.",
]
CONCRETE = [
    "9 sheep do not run away, so 9 are left.",
    "17 - 8 = 9",
    "3 boxes × 12 eggs = 36 eggs.",
    "Half of the apples are eaten.",
    "Paris is the capital of France.",
    "The train leaves at 9:40 and arrives at 11:10.",
    "",
]


@pytest.mark.parametrize("thought", META)
def test_talk_about_reasoning_is_meta(thought: str) -> None:
    assert is_meta_talk(thought)


@pytest.mark.parametrize("thought", CONCRETE)
def test_a_computation_or_fact_is_not(thought: str) -> None:
    assert not is_meta_talk(thought)


def test_rate_counts_non_empty_thoughts() -> None:
    assert meta_talk_rate([META[0], CONCRETE[0], CONCRETE[1], ""]) == pytest.approx(1 / 3)
    assert meta_talk_rate(["", "  "]) is None
