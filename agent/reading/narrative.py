"""Long documents in the voices people keep notes in (a diary, meeting minutes, a
mailing-list thread), cut into memory's chunks and shown to the reader focused, as
`kigi ask` shows retrieved chunks.

The short documents of `documents.py` give every fact a sentence of its own among a few
hundred characters, so a reader trained on them alone learns to find "The mayor of X is Y."
in a tidy paragraph. What users keep is longer and looser: the fact sits in a sentence
framed by someone's day, among paragraphs about other things, split across 800-character
chunks, and the prompt shows each chunk's few passages nearest the question with "…" in
between (agent/focus.py). Examples built here have that shape, and their target follows
what the prompt shows: the answer when the focused sources state it, the abstention when
chunking or focusing left it out, as the reader must do at run time.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from agent.reading.documents import Document, Entity, statement
from agent.reading.facts import COLOURS, FIRST_NAMES, FOODS, MONTHS, WEEKDAYS, place
from memory.chunking import chunk_text
from memory.store import MemoryConfig

DAY_FILLER = (
    "Slept badly; the wind rattled the window all night.", "It rained on and off until the afternoon.",
    "{friend} rang in the evening and we talked for an hour about nothing much.",
    "Spent most of the afternoon reading by the window.", "The bus to {place} was twenty minutes late again.",
    "Bought bread, {food} and a postcard for {friend}.", "My feet hurt after the climb, but the view was worth it.",
    "Nobody at the café seemed in a hurry, which suited me.", "I forgot my umbrella and paid for it.",
    "We got lost twice on the way back from {place}.", "The sky went {colour} for a few minutes at dusk.",
    "{friend} says I should write more of this down, so here it is.", "Wrote three letters and posted none of them.",
    "A dog followed me half the way to {place} and then lost interest.",
    "The shop shut at noon for reasons nobody explained.", "I had the {food} again; it is becoming a habit.",
    "Too tired to write much tonight.", "The road out of {place} was closed, so we went the long way round.",
    "Met a couple from {place} who had been walking for a week.", "Lunch was a sandwich on a wall in the sun.",
    "The tide was out and the whole bay smelled of weed.", "I meant to go early but didn't get going until ten.",
    "Somebody had left a {colour} bicycle against the church railings.",
    "There was a queue out of the door at the bakery, so I gave up.",
)
MEETING_FILLER = (
    "Apologies were received from {friend}.", "The minutes of the last meeting were approved without changes.",
    "{friend} asked that the matter be looked at again next month.",
    "The treasurer reported no change to the accounts.",
    "There was a long discussion about parking near the {place} road.", "{friend} agreed to circulate a short note.",
    "Members were reminded that the room must be cleared by nine.", "No decision was taken; the item stays open.",
    "A letter from a resident of {place} was read out.", "Tea and biscuits were kindly provided by {friend}.",
    "The chair thanked everyone for their patience.", "{friend} noted that the noticeboard needs repainting.",
)
THREAD_FILLER = (
    "Thanks, that helps.", "+1 from me, I was wondering the same thing.", "Has anyone else seen this?",
    "Sorry for the slow reply, I was away in {place}.", "I'll check on my side and report back.",
    "Not sure this is the right list for it, but here goes.", "That matches what {friend} told me last week.",
    "Can we move this to the next call?", "I've attached nothing, as usual.", "Good to know, thanks {friend}.",
)
# Frames for a fact inside someone's day: the statement keeps its own words.
DAY_FRAMES = ("{fact}", "{fact}", "{friend} told me something I didn't know: {fact}", "Note to self: {fact}",
              "{fact} Or so {friend} says.", "Overheard at breakfast: {fact}",
              "{fact} I wrote that down before I forgot.")
MEETING_FRAMES = ("{fact}", "{friend} reported that {fact_lc}", "It was confirmed that {fact_lc}",
                  "{friend} reminded members: {fact}", "For the record: {fact}")
THREAD_FRAMES = ("{fact}", "> {fact}", "FWIW, {fact_lc}", "As far as I know, {fact_lc}", "Quick correction: {fact}")
LOWERCASE_OPENERS = frozenset((
    "the", "a", "an", "at", "on", "in", "every", "with", "to", "since", "about", "visitors", "settlers", "one",
    "its", "his", "her", "their", "each", "all", "most", "some", "this", "that", "these", "those", "after",
    "before", "during", "until"))
AGENDA = ("Matters arising", "Reports", "Correspondence", "Any other business", "Projects", "Finance")


def lower_first(sentence: str) -> str:
    """The sentence to follow "reported that": its first word lower-cased where it is an
    ordinary word ("The museum …" → "the museum …"), a name kept as it is."""
    first, _, rest = sentence.partition(" ")
    return f"{first.lower()} {rest}" if first.lower() in LOWERCASE_OPENERS else sentence


def _fill(template: str, rng: random.Random, **given: str) -> str:
    return template.format(friend=rng.choice(FIRST_NAMES), place=place(rng), food=rng.choice(FOODS),
                           colour=rng.choice(COLOURS), **given)


def _sentences(entities: Sequence[Entity], frames: Sequence[str], filler: Sequence[str], rng: random.Random,
               per_fact: tuple[int, int] = (2, 5)) -> list[str]:
    """Every fact of `entities`, each framed, in a random order, with filler sentences
    between them (a fact is rarely the only thing said that day); no filler repeats until
    all have been said."""
    facts = [(e, k) for e in entities for k in e.facts]
    rng.shuffle(facts)
    pool: list[str] = []

    def said() -> str:
        if not pool:
            pool.extend(rng.sample(filler, len(filler)))
        return _fill(pool.pop(), rng)

    out: list[str] = []
    for entity, key in facts:
        out += [said() for _ in range(rng.randint(*per_fact))]
        fact = statement(entity, key, rng)
        out.append(_fill(rng.choice(frames), rng, fact=fact, fact_lc=lower_first(fact)))
    return out + [said() for _ in range(rng.randint(0, 3))]


def _runs(sentences: list[str], rng: random.Random, low: int, high: int) -> list[list[str]]:
    runs, start = [], 0
    while start < len(sentences):
        size = rng.randint(low, high)
        runs.append(sentences[start:start + size])
        start += size
    return runs


def diary(entities: Sequence[Entity], rng: random.Random) -> str:
    month, day = rng.choice(MONTHS), rng.randint(1, 20)
    entries = []
    for offset, run in enumerate(_runs(_sentences(entities, DAY_FRAMES, DAY_FILLER, rng), rng, 3, 7)):
        heading = f"**{WEEKDAYS[(day + offset) % 7][:3]} {day + offset} {month}.**"
        entries.append(f"{heading} {' '.join(run)}")
    return f"# {rng.choice(['Notebook', 'Travel notes', 'Diary', 'Journal'])}\n\n" + "\n\n".join(entries)


def minutes(entities: Sequence[Entity], rng: random.Random) -> str:
    body = _runs(_sentences(entities, MEETING_FRAMES, MEETING_FILLER, rng), rng, 2, 5)
    items = [f"## {n}. {rng.choice(AGENDA)}\n\n{' '.join(run)}" for n, run in enumerate(body, 1)]
    header = f"Minutes of the {rng.choice(['committee', 'residents', 'volunteers'])} meeting, " \
             f"{rng.choice(WEEKDAYS)} {rng.randint(1, 28)} {rng.choice(MONTHS)}"
    return f"# {header}\n\nPresent: {', '.join(rng.sample(FIRST_NAMES, 4))}.\n\n" + "\n\n".join(items)


def thread(entities: Sequence[Entity], rng: random.Random) -> str:
    posts = []
    for run in _runs(_sentences(entities, THREAD_FRAMES, THREAD_FILLER, rng), rng, 2, 5):
        author = rng.choice(FIRST_NAMES)
        posts.append(f"On {rng.choice(WEEKDAYS)}, {author} wrote:\n\n{' '.join(run)}\n\n-- \n{author}")
    return f"Subject: Re: {rng.choice(['a few questions', 'notes from the weekend', 'update', 'before Friday'])}\n\n" \
           + "\n\n".join(posts)


Voice = Callable[[Sequence[Entity], random.Random], str]
VOICES: dict[str, Voice] = {"diary": diary, "minutes": minutes, "thread": thread}
_EXTENSIONS = {"diary": ".md", "minutes": ".md", "thread": ".txt"}


def long_document(entities: Sequence[Entity], rng: random.Random) -> Document:
    """`entities` written into one long document in a voice people keep notes in, under a
    path like the absolute ones memory hands the prompt."""
    voice = rng.choice(list(VOICES))
    folder = rng.choice(["", "notes/", f"/home/{rng.choice(FIRST_NAMES).lower()}/notes/", "/srv/docs/"])
    stem = rng.choice(["notes", voice, f"{voice}_{rng.randint(2019, 2026)}", "misc"])
    return Document(f"{folder}{stem}{_EXTENSIONS[voice]}", VOICES[voice](entities, rng), voice, tuple(entities))


def document_chunks(document: Document) -> list[str]:
    """The document as memory would chunk it on ingest (same sizes, same overlap)."""
    kind = "markdown" if document.source.endswith(".md") else "text"
    config = MemoryConfig()
    return [c.text for c in chunk_text(document.text, kind, config.chunk_chars, config.overlap_chars)]
