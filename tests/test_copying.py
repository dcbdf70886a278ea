"""Copied answers (agent/copying.py): the reader's reply may only be the abstention or a span
of its sources that starts and ends on a word, then its citation; after the `[` it is free."""

from __future__ import annotations

import pytest

from agent.copying import span_copy
from agent.grounding import ABSTENTION, PIPED_SOURCE, Citation, GroundingConfig
from agent.session import Session
from llm.engine import Engine
from llm.sampling import SamplingConfig
from llm.text_rules import TokenKinds
from memory.store import Hit
from tests.test_reading import engine  # noqa: F401  (the tiny model with a reader adapter)

VOCAB = ["The", " sources", " do", " not", " say", ".", "mari", "gold", "lia", " mari", " [", "[", "1", "]",
         "amber", "-f", "alcon", "-42", "The wifi", "<end>", "plum"]
END = VOCAB.index("<end>")


def decode(ids: list[int]) -> str:
    return "".join(VOCAB[i] for i in ids)


def allowed(written: list[str], text: str = "The wifi password is marigold or amber-falcon-42.") -> set[str]:
    kinds = TokenKinds(None, len(VOCAB), list(VOCAB))  # type: ignore[arg-type]  (the texts are given)
    rule = span_copy([Citation(1, Hit("s", text, "notes.txt", 0, 1.0))], kinds, decode, [END])
    mask = rule([VOCAB.index(t) for t in written])
    return set(VOCAB) if mask is None else {VOCAB[i] for i in range(len(VOCAB)) if mask[i]}


def test_a_reply_starts_as_the_abstention_or_at_a_word_of_the_sources() -> None:
    assert allowed([]) == {"The", "The wifi", "mari", " mari", "amber"}  # "lia", "gold": inside no word start
    assert allowed(["The"]) == {" sources", " [", "[", "<end>"}  # the abstention goes on, or "The" is the span
    assert allowed(["The"], "A wifi password: marigold.") == {" sources"}


def test_a_span_goes_on_letter_for_letter_and_is_cited_only_where_a_word_ends() -> None:
    assert allowed(["mari"]) == {"gold"}  # not "lia": marlia is nowhere in the sources
    assert allowed(["mari", "gold"]) == {" [", "[", "<end>"}
    assert allowed(["amber", "-f"]) == {"alcon"}  # a hyphen joins a word: no citation after "amber-f"
    assert allowed(["amber", "-f", "alcon"]) == {"-42"}
    assert allowed(["mari", "gold", " ["]) == set(VOCAB)  # the citation is free
    assert allowed(["The", " sources", " do", " not", " say", "."]) == set(VOCAB)


def test_text_the_filter_cannot_follow_is_left_free_never_a_dead_end() -> None:
    assert allowed(["lia"]) == set(VOCAB)


def test_an_answer_may_open_with_a_capital_the_source_does_not_have() -> None:
    assert "plum" in allowed([], "Plum is the word.") and "plum" in allowed([], "the word is plum")


def test_the_session_copies_the_readers_answer_only_when_asked(engine: Engine,  # noqa: F811
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    filters: list[object] = []
    stream = engine.stream
    monkeypatch.setattr(engine, "stream", lambda prompt, sampling, token_filter=None:
                        filters.append(token_filter) or stream(prompt, sampling, token_filter))
    context = "The secret word is plum, and the door code is 4471."
    for copy in (False, True):
        session = Session(engine, reader="reader", grounding=GroundingConfig(copy_answers=copy))
        "".join(session.reply("What is the secret word?", context, SamplingConfig(max_new_tokens=6)))
        assert (filters[-1] is not None) is copy
        assert session.last is not None and [c.hit.source for c in session.last.citations] == [PIPED_SOURCE]
        reply = session.last.withheld or session.last.text
        if copy:  # the tiny model's words, held to the source's
            said = reply.split("[")[0].strip()
            assert ABSTENTION.startswith(said) or said in context or said[:1].swapcase() + said[1:] in context
    "".join(Session(engine, reader="reader", grounding=GroundingConfig(copy_answers=True)).reply(
        "Summarise it.", context, SamplingConfig(max_new_tokens=4)))
    assert filters[-1] is None  # an instruction: no reader, nothing copied


def test_ask_and_chat_ask_for_copied_answers_with_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.sources

    monkeypatch.setattr(ui.sources, "load_reader", lambda model, name: "reader")
    session = Session(engine=None)  # type: ignore[arg-type]  (attaching reads no weights here)
    for copy in (False, True):
        ui.sources.attach_reader(session, "grounded-reader", withhold=True, copy=copy)
        assert session.reader == "reader" and session.grounding is not None
        assert session.grounding.copy_answers is copy and session.grounding.withhold_unsupported
