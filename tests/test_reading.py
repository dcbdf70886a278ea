"""The reading role: the seeded data generator writes kigi's exact grounded prompt with the
answer copied from the cited source (or the abstention), and the reader adapter is active
only while sources are in the prompt: ordinary chat is unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from agent.grounding import ABSTENTION, GROUNDED_INSTRUCTIONS, PIPED_SOURCE, grounded_prompt, numbered
from agent.reading.training import ReadingConfig, reading_examples
from agent.session import Session
from llm.engine import Engine
from llm.generate import SamplingConfig
from llm.lora import LoRAConfig, adapters_of
from memory.log import ConversationLog
from memory.store import Hit
from tests.test_injection import FakeStore
from tests.test_lm import tiny_model_dir

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


def test_the_generator_never_reads_the_test_knowledge_base() -> None:
    source = "".join(p.read_text(encoding="utf-8") for p in (REPO / "agent" / "reading").glob("*.py"))
    assert "tests/data" not in source and "evals/rag" not in source
    kb_names = {"Zephyrine", "Lumeport", "Quenby", "Orrin"}
    text = "\n".join(dumped(ReadingConfig(examples=300, seed=0)))
    assert not any(name in text for name in kb_names)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = Engine.load(tiny_model_dir(tmp_path_factory))
    adapters = adapters_of(engine.model)
    adapters.add("reader", LoRAConfig(rank=4, alpha=8, targets=("q", "v")), seed=0)
    with torch.no_grad():
        for param in adapters.parameters("reader"):
            param.normal_(0.0, 0.5)  # far from zero: an active reader changes every answer
    return engine


PROMPTS = [f"Tell me something about the number {n}." for n in range(20)]


def answers(session: Session, prompts: list[str]) -> list[str]:
    out = []
    for prompt in prompts:
        session.new_conversation()
        out.append("".join(session.reply(prompt, sampling=SamplingConfig(max_new_tokens=8))))
    return out


def test_the_reader_leaves_ordinary_chat_unchanged(engine: Engine) -> None:
    plain = answers(Session(engine), PROMPTS)
    with_reader = answers(Session(engine, reader="reader"), PROMPTS)
    assert with_reader == plain
    assert adapters_of(engine.model).active is None


def test_the_reader_answers_when_sources_are_in_the_prompt_and_is_logged(engine: Engine, tmp_path: Path) -> None:
    adapters = adapters_of(engine.model)
    store = FakeStore([Hit("h1", "The secret word is plum.", "notes.md", 0, 0.9)])
    log = ConversationLog(tmp_path / "log.sqlite3")
    session = Session(engine, retriever=store, reader="reader", log=log)
    seen = []
    for _ in session.reply("What is the secret word?", sampling=SamplingConfig(max_new_tokens=4)):
        seen.append(adapters.active)
    assert seen and set(seen) == {"reader"} and adapters.active is None  # switched back after the answer
    assert session.last is not None and session.last.adapter == "reader"
    assert log.conversation(session.conversation_id).messages[-1].generation.adapter == "reader"
    piped = Session(engine, reader="reader")
    "".join(piped.reply("What is the secret word?", "The secret word is plum.", SamplingConfig(max_new_tokens=4)))
    assert piped.last is not None and piped.last.adapter == "reader"
    assert [c.hit.source for c in piped.last.citations] == [PIPED_SOURCE]
