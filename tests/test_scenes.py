"""People's scenes for the reader (agent/reading/scenes.py): every scene written by hand
is checked, filled with distinct facts, turned into the exact grounded prompt with the
answer copied from the cited source, and shares no wording with the evaluation sets."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from agent.grounding import ABSTENTION, PIPED_SOURCE, grounded_prompt, numbered
from agent.reading.scene_banks import SCENES
from agent.reading.scenes import Name, Scene, check_scene, fill
from agent.reading.training import ReadingConfig, reading_examples, scene_reading_example
from memory.store import Hit

REPO = Path(__file__).resolve().parents[1]
MINUTES = Scene(
    "minutes.txt",
    "## Committee\n\n{chair} (Chair), {editor} (Newsletter).\n\nSubs are {fee} a year, due by {due}. — {editor.first}",
    {"chair": "person", "editor": "person", "fee": "money", "due": ("1st April", "1st October")},
    (("chair", "Who chairs the society?"), ("editor.first", "Who puts the newsletter together?"),
     ("fee", "How much does it cost to join?")),
    ("Where does the committee meet?",),
)
NOTICE = Scene(
    "notice.md",
    "Hall bookings: ring {warden} on {phone}. The {room} seats {seats}.",
    {"warden": "first_name", "phone": "phone", "room": "room", "seats": "number"},
    (("phone", "What number do I call to book the hall in {room}?", "How do I book the {room}?"),),
    ("Is there parking?",),
)


def test_every_scene_written_by_hand_is_well_formed_and_fills_with_distinct_facts() -> None:
    assert len(SCENES) >= 100
    assert len({s.name for s in SCENES}) == len(SCENES)
    for scene in SCENES:
        check_scene(scene)
        for seed in range(5):
            filled = fill(scene, random.Random(seed))
            for field, *_ in scene.questions:
                assert filled.answer(field) in filled.text


@pytest.mark.parametrize("scene, message", [
    (Scene("a.md", "{x}", {"x": "galaxy"}, (("x", "What?"),)), "slot 'x' needs a kind"),
    (Scene("b.md", "{x} {y}", {"x": "year"}, (("x", "When?"),)), r"unknown field \{y\}"),
    (Scene("c.md", "{x}", {"x": "year", "y": "money"}, (("y", "How much?"),)), r"the answer \{y\} is not in the text"),
    (Scene("d.md", "{x.first}", {"x": "town"}, (("x.first", "Who?"),)), "only a person slot"),
    (Scene("e.md", "{x}", {"x": "year"}, (("x",),)), "has no question"),
    (Scene("f.md", "{x}", {"x": ("only",)}, (("x", "What?"),)), "two or more choices"),
])
def test_a_scene_written_wrong_is_refused_by_name(scene: Scene, message: str) -> None:
    with pytest.raises(ValueError, match=f"scene '{scene.name}'.*{message}"):
        check_scene(scene)


def test_a_person_slot_gives_first_and_last_names_and_no_value_hides_inside_another() -> None:
    for seed in range(50):
        filled = fill(MINUTES, random.Random(seed))
        chair, editor = filled.values["chair"], filled.values["editor"]
        assert isinstance(chair, Name) and chair == f"{chair.first} {chair.last}"
        assert filled.answer("editor.first") == editor.first
        assert chair.first != editor.first and chair.last != editor.last


def test_scene_examples_are_the_grounded_prompt_answered_from_the_scene_as_shown() -> None:
    config = ReadingConfig(examples=1, seed=0, stdin=0.2)
    rng = random.Random(5)
    examples = [scene_reading_example(rng, config, n, (MINUTES, NOTICE)) for n in range(200)]
    answered = [e for e in examples if e.answer is not None]
    assert 0.05 < 1 - len(answered) / len(examples) < 0.35
    assert any(e.sources[0].source == PIPED_SOURCE for e in examples if len(e.sources) == 1)
    for e in examples:
        user, reply = e.messages[0]["content"], e.messages[1]["content"]
        hits = [Hit(f"s{n}", d.text, d.source, 0, 1.0) for n, d in enumerate(e.sources)]
        assert user == grounded_prompt(e.question, numbered(hits))
        if e.answer is None:
            assert reply == ABSTENTION
        else:
            cited = e.sources[e.cited - 1]
            assert reply == f"{e.answer} [{e.cited}]" and cited.style == "scene" and e.answer in cited.text
            assert e.answer in user.split("Question:")[0]  # the focused prompt still shows it


def test_a_question_about_another_scene_never_has_that_scene_among_the_sources() -> None:
    config = ReadingConfig(examples=1, seed=0, unanswerable=1.0, stdin=0.0)
    rng = random.Random(2)
    examples = [scene_reading_example(rng, config, n, (MINUTES, NOTICE)) for n in range(100)]
    elsewhere = [e for e in examples if e.entity == "minutes.txt" and "book" in e.question.lower()]
    assert elsewhere and all(e.messages[1]["content"] == ABSTENTION for e in elsewhere)
    assert not any(d.source.endswith("notice.md") for e in elsewhere for d in e.sources)


def test_the_scene_share_mixes_scenes_in_and_leaves_other_configs_unchanged() -> None:
    mixed = list(reading_examples(ReadingConfig(examples=120, seed=4, scenes=0.5)))
    share = sum(e.asked == "scene" for e in mixed) / len(mixed)
    assert 0.3 < share < 0.7
    dump = [json.dumps(e.to_dict()) for e in reading_examples(ReadingConfig(examples=60, seed=4, scenes=0.5))]
    assert dump == [json.dumps(e.to_dict()) for e in reading_examples(ReadingConfig(examples=60, seed=4, scenes=0.5))]
    without = list(reading_examples(ReadingConfig(examples=40, seed=4)))
    assert not any(e.asked == "scene" for e in without)


def _runs(text: str, n: int = 8) -> set[str]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_the_scenes_share_no_wording_with_the_evaluation_sets() -> None:
    """The scenes were written without looking at evals/: no run of eight words in common
    with any held-out or development document or question (slots left as their names)."""
    evaluated = set()
    for folder in ("evals/rag", "evals/rag-dev", "evals/piped", "tests/data/kb"):
        for path in (REPO / folder).rglob("*"):
            if path.is_file() and path.suffix in (".md", ".txt", ".jsonl", ".eml", ".csv", ".log", ".json", ""):
                evaluated |= _runs(path.read_text(encoding="utf-8", errors="replace"))
    written = set()
    for scene in SCENES:
        for text in (scene.text, *scene.unanswerable, *(q for e in scene.questions for q in e[1:])):
            written |= _runs(re.sub(r"\{[^}]*\}", " ", text))
    shared = written & evaluated
    assert not shared, sorted(shared)[:5]
