"""`kigi eval tasks` (ELYZA-tasks-100's layout): chrF by hand, tasks from JSONL and CSV,
a scripted model judged exactly, the reward-model judge wired in, bad files named."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from agent.evals.open_tasks import TasksEvalConfig, chrf, chrf_judge, load_tasks, run_tasks_eval
from agent.evals.results import EvalError
from agent.tot import Completion

TASKS = [
    {"input": "仕事の熱意を取り戻すためのアイデアを5つ挙げてください。", "output": "1. 目標を立てる 2. 休む",
     "eval_aspect": "- 5つ挙げていなければ減点"},
    {"input": "Name the capital of France.", "output": "Paris", "eval_aspect": "Paris: 5 points"},
]


def test_chrf_by_hand():
    assert chrf("Paris", "Paris") == pytest.approx(100.0)
    assert chrf("xyz", "Paris") == 0.0 and chrf("", "Paris") == 0.0
    # "ab" vs "abc": P = (1 + 1) / 2, R = (2/3 + 1/2) / 2; F2 = 5PR / (4P + R)
    recall = (2 / 3 + 1 / 2) / 2
    assert chrf("ab", "abc") == pytest.approx(100 * 5 * recall / (4 + recall))
    assert chrf("目標 を 立てる", "目標を立てる") == pytest.approx(100.0)  # spaces do not count


class Echo:
    """Answers the capital question right and the other with nothing the reference holds."""

    def render(self, messages):
        return messages[-1]["content"]

    def complete(self, prompt, *, n=1, max_tokens=128, temperature=0.0, stop=(), seed=None):
        return [Completion("Paris" if "France" in prompt else "zzz", 2)]


def write(path: Path, rows: list[dict]) -> Path:
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=["input", "output", "eval_aspect"])
            writer.writeheader()
            writer.writerows(rows)
    else:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_answers_are_judged_and_kept_with_their_aspect(suffix, tmp_path):
    data = write(tmp_path / f"tasks{suffix}", TASKS)
    summary = run_tasks_eval(TasksEvalConfig(), data, tmp_path / "r.jsonl", lm=Echo(), judge=chrf_judge)
    rows = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()[1:]]
    assert [r["score"] for r in rows] == [0.0, 100.0] and rows[0]["eval_aspect"] == TASKS[0]["eval_aspect"]
    assert summary.mean_score == 50.0 and summary.overall.solved == 1 and summary.judge == "chrf"


def test_a_reward_judge_is_called_with_the_task_and_the_answer(tmp_path):
    seen = []

    def judge(task_input, answer, reference):
        seen.append((task_input, answer))
        return 1.5

    data = write(tmp_path / "tasks.jsonl", TASKS)
    summary = run_tasks_eval(TasksEvalConfig(judge="reward:rm"), data, tmp_path / "r.jsonl", lm=Echo(), judge=judge)
    assert summary.mean_score == 1.5 and summary.overall.solved == 2 and seen[1] == (TASKS[1]["input"], "Paris")


def test_bad_files_and_judges_are_named(tmp_path):
    bad = write(tmp_path / "bad.jsonl", [{"input": "x", "output": ""}])
    with pytest.raises(EvalError, match=r"bad.jsonl:1: missing or empty: output"):
        load_tasks(bad)
    with pytest.raises(ValueError, match="judge"):
        TasksEvalConfig(judge="gpt")


def test_the_command_runs_a_tiny_model(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from agent.home import KigiHome
    from agent.models import model_registry
    from cli import app
    from tests.tiny import save_tiny_chat_model

    home = KigiHome(tmp_path / "home").ensure()
    model_registry(home).add(save_tiny_chat_model(tmp_path / "tiny"), "tiny")
    monkeypatch.setenv("KIGI_HOME", str(home.root))
    data = write(tmp_path / "tasks.jsonl", TASKS)
    result = CliRunner().invoke(app, ["eval", "tasks", "--data", str(data), "-m", "tiny", "--max-tokens", "8"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["done"] == 2 and summary["judge"] == "chrf" and 0 <= summary["mean_score"] <= 100
    assert summary["mean_prompt_tokens"] > 0  # counted from the model's own counters
    missing = CliRunner().invoke(app, ["eval", "tasks", "--data", str(data), "-m", "tiny", "--judge", "reward:none"])
    assert missing.exit_code == 1 and "none" in missing.output
