"""Invented facts written out as documents in the styles people keep: prose, FAQs, bullet
lists, Markdown tables, news items, handbook sections, reference pages and emails.

A reader adapter trained on one style learns the style; on many, it learns to read.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from agent.reading.facts import FIRST_NAMES, Attribute, Kind, date, invented_word, place

FILLER = (
    "It remains a favourite topic of conversation.", "More details are expected later this year.",
    "Local papers covered it at length.", "Not everyone agrees on what comes next.",
    "The figures were confirmed in the annual report.", "Few outsiders had heard of it before.",
    "Opinions differ on how it should be run.", "A small plaque marks the occasion.",
    "Several readers wrote in about it.", "Plans for an update are under discussion.",
    "The weather that week was unusually mild.", "Nobody has yet put a date on the next review.",
    "Photographs from the day are on the notice board.", "A longer account will follow in the spring.",
    "The committee thanked everyone who took part.", "Some of the older records were lost in a flood.",
)


@dataclass(frozen=True)
class Entity:
    kind: Kind
    name: str
    facts: dict[str, str]  # attribute key -> value, the facts a document states

    def attribute(self, key: str) -> Attribute:
        return next(a for a in self.kind.attributes if a.key == key)


@dataclass(frozen=True)
class Document:
    source: str  # the file name the prompt shows
    text: str
    style: str
    entities: tuple[Entity, ...]  # whose facts it states


def invent(kind: Kind, rng: random.Random, keys: Sequence[str]) -> Entity:
    name = kind.naming(rng)
    return Entity(kind, name, {a.key: a.value(rng) for a in kind.attributes if a.key in keys})


def sentence_case(text: str) -> str:
    return text[0].upper() + text[1:] if text else text


def statement(entity: Entity, key: str, rng: random.Random) -> str:
    template = rng.choice(entity.attribute(key).statements)
    return sentence_case(template.format(name=entity.name, value=entity.facts[key]))


def _statements(entity: Entity, rng: random.Random) -> list[str]:
    keys = list(entity.facts)
    rng.shuffle(keys)
    return [statement(entity, key, rng) for key in keys]


def _slug(name: str) -> str:
    return "_".join(name.lower().replace("the ", "").split())


def prose(entities: Sequence[Entity], rng: random.Random) -> str:
    sentences = [s for e in entities for s in _statements(e, rng)]
    for filler in rng.sample(FILLER, rng.randint(0, 4)):
        sentences.insert(rng.randint(0, len(sentences)), filler)
    if len(sentences) > 4 and rng.random() < 0.5:
        cut = rng.randint(2, len(sentences) - 2)
        return " ".join(sentences[:cut]) + "\n\n" + " ".join(sentences[cut:])
    return " ".join(sentences)


def faq(entities: Sequence[Entity], rng: random.Random) -> str:
    pairs = []
    for entity in entities:
        for key in entity.facts:
            question = sentence_case(rng.choice(entity.attribute(key).questions).format(name=entity.name))
            pairs.append(f"**Q: {question}**\nA: {statement(entity, key, rng)}")
    rng.shuffle(pairs)
    return "## Frequently asked questions\n\n" + "\n\n".join(pairs)


def bullets(entities: Sequence[Entity], rng: random.Random) -> str:
    parts = []
    marker = rng.choice(["-", "*", "•"])
    for entity in entities:
        lines = [f"{marker} {entity.attribute(k).label}: {v}" for k, v in entity.facts.items()]
        parts.append(f"### {sentence_case(entity.name)}\n" + "\n".join(lines))
    return "\n\n".join(parts)


def table(entities: Sequence[Entity], rng: random.Random) -> str:
    keys = [k for k in entities[0].facts if all(k in e.facts for e in entities)]
    kind = entities[0].kind
    header = [kind.noun.capitalize(), *(entities[0].attribute(k).label for k in keys)]
    rows = [[sentence_case(e.name), *(e.facts[k] for k in keys)] for e in entities]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return f"{_plural(kind.noun).capitalize()} at a glance:\n\n" + "\n".join(lines)


def news(entities: Sequence[Entity], rng: random.Random) -> str:
    dateline = f"{place(rng).upper()}, {date(rng)} —"
    return f"{dateline} {prose(entities, rng)}"


def handbook(entities: Sequence[Entity], rng: random.Random) -> str:
    sections = []
    for number, entity in enumerate(entities, rng.randint(1, 9)):
        sections.append(f"## {number}. {sentence_case(entity.name)}\n\n" + " ".join(_statements(entity, rng)))
    return "\n\n".join(sections)


def reference(entities: Sequence[Entity], rng: random.Random) -> str:
    parts = []
    for entity in entities:
        rows = "\n".join(f"`{entity.attribute(k).label.lower().replace(' ', '_')}`\n: {v}"
                         for k, v in entity.facts.items())
        parts.append(f"# `{entity.name}`\n\n{rows}")
    return "\n\n".join(parts)


def email(entities: Sequence[Entity], rng: random.Random) -> str:
    sender, reader = rng.sample(FIRST_NAMES, 2)
    greeting = rng.choice(["Hi", "Hello", "Dear"])
    close = rng.choice(["Thanks,", "Best,", "Cheers,", "Kind regards,"])
    body = " ".join(s for e in entities for s in _statements(e, rng))
    return f"Subject: {rng.choice(['Quick update', 'Notes from today', 'FYI', 'Re: your question'])}\n\n" \
           f"{greeting} {reader},\n\n{body}\n\n{close}\n{sender}"


Style = Callable[[Sequence[Entity], random.Random], str]
STYLES: dict[str, Style] = {"prose": prose, "faq": faq, "bullets": bullets, "table": table, "news": news,
                            "handbook": handbook, "reference": reference, "email": email}
_EXTENSIONS = {"table": ".md", "faq": ".md", "bullets": ".md", "handbook": ".md", "reference": ".md",
               "prose": ".txt", "news": ".txt", "email": ".eml"}


def _plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"


def write(entities: Sequence[Entity], style: str, rng: random.Random) -> Document:
    """`entities` written out in `style`, under a file name a user could have given it."""
    stem = rng.choice([_slug(entities[0].name), _plural(entities[0].kind.noun).replace(" ", "_"),
                       f"{invented_word(rng, 2).lower()}_{style}"])
    folder = rng.choice(["", "", "notes/", "docs/", "archive/"])
    return Document(f"{folder}{stem}{_EXTENSIONS[style]}", STYLES[style](entities, rng), style, tuple(entities))
