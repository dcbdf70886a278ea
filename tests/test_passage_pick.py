"""Passage picking: the reader sees the few passages, among all retrieved sources, under
which the model finds the question most likely; the sources list, the log and the check
keep the whole chunks."""

from __future__ import annotations

import pytest
import torch

from agent.focus import GAP
from agent.grounding import GroundingConfig, grounded_prompt, numbered, prompt_version
from agent.passage_pick import LIKELIHOOD_PROMPT, PickConfig, parse_passages, pick_passages, question_likelihood
from agent.session import Session
from llm.engine import Engine
from llm.generate import suffix_logprobs
from llm.sampling import SamplingConfig
from memory.store import Hit
from tests.test_injection import FakeStore
from tests.test_lm import tiny_model_dir

HARBOUR = ("The ferry leaves Port Aubyn at 07:40.\n\nThe pub on Sully is the Drowned Fiddler.\n\n"
           "Tickets cost 38 crowns return.")
STATION = "# Station\n\nThe lighthouse was built in 1874.\n\nIts keeper is Rory Callender."
HITS = [Hit("a", HARBOUR, "harbour.md", 0, 0.6), Hit("b", STATION, "station.md", 0, 0.7)]


def sources(hits: list[Hit]) -> dict[int, str]:
    """Source number -> text, as a session hands them over."""
    return {c.number: c.hit.text for c in numbered(hits)}


def by_words(*words: str):
    """A scorer that ranks a passage by the first of `words` it holds (earlier: better), and
    records what it was asked to score."""
    calls: list[list[str]] = []

    def score(question: str, texts: list[str]) -> list[float]:
        calls.append(texts)
        return [next((-i for i, w in enumerate(words) if w in t), -99.0) for t in texts]

    return score, calls


def test_the_best_passages_of_all_sources_are_shown_under_their_numbers_best_source_last() -> None:
    score, calls = by_words("1874", "07:40")
    shown = pick_passages("When was it built?", sources(HITS), score)
    assert list(shown) == [1, 2]  # the source of the best passage comes last, nearest the question
    assert shown[2] == "# Station\nThe lighthouse was built in 1874.\n" + GAP  # under its heading
    assert shown[1] == "The ferry leaves Port Aubyn at 07:40.\n" + GAP
    assert len(calls) == 1 and len(calls[0]) == 5  # every passage of every source scored once, in one call
    assert "# Station\nThe lighthouse was built in 1874." in calls[0]  # scored with its heading


def test_two_picked_passages_of_one_source_are_shown_in_document_order() -> None:
    score, _ = by_words("38 crowns", "07:40")
    shown = pick_passages("How much?", sources(HITS), score)
    assert list(shown) == [1]
    assert shown[1] == "The ferry leaves Port Aubyn at 07:40.\n" + GAP + "\nTickets cost 38 crowns return."


def test_no_more_passages_than_asked_for_are_all_shown_without_scoring() -> None:
    def refuse(question: str, texts: list[str]) -> list[float]:
        raise AssertionError("nothing to choose between")

    assert pick_passages("What is the secret word?", {1: "The secret word is plum."}, refuse) == {
        1: "The secret word is plum."}


def test_the_prompt_shows_only_the_picked_passages_and_its_version_says_so() -> None:
    citations = numbered(HITS)
    score, _ = by_words("1874")
    prompt = grounded_prompt("When was it built?", citations, shown=pick_passages("When?", sources(HITS), score,
                                                                                  PickConfig(count=1)))
    assert "[2] (from station.md)\n# Station\nThe lighthouse was built in 1874." in prompt
    assert "harbour.md" not in prompt and "Rory" not in prompt
    assert prompt_version(None, picked=PickConfig()) != prompt_version(None) != prompt_version(
        None, picked=PickConfig(count=3))


def test_suffix_logprobs_are_the_mean_log_probability_of_the_suffix_in_one_uncached_pass() -> None:
    from llm.config import ModelConfig
    from llm.model import Transformer

    torch.manual_seed(0)
    model = Transformer(ModelConfig(vocab_size=64, d_model=32, n_layer=2, n_head=4, n_kv_head=2,
                                    max_seq_len=96)).eval()
    prefixes, suffix = [[3, 1, 4], [1, 5, 9, 2, 6, 5, 3], [7]], [8, 9, 7]
    scores = suffix_logprobs(model, prefixes, suffix, batch=2)  # two batches, ragged rows padded
    with torch.no_grad():
        for prefix, score in zip(prefixes, scores, strict=True):
            logits = model(torch.tensor([prefix + suffix]))[0].log_softmax(-1)
            expected = sum(float(logits[len(prefix) - 1 + j, t]) for j, t in enumerate(suffix)) / len(suffix)
            assert score == pytest.approx(expected, abs=1e-5)
    with pytest.raises(ValueError, match="at least one token"):
        suffix_logprobs(model, [[]], suffix)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.load(tiny_model_dir(tmp_path_factory))


def test_question_likelihood_scores_each_passage_by_the_models_log_p_of_the_question(engine: Engine) -> None:
    texts = ["The ferry leaves at 07:40.", "The pub is the Drowned Fiddler."]
    question = "When does the ferry leave?"
    scores = question_likelihood(engine)(question, texts)
    tok = engine.tokenizer
    expected = engine.suffix_logprobs([tok.encode(LIKELIHOOD_PROMPT.format(passage=t)) for t in texts],
                                      tok.encode(" " + question))
    assert scores == pytest.approx(expected) and scores[0] != scores[1]


def test_a_grounded_question_shows_picked_passages_and_cites_the_whole_chunks(engine: Engine,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    prompts: list[str] = []
    real_stream = Engine.stream

    def recording(self: Engine, prompt_ids, sampling):  # type: ignore[no-untyped-def]
        prompts.append(self.tokenizer.decode(prompt_ids))
        return real_stream(self, prompt_ids, sampling)

    monkeypatch.setattr(Engine, "stream", recording)
    sampling = SamplingConfig(max_new_tokens=2)
    picking = Session(engine, retriever=FakeStore(HITS), grounding=GroundingConfig(passages=PickConfig(count=1)))
    "".join(picking.reply("When was the lighthouse built?", sampling=sampling))
    assert prompts[-1].count(" (from ") == 1  # one passage, so one source shown
    assert picking.last is not None and sorted(c.hit.id for c in picking.last.citations) == ["a", "b"]  # both cited
    focusing = Session(engine, retriever=FakeStore(HITS), grounding=GroundingConfig(passages=None))
    "".join(focusing.reply("When was the lighthouse built?", sampling=sampling))
    assert prompts[-1].count(" (from ") == 2 and HARBOUR.split("\n")[0] in prompts[-1]
    assert focusing.last is not None and focusing.last.prompt_version != picking.last.prompt_version
    "".join(picking.reply("Summarise my notes.", sampling=sampling))  # an instruction reads its sources whole
    assert prompts[-1].count(" (from ") == 2


@pytest.mark.parametrize(("value", "expected"), [("off", None), ("3", PickConfig(count=3))])
def test_the_command_line_value_is_a_count_or_off(value: str, expected: PickConfig | None) -> None:
    assert parse_passages(value) == expected


@pytest.mark.parametrize("value", ["-1", "two"])
def test_a_bad_command_line_value_is_refused_naming_the_option(value: str) -> None:
    with pytest.raises(ValueError, match="--passages"):
        parse_passages(value)
