"""Reading-comprehension SFT data for the grounded-reader adapter.

Each example is the exact grounded prompt kigi builds (`agent.grounding.grounded_prompt`):
one source that answers the question among distractors, some of the same kind (another
town's mayor when the question asks for this town's), numbered in prompt order; the
target is the short answer copied from the source, then its number: `Lumeport [3]`. About
one question in six asks for what no source says (mostly a fact the document leaves out,
sometimes an entity no source mentions), and its target is the abstention. Some questions
name the entity only by what it is ("the town", as people ask about the document in front
of them), so the adapter learns that a missing name is no reason to abstain; some prompts
carry a single source named `stdin`, as piped context does. A share of the questions
(`scenes`) are about documents written by hand in genres people keep (scenes.py), asked in
a user's words rather than the document's.

Nothing here reads the evaluation knowledge bases: every fact is invented by the seeded
generator, so a run is reproducible and the held-out sets stay held out.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from agent.focus import focus
from agent.grounding import ABSTENTION, DEFAULT_FOCUS, PIPED_SOURCE, Citation, grounded_prompt, numbered
from agent.reading.documents import STYLES, Document, Entity, invent, sentence_case, write
from agent.reading.everyday import EVERYDAY
from agent.reading.facts import KINDS, Kind
from agent.reading.narrative import document_chunks, long_document
from agent.reading.scene_banks import SCENES
from agent.reading.scenes import FilledScene, Scene, fields_in, fill
from memory.store import Hit

MULTI_ENTITY_STYLES = ("table", "bullets", "handbook", "faq", "prose")
QUESTION_FRAMES = ("{q}", "{q}", "{q}", "{q}", "Quick question: {q}", "According to the sources, {lq}",
                   "Do you know {lq}", "Can you tell me: {q}", "{q} Thanks!", "I need to know this. {q}")


@dataclass(frozen=True)
class ReadingConfig:
    examples: int = 1500
    seed: int = 0
    unanswerable: float = 0.17  # share of questions the sources do not answer
    stdin: float = 0.12  # share of prompts with one piped-in source
    max_sources: int = 4
    relevant_last: float = 0.6  # how often the answering source is the last one, as retrieval puts it
    absent_entity: float = 0.2  # of the unanswerable: about an entity no source mentions
    elided: float = 0.3  # questions naming the entity by its kind ("the town") where that is unambiguous
    long: float = 0.0  # share of questions about long documents read through chunks and focus (narrative.py)
    everyday: float = 0.0  # of the piped sources: written as everyday text (everyday.py)
    scenes: float = 0.0  # share of questions about documents people wrote (scenes.py), in their words

    def __post_init__(self) -> None:
        if self.examples < 1 or self.max_sources < 2:
            raise ValueError("ReadingConfig needs examples >= 1 and max_sources >= 2")
        for name in ("unanswerable", "stdin", "relevant_last", "absent_entity", "elided", "long", "everyday",
                     "scenes"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"ReadingConfig.{name} must be in [0, 1]")


@dataclass(frozen=True)
class ReadingExample:
    question: str
    entity: str  # whom the question asks about (a scene's file name for a scene)
    asked: str  # which of its attributes ("scene" for a question about a scene)
    sources: tuple[Document, ...]  # in prompt order
    answer: str | None  # None: the sources do not say
    cited: int | None  # the number of the answering source
    messages: tuple[dict[str, str], ...]
    group: int

    def citations(self) -> list[Citation]:
        """The sources numbered as the prompt shows them: what the answer's `[n]` points at."""
        return numbered_sources(self.sources)

    def piped_text(self) -> str:
        """The sources as one text, the way a user pipes them into `kigi ask` (the preference
        loop's reading prompts)."""
        return "\n\n".join(d.text.strip() for d in self.sources)

    def to_dict(self) -> dict[str, Any]:
        return {"messages": [dict(m) for m in self.messages],
                "meta": {"task": "reading", "group": self.group, "answer": self.answer, "cited": self.cited,
                         "styles": [d.style for d in self.sources]}}


def _frame(question: str, rng: random.Random) -> str:
    frame = rng.choice(QUESTION_FRAMES)
    return frame.format(q=question, lq=question[0].lower() + question[1:])


def _fresh(kind: Kind, rng: random.Random, keys: list[str], taken: set[str]) -> Entity:
    """An entity whose name no other entity of this prompt has (a second "overtime" rule with
    other facts would make the answer ambiguous)."""
    entity = invent(kind, rng, keys)
    while entity.name in taken:
        entity = invent(kind, rng, keys)
    taken.add(entity.name)
    return entity


def _target_document(kind: Kind, rng: random.Random, taken: set[str], alone: bool = False,
                     leave_out: bool = False) -> tuple[Document, Entity, list[str]]:
    """A document about one entity (perhaps among others of its kind, unless `alone`), the
    entity, and the attribute keys of its kind the document leaves out (at least one if
    `leave_out`)."""
    keys = [a.key for a in kind.attributes]
    shown = rng.sample(keys, rng.randint(2, min(5, len(keys) - leave_out)))
    style = rng.choice([s for s in STYLES if not (alone and s == "table")])
    multiple = style in MULTI_ENTITY_STYLES and rng.random() < 0.5 or style == "table"
    together = rng.randint(2, 4) if multiple and not alone else 1
    entities = [_fresh(kind, rng, shown, taken) for _ in range(together)]
    rng.shuffle(entities)
    target = entities[0]
    return write(entities, style, rng), target, [k for k in keys if k not in shown]


def _distractor(kind: Kind, rng: random.Random, taken: set[str], other_kind: bool = False) -> Document:
    """A source about another entity: half the time of the same kind (unless `other_kind`)."""
    same_kind = rng.random() < 0.5 and not other_kind
    chosen = rng.choice([k for k in KINDS if k is not kind]) if other_kind else kind if same_kind else rng.choice(KINDS)
    keys = [a.key for a in chosen.attributes]
    entity = _fresh(chosen, rng, rng.sample(keys, rng.randint(2, min(5, len(keys)))), taken)
    return write([entity], rng.choice(list(STYLES)), rng)


def _question(entity: Entity, key: str, elided: bool, rng: random.Random) -> str:
    """A question for one fact, naming the entity, or (`elided`) only its kind: "the town"."""
    template = rng.choice(entity.attribute(key).questions)
    if elided:
        return sentence_case(template.replace("the {name}", "{name}").format(name=f"the {entity.kind.noun}"))
    return sentence_case(template.format(name=entity.name))


def reading_example(rng: random.Random, config: ReadingConfig, group: int) -> ReadingExample:
    kind = rng.choice(KINDS)
    taken: set[str] = set()
    abstain = rng.random() < config.unanswerable
    absent = abstain and not kind.bare and rng.random() < config.absent_entity
    elided = kind.bare or not absent and kind.name != "person" and rng.random() < config.elided
    document, target, missing = _target_document(kind, rng, taken, alone=elided, leave_out=abstain and not absent)
    asked = rng.choice(list(target.facts))
    if absent:
        target = _fresh(kind, rng, list(target.facts), taken)  # an entity no source mentions
    elif abstain:
        asked = rng.choice(missing)  # a fact about this entity that no source states
    question = _frame(_question(target, asked, elided, rng), rng)
    if rng.random() < config.stdin:
        document = replace(document, source=PIPED_SOURCE)
        if config.everyday and rng.random() < config.everyday:  # the same facts, as people pipe them in
            style = rng.choice(list(EVERYDAY))
            document = replace(document, text=EVERYDAY[style](document.entities, rng), style=style)
        sources = [document]
    else:
        sources = [_distractor(kind, rng, taken, other_kind=elided)
                   for _ in range(rng.randint(1, config.max_sources - 1))]
        at = len(sources) if rng.random() < config.relevant_last else rng.randint(0, len(sources))
        sources.insert(at, document)
    answer = None if abstain else target.facts[asked]
    cited = None if abstain else sources.index(document) + 1
    return _example(question, target.name, asked, sources, answer, cited, group)


def _entities(kinds: list[Kind], rng: random.Random, taken: set[str]) -> list[Entity]:
    """One fresh entity of each kind, stating two to four of its facts."""
    out = []
    for kind in kinds:
        keys = [a.key for a in kind.attributes]
        out.append(_fresh(kind, rng, rng.sample(keys, rng.randint(2, min(4, len(keys) - 1))), taken))
    return out


def _long_distractor(rng: random.Random, taken: set[str], near: Kind) -> Document:
    """A chunk of another long document (sometimes about an entity of the asked kind), or a short one."""
    if rng.random() < 0.3:
        return _distractor(near, rng, taken, other_kind=near.bare)
    kinds = rng.sample([k for k in KINDS if not (near.bare and k is near)], rng.randint(2, 3))
    if rng.random() < 0.5 and near not in kinds and not near.bare:
        kinds[0] = near
    document = long_document(_entities(kinds, rng, taken), rng)
    return replace(document, text=rng.choice(document_chunks(document)))


def long_reading_example(rng: random.Random, config: ReadingConfig, group: int) -> ReadingExample:
    """A question about a long document written in a diary's, minutes' or thread's voice,
    shown as memory shows it: one or two of its chunks among other chunks, focused on the
    question. The target is the answer only where the focused prompt states it."""
    taken: set[str] = set()
    kinds = rng.sample(KINDS, rng.randint(2, 4))
    entities = _entities(kinds, rng, taken)
    document, target, kind = long_document(entities, rng), entities[0], kinds[0]
    missing = [a.key for a in kind.attributes if a.key not in target.facts]
    abstain = rng.random() < config.unanswerable
    asked = rng.choice(missing) if abstain else rng.choice(list(target.facts))
    if abstain and not kind.bare and rng.random() < config.absent_entity:
        target = _fresh(kind, rng, [asked], taken)  # an entity no source mentions
    question = _frame(_question(target, asked, False, rng), rng)
    chunks = document_chunks(document)
    value = None if abstain else target.facts[asked]
    answering = [i for i, text in enumerate(chunks) if value and value in text]
    main = rng.choice(answering or range(len(chunks)))
    own = [main] + ([rng.choice([i for i in range(len(chunks)) if i != main])]
                    if len(chunks) > 1 and rng.random() < 0.4 else [])
    sources = [_long_distractor(rng, taken, kind) for _ in range(rng.randint(3, config.max_sources) - len(own))]
    for index in own[1:]:
        sources.insert(rng.randint(0, len(sources)), replace(document, text=chunks[index]))
    at = len(sources) if rng.random() < config.relevant_last else rng.randint(0, len(sources))
    sources.insert(at, replace(document, text=chunks[main]))
    stating = [n for n, d in enumerate(sources, 1)
               if value and d.entities is document.entities and value in focus(question, d.text.strip(), DEFAULT_FOCUS)]
    cited = at + 1 if at + 1 in stating else (stating[0] if stating else None)
    answer = value if cited else None
    return _example(question, target.name, asked, sources, answer, cited, group)


def _scene_source(scene: FilledScene, rng: random.Random) -> Document:
    folder = rng.choice(("", "", "", "notes/", "archive/", "docs/"))
    return Document(folder + scene.scene.name, scene.text, "scene", ())


def _scene_question(scenes: Sequence[Scene], shown: Scene, rng: random.Random) -> tuple[str, Scene] | None:
    """A question naming something of another scene (its slots filled afresh), which the
    shown sources cannot answer, and that scene (kept out of the sources); None when no
    scene has such a question."""
    others = [s for s in scenes if s is not shown and any(fields_in(q) for e in s.questions for q in e[1:])]
    if not others:
        return None
    other = rng.choice(others)
    asked = rng.choice([q for e in other.questions for q in e[1:] if fields_in(q)])
    return fill(other, rng).fill(asked), other


def scene_reading_example(rng: random.Random, config: ReadingConfig, group: int,
                          scenes: Sequence[Scene] = SCENES) -> ReadingExample:
    """A question in a user's words about a document people wrote (scenes.py), among other
    scenes and generated documents. The target is the answer only where the focused prompt
    shows it; about one question in six asks what the scene leaves open, or names what no
    source mentions."""
    taken: set[str] = set()
    scene = fill(rng.choice(scenes), rng)
    document = _scene_source(scene, rng)
    abstain = rng.random() < config.unanswerable
    entries = rng.sample(scene.scene.questions, len(scene.scene.questions))
    question, answer, left_out = "", None, [scene.scene]
    if abstain:
        elsewhere = _scene_question(scenes, scene.scene, rng) if rng.random() < 0.35 else None
        if elsewhere:
            question, other = elsewhere
            left_out.append(other)
        else:
            question = scene.fill(rng.choice(scene.scene.unanswerable or ("What is the wifi password?",)))
        question = _frame(question, rng)
    else:
        for entry in entries[:4]:  # a question whose answer the focused source still shows
            question = _frame(scene.fill(rng.choice(entry[1:])), rng)
            value = scene.answer(entry[0])
            if value in focus(question, document.text.strip(), DEFAULT_FOCUS):
                answer = value
                break
    if rng.random() < config.stdin:
        document = replace(document, source=PIPED_SOURCE)
        sources = [document]
    else:
        pool = [s for s in scenes if all(s is not o for o in left_out)]
        sources = [_scene_source(fill(rng.choice(pool), rng), rng) if pool and rng.random() < 0.7
                   else _distractor(rng.choice(KINDS), rng, taken)
                   for _ in range(rng.randint(1, config.max_sources - 1))]
        at = len(sources) if rng.random() < config.relevant_last else rng.randint(0, len(sources))
        sources.insert(at, document)
    cited = sources.index(document) + 1 if answer is not None else None
    return _example(question, scene.scene.name, "scene", sources, answer, cited, group)


def numbered_sources(sources: Sequence[Document]) -> list[Citation]:
    """The documents as the grounded prompt numbers them (and as the withholding check reads them)."""
    return numbered(Hit(f"s{n}", d.text, d.source, 0, 1.0) for n, d in enumerate(sources))


def _example(question: str, entity: str, asked: str, sources: list[Document], answer: str | None,
             cited: int | None, group: int) -> ReadingExample:
    """The grounded prompt over `sources` (focused as `kigi ask` focuses) and its target."""
    citations = numbered_sources(sources)
    reply = ABSTENTION if answer is None else f"{answer} [{cited}]"
    messages = ({"role": "user", "content": grounded_prompt(question, citations)},
                {"role": "assistant", "content": reply})
    return ReadingExample(question, entity, asked, tuple(sources), answer, cited, messages, group)


def reading_examples(config: ReadingConfig | None = None) -> Iterator[ReadingExample]:
    """`config.examples` examples, the same ones for the same config."""
    config = config or ReadingConfig()
    rng = random.Random(config.seed)
    for group in range(config.examples):
        if config.scenes and rng.random() < config.scenes:
            yield scene_reading_example(rng, config, group)
        elif config.long and rng.random() < config.long:
            yield long_reading_example(rng, config, group)
        else:
            yield reading_example(rng, config, group)
