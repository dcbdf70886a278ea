"""Does a reader's answer have the kind of thing its question asks for?

A 135M reader that cannot find a fact answers with a nearby span of the right source:
"What year was the society founded?" → `Kettlewick [4]`, "How much did the roast cost
each?" → `Hamish [4]`, "What time does the meal start?" → `16 January 2026 [4]`. Such an
answer passes the groundedness check (its words are in the source it cites) and is wrong
whatever the sources say. A few question forms name the kind of their answer plainly — a
year, a time of day, a count or an age, a price — and an answer without it is withheld like
an unsupported one. A question of any other form is not checked.
"""

from __future__ import annotations

import re

_CITATION = re.compile(r"\[\d+\]")
_NUMBER_WORDS = (
    r"zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|"
    r"dozen|half|quarter|third|couple|several|few|once|twice|no|none|first|second|fourth|fifth|sixth|seventh|"
    r"eighth|ninth|tenth"
)
# (the question's form, what its answer must contain)
KINDS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(question, re.IGNORECASE), re.compile(answer, re.IGNORECASE)) for question, answer in (
        (r"\b(?:what|which) year\b(?! group)", r"\b\d{4}s?\b|'\d\d\b"),  # a year (not a school's year group)
        (r"\bwhat time\b", r"\d[:.]\d\d|\d\s*(?:am|pm|a\.m\.|p\.m\.)|\b(?:noon|midday|midnight|o'clock)\b"
                           r"|\b(?:half|quarter) (?:past|to)\b"),
        (r"\bhow (?:many|old)\b", rf"\d|\b(?:{_NUMBER_WORDS})\b|\b(?:twen|thir|for|fif|six|seven|eigh|nine)ties\b"),
        (r"\bhow much\b.*\b(?:cost|costs|charge|charged|pay|paid|price|spend|spent|fee)\b|\bwhat does .* cost\b",
         rf"[£$€¥]|\d|\b(?:free|nothing|pence|pounds|euros|dollars|{_NUMBER_WORDS})\b"),  # a price
    )
)


def fits(question: str, answer: str) -> bool:
    """False when `question` names the kind of its answer and `answer` (its citations left
    out) has none of it; True otherwise, and for a question of any other form."""
    text = _CITATION.sub(" ", answer)
    return all(kind.search(text) for form, kind in KINDS if form.search(question))
