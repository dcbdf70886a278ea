"""The reading role: the seeded data generator writes kigi's exact grounded prompt with the
answer copied from the cited source (or the abstention), and the reader adapter is active
only while sources are in the prompt: ordinary chat is unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from agent.focus import focus
from agent.grounding import (
    ABSTENTION,
    DEFAULT_FOCUS,
    GROUNDED_INSTRUCTIONS,
    PIPED_SOURCE,
    GroundingConfig,
    grounded_prompt,
    numbered,
)
from agent.reading.narrative import VOICES, lower_first
from agent.reading.training import ReadingConfig, reading_examples
from agent.session import Session
from llm.engine import Engine
from llm.lora import LoRAConfig, adapters_of
from llm.sampling import SamplingConfig
from memory.log import ConversationLog
from memory.store import Hit
from tests.test_injection import FakeStore, FakeStream
from tests.test_lm import tiny_model_dir
from ui.sources import after_answer

REPO = Path(__file__).resolve().parents[1]


def dumped(config: ReadingConfig) -> list[str]:
    return [json.dumps(e.to_dict()) for e in reading_examples(config)]


def test_the_generator_is_reproducible_and_seeded() -> None:
    config = ReadingConfig(examples=60, seed=3)
    assert dumped(config) == dumped(config)
    assert dumped(config) != dumped(ReadingConfig(examples=60, seed=4))


def test_examples_are_the_grounded_prompt_with_the_answer_from_the_cited_source() -> None:
    examples = list(reading_examples(ReadingConfig(examples=300, seed=1)))
    abstentions = [e for e in examples if e.answer is None]
    assert 0.08 < len(abstentions) / len(examples) < 0.3
    assert any(len(e.sources) == 1 and e.sources[0].source == PIPED_SOURCE for e in examples)
    assert len({d.style for e in examples for d in e.sources}) >= 8
    for e in examples:
        user, reply = e.messages[0]["content"], e.messages[1]["content"]
        hits = [Hit(f"s{n}", d.text, d.source, 0, 1.0) for n, d in enumerate(e.sources)]
        assert user == grounded_prompt(e.question, numbered(hits)) and user.startswith(GROUNDED_INSTRUCTIONS)
        if e.answer is None:
            assert reply == ABSTENTION
        else:
            assert reply == f"{e.answer} [{e.cited}]"
            assert e.answer in e.sources[e.cited - 1].text  # copied from the source it cites


def test_long_notes_are_read_as_memory_shows_them_and_answered_only_where_shown() -> None:
    """Questions about long diaries, minutes and threads come as memory's chunks (at most
    800 characters), focused in the prompt; the target is the answer only where the cited
    source's focused passages state it, else the abstention (focusing left it out)."""
    examples = list(reading_examples(ReadingConfig(examples=200, seed=9, long=1.0)))
    assert {d.style for e in examples for d in e.sources} >= set(VOICES)
    assert all(len(d.text) <= 800 for e in examples for d in e.sources)
    assert any("…" in e.messages[0]["content"] for e in examples)
    left_out = 0
    for e in examples:
        kinds = {entity.name: entity.kind for d in e.sources for entity in d.entities}
        asked_kind = kinds.get(e.entity)
        if asked_kind is not None and asked_kind.bare:  # "What is the wifi password?": one house only
            assert sum(kind is asked_kind for kind in kinds.values()) == 1, e.question
        user, reply = e.messages[0]["content"], e.messages[1]["content"]
        hits = [Hit(f"s{n}", d.text, d.source, 0, 1.0) for n, d in enumerate(e.sources)]
        assert user == grounded_prompt(e.question, numbered(hits))
        if e.answer is None:
            assert reply == ABSTENTION
            asked_about = [d for d in e.sources for entity in d.entities if entity.name == e.entity]
            left_out += any(e.asked in entity.facts for d in asked_about for entity in d.entities
                            if entity.name == e.entity)
        else:
            assert reply == f"{e.answer} [{e.cited}]"
            assert e.answer in focus(e.question, e.sources[e.cited - 1].text.strip(), DEFAULT_FOCUS)
    answered = sum(e.answer is not None for e in examples)
    assert 0.6 < answered / len(examples) < 0.92
    assert left_out > 0  # some facts are in the document but not in what the prompt shows


def test_a_fact_reported_in_someone_s_words_keeps_names_capitalised() -> None:
    assert lower_first("The museum opens at nine.") == "the museum opens at nine."
    assert lower_first("Lumeport has 3,000 people.") == "Lumeport has 3,000 people."


def test_labels_are_unambiguous() -> None:
    """No prompt names one entity twice (two "overtime" rules with other facts), and an
    abstention is never answered by a source."""
    for e in reading_examples(ReadingConfig(examples=400, seed=2)):
        names = [entity.name for d in e.sources for entity in d.entities]
        assert len(names) == len(set(names)), e.question
        if e.answer is None:
            stated = [entity for d in e.sources for entity in d.entities if entity.name == e.entity]
            assert all(e.asked not in entity.facts for entity in stated), e.question
            if not stated:
                assert not any(e.entity in d.text for d in e.sources), e.question


def test_questions_that_name_only_the_kind_are_unambiguous() -> None:
    """"Who is the mayor of the town?" (or "What is the wifi password?", of a kind asked
    about without its name) only where one of its kind is in the prompt; abstentions are
    mostly about a fact the sources leave out, not an entity they never name."""
    examples = list(reading_examples(ReadingConfig(examples=500, seed=5)))
    elided = [e for e in examples if e.entity.lower() not in e.question.lower()]
    assert 0.15 < len(elided) / len(examples) < 0.4
    for e in elided:
        kind = next(entity.kind for d in e.sources for entity in d.entities if entity.name == e.entity)
        assert kind.bare or f"the {kind.noun}" in e.question.lower(), e.question
        assert sum(entity.kind is kind for d in e.sources for entity in d.entities) == 1, e.question
    assert any(e.question in ("What is the secret word?", "What's the secret word?") for e in elided)
    abstentions = [e for e in examples if e.answer is None]
    named = [e for e in abstentions if any(entity.name == e.entity for d in e.sources for entity in d.entities)]
    assert len(named) / len(abstentions) > 0.6  # the entity is there, the fact is not


def test_the_generator_never_reads_the_test_knowledge_base() -> None:
    source = "".join(p.read_text(encoding="utf-8") for p in (REPO / "agent" / "reading").glob("*.py"))
    assert "tests/data" not in source and "evals/rag" not in source
    kb_names = {"Zephyrine", "Lumeport", "Quenby", "Orrin"}
    text = "\n".join(dumped(ReadingConfig(examples=300, seed=0)))
    assert not any(name in text for name in kb_names)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_with_reader(tmp_path_factory)


def engine_with_reader(tmp_path_factory: pytest.TempPathFactory, precision: str = "fp32") -> Engine:
    engine = Engine.load(tiny_model_dir(tmp_path_factory), precision=precision)
    adapters = adapters_of(engine.model)
    adapters.add("reader", LoRAConfig(rank=4, alpha=8, targets=("q", "v")), seed=0)
    weights = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for param in adapters.parameters("reader"):  # far from zero: an active reader changes answers
            param.copy_(torch.randn(param.shape, generator=weights) * 0.5)
    return engine


PROMPTS = [f"Tell me something about the number {n}." for n in range(20)]
SOURCES = FakeStore([Hit("h1", "The secret word is plum.", "notes.md", 0, 0.9)])


def answer(session: Session, prompt: str) -> str:
    session.new_conversation()
    return "".join(session.reply(prompt, sampling=SamplingConfig(max_new_tokens=8)))


def test_the_reader_leaves_ordinary_chat_unchanged(engine: Engine) -> None:
    """20 prompts without sources, each after a grounded question the reader answered: the
    same answers as the model alone; and the reader does change answers when it is on."""
    adapters = adapters_of(engine.model)
    plain = [answer(Session(engine), p) for p in PROMPTS]
    grounded = Session(engine, retriever=SOURCES, reader="reader")
    with_reader = []
    for prompt in PROMPTS:
        answer(grounded, "What is the secret word?")
        grounded.retriever = None
        with_reader.append(answer(grounded, prompt))
        grounded.retriever = SOURCES
    assert with_reader == plain and adapters.active is None
    adapters.activate("reader")
    try:
        assert [answer(Session(engine), p) for p in PROMPTS] != plain  # so the equality above is not vacuous
    finally:
        adapters.activate(None)


def adapters_at_each_call(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The adapter active at each call of `engine.stream`, appended as calls come."""
    adapters = adapters_of(engine.model)
    active_at_call: list[str | None] = []
    stream = engine.stream

    def spy(prompt, sampling):
        active_at_call.append(adapters.active)
        return stream(prompt, sampling)

    monkeypatch.setattr(engine, "stream", spy)
    return active_at_call


def test_the_reader_answers_questions_from_sources_and_is_logged(engine: Engine, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    adapters = adapters_of(engine.model)
    active_at_call = adapters_at_each_call(engine, monkeypatch)
    log = ConversationLog(tmp_path / "log.sqlite3")
    session = Session(engine, retriever=SOURCES, reader="reader", log=log)
    "".join(session.reply("What is the secret word?", sampling=SamplingConfig(max_new_tokens=4)))
    assert active_at_call == ["reader"] and adapters.active is None  # switched back after the answer
    assert session.last is not None and session.last.adapter == "reader"
    assert log.conversation(session.conversation_id).messages[-1].generation.adapter == "reader"
    "".join(session.retry(SamplingConfig(max_new_tokens=4)))  # another candidate: read the same way
    assert active_at_call == ["reader", "reader"] and session.last.citations
    "".join(session.reply("Summarise the notes.", sampling=SamplingConfig(max_new_tokens=4)))
    assert active_at_call[-1] is None  # an instruction, not a question: the model as it is
    piped = Session(engine, reader="reader")
    "".join(piped.reply("What is the secret word?", "The secret word is plum.", SamplingConfig(max_new_tokens=4)))
    assert active_at_call[-1] == "reader" and piped.last is not None
    assert [c.hit.source for c in piped.last.citations] == [PIPED_SOURCE]


def test_the_readers_abstention_must_lead_by_the_margin_and_nothing_else_is_biased(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[SamplingConfig] = []
    stream = engine.stream
    monkeypatch.setattr(engine, "stream", lambda prompt, sampling: seen.append(sampling) or stream(prompt, sampling))
    first = engine.tokenizer.encode(ABSTENTION)[0]
    for margin, reader, question, bias in [
        (1.5, "reader", "What is the secret word?", ((first, -1.5),)),
        (-0.5, "reader", "What is the secret word?", ((first, 0.5),)),  # below 0: the abstention favoured
        (0.0, "reader", "What is the secret word?", ()),  # no margin: the reader's own choice
        (1.5, None, "What is the secret word?", ()),  # no reader: the model as it is
        (1.5, "reader", "Summarise the notes.", ()),  # an instruction: no reader either
    ]:
        session = Session(engine, retriever=SOURCES, reader=reader, grounding=GroundingConfig(abstention_margin=margin))
        "".join(session.reply(question, sampling=SamplingConfig(max_new_tokens=4)))
        assert seen[-1].first_token_bias == bias
    with pytest.raises(ValueError, match="abstention_margin"):
        GroundingConfig(abstention_margin=float("nan"))


def test_piped_text_alone_has_its_own_margin(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """`echo TEXT | kigi ask QUESTION`: the abstention needs `piped_abstention_margin`; with
    memory's sources in the prompt too, the ordinary margin holds."""
    seen: list[SamplingConfig] = []
    stream = engine.stream
    monkeypatch.setattr(engine, "stream", lambda prompt, sampling: seen.append(sampling) or stream(prompt, sampling))
    first = engine.tokenizer.encode(ABSTENTION)[0]
    grounding = GroundingConfig(abstention_margin=0.5, piped_abstention_margin=2.0)
    for retriever, bias in [(None, ((first, -2.0),)), (SOURCES, ((first, -0.5),))]:
        session = Session(engine, retriever=retriever, reader="reader", grounding=grounding)
        "".join(session.reply("What is the secret word?", "The secret word is plum.", SamplingConfig(max_new_tokens=4)))
        assert session.last is not None and PIPED_SOURCE in [c.hit.source for c in session.last.citations]
        assert seen[-1].first_token_bias == bias
    assert GroundingConfig().piped_abstention_margin > GroundingConfig().abstention_margin
    with pytest.raises(ValueError, match="piped_abstention_margin"):
        GroundingConfig(piped_abstention_margin=float("inf"))


def test_a_resumed_conversation_retries_its_last_answer_with_the_reader_and_its_sources(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`kigi chat -c`, then /retry: the candidate is read as the logged answer was (the
    reader on, the same sources cited and logged), not by the bare model."""
    log = ConversationLog(tmp_path / "log.sqlite3")
    first = Session(engine, retriever=SOURCES, reader="reader", log=log)
    "".join(first.reply("What is the secret word?", sampling=SamplingConfig(max_new_tokens=4)))
    active_at_call = adapters_at_each_call(engine, monkeypatch)
    resumed = Session.resume(engine, log, first.conversation_id, "tiny")
    resumed.retriever, resumed.reader = SOURCES, "reader"  # as `kigi chat -c` attaches them
    "".join(resumed.retry(SamplingConfig(max_new_tokens=4)))
    assert active_at_call == ["reader"] and resumed.last is not None
    assert [c.hit.id for c in resumed.last.citations] == ["h1"]
    candidate = log.candidates(first.last_turn_id)[-1]
    assert candidate.generation.adapter == "reader" and list(candidate.generation.chunk_ids) == ["h1"]
    plain = Session(engine, log=log)  # a conversation without sources retries without the reader
    "".join(plain.reply("Tell me a story.", sampling=SamplingConfig(max_new_tokens=4)))
    again = Session.resume(engine, log, plain.conversation_id, "tiny")
    again.retriever, again.reader = SOURCES, "reader"
    "".join(again.retry(SamplingConfig(max_new_tokens=4)))
    assert active_at_call[-1] is None and again.last is not None and not again.last.citations


@pytest.mark.parametrize(("written", "withhold", "shown"), [
    ("plum [1]", True, "plum [1]"),  # the cited source says so
    ("apricot [1]", True, ABSTENTION),  # it does not
    ("4471 [1]", True, ABSTENTION),  # a number no cited source holds
    ("plum [2]", True, "plum [2]"),  # a number that no source has: checked against them all
    (ABSTENTION, True, ABSTENTION),  # nothing to support
    ("apricot [1]", False, "apricot [1]"),  # --no-withhold: the reader's answer as it is
])
def test_the_readers_answer_is_shown_only_when_its_cited_source_supports_it(
        engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, written: str, withhold: bool,
        shown: str) -> None:
    monkeypatch.setattr(engine, "stream", lambda prompt, sampling: FakeStream(written))
    log = ConversationLog(tmp_path / "log.sqlite3")
    session = Session(engine, retriever=SOURCES, reader="reader", log=log,
                      grounding=GroundingConfig(withhold_unsupported=withhold))
    pieces = list(session.reply("What is the secret word?", sampling=SamplingConfig(max_new_tokens=4)))
    assert "".join(pieces) == shown and session.messages[-1].content == shown
    assert session.last is not None and session.last.text == shown
    assert session.last.withheld == (None if shown == written else written)
    assert after_answer(session, "What is the secret word?", None).get("withheld") == session.last.withheld  # --json
    logged = log.conversation(session.conversation_id).messages[-1]
    assert logged.content == shown and logged.generation.withheld == session.last.withheld  # kept, not lost


def test_only_the_readers_answers_are_withheld(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a reader (off, or an instruction rather than a question) nothing is checked."""
    monkeypatch.setattr(engine, "stream", lambda prompt, sampling: FakeStream("apricot"))
    for reader, question in [(None, "What is the secret word?"), ("reader", "Summarise the notes.")]:
        session = Session(engine, retriever=SOURCES, reader=reader)
        assert "".join(session.reply(question, sampling=SamplingConfig(max_new_tokens=4))) == "apricot"
        assert session.last is not None and session.last.withheld is None


@pytest.mark.parametrize(("answers", "scores", "kept", "shown"), [
    (["apricot [1]", "plum [1]", "4471 [1]"], [3.0, 2.0, 1.0], 1, "plum [1]"),  # best supported, not best scored
    (["apricot [1]", "4471 [1]"], [1.0, 2.0], 1, ABSTENTION),  # none supported: the best scored, withheld
])
def test_best_of_keeps_the_best_scored_answer_its_sources_support(
        engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, answers: list[str], scores: list[float],
        kept: int, shown: str) -> None:
    monkeypatch.setattr(engine, "complete", lambda prompt, sampling, n: [FakeStream(a).completion for a in answers])
    log = ConversationLog(tmp_path / "log.sqlite3")
    session = Session(engine, retriever=SOURCES, reader="reader", log=log)
    found = session.reply_best_of("What is the secret word?", None, SamplingConfig(max_new_tokens=4), len(answers),
                                  lambda prompt, texts: scores)
    assert found.best == kept and session.last is not None and session.last.text == shown
    assert session.last.withheld == (None if shown == answers[kept] else answers[kept])
    candidates = log.candidates(session.last_turn_id)  # type: ignore[arg-type]
    assert [c.generation.withheld for c in candidates] == [session.last.withheld] + [None] * (len(answers) - 1)
    plain = Session(engine, retriever=SOURCES, reader="reader", grounding=GroundingConfig(withhold_unsupported=False))
    found = plain.reply_best_of("What is the secret word?", None, SamplingConfig(max_new_tokens=4), len(answers),
                                lambda prompt, texts: scores)
    assert plain.last is not None and plain.last.text == answers[found.best] == answers[scores.index(max(scores))]


def test_an_answer_stopped_midway_switches_the_reader_back(engine: Engine) -> None:
    adapters = adapters_of(engine.model)
    session = Session(engine, retriever=SOURCES, reader="reader",
                      grounding=GroundingConfig(withhold_unsupported=False))  # streamed, not held back
    stream = session.reply("What is the secret word?", sampling=SamplingConfig(max_new_tokens=8))
    next(stream, None)
    assert adapters.active == "reader"
    stream.close()  # what Ctrl-C in the renderer does to the stream
    assert adapters.active is None and session.last is not None and len(session.messages) == 2


def test_a_one_shot_answer_folds_the_reader_in_and_answers_as_unfolded(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """`kigi ask` folds the reader into the float weights for its one answer (no adapter
    matmuls per token): the same greedy answer as the reader unfolded, logged as the reader's."""
    engine = engine_with_reader(tmp_path_factory)  # folding is for good: an engine of its own
    question = "What is the secret word?"
    unfolded = answer(Session(engine, retriever=SOURCES, reader="reader"), question)
    once = Session(engine, retriever=SOURCES, reader="reader", fold_answer=True)
    assert answer(once, question) == unfolded
    assert adapters_of(engine.model).folded == "reader" and once.last is not None and once.last.adapter == "reader"


def test_a_one_shot_answer_on_quantized_weights_leaves_the_reader_unfolded(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Folding into quantized weights quantizes them again, and int4 cannot hold the update
    (the reader folded into int4 scored 22.5% held out against 41.2% unfolded): `kigi ask`
    answers with the reader unfolded there, and switches it off after."""
    engine = engine_with_reader(tmp_path_factory, precision="int8")
    adapters = adapters_of(engine.model)
    assert adapters.can_fold("reader") and not adapters.can_merge("reader")
    once = Session(engine, retriever=SOURCES, reader="reader", fold_answer=True)
    answer(once, "What is the secret word?")
    assert adapters.folded is None and adapters.active is None and once.last.adapter == "reader"

def test_a_one_shot_answer_folds_the_session_s_own_adapter_too(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`kigi ask --adapter NAME` without sources: NAME writes the one answer, so it is folded
    in as the reader is, with the same greedy answer as unfolded."""
    answers = []
    for fold in (False, True):
        engine = engine_with_reader(tmp_path_factory)
        adapters_of(engine.model).activate("reader")  # what `--adapter reader` does at load
        answers.append(answer(Session(engine, adapter="reader", fold_answer=fold), PROMPTS[0]))
        assert adapters_of(engine.model).folded == ("reader" if fold else None)
    assert answers[0] == answers[1]
