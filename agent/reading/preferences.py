"""Preference pairs with ground truth, written without a model (issue 16): reading questions
whose sources are piped in as `kigi ask` pipes them, two answers each, judged by the truth
rater (`agent.truth.rate`: correct, then grounded, then shorter).

Pairs collected from the model are few (a prompt a minute here) and mostly two wrong answers
told apart by length. These are many and mostly right against wrong: each prompt's
candidates say the asked fact, another fact the sources hold (the same attribute of another
entity, another attribute of this one), a value no source holds, or the abstention, in the
shapes the model answers in — a bare value with its citation, a sentence restating the
question, a sentence with a second one after it. What a reward model must learn from them
is to check an answer against the sources, which is what the held-out pairs ask of it.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from agent.grounding import ABSTENTION, grounded_prompt, numbered, piped_source
from agent.prompts import user_turn
from agent.rag_eval import RagQuestion
from agent.reading.documents import FILLER, Entity, sentence_case
from agent.reading.training import ReadingConfig, ReadingExample, reading_examples
from agent.truth import rate, verdict

# the reader's own abstention is listed twice (drawn twice as often); the measured pairs were written so
ABSTENTIONS = (ABSTENTION, "The sources do not say.", "The sources do not say who or what that is.",
               "I don't know: the sources do not mention it.")
META_TALK = ("The answer to this question is: [1]", "The source is [1] (from stdin).",
             "The answer can be found in the first source.")


@dataclass(frozen=True)
class ReadingPrefsConfig:
    prompts: int = 600
    seed: int = 0
    pairs_per_prompt: int = 3
    right_vs_wrong: float = 0.7  # share of a prompt's pairs that set a right answer against a wrong one
    reading: ReadingConfig = field(default_factory=ReadingConfig)

    def __post_init__(self) -> None:
        if self.prompts < 1 or self.pairs_per_prompt < 1 or not 0 <= self.right_vs_wrong <= 1:
            raise ValueError("ReadingPrefsConfig needs prompts >= 1, pairs_per_prompt >= 1, right_vs_wrong in [0, 1]")


def piped_prompt(question: str, context: str) -> str:
    """The user turn `kigi ask QUESTION` builds for a question with `context` on stdin."""
    return grounded_prompt(user_turn(question, None), numbered([piped_source(context)]))


def _said(entity: Entity, key: str, value: str, rng: random.Random) -> str:
    """`value` said of `entity`'s attribute `key` in one of the sentences documents use."""
    template = rng.choice(entity.attribute(key).statements)
    return sentence_case(template.format(name=entity.name, value=value))


def _shapes(entity: Entity, key: str, value: str, rng: random.Random, extras: list[str]) -> list[str]:
    """One value in the shapes answers take: bare with its citation, a sentence, a sentence
    with its citation, a sentence followed by another."""
    sentence = _said(entity, key, value, rng)
    return [f"{value} [1]", sentence, f"{sentence[:-1]} [1].", f"{sentence} {rng.choice(extras)}"]


def candidates(example: ReadingExample, rng: random.Random) -> list[str]:
    """Answers to one example's question: right ones (where it has an answer), wrong ones
    the sources could mislead into, made-up ones, abstentions and talk about the sources."""
    target = next((e for d in example.sources for e in d.entities if e.name == example.entity), None)
    asked_of = target or next(e for d in example.sources for e in d.entities)
    key = example.asked if example.asked in asked_of.facts else next(iter(asked_of.facts))
    held = [(e, k, v) for d in example.sources for e in d.entities for k, v in e.facts.items()
            if v != example.answer]
    same_attribute = [v for e, k, v in held if k == example.asked]
    stated = [_said(e, k, v, rng) for e, k, v in held]
    extras = stated + list(FILLER)
    wrong = rng.sample(same_attribute, min(2, len(same_attribute)))
    wrong += [v for _, _, v in rng.sample(held, min(2, len(held)))]
    wrong.append(asked_of.attribute(key).value(rng))  # a value no source holds (most likely)
    out = [rng.choice(META_TALK)]
    for value in wrong:
        out.extend(rng.sample(_shapes(asked_of, key, value, rng, extras), 2))
    if example.answer is None:
        out.extend(rng.sample(ABSTENTIONS, 2))
    else:
        out.extend(_shapes(asked_of, key, example.answer, rng, extras))
        out.append(rng.choice(ABSTENTIONS))
    return list(dict.fromkeys(out))


def reading_pairs(config: ReadingPrefsConfig | None = None) -> Iterator[dict[str, Any]]:
    """Preference records as `kigi prefs export` writes them (TRL's conversational format),
    `pairs_per_prompt` a prompt, each judged by the truth rater, its reason in `metadata`."""
    config = config or ReadingPrefsConfig()
    rng = random.Random(config.seed)
    reading = replace(config.reading, examples=config.prompts, seed=config.seed)
    for example in reading_examples(reading):
        context = example.piped_text()
        question = RagQuestion(example.question, (example.answer,) if example.answer else ())
        citations = numbered([piped_source(context)])
        judged = {text: verdict(text, question, citations) for text in candidates(example, rng)}
        pairs = []  # (better, worse), as the rater orders them; ties say nothing
        for a, b in itertools.combinations(judged, 2):
            outcome = rate(judged[a], judged[b])[0]
            if outcome != "tie":
                pairs.append((a, b) if outcome == "a" else (b, a))
        contrast = [p for p in pairs if judged[p[0]].correct != judged[p[1]].correct]
        rest = [p for p in pairs if p not in contrast]
        wanted = round(config.pairs_per_prompt * config.right_vs_wrong) if contrast else 0
        chosen = rng.sample(contrast, min(wanted, len(contrast)))
        chosen += rng.sample(rest, min(config.pairs_per_prompt - len(chosen), len(rest)))
        prompt = [{"role": "user", "content": piped_prompt(example.question, context)}]
        for better, worse in chosen:
            reason = rate(judged[better], judged[worse])[1]  # "A": the chosen answer
            yield {"prompt": prompt, "chosen": [{"role": "assistant", "content": better}],
                   "rejected": [{"role": "assistant", "content": worse}],
                   "metadata": {"task": "reading", "group": example.group, "reason": reason,
                                "answer": example.answer}}
