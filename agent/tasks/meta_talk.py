"""Is a thought a step of reasoning, or talk about reasoning?

A ToT thought for "17 sheep, all but 9 run away" should be "9 do not run away, so 9 are
left", not "The first step of reasoning is to start with an assumption". The second kind
(meta-talk) names the act of reasoning — steps, approaches, assumptions, the question,
the answer — and states no quantity or fact of the problem. This pattern list is the
measure issue 15 reports ("fewer than 5% of thoughts are meta-talk"); it is deliberately
simple, so that anyone can see what it counts (`tests/test_meta_talk.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words a sentence uses when it talks about the reasoning rather than doing it.
_ABOUT_REASONING = re.compile(
    r"\b(?:step|steps|reasoning|reason|approach|assum\w*|method|strateg\w*|logic\w*|think\w*|"
    r"consider\w*|analy[sz]\w*|solv\w*|represent\w*|process|problem|question|answer\w*|"
    r"figure out|work out|let'?s|we need|we must|we can|we should|first|next|then|elegant|simple|"
    r"understand\w*|calculat\w*|determin\w*|find)\b",
    re.IGNORECASE,
)
# A computation: a number, or an arithmetic sign between words or numbers.
_QUANTITY = re.compile(r"\d|[=+×÷*/]|\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|half|twice)\b",
                       re.IGNORECASE)
# Said about reasoning whatever numbers surround it.
_ALWAYS_META = re.compile(
    r"\b(?:step of reasoning|line of reasoning|steps? towards the answer|can be represented by|"
    r"the (?:first|next) step is to)\b",
    re.IGNORECASE,
)


def is_meta_talk(thought: str) -> bool:
    """True for a sentence about reasoning that holds no quantity of the problem."""
    text = thought.strip()
    if not text:
        return False
    if _ALWAYS_META.search(text):
        return True
    return bool(_ABOUT_REASONING.search(text)) and not _QUANTITY.search(text)


def meta_talk_rate(thoughts: Iterable[str]) -> float | None:
    """The share of non-empty thoughts that are meta-talk (None when there are none)."""
    flags = [is_meta_talk(t) for t in thoughts if t.strip()]
    return sum(flags) / len(flags) if flags else None
