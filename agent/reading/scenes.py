"""People's documents: scenes written by hand, with slots for the facts a reader is asked.

The template generator (facts.py, documents.py) states each fact in a sentence built for
it, and its questions reuse that sentence's words. People write "Marjorie Tolland (Chair)"
and ask "Who chairs the allotment society?"; they state a fact in passing, correct it two
messages later, refer to someone as "she". A scene is a short document written by hand in
a genre people keep (minutes, an email thread, a club newsletter, release notes, a support
chat), with slots where its facts go, and questions worded as a user asks them, mostly not
in the document's words; some ask what the scene leaves open. Filling the slots from a
seeded generator gives endless documents with the same bones and new facts, so the reader
learns to read them, not to remember them. The scenes live in `scene_banks/`, one genre
family per module.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from agent.reading.facts import (
    ANIMALS,
    COLOURS,
    FIRST_NAMES,
    FOODS,
    INSTRUMENTS,
    LAST_NAMES,
    MATERIALS,
    MONTHS,
    WEEKDAYS,
    clock,
    count,
    invented_word,
    place,
)

NUMBER_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
ORDINALS = ("second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_SUFFIX = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}


class Name(str):
    """A person's full name as a slot value; `{slot.first}` and `{slot.last}` in a scene."""

    first: str
    last: str

    def __new__(cls, first: str, last: str) -> Name:
        value = super().__new__(cls, f"{first} {last}")
        value.first, value.last = first, last
        return value


def _person(rng: random.Random) -> Name:
    return Name(rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))


def _day_month(rng: random.Random) -> str:
    day = rng.randint(1, 28)
    return rng.choice([f"{day}{_SUFFIX.get(day, 'th')} {rng.choice(MONTHS)}", f"{day} {rng.choice(MONTHS)}",
                       f"{rng.choice(MONTHS)} {day}"])


def _date(rng: random.Random) -> str:
    return f"{rng.choice(WEEKDAYS)} {_day_month(rng)}" if rng.random() < 0.4 else \
        f"{_day_month(rng)} {rng.randint(2019, 2027)}"


def _time(rng: random.Random) -> str:
    hour, minute = rng.randint(7, 21), rng.choice([0, 15, 30, 45])
    twelve = (hour - 1) % 12 + 1
    suffix = "am" if hour < 12 else "pm"
    return rng.choice([clock(rng), f"{twelve}.{minute:02d}{suffix}" if minute else f"{twelve}{suffix}",
                       f"{hour:02d}:{minute:02d}"])


def _money(rng: random.Random) -> str:
    symbol = rng.choice("£££€$")
    return rng.choice([f"{symbol}{rng.randint(2, 95)}", f"{symbol}{rng.randint(2, 60)}.{rng.choice([50, 25, 99, 75])}",
                       f"{symbol}{rng.randint(100, 2400):,}"])


def _version(rng: random.Random) -> str:
    return f"{rng.randint(0, 9)}.{rng.randint(0, 24)}.{rng.randint(0, 12)}"


def _word(rng: random.Random) -> str:
    return invented_word(rng, 2).lower()


SLOT_KINDS: Mapping[str, Callable[[random.Random], str]] = {
    "person": _person,  # "Marjorie Tolland"; {x.first} "Marjorie", {x.last} "Tolland"
    "first_name": lambda r: r.choice(FIRST_NAMES),
    "surname": lambda r: r.choice(LAST_NAMES),
    "town": place,  # an invented place: "Kettlewick", "Drelby Bay"
    "word": lambda r: invented_word(r),  # an invented capitalised word for a name: a pub, a boat, a product
    "year": lambda r: str(r.randint(1890, 2026)),
    "date": _date,  # "Saturday 6th September", "14 March 2025"
    "day_month": _day_month,  # "6th September", "March 14"
    "weekday": lambda r: r.choice(WEEKDAYS),
    "month": lambda r: r.choice(MONTHS),
    "time": _time,  # "7.30pm", "19:30", "9am"
    "minutes": lambda r: f"{r.randint(2, 90)} minutes",
    "hours": lambda r: f"{r.randint(2, 48)} hours",
    "days": lambda r: f"{r.randint(2, 60)} days",
    "weeks": lambda r: f"{r.randint(2, 12)} weeks",
    "money": _money,  # "£19", "€7.50", "$1,240"
    "small_number": lambda r: str(r.randint(2, 40)),
    "number": lambda r: str(r.randint(41, 999)),
    "big_number": lambda r: count(r, 1000, 90_000),
    "number_word": lambda r: r.choice(NUMBER_WORDS),  # "six"
    "ordinal": lambda r: r.choice(ORDINALS),  # "fourth"
    "percent": lambda r: f"{r.randint(2, 95)}%",
    "distance": lambda r: f"{r.randint(2, 140)} {r.choice(['km', 'miles', 'metres'])}",
    "height": lambda r: f"{r.randint(10, 49) / 10:g} metres",
    "weight": lambda r: f"{r.randint(2, 90)} {r.choice(['kg', 'grams'])}",
    "code": lambda r: str(r.randint(1000, 9999)),  # a padlock or door code
    "phone": lambda r: f"07{r.randint(100, 999)} {r.randint(100000, 999999)}",
    "email": lambda r: f"{r.choice(FIRST_NAMES).lower()}@{_word(r)}.{r.choice(['org', 'com', 'net', 'dev'])}",
    "url": lambda r: f"https://{_word(r)}.{r.choice(['org', 'dev', 'io'])}/{_word(r)}",
    "version": _version,  # "2.4.1"
    "flag": lambda r: f"--{_word(r)}-{r.choice(['mode', 'dir', 'cache', 'limit', 'drafts', 'check'])}",
    "filename": lambda r: f"{_word(r)}.{r.choice(['toml', 'yaml', 'json', 'ini', 'cfg'])}",
    "env_var": lambda r: f"{_word(r).upper()}_{r.choice(['HOME', 'TOKEN', 'DIR', 'THEME', 'PORT', 'LEVEL'])}",
    "port": lambda r: str(r.randint(1025, 65000)),
    "colour": lambda r: r.choice(COLOURS),
    "material": lambda r: r.choice(MATERIALS),
    "food": lambda r: r.choice(FOODS),
    "animal": lambda r: r.choice(ANIMALS),
    "instrument": lambda r: r.choice(INSTRUMENTS),
    "street": lambda r: f"{r.randint(2, 90)} {invented_word(r)} {r.choice(['Road', 'Lane', 'Close', 'Street'])}",
    "room": lambda r: f"the {invented_word(r)} {r.choice(['Room', 'Hall', 'Studio', 'Suite', 'Lounge'])}",
}
_FIELD = re.compile(r"^(?P<slot>[a-z_][a-z0-9_]*)(?:\.(?P<form>first|last))?$")


@dataclass(frozen=True)
class Scene:
    """A document written by hand, with `{slot}` fields (`{slot.first}`, `{slot.last}` for a
    person) and the questions it answers.

    `slots` maps each slot to a kind in SLOT_KINDS or to a tuple of literal choices;
    `questions` holds, per answer, the answer's field ("chair", "secretary.first") and one
    or more ways a user asks for it (they may use slots too); `unanswerable` holds
    questions a reader of this scene might ask that it does not answer."""

    name: str  # the file name shown as the source: "allotment_newsletter.md"
    text: str
    slots: Mapping[str, str | tuple[str, ...]]
    questions: tuple[tuple[str, ...], ...]
    unanswerable: tuple[str, ...] = ()


@dataclass(frozen=True)
class FilledScene:
    scene: Scene
    values: Mapping[str, str]

    @property
    def text(self) -> str:
        return self.scene.text.format(**self.values)

    def fill(self, template: str) -> str:
        return template.format(**self.values)

    def answer(self, field: str) -> str:
        return self.fill("{" + field + "}")


def fill(scene: Scene, rng: random.Random, tries: int = 20) -> FilledScene:
    """The scene with every slot given a value, no two slots the same (or one can be read
    for the other)."""
    for _ in range(tries):
        values = {slot: rng.choice(kind) if isinstance(kind, tuple) else SLOT_KINDS[kind](rng)
                  for slot, kind in scene.slots.items()}
        if _distinct(values):
            return FilledScene(scene, values)
    raise ValueError(f"scene {scene.name}: could not give its slots distinct values")


def _distinct(values: Mapping[str, str]) -> bool:
    """No value (nor a person's first or last name) is, or is a word inside, another slot's."""
    forms = [(slot, form.lower()) for slot, value in values.items()
             for form in ((value, value.first, value.last) if isinstance(value, Name) else (value,))]
    return not any(a != b and re.search(rf"(?<!\w){re.escape(x)}(?!\w)", y)
                   for a, x in forms for b, y in forms)


def fields_in(template: str) -> list[str]:
    """The `{fields}` a template fills ("chair", "editor.first"), in order."""
    return [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]


def check_scene(scene: Scene) -> None:
    """Refuse a scene a writer got wrong, naming it: an unknown slot or kind, an answer the
    text never states, a question without a way to ask it."""
    where = f"scene {scene.name!r}"
    for slot, kind in scene.slots.items():
        if isinstance(kind, tuple) and len(kind) < 2 or not isinstance(kind, tuple) and kind not in SLOT_KINDS:
            raise ValueError(f"{where}: slot {slot!r} needs a kind in SLOT_KINDS or two or more choices, got {kind!r}")
    templates = [scene.text, *scene.unanswerable, *(q for entry in scene.questions for q in entry[1:])]
    for template in templates:
        for field in fields_in(template):
            match = _FIELD.match(field)
            if not match or match["slot"] not in scene.slots:
                raise ValueError(f"{where}: unknown field {{{field}}}")
            if match["form"] and scene.slots[match["slot"]] != "person":
                raise ValueError(f"{where}: {{{field}}}: only a person slot has .first and .last")
    text_fields = set(fields_in(scene.text))
    for entry in scene.questions:
        if len(entry) < 2:
            raise ValueError(f"{where}: answer {entry[:1]} has no question")
        if entry[0] not in text_fields:
            raise ValueError(f"{where}: the answer {{{entry[0]}}} is not in the text")
    if not scene.questions:
        raise ValueError(f"{where}: no questions")
