"""Generated preference pairs with ground truth (issue 16): the prompt `kigi ask` builds for
piped context, every pair ordered as the truth rater orders it, mostly right against wrong,
reproducible by seed, and the command that writes them."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

import pytest
import torch
from typer.testing import CliRunner

from agent.grounding import numbered, piped_source
from agent.rag_eval import RagQuestion
from agent.reading.preferences import ReadingPrefsConfig, reading_pairs
from agent.reading.training import ReadingExample, reading_examples
from agent.session import Session
from agent.truth import rate, verdict
from cli import app
from llm.engine import Engine
from tests.tiny import save_tiny_chat_model

CONFIG = ReadingPrefsConfig(prompts=40, seed=3, pairs_per_prompt=3)


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return list(reading_pairs(CONFIG))


def _examples() -> dict[int, ReadingExample]:
    """The questions the pairs were written for, by group, as the generator drew them."""
    return {e.group: e for e in reading_examples(replace(CONFIG.reading, examples=CONFIG.prompts, seed=CONFIG.seed))}


def test_every_pair_is_ordered_as_the_truth_rater_orders_it(records):
    # judged as the collection judges: against the whole piped text, not the focused prompt
    examples = _examples()
    assert len(records) >= 100
    for record in records:
        example = examples[record["metadata"]["group"]]
        answer = record["metadata"]["answer"]
        assert answer == example.answer and example.question in record["prompt"][0]["content"]
        truth = RagQuestion(example.question, (answer,) if answer else ())
        sources = numbered([piped_source(example.piped_text())])
        chosen, rejected = (verdict(record[k][0]["content"], truth, sources) for k in ("chosen", "rejected"))
        assert rate(chosen, rejected)[0] == "a", record
        assert record["chosen"][0]["role"] == record["rejected"][0]["role"] == "assistant"


def test_most_pairs_set_a_right_answer_against_a_wrong_one_and_abstentions_count(records):
    reasons = Counter(r["metadata"]["reason"].split(";")[0].split(",")[0] for r in records)
    assert reasons["only A is correct"] >= 0.5 * len(records)
    assert reasons["neither correct"] > 0  # ordered by groundedness, then length, as the rater does
    unanswerable = [r for r in records if r["metadata"]["answer"] is None]
    assert unanswerable and any(r["chosen"][0]["content"].startswith("The sources do not say") for r in unanswerable)


def test_the_same_seed_writes_the_same_pairs_and_another_seed_others(records):
    assert list(reading_pairs(CONFIG)) == records
    other = list(reading_pairs(ReadingPrefsConfig(prompts=40, seed=4, pairs_per_prompt=3)))
    assert {r["prompt"][0]["content"] for r in other}.isdisjoint({r["prompt"][0]["content"] for r in records})


def test_the_prompt_is_the_one_kigi_ask_builds_for_piped_context(records, tmp_path):
    torch.set_num_threads(1)
    session = Session(Engine.load(save_tiny_chat_model(tmp_path / "tiny")))
    example = _examples()[records[0]["metadata"]["group"]]
    assert session.turn_input(example.question, example.piped_text()).user.content == records[0]["prompt"][0]["content"]


def test_reading_prefs_command_writes_the_pairs(tmp_path):
    out = tmp_path / "prefs.jsonl"
    result = CliRunner().invoke(app, ["train", "reading-prefs", "-o", str(out), "--prompts", "5", "--pairs", "2",
                                      "--seed", "3"])
    assert result.exit_code == 0, result.output
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written == list(reading_pairs(ReadingPrefsConfig(prompts=5, seed=3, pairs_per_prompt=2)))
    assert "pairs written" in result.output
    bad = CliRunner().invoke(app, ["train", "reading-prefs", "-o", str(out), "--prompts", "0"])
    assert bad.exit_code == 1 and "prompts" in bad.output
