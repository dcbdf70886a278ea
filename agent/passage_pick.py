"""Passages picked among all retrieved chunks: the reader sees only the few under which the
model finds the question most likely (issue 13; `--passages N`, not the default).

Handed four chunks with three passages each, the 135M reader mostly says the sources do not
say. This tries showing it fewer, better passages, ranked by query likelihood (UPR, Sachan
et al. 2022): the mean log-probability of the question's tokens after "Passage: … A
question this passage answers:", from the chat model itself in one batched forward pass.
On the hand-written development KB (`evals/rag-dev`, 20 look-alike distractors; 32
answerable questions) it put an answering passage first for 15 and in the top two for 20,
against 11/14 for BM25, 12/17 for MiniLM, 12/16 for their fusion; shown the top two (or
the top one) the reader answered 18 of 40 right against 13 with each source focused on its
own (`agent/focus.py`). On the held-out KBs it did not hold: 38.8% against 41.9% (62 and 67
of 160). It abstained correctly more often (25/30 against 22/30), but 15 answerable
questions the focused prompt got right lost their answering passage and were abstained on,
for 8 gained: the model ranks a passage of narrative below its neighbours once it is cut
from them. It costs ~2 s a question at fp32 (22 passages on average). So sources are
focused one by one by default.

The chosen passages are shown under their sources' numbers, the sources in the order of
their best passage (the best last, nearest the question), each source's passages in
document order with "…" where text was left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.focus import Passage, passages, render

if TYPE_CHECKING:
    from llm.engine import Engine

# (question, passage texts) -> one score each, higher: the passage more likely answers it
PassageScorer = Callable[[str, list[str]], list[float]]

LIKELIHOOD_PROMPT = "Passage: {passage}\nA question this passage answers:"


@dataclass(frozen=True)
class PickConfig:
    count: int = 2  # passages shown, all sources together
    max_passage: int = 240  # a paragraph longer than this is cut into sentences or list items
    max_passage_tokens: int = 192  # of a passage's text when it is scored (a long table's head)

    def __post_init__(self) -> None:
        for name in ("count", "max_passage", "max_passage_tokens"):
            if getattr(self, name) <= 0:
                raise ValueError(f"PickConfig.{name} must be positive, got {getattr(self, name)}")


def parse_passages(value: str) -> PickConfig | None:
    """A command-line `--passages`: how many passages the reader sees, or "off" (each source
    focused on its own instead)."""
    if value.strip().lower() in ("off", "none", "0"):
        return None
    try:
        return PickConfig(count=int(value))
    except ValueError:
        raise ValueError(f"--passages must be a positive number or 'off', got {value!r}") from None


def question_likelihood(engine: Engine, config: PickConfig | None = None) -> PassageScorer:
    """Scores passages by the mean log P(question | passage) under `engine`'s model."""
    limit = (config or PickConfig()).max_passage_tokens

    def score(question: str, texts: list[str]) -> list[float]:
        tokenizer = engine.tokenizer

        def cut(text: str) -> str:
            if len(text.encode()) <= limit:  # a token holds at least one byte: nothing to cut, nothing to count
                return text
            ids = tokenizer.encode(text)
            return text if len(ids) <= limit else tokenizer.decode(ids[:limit])

        prefixes = [tokenizer.encode(LIKELIHOOD_PROMPT.format(passage=cut(t))) for t in texts]
        return engine.suffix_logprobs(prefixes, tokenizer.encode(" " + question.strip()))

    return score


def pick_passages(question: str, sources: Mapping[int, str], score: PassageScorer,
                  config: PickConfig | None = None) -> dict[int, str]:
    """Source number -> the text shown from it, for the sources holding one of the `count`
    best passages, best source last. With no more passages than `count`, all are shown, in
    the sources' order. `sources`: number -> text, in the prompt's order."""
    config = config or PickConfig()
    pieces = {number: passages(text, config.max_passage) for number, text in sources.items()}
    flat = [(number, i) for number, own in pieces.items() for i in range(len(own))]
    if len(flat) <= config.count:
        return {n: render(own, range(len(own))) for n, own in pieces.items() if own}
    scores = score(question, [_scored_text(pieces[n][i]) for n, i in flat])
    best = [flat[j] for j in sorted(range(len(flat)), key=lambda j: -scores[j])[:config.count]]
    order = list(dict.fromkeys(n for n, _ in best))[::-1]  # each source at its best passage's place, best last
    return {n: render(pieces[n], sorted(i for m, i in best if m == n)) for n in order}


def _scored_text(passage: Passage) -> str:
    return f"{passage.heading}\n{passage.text}" if passage.heading else passage.text
