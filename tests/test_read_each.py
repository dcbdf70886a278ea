"""Reading each source alone: one prompt per source, the reader active, decoded as one
batch; the answer of the best-ranked source that answers, citing that source's number."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from agent.grounding import ABSTENTION, DEFAULT_FOCUS, GROUNDED_INSTRUCTIONS, GroundingConfig, prompt_version
from agent.read_each import best_reading
from agent.session import Session
from llm.engine import Engine
from llm.lora import adapters_of
from llm.sampling import Completion, SamplingConfig
from memory.log import ConversationLog
from memory.store import Hit
from tests.test_injection import FakeStore
from tests.test_reading import engine_with_reader

EACH = GroundingConfig(read_each=True)
HITS = [Hit("a", "The mayor of Lumeport is Ada Brenner.", "towns.md", 0, 0.9),
        Hit("b", "The ferry leaves at noon.", "ferry.txt", 0, 0.8),
        Hit("c", "Lumeport has 3,000 people.", "census.md", 0, 0.7)]


def test_the_best_ranked_answering_reading_wins() -> None:
    """Sources come best last; abstentions and empty readings do not answer."""
    assert best_reading([ABSTENTION, "Ada [1]", ABSTENTION]) == 1
    assert best_reading(["Ada [1]", "Bo [1]"]) == 1
    assert best_reading(["Ada [1]", "", ABSTENTION]) == 0
    assert best_reading([ABSTENTION, " "]) is None


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_with_reader(tmp_path_factory)


class Recorder:
    """engine.complete_each, scripted: a source that names Ada answers, others abstain."""

    def __init__(self, engine: Engine, answers: bool = True) -> None:
        self.engine, self.answers = engine, answers
        self.prompts: list[str] = []
        self.active: list[str | None] = []

    def __call__(self, prompts: Sequence[Sequence[int]], sampling: SamplingConfig) -> list[Completion]:
        self.active.append(adapters_of(self.engine.model).active)
        texts = [self.engine.tokenizer.decode(list(p)) for p in prompts]
        self.prompts += texts
        return [Completion([1, 2], "Ada Brenner [1]" if self.answers and "Ada" in t else ABSTENTION, "stop")
                for t in texts]


def test_each_source_is_read_alone_and_the_answer_cites_its_own_number(engine: Engine, tmp_path, monkeypatch) -> None:
    recorder = Recorder(engine)
    monkeypatch.setattr(engine, "complete_each", recorder)
    with ConversationLog(tmp_path / "kigi.db") as log:
        session = Session(engine, "tiny", retriever=FakeStore(HITS), reader="reader", log=log, grounding=EACH)
        text = "".join(session.reply("Who is the mayor of Lumeport?", sampling=SamplingConfig(max_new_tokens=8)))
        assert log.generations_with(prompt_version(DEFAULT_FOCUS, read_each=True)) == 1
    # numbered best last: [1] census, [2] ferry, [3] towns — the answer cites [3], not [1]
    assert text == "Ada Brenner [3]" and session.last is not None and session.last.text == text
    assert len(recorder.prompts) == 3 and recorder.active == ["reader"]
    for prompt, hit in zip(recorder.prompts, reversed(HITS), strict=True):
        assert GROUNDED_INSTRUCTIONS in prompt and prompt.count("(from ") == 1 and f"[1] (from {hit.source})" in prompt
    assert session.messages[-1].content == text
    assert session.last.prompt_tokens > 0 and session.last.completion_tokens == 6
    assert adapters_of(engine.model).active is None  # the reader is switched back off


def test_no_source_answering_gives_the_abstention(engine: Engine, monkeypatch) -> None:
    monkeypatch.setattr(engine, "complete_each", Recorder(engine, answers=False))
    session = Session(engine, retriever=FakeStore(HITS), reader="reader", grounding=EACH)
    assert "".join(session.reply("Who is the mayor?", sampling=SamplingConfig(max_new_tokens=8))) == ABSTENTION


def test_reading_together_keeps_one_prompt(engine: Engine, monkeypatch) -> None:
    """By default (read together), or with one source only, or no reader, the answer streams
    from one prompt."""
    recorder = Recorder(engine)
    monkeypatch.setattr(engine, "complete_each", recorder)
    together = Session(engine, retriever=FakeStore(HITS), reader="reader")
    one = Session(engine, retriever=FakeStore(HITS[:1]), reader="reader", grounding=EACH)
    plain = Session(engine, retriever=FakeStore(HITS), grounding=EACH)
    for session in (together, one, plain):
        "".join(session.reply("Who is the mayor of Lumeport?", sampling=SamplingConfig(max_new_tokens=4)))
    assert recorder.prompts == []
