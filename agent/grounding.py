"""Grounded answers: retrieved chunks in the prompt as numbered sources, and a check of
which answer sentences those sources support.

The check is deliberately simple and explainable. A sentence is *supported* when one of
the chunks it may lean on (the ones it cites as [n]; all retrieved ones if it cites none)
either
- contains at least `min_overlap` of the sentence's content words (lower-cased words of
  two or more letters or any digits, minus a short stop list; numbers must match exactly),
  or
- has a sentence whose embedding has cosine similarity at least `min_similarity` with it
  (only when an embedding function is given; all-MiniLM-L6-v2 puts paraphrases around
  0.6-0.9 and unrelated sentences below 0.3).
Sentences without content words ("Sure.", "[1]") and abstentions ("I do not know",
"not mentioned in the sources") need no support. An answer sentence
with a number that no cited chunk contains is unsupported whatever its other words, since
small models most often hallucinate exactly there.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from agent.answer_kinds import fits
from agent.focus import FocusConfig, focus
from agent.passage_pick import PickConfig
from agent.prompts import content_version
from llm.sampling import SamplingConfig
from memory.store import Hit, Retriever

if TYPE_CHECKING:
    from llm.tokenizer import Tokenizer

Embed = Callable[[list[str]], Sequence[Sequence[float]]]

# Version 2 (issue 13): a short answer first, then the number of its source; the most
# relevant source last, nearest the question; an abstention in words the check knows.
# Version 3: long sources show only their passages nearest the question (agent/focus.py).
ABSTENTION = "The sources do not say."
GROUNDED_INSTRUCTIONS = (
    "Answer the question from the numbered sources below. Give the short answer first, then the "
    f"number of its source in square brackets. If the sources do not answer it, say: {ABSTENTION}"
)
GROUNDED_PROMPT = "{instructions}\n\nSources:\n{sources}\n\nQuestion: {question}"


# Version 4 (`--read each`, not the default): each source read alone in a prompt of its own,
# the best-ranked answer kept (agent/read_each.py).
READ_EACH = "each source read alone; the answer of the best-ranked source that answers"


# Version 5: the reader sees the few passages, among all sources, under which the model finds
# the question most likely (agent/passage_pick.py).
PICKED = "the passages of all sources most likely to answer, by the question's likelihood"


def prompt_version(focused: FocusConfig | None, read_each: bool = False, picked: PickConfig | None = None) -> str:
    """The grounded prompt's version: its texts, how sources are focused, whether each is read
    alone and whether passages are picked among all sources (issue 13)."""
    extra = ([READ_EACH] if read_each else []) + ([PICKED, repr(picked)] if picked else [])
    return content_version(GROUNDED_INSTRUCTIONS, GROUNDED_PROMPT, repr(focused), *extra)


DEFAULT_FOCUS = FocusConfig()

_STOP = """
a an and are as at be been but by can could did do does for from had has have how i if in into is it
its itself me my no not of on or our so such than that the their them then there these they this to
too was we were what when where which who whom why will with would you your yes also only very just
about above after again all am any because before being below between both down during each few
further here more most other out over own same some under until up while sure okay ok certainly
course hello hi thanks thank well answer question source sources according based provided
"""
STOPWORDS = frozenset(_STOP.split(None))
_WORD = re.compile(r"[^\W_]+(?:[.,'][^\W_]+)*")
_CITATION = re.compile(r"\[(\d+)\]")
_ABSTAIN = re.compile(r"\b(?:do(?:es)? not|don't|cannot|can't|could not|couldn't) (?:know|find|tell|say|answer)"
                      r"|\bnot (?:mentioned|stated|given|covered|found) in\b|\bno information\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])(?:\s*(?:\[\d+\])+)?\s+(?=[\"'(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class AboutConfig:
    """When memory's sources are about a question (`agent.about_memory`)."""

    # nats a token that the best source must add to the question's log-likelihood; on the
    # development KBs 0.6 kept the sources of 127 of 128 answerable questions and 31 of 32
    # unanswerable ones, and of the 73 of 160 everyday prompts given sources kept 28
    min_gain: float = 0.6
    max_passage_tokens: int = 160  # of each source, scored (its head: what the chunk is about)


@dataclass(frozen=True)
class GroundingConfig:
    k: int = 4  # chunks retrieved into the prompt
    # cosine similarity the memory's nearest chunk needs for memory to be used at all; with the
    # word index it gates the search, and the fused top k are kept whatever their own cosine
    min_relevance: float = 0.25
    max_source_chars: int = 3000  # of chunk text in the prompt, all sources together
    # memory's sources kept only when the model finds them about the question (`--topic-check`);
    # not the default: the development KBs fell from 67 to 66 of 160 (docs/evals.md)
    about: AboutConfig | None = None
    min_overlap: float = 0.6  # share of a sentence's content words found in one chunk
    min_similarity: float = 0.6  # sentence-to-sentence cosine similarity, with an embedder
    focus: FocusConfig | None = DEFAULT_FOCUS  # which passages of a source the prompt shows; None: all
    read_each: bool = False  # the reader reads each source in a prompt of its own (agent/read_each.py)
    # a question's reader sees these passages of all sources (agent/passage_pick.py; not the
    # default: held out, 38.8% against 41.9% focusing each source); None: `focus`
    passages: PickConfig | None = None
    # logits the reader's abstention ("The sources do not say.") must lead by at its first
    # token; 0 leaves the reader's greedy choice as it is (0.75, best on the development KBs,
    # scored 39.4% held out against 41.2%: more answers, far fewer right abstentions); below
    # 0 the abstention wins unless an answer leads it by that much
    abstention_margin: float = 0.0
    # the same when the one source is text piped in (`echo ... | kigi ask`): the user handed
    # it over to be read, and the reader abstained on 20 of 32 answerable questions about such
    # text. 1.5 was best of 0, 0.75, 1.5, 3 on evals/piped/dev.jsonl (17/40 against 14/40);
    # held out in docs/evals.md ("Piped text")
    piped_abstention_margin: float = 1.5
    # the reader's answer is shown only when the check below finds every sentence that states
    # something supported by the sources it cites; otherwise it is withheld and the abstention
    # shown. Chosen on the development KBs (42 -> 47 of 160 at int4, correct abstentions 16 -> 23 of
    # 32); held out 66 -> 62 of 160, correct abstentions 70% -> 80%, wrong answers 16% -> 8.5%.
    # An answer not of the kind its question names (a place for "what year") is withheld too
    # (agent/answer_kinds.py: development 63 -> 67 of 160 with the third reader, held out unchanged)
    withhold_unsupported: bool = True
    # the reader's reply held to the abstention or a span of its sources' text, then its
    # citation (agent/copying.py): it may pick the wrong span, but cannot misspell the right one
    copy_answers: bool = False

    def __post_init__(self) -> None:
        for name in ("abstention_margin", "piped_abstention_margin"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"GroundingConfig.{name} must be finite, got {getattr(self, name)}")
        if self.k <= 0:
            raise ValueError(f"GroundingConfig.k must be positive, got {self.k}")
        for name in ("min_relevance", "min_overlap", "min_similarity"):
            if not -1.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"GroundingConfig.{name} must be between -1 and 1, got {getattr(self, name)}")
        if self.max_source_chars <= 0:
            raise ValueError(f"GroundingConfig.max_source_chars must be positive, got {self.max_source_chars}")


PROMPT_VERSION = prompt_version(DEFAULT_FOCUS, GroundingConfig().read_each, GroundingConfig().passages)


@dataclass(frozen=True)
class Citation:
    number: int  # 1-based, as the prompt and the answer say it
    hit: Hit

    @property
    def label(self) -> str:
        where = f"{self.hit.source}:{self.hit.line}" if self.hit.line else self.hit.source
        section = f" ({self.hit.section})" if self.hit.section else ""
        return f"[{self.number}] {where}{section}"


def retrieve(retriever: Retriever, question: str, config: GroundingConfig | None = None) -> list[Citation]:
    """The question's best chunks within the prompt's character budget, numbered in the
    order the prompt shows them: the best one last, nearest the question (small models
    read what is close to the question best)."""
    config = config or GroundingConfig()
    hits = retriever.search(question, k=config.k, min_relevance=config.min_relevance)
    kept: list[Hit] = []
    used = 0
    for hit in hits:
        if kept and used + len(hit.text) > config.max_source_chars:
            break
        kept.append(hit)
        used += len(hit.text)
    return numbered(reversed(kept))


PIPED_SOURCE = "stdin"


def piped_source(text: str) -> Hit:
    """Piped-in context as a source, read like a retrieved chunk."""
    return Hit(PIPED_SOURCE, text.strip(), PIPED_SOURCE, 0, 1.0)


def numbered(hits: Iterable[Hit]) -> list[Citation]:
    """Citations [1], [2], ... in the given order."""
    return [Citation(n, hit) for n, hit in enumerate(hits, 1)]


def cited_again(retriever: Retriever | None, chunk_ids: Sequence[str]) -> list[Citation]:
    """A logged turn's citations, numbered as its prompt showed them, for the chunks memory
    still holds (a forgotten or piped-in source drops out of the list; its text stays in the
    logged prompt)."""
    get = getattr(retriever, "get", None)
    found = {hit.id: hit for hit in get(list(chunk_ids))} if get is not None else {}
    return [Citation(n, found[i]) for n, i in enumerate(chunk_ids, 1) if i in found]


def format_sources(citations: Sequence[Citation], question: str = "", focused: FocusConfig | None = None,
                   shown: Mapping[int, str] | None = None) -> str:
    """The numbered sources, each cut to the sentences nearest `question` when `focused`; or,
    given `shown` (source number -> text, agent/passage_pick.py), those sources in its order."""
    def text_of(c: Citation) -> str:
        return focus(question, c.hit.text.strip(), focused) if focused is not None else c.hit.text.strip()

    if shown is not None:
        by_number = {c.number: c for c in citations}
        return "\n\n".join(f"[{n}] (from {by_number[n].hit.source})\n{text}" for n, text in shown.items())
    return "\n\n".join(f"[{c.number}] (from {c.hit.source})\n{text_of(c)}" for c in citations)


def grounded_prompt(question: str, citations: Sequence[Citation], focused: FocusConfig | None = DEFAULT_FOCUS,
                    shown: Mapping[int, str] | None = None) -> str:
    """The user turn for a grounded answer; with no citations the question goes alone."""
    if not citations:
        return question
    return GROUNDED_PROMPT.format(instructions=GROUNDED_INSTRUCTIONS,
                                  sources=format_sources(citations, question, focused, shown), question=question)


def abstention_margin(citations: Sequence[Citation], config: GroundingConfig) -> float:
    """The margin the reader's abstention needs over these sources: piped text alone has its own."""
    piped = bool(citations) and all(c.hit.source == PIPED_SOURCE for c in citations)
    return config.piped_abstention_margin if piped else config.abstention_margin


def with_abstention_margin(sampling: SamplingConfig, tokenizer: Tokenizer, margin: float) -> SamplingConfig:
    """`sampling` with the abstention's first token needing `margin` logits over the best
    answer's (the reader's abstentions are mostly near-ties; a negative margin favours the
    abstention); unchanged for 0."""
    if not margin:
        return sampling
    return dataclasses.replace(sampling, first_token_bias=((tokenizer.encode(ABSTENTION)[0], -margin),))


def render_sources(citations: Sequence[Citation]) -> str:
    """The list shown under an answer: one line per source."""
    return "\n".join(c.label for c in citations)


def split_sentences(text: str) -> list[str]:
    """Sentences of an answer, each keeping the citations written right after it."""
    parts: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)", text):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        start = 0
        for match in _SENTENCE_END.finditer(paragraph):
            end = match.start() + len(match.group(0).rstrip())
            parts.append(paragraph[start:end].strip())
            start = match.end()
        parts.append(paragraph[start:].strip())
    return [p for p in parts if p]


_QUESTION = re.compile(r"\?[\s\"')]*$|^\W*(?:who|whom|whose|what|when|where|which|why|how|is|are|was|were|do|does|did"
                       r"|can|could|should|would|will|has|have|had)\b", re.IGNORECASE)


def is_question(text: str) -> bool:
    """Whether `text` asks for something ("What is...?", "who wrote it") rather than telling
    the model to do something ("summarise this"): the reader answers questions."""
    return bool(_QUESTION.search(text.strip()))


def is_abstention(answer: str) -> bool:
    """Whether the answer opens by declining: "The sources do not say.", "I don't know"."""
    sentences = split_sentences(answer)
    return bool(sentences) and bool(_ABSTAIN.search(sentences[0]))


def content_words(text: str) -> set[str]:
    words = {w.lower().strip(".,'") for w in _WORD.findall(_CITATION.sub(" ", text))}
    return {w for w in words if w and w not in STOPWORDS and (len(w) > 1 or w.isdigit())}


def _numbers(words: set[str]) -> set[str]:
    return {w for w in words if any(ch.isdigit() for ch in w)}


@dataclass(frozen=True)
class SentenceCheck:
    sentence: str
    cited: tuple[int, ...]  # the citation numbers written in it
    supported: bool
    source: int | None  # the citation that supports it best
    overlap: float  # best share of its content words found in one chunk
    similarity: float | None  # best sentence cosine similarity, if an embedder was given
    needs_support: bool = True


@dataclass
class GroundednessReport:
    sentences: list[SentenceCheck] = field(default_factory=list)

    @property
    def checked(self) -> list[SentenceCheck]:
        return [s for s in self.sentences if s.needs_support]

    @property
    def unsupported(self) -> list[SentenceCheck]:
        return [s for s in self.checked if not s.supported]

    @property
    def rate(self) -> float:
        """Share of the sentences that need support and have it (1.0 for none to check)."""
        checked = self.checked
        return 1.0 if not checked else sum(s.supported for s in checked) / len(checked)

    def marked(self) -> str:
        """The answer with each unsupported sentence flagged `[unsupported]`."""
        return " ".join(f"{s.sentence} [unsupported]" if s.needs_support and not s.supported else s.sentence
                        for s in self.sentences)


def check_groundedness(answer: str, citations: Sequence[Citation], config: GroundingConfig | None = None,
                       embed: Embed | None = None) -> GroundednessReport:
    """Which sentences of `answer` the cited chunks support (see the module docstring)."""
    config = config or GroundingConfig()
    by_number = {c.number: c for c in citations}
    chunk_words = {c.number: content_words(c.hit.text) for c in citations}
    sentences = split_sentences(answer)
    similarity = _similarities(sentences, citations, embed) if embed and citations else None
    report = GroundednessReport()
    for i, sentence in enumerate(sentences):
        cited = tuple(int(n) for n in _CITATION.findall(sentence))
        words = content_words(sentence)
        if not words or _ABSTAIN.search(sentence):
            report.sentences.append(SentenceCheck(sentence, cited, True, None, 1.0, None, needs_support=False))
            continue
        candidates = [n for n in cited if n in by_number] or list(by_number)
        best, best_overlap, best_sim = None, 0.0, None
        supported = False
        for n in candidates:
            overlap = len(words & chunk_words[n]) / len(words)
            sim = None if similarity is None else similarity[i].get(n)
            numbers_ok = _numbers(words) <= chunk_words[n]
            ok = numbers_ok and (overlap >= config.min_overlap or (sim is not None and sim >= config.min_similarity))
            score = max(overlap, sim or 0.0)
            if best is None or (ok, score) > (supported, max(best_overlap, best_sim or 0.0)):
                best, best_overlap, best_sim, supported = n, overlap, sim, ok
        report.sentences.append(SentenceCheck(sentence, cited, supported, best if supported else None,
                                              best_overlap, best_sim))
    return report


def shown_answer(answer: str, citations: Sequence[Citation], config: GroundingConfig | None = None,
                 question: str = "") -> tuple[str, str | None]:
    """The reader's answer to show and the one withheld: an answer stating something its cited
    sources do not support (the check above, without an embedder, as the evals run it), or not
    the kind of thing `question` asks for (a year, a time, a count, a price:
    agent/answer_kinds.py), gives way to the abstention (`GroundingConfig.withhold_unsupported`)."""
    if check_groundedness(answer, citations, config).unsupported or not fits(question, answer):
        return ABSTENTION, answer
    return answer, None


def best_supported(answers: Sequence[str], scores: Sequence[float], citations: Sequence[Citation],
                   config: GroundingConfig | None = None, question: str = "") -> tuple[int, str, str | None]:
    """Best-of-n under the reader's check: the index of the best-scored answer its cited
    sources support, the text to show and the answer withheld; when none is supported, the
    best-scored one gives way to the abstention. No citations: nothing to check."""
    order = sorted(range(len(answers)), key=lambda i: -scores[i])
    if not citations:
        return order[0], answers[order[0]], None
    for i in order:
        text, withheld = shown_answer(answers[i], citations, config, question)
        if withheld is None:
            return i, text, None
    return order[0], ABSTENTION, answers[order[0]]


def _similarities(sentences: list[str], citations: Sequence[Citation], embed: Embed) -> list[dict[int, float]]:
    """For each answer sentence and citation: the best cosine similarity to any of the chunk's sentences."""
    pieces: list[tuple[int, str]] = [(c.number, s) for c in citations for s in split_sentences(c.hit.text)]
    if not sentences or not pieces:
        return [{} for _ in sentences]
    vectors = np.asarray(embed([_CITATION.sub("", s).strip() for s in sentences] + [p for _, p in pieces]),
                         dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sims = vectors[:len(sentences)] @ vectors[len(sentences):].T  # (sentences, pieces)
    out: list[dict[int, float]] = []
    for row in sims:
        best: dict[int, float] = {}
        for (number, _), value in zip(pieces, row, strict=True):
            best[number] = max(best.get(number, -1.0), float(value))
        out.append(best)
    return out
