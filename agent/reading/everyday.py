"""Invented facts written out as the everyday text people pipe into `kigi ask`: a CSV
export, a command's column output, a settings file (.env, INI, YAML), a chat log, and a
note that corrects itself ("Update: it's 12, not 14").

The reader trained on prose, lists and tables abstained on such text (evals/piped): the
fact is there, but not in a sentence. The same entities and facts as `documents.py`, other
clothes; a correction states a wrong value first, so the answer is the later one.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from agent.reading.documents import FILLER, Entity, Style, statement
from agent.reading.facts import FIRST_NAMES
from agent.reading.narrative import lower_first

CHATTER = ("ok", "thanks!", "anyone?", "brb", "nice one", "on my way", "👍", "will check", "sounds good",
           "lol", "can someone confirm", "noted")


def _slug(text: str, sep: str = "_") -> str:
    return sep.join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _shared_keys(entities: Sequence[Entity]) -> list[str]:
    return [k for k in entities[0].facts if all(k in e.facts for e in entities)]


def _rows(entities: Sequence[Entity]) -> tuple[list[str], list[list[str]]]:
    keys = _shared_keys(entities)
    header = [_slug(entities[0].kind.noun), *(_slug(entities[0].attribute(k).label) for k in keys)]
    return header, [[e.name, *(e.facts[k] for k in keys)] for e in entities]


def csv(entities: Sequence[Entity], rng: random.Random) -> str:
    header, rows = _rows(entities)
    sep = rng.choice([",", ",", "\t", ";"])
    quoted = [[f'"{v}"' if sep in v or " " in v and rng.random() < 0.3 else v for v in row] for row in rows]
    return "\n".join(sep.join(row) for row in [header, *quoted])


def columns(entities: Sequence[Entity], rng: random.Random) -> str:
    """Aligned columns, as `ps`, `df` or `docker ps` print them (names with spaces joined)."""
    header, rows = _rows(entities)
    header = [h.upper() if rng.random() < 0.7 else h for h in header]
    cells = [header, *([v.replace(" ", "-") if i == 0 else v for i, v in enumerate(row)] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    gap = " " * rng.randint(2, 4)
    return "\n".join(gap.join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells)


def settings(entities: Sequence[Entity], rng: random.Random) -> str:
    form = rng.choice(["env", "ini", "yaml"])
    parts = []
    for e in entities:
        pairs = [(_slug(e.attribute(k).label), v) for k, v in e.facts.items()]
        if form == "env":
            parts.append("\n".join(f"{_slug(e.name).upper()}_{key.upper()}={value}" for key, value in pairs))
        elif form == "ini":
            parts.append(f"[{e.name}]\n" + "\n".join(f"{key} = {value}" for key, value in pairs))
        else:
            parts.append(f"{_slug(e.name)}:\n" + "\n".join(f"  {key}: {value}" for key, value in pairs))
    return "\n\n".join(parts) if form != "env" else "\n".join(parts)


def chat(entities: Sequence[Entity], rng: random.Random) -> str:
    people = rng.sample(FIRST_NAMES, 3)
    lines = [statement(e, k, rng) for e in entities for k in e.facts]
    lines += rng.sample(CHATTER, rng.randint(1, 4))
    rng.shuffle(lines)
    hour, minute = rng.randint(7, 22), rng.randint(0, 50)
    out = []
    for line in lines:
        minute += rng.randint(0, 4)
        out.append(f"[{(hour + minute // 60) % 24:02d}:{minute % 60:02d}] {rng.choice(people).lower()}: {line}")
    return "\n".join(out)


def corrected(entities: Sequence[Entity], rng: random.Random) -> str:
    """A note stating one fact wrongly, then correcting it further down."""
    target = entities[0]
    key = rng.choice(list(target.facts))
    attribute = target.attribute(key)
    wrong = attribute.value(rng)
    for _ in range(10):
        if wrong != target.facts[key]:
            break
        wrong = attribute.value(rng)
    else:
        return " ".join(statement(e, k, rng) for e in entities for k in e.facts)
    decoy = Entity(target.kind, target.name, {**target.facts, key: wrong})
    lines = [statement(decoy, key, rng)] + [statement(e, k, rng) for e in entities for k in e.facts
                                             if not (e is target and k == key)]
    lines += rng.sample(FILLER, rng.randint(0, 2))
    fix = rng.choice(["Update: {s} (not {w}).", "Correction: {s} Not {w}, sorry.", "EDIT: actually {ls}",
                      "Scratch that, {ls} ({w} was wrong)."])
    right = statement(target, key, rng)
    lines.append(fix.format(s=right, ls=lower_first(right), w=wrong))
    return "\n".join(lines) if rng.random() < 0.5 else " ".join(lines)


EVERYDAY: dict[str, Style] = {"csv": csv, "columns": columns, "settings": settings, "chat": chat,
                              "corrected": corrected}
