"""`--topic-check`: memory's sources are kept only when the best of them makes the question
likelier than no passage by `min_gain` nats a token, or when the question names something a
source contains; a session without the check (the default) keeps them as before."""

from __future__ import annotations

import pytest

from agent import passage_pick
from agent.about_memory import about_memory, memory_sources, named_in
from agent.grounding import AboutConfig, GroundingConfig
from agent.session import Session
from memory.store import Hit
from tests.test_injection import FakeStore
from tests.test_reading import engine_with_reader

NEWSLETTER = Hit("n1", "Kez won the marrow prize. Plot 9 is let to Tash from May.", "newsletter.md", 0, 0.4)


@pytest.mark.parametrize(("question", "texts", "named"), [
    ("What's the name of Kez's brother?", [NEWSLETTER.text], True),  # a possessive names Kez
    ("Who rents plot 9 after Tash?", ["tash rents it"], False),  # names match as written
    ("Why is the sky blue?", ["The sky was Blue"], False),  # the first word names nothing
    ("How do I boil an egg?", ["I boil mine for six minutes."], False),  # nor does "I"
    ("When does Tash take plot 9?", ["a note", NEWSLETTER.text], True),  # any source will do
])
def test_a_question_names_what_a_source_contains(question: str, texts: list[str], named: bool) -> None:
    assert named_in(question, texts) is named


def likelihoods(monkeypatch: pytest.MonkeyPatch, scores: list[float]) -> list[list[str]]:
    """`question_likelihood` answering `scores` (no passage first), recording what it scored."""
    asked: list[list[str]] = []

    def score(question: str, texts: list[str]) -> list[float]:
        asked.append(texts)
        return scores[:len(texts)]

    monkeypatch.setattr(passage_pick, "question_likelihood", lambda engine, config=None: score)
    return asked


def test_the_best_source_must_raise_the_questions_likelihood_by_min_gain(monkeypatch) -> None:
    asked = likelihoods(monkeypatch, [-3.0, -2.9, -2.3])  # the better source adds 0.7 nats a token
    texts = ["a note on compost", "a note on rainfall"]
    assert about_memory(None, "Why is the sky blue?", texts, AboutConfig(min_gain=0.6))
    assert not about_memory(None, "Why is the sky blue?", texts, AboutConfig(min_gain=0.8))
    assert asked[0] == ["", *texts]  # scored against no passage at all
    assert about_memory(None, "Who is Kez?", [NEWSLETTER.text], AboutConfig(min_gain=9.0))  # named: not asked


def test_a_session_with_the_check_answers_without_sources_it_finds_off_topic(tmp_path_factory, monkeypatch) -> None:
    likelihoods(monkeypatch, [-3.0, -2.95])  # the source adds 0.05 nats a token: not about the question
    engine = engine_with_reader(tmp_path_factory)
    store = FakeStore([NEWSLETTER])
    checked = Session(engine, retriever=store, reader="reader", grounding=GroundingConfig(about=AboutConfig()))
    turn = checked.turn_input("Why is the sky blue?")
    assert turn.citations == [] and turn.reader is None and "marrow" not in turn.user.content
    assert checked.turn_input("Who won the marrow prize, Kez?").citations  # named: kept
    default = Session(engine, retriever=store, reader="reader")  # no check: kept as before
    assert [c.hit.id for c in default.turn_input("Why is the sky blue?").citations] == ["n1"]
    assert memory_sources(store, "Why is the sky blue?", GroundingConfig(about=AboutConfig()), None)  # remote: kept
