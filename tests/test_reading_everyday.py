"""Everyday piped text for the reader's data (agent/reading/everyday.py): every style states
each fact it was given, a self-correcting note ends on the right value, and piped prompts
written this way keep the answer in their one source."""

from __future__ import annotations

import random

import pytest

from agent.grounding import ABSTENTION, PIPED_SOURCE
from agent.reading.documents import Entity, invent
from agent.reading.everyday import EVERYDAY, corrected
from agent.reading.facts import KINDS
from agent.reading.training import ReadingConfig, reading_examples


def entities(seed: int, n: int) -> list[Entity]:
    rng = random.Random(seed)
    kind = rng.choice([k for k in KINDS if not k.bare])
    keys = [a.key for a in kind.attributes][:4]
    return [invent(kind, rng, keys) for _ in range(n)]


@pytest.mark.parametrize("style", sorted(EVERYDAY))
def test_every_style_states_every_fact(style: str) -> None:
    for seed in range(20):
        group = entities(seed, 3)
        text = EVERYDAY[style](group, random.Random(seed))
        for entity in group:
            for value in entity.facts.values():
                assert value in text or f'"{value}"' in text, (style, value, text)


def test_a_corrected_note_states_a_wrong_value_first_and_the_right_one_last() -> None:
    corrections = 0
    for seed in range(40):
        [entity] = entities(seed, 1)
        text = corrected([entity], random.Random(seed))
        marker = max(text.rfind(w) for w in ("Update:", "Correction:", "EDIT:", "Scratch that"))
        if marker >= 0:
            corrections += 1
            assert any(v in text[marker:] for v in entity.facts.values()), text  # it names the right value
    assert corrections >= 30


def test_piped_everyday_prompts_keep_the_answer_in_their_one_source() -> None:
    examples = list(reading_examples(ReadingConfig(examples=200, seed=5, stdin=1.0, everyday=1.0)))
    assert {d.style for e in examples for d in e.sources} == set(EVERYDAY)
    for e in examples:
        [source] = e.sources
        assert source.source == PIPED_SOURCE
        reply = e.messages[1]["content"]
        assert reply == ABSTENTION if e.answer is None else e.answer in source.text and reply == f"{e.answer} [1]"


def test_without_everyday_text_the_generator_writes_what_it_wrote_before() -> None:
    """The share is drawn only when it is asked for, so older seeds give the same files."""
    plain = [e.to_dict() for e in reading_examples(ReadingConfig(examples=80, seed=2))]
    assert not {s for r in plain for s in r["meta"]["styles"]} & set(EVERYDAY)
    with pytest.raises(ValueError, match="everyday"):
        ReadingConfig(everyday=1.5)
