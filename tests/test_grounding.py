"""Grounding: numbered sources into the prompt, and the per-sentence support check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agent.grounding import (
    ABSTENTION,
    PROMPT_VERSION,
    Citation,
    GroundingConfig,
    check_groundedness,
    content_words,
    grounded_prompt,
    is_abstention,
    render_sources,
    retrieve,
    split_sentences,
)
from memory.store import Hit

SLEEP = Hit("id-sleep", "Zorblats sleep upside down in copper bowls for nineteen hours a day.", "/kb/guide.md",
            2, 0.81, 9, "Sleeping")
FOOD = Hit("id-food", "Feed a zorblat three purple lentils at dawn. Never feed it cheese: cheese makes zorblats float.",
           "/kb/guide.md", 1, 0.74, 5, "Feeding")
MOON = Hit("id-moon", "Quux has two moons, Pell and Orrin.", "/kb/quux.txt", 0, 0.40)
FAINT = Hit("id-faint", "Unrelated text about tax forms.", "/kb/tax.txt", 0, 0.10)


class FakeStore:
    """A retriever with fixed hits, filtering like the real one and recording its calls."""

    def __init__(self, hits: list[Hit]) -> None:
        self.hits = hits
        self.calls: list[tuple[str, int, float]] = []

    def search(self, query: str, k: int = 5, min_relevance: float = 0.0) -> list[Hit]:
        self.calls.append((query, k, min_relevance))
        return [h for h in self.hits if h.score >= min_relevance][:k]


def test_retrieve_numbers_hits_and_respects_threshold_and_budget() -> None:
    store = FakeStore([SLEEP, FOOD, MOON, FAINT])
    cites = retrieve(store, "how do zorblats sleep?", GroundingConfig(k=3, min_relevance=0.3))
    # the best hit is numbered last: the prompt shows it nearest the question
    assert [(c.number, c.hit.id) for c in cites] == [(1, "id-moon"), (2, "id-food"), (3, "id-sleep")]
    assert store.calls == [("how do zorblats sleep?", 3, 0.3)]
    tight = retrieve(store, "q", GroundingConfig(max_source_chars=len(SLEEP.text) + 10))
    assert [c.hit.id for c in tight] == ["id-sleep"]
    assert retrieve(FakeStore([FAINT]), "q") == []


def test_prompt_and_rendered_sources() -> None:
    cites = [Citation(1, SLEEP), Citation(2, MOON)]
    prompt = grounded_prompt("How long do zorblats sleep?", cites)
    assert prompt.index("[1] (from /kb/guide.md)\nZorblats sleep") < prompt.index("[2] (from /kb/quux.txt)")
    assert prompt.endswith("Question: How long do zorblats sleep?") and "square brackets" in prompt
    assert ABSTENTION in prompt and is_abstention(ABSTENTION) and not is_abstention("Plum [1]. Not said.")
    assert grounded_prompt("Hi?", []) == "Hi?"
    assert render_sources(cites) == "[1] /kb/guide.md:9 (Sleeping)\n[2] /kb/quux.txt"
    assert len(PROMPT_VERSION) == 12


def test_split_sentences_keeps_citations_with_their_sentence() -> None:
    text = "Zorblats eat lentils [2]. They sleep 19.5 hours.[1] Really? Yes!\n\n- a list item\n- another one"
    assert split_sentences(text) == ["Zorblats eat lentils [2].", "They sleep 19.5 hours.[1]", "Really?", "Yes!",
                                     "- a list item", "- another one"]
    assert content_words("The 19.5 hours [1], of Zorblat's sleep!") == {"19.5", "hours", "zorblat's", "sleep"}


def test_unsupported_and_supported_sentences_by_word_overlap() -> None:
    cites = [Citation(1, SLEEP), Citation(2, FOOD)]
    answer = ("Zorblats eat three purple lentils at dawn [2]. Zorblats sleep in copper bowls [1]. "
              "They were discovered by Dr Quill on a comet. Zorblats sleep nineteen hours in copper bowls [2]. "
              "Zorblats eat 5 purple lentils at dawn [2]. I do not know what colour they are. Sure!")
    report = check_groundedness(answer, cites)
    verdict = [(s.sentence.split()[0:3], s.supported, s.needs_support) for s in report.sentences]
    assert [v[1] for v in verdict] == [True, True, False, False, False, True, True]
    assert [s.needs_support for s in report.sentences] == [True, True, True, True, True, False, False]
    first, second, invented, miscited, wrong_number = report.sentences[:5]
    assert first.source == 2 and second.source == 1 and invented.source is None
    assert miscited.cited == (2,)  # true of source 1, but it cites 2, which does not say it
    assert wrong_number.overlap >= 0.6  # the words match; the number does not
    assert report.rate == pytest.approx(2 / 5)
    assert report.marked().count("[unsupported]") == 3
    assert check_groundedness("Anything at all.", []).rate == 0.0
    assert check_groundedness("", [Citation(1, SLEEP)]).rate == 1.0


def test_an_embedder_lets_paraphrases_count_as_support() -> None:
    paraphrase = "These creatures rest inverted inside metal dishes."

    def embed(texts: list[str]) -> np.ndarray:  # a fake: the paraphrase is close to the sleep sentence
        def vec(t: str) -> list[float]:
            if t.startswith(("These creatures", "Zorblats sleep")):
                return [1.0, 0.1, 0.0]
            return [0.0, 0.2, 1.0]
        return np.array([vec(t) for t in texts])

    cites = [Citation(1, SLEEP)]
    assert not check_groundedness(paraphrase + " [1]", cites).sentences[0].supported
    check = check_groundedness(paraphrase + " [1]", cites, embed=embed).sentences[0]
    assert check.supported and check.similarity == pytest.approx(1.0) and check.overlap < 0.6


def test_with_the_real_embedder(minilm_dir: Path) -> None:
    from memory.embed import SentenceEncoder

    encoder = SentenceEncoder(minilm_dir)
    cites = [Citation(1, SLEEP), Citation(2, FOOD)]
    answer = "Never give a zorblat cheese, because cheese makes it float [2]. Quux is ruled by a council of cats [1]."
    report = check_groundedness(answer, cites, embed=encoder.encode)
    assert [s.supported for s in report.sentences] == [True, False]
    assert report.sentences[0].similarity > 0.6 > report.sentences[1].similarity


def test_bad_config_values_are_named() -> None:
    with pytest.raises(ValueError, match="GroundingConfig.k"):
        GroundingConfig(k=0)
    with pytest.raises(ValueError, match="min_overlap"):
        GroundingConfig(min_overlap=2.0)
