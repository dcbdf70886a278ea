"""A reader's answer of the wrong kind (a place for a year, a name for a price) is withheld
like an unsupported one; questions of other forms are not checked."""

from __future__ import annotations

import pytest

from agent.answer_kinds import fits
from agent.grounding import ABSTENTION, best_supported, numbered
from agent.session import Session
from llm.sampling import SamplingConfig
from memory.store import Hit
from tests.test_injection import FakeStore, FakeStream
from tests.test_reading import engine_with_reader

SOCIETY = Hit("h1", "The Kettlewick society was founded in 1947 by Hamish Rees. Subs are £12.", "notes.md", 0, 0.9)


@pytest.mark.parametrize(("question", "answer", "fitting"), [
    ("What year was the Harbour Allotment Society founded?", "Kettlewick [4]", False),
    ("What year was the Harbour Allotment Society founded?", "1947 [4]", True),
    ("In which year did it open?", "the 1980s", True),
    ("How much did the Sunday roast at the Black Bull cost each?", "Hamish [4]", False),
    ("How much does a half plot cost?", "£19 [2]", True),
    ("What does the course cost?", "nothing [1]", True),
    ("What time does the Christmas meal start?", "16 January 2026 [4]", False),
    ("What time does the bring-and-share get going?", "6.30 [2]", True),
    ("What time do I need to turn up?", "8am [1]", True),
    ("What time does the party start?", "half past six [1]", True),
    ("What year group is Mia in?", "Year 3 [1]", True),  # a school's year, not a calendar's: unchecked
    ("How old was the founder?", "in her seventies [2]", True),
    ("How old is Hattie Prosser?", "Ruth Condomine [4]", False),
    ("How many people went on the weekend away?", "eleven [3]", True),
    ("How many plots are there?", "Ropewalk [12]", False),  # the citation is not a count
    ("How much of my plot do I have to keep cultivated?", "three quarters [1]", True),  # not a price: unchecked
    ("Who chairs the society?", "1947 [1]", True),  # a form that names no kind: unchecked
    ("What breed is Bramble?", "The Withersdale [4]", True),
])
def test_an_answer_must_be_of_the_kind_its_question_names(question: str, answer: str, fitting: bool) -> None:
    assert fits(question, answer) is fitting


def test_best_of_keeps_the_best_scored_answer_of_the_right_kind() -> None:
    citations = numbered([SOCIETY])
    question = "What year was the society founded?"
    assert best_supported(["Kettlewick [1]", "1947 [1]"], [2.0, 1.0], citations, question=question)[:2] == \
        (1, "1947 [1]")
    assert best_supported(["Kettlewick [1]"], [1.0], citations, question=question)[1:] == \
        (ABSTENTION, "Kettlewick [1]")


def test_a_session_withholds_an_answer_of_the_wrong_kind_and_keeps_it(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = engine_with_reader(tmp_path_factory)
    for written, shown in [("Kettlewick [1]", ABSTENTION), ("1947 [1]", "1947 [1]")]:
        monkeypatch.setattr(engine, "stream", lambda prompt, sampling, w=written: FakeStream(w))
        session = Session(engine, retriever=FakeStore([SOCIETY]), reader="reader")
        pieces = session.reply("What year was the society founded?", sampling=SamplingConfig(max_new_tokens=4))
        assert "".join(pieces) == shown
        assert session.last is not None and session.last.withheld == (None if shown == written else written)
