"""Focus: the reader sees the passages of a long source that share words with the question."""

from __future__ import annotations

import pytest

from agent.focus import GAP, FocusConfig, focus, parse_focus, passages
from agent.grounding import Citation, grounded_prompt, prompt_version
from memory.store import Hit

DIARY = (
    "# Corrow notebook\n\n"
    "**Sat 9 August.** The little plane from Dunleith landed on the beach. The airstrip at Kilvarrow is "
    "just sand at low tide, and a man in a yellow jacket drives along it first to chase off the gulls. "
    "Taxi into Port Aubyn with a driver who knew my name before I had given it. Fish stew for supper, "
    "then bed at nine like a child.\n\n"
    "**Sun 10 August.** Rain, rain, sideways rain. Walked up onto the moor anyway to see the standing "
    "stones everyone calls the Nine Widows. There are eleven of them. Nobody could tell me why.\n"
)


def test_a_short_source_is_shown_whole() -> None:
    text = "The secret word is plum. It was chosen in May."
    assert focus("What is the secret word?", text) == text


def test_a_long_source_keeps_the_sentences_that_share_words_with_the_question_in_order() -> None:
    shown = focus("Where does the plane land, and what does the man in the yellow jacket chase?", DIARY)
    lines = shown.splitlines()
    assert lines[0] == "# Corrow notebook"  # the heading the kept passages sit under
    assert "**Sat 9 August.** The little plane from Dunleith landed on the beach." in lines  # "land": "landed"
    assert any(line.startswith("The airstrip at Kilvarrow is just sand") for line in lines)
    assert "Rain, rain, sideways rain." not in lines and "There are eleven of them." not in lines
    assert lines[-1] == GAP and len(shown) < len(DIARY) / 2
    kept = [line for line in lines[1:] if line != GAP]
    assert kept == sorted(kept, key=DIARY.index)  # document order, not rank order


def test_a_source_sharing_no_word_keeps_its_opening_passages() -> None:
    shown = focus("Who won the regatta?", DIARY, FocusConfig(per_source=2))
    assert shown.splitlines() == ["# Corrow notebook", DIARY.splitlines()[2].split(" The airstrip")[0],
                                  "The airstrip at Kilvarrow is just sand at low tide, and a man in a yellow jacket "
                                  "drives along it first to chase off the gulls.", GAP]


def test_tables_stay_whole_and_short_paragraphs_keep_question_with_answer() -> None:
    table = "| Ship | Launched |\n|---|---|\n| Thaithoath | 1949 |\n| Orrin | 1951 |"
    faq = "**Q: Who founded Vealijien Motors?**\nA: The founder is Farah Nakamura."
    filler = "\n\n".join(f"Paragraph {n} is about the weather on day {n} of the voyage, and nothing else." * 3
                         for n in range(4))
    text = f"## Fleet\n\n{filler}\n\n{table}\n\n{faq}"
    pieces = passages(text)
    assert table in [p.text for p in pieces] and faq in [p.text for p in pieces]
    shown = focus("When was the Orrin launched, and who founded Vealijien Motors?", text, FocusConfig(per_source=2))
    assert table in shown and faq in shown and "## Fleet" in shown  # the heading they sit under comes along


def test_list_items_of_a_long_list_are_passages_under_their_heading() -> None:
    items = [f"- Rule {n}: bring {n} spare fuses to the station" for n in range(12)] + ["- Curfew: 22:40 sharp"]
    text = "### House rules\n\n" + "\n".join(items)
    shown = focus("When is the curfew?", text, FocusConfig(per_source=1))
    assert shown.splitlines() == [GAP, "### House rules", "- Curfew: 22:40 sharp"]


def test_the_prompt_focuses_by_default_and_its_version_says_how() -> None:
    cites = [Citation(1, Hit("a", DIARY, "diary.md", 0, 0.8))]
    question = "Where does the plane land?"
    assert "Nine Widows" not in grounded_prompt(question, cites)
    assert "Nine Widows" in grounded_prompt(question, cites, None)
    assert prompt_version(None) != prompt_version(FocusConfig()) != prompt_version(FocusConfig(per_source=4))


@pytest.mark.parametrize(("field", "value"), [("per_source", 0), ("max_passage", 0), ("min_chars", -1)])
def test_config_rejects_bad_values_naming_the_field(field: str, value: int) -> None:
    with pytest.raises(ValueError, match=field):
        FocusConfig(**{field: value})


def test_the_command_line_value_is_a_count_or_off() -> None:
    assert parse_focus("off") is None and parse_focus("5") == FocusConfig(per_source=5)
    with pytest.raises(ValueError, match="--focus"):
        parse_focus("lots")
    with pytest.raises(ValueError, match="per_source"):
        parse_focus("-2")
