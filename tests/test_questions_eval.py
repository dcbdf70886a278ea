"""`kigi eval questions`: answer extraction, each method with a scripted model, exact
fractions, resumable results, the meta-talk count of a ToT run, and bad input by line."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from agent.evals import EvalError
from agent.evals.questions import (
    QuestionsEvalConfig,
    extract_number,
    is_right,
    load_questions,
    run_questions_eval,
)
from agent.tot import Completion
from memory.log import ConversationLog

QUESTIONS = [("A farmer has 17 sheep. All but 9 run away. How many are left?", 9),
             ("Tom buys 3 pens at 4 pounds each. How much does he pay?", 12),
             ("A bus carries 40 people; 15 get off. How many remain?", 25),
             ("Ann has 5 apples and eats 2. How many are left?", 3)]
WRONG = {3}  # the scripted model gets question 3 wrong


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text("".join(json.dumps({"question": q, "answer": a}) + "\n" for q, a in QUESTIONS), encoding="utf-8")
    return path


class ScriptedLM:
    """Right on every question but WRONG; cot-sc's samples disagree, the majority decides."""

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def _rank(self, prompt: str) -> int:
        return next(i for i, (q, _) in enumerate(QUESTIONS, start=1) if q in prompt)

    def complete(self, prompt, *, n=1, max_tokens=128, temperature=0.0, stop=(), seed=None):
        self.prompts.append(prompt)
        rank = self._rank(prompt)
        right = QUESTIONS[rank - 1][1]
        answer = right + 1 if rank in WRONG else right
        if "Suggest" in prompt or "Write the" in prompt:  # a ToT thought
            thought = "Let's think about the problem." if "first" in prompt else f"So {answer} are left."
            return [Completion(thought, 5) for _ in range(n)]
        if n > 1:  # cot-sc: two of three samples give the scripted answer
            texts = [f"The answer is {answer}.", f"The answer is {answer + 7}.", f"So {answer}. The answer is {answer}"]
            return [Completion(texts[i % 3], 9) for i in range(n)]
        return [Completion(f"{right} minus nothing... The answer is {answer}.", 9)]

    def label_probs(self, prompt: str, labels: Sequence[str]) -> list[float]:
        return [{"sure": 0.6, "likely": 0.3, "impossible": 0.1}.get(w, 0.1) for w in labels]


def test_the_answer_is_the_number_after_the_last_answer_is_else_the_last_number() -> None:
    assert extract_number("3 + 4 = 7. The answer is 7.") == "7"
    assert extract_number("The answer is: £1,200. (Not 900.)") == "1200"
    assert extract_number("17 - 8 = 9 sheep") == "9"
    assert extract_number("no numbers here") is None
    assert extract_number("The answer is 12.0") == "12"
    assert is_right("12", 12) and is_right("12.0", 12) and not is_right("12.5", 12) and not is_right(None, 12)


@pytest.mark.parametrize("method, accuracy", [("direct", 3 / 4), ("cot", 3 / 4), ("cot-sc", 3 / 4)])
def test_each_method_scores_exactly_the_scripted_fractions(data: Path, tmp_path: Path, method: str,
                                                          accuracy: float) -> None:
    config = QuestionsEvalConfig(method=method, ranks="1-4")  # type: ignore[arg-type]
    summary, meta = run_questions_eval(config, data, tmp_path / "r.jsonl", lm=ScriptedLM())
    assert (summary.done, summary.solved, summary.success_rate) == (4, 3, accuracy)
    assert summary.standard_error == pytest.approx((0.75 * 0.25 / 4) ** 0.5, abs=1e-4)
    assert meta is None
    records = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert records[0]["kind"] == "header" and [r["ok"] for r in records[1:]] == [True, True, False, True]
    if method == "cot-sc":
        assert all(r["any_ok"] for r in records[1:] if r["rank"] != 3)


def test_results_resume_and_other_parameters_are_refused(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    lm = ScriptedLM()
    run_questions_eval(QuestionsEvalConfig(method="cot", ranks="1-2"), data, out, lm=lm)
    asked = len(lm.prompts)
    summary, _ = run_questions_eval(QuestionsEvalConfig(method="cot", ranks="1-4"), data, out, lm=lm)
    assert (summary.new, summary.skipped, summary.done) == (2, 2, 4) and len(lm.prompts) == asked + 2
    with pytest.raises(EvalError, match="other parameters.*method"):
        run_questions_eval(QuestionsEvalConfig(method="direct", ranks="1-4"), data, out, lm=lm)
    # a file written before a field existed resumes when the field has its default, not otherwise
    records = [json.loads(line) for line in out.read_text().splitlines()]
    del records[0]["params"]["check"]
    out.write_text("".join(json.dumps(r) + "\n" for r in records))
    summary, _ = run_questions_eval(QuestionsEvalConfig(method="cot", ranks="1-4"), data, out, lm=lm)
    assert summary.skipped == 4
    with pytest.raises(EvalError, match="other parameters.*check"):
        run_questions_eval(QuestionsEvalConfig(method="cot", ranks="1-4", check="repair"), data, out, lm=lm)


def test_tot_counts_its_thoughts_that_talk_about_reasoning(data: Path, tmp_path: Path) -> None:
    log = ConversationLog(tmp_path / "kigi.db")
    config = QuestionsEvalConfig(method="tot", ranks="1-2", breadth=1, depth=2, n_generate=1)
    summary, meta = run_questions_eval(config, data, tmp_path / "t.jsonl", lm=ScriptedLM(), log=log)
    records = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()[1:]]
    thoughts = [t for r in records for t in r["thoughts"]]
    assert thoughts and meta == pytest.approx(sum("think" in t for t in thoughts) / len(thoughts))
    assert 0 < meta < 1
    assert summary.done == 2 and summary.run_id is not None


@pytest.mark.parametrize("line, message", [
    ("{bad json", r"q.jsonl:2: not JSON"),
    ('{"question": "", "answer": 3}', r"q.jsonl:2: question must be a non-empty string"),
    ('{"question": "How many?", "answer": "three"}', r"q.jsonl:2: answer must be an integer"),
    ('["a list"]', r"q.jsonl:2: expected an object"),
])
def test_a_bad_line_is_named(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"question": "Fine?", "answer": 1}) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(EvalError, match=message):
        load_questions(path)


def test_an_empty_or_missing_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(EvalError, match="no questions"):
        load_questions(tmp_path / "empty.jsonl")
    with pytest.raises(EvalError, match="no such questions file"):
        load_questions(tmp_path / "nowhere.jsonl")


def test_the_command_refuses_a_bad_file_in_one_line_before_loading_a_model(tmp_path: Path) -> None:
    from tests.test_cli_ask import kigi

    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "Fine?", "answer": 1}\n{bad\n', encoding="utf-8")
    done = kigi(tmp_path / "home", "eval", "questions", "--data", str(path))
    assert done.returncode == 1 and done.stdout == b""
    assert done.stderr.decode().strip().splitlines() == [f"kigi: error: {path}:2: not JSON (Expecting property name "
                                                "enclosed in double quotes)"]


def test_the_command_runs_tot_with_the_thoughts_per_state_asked_for(tmp_path: Path) -> None:
    from tests.test_cli_ask import kigi
    from tests.tiny import save_tiny_chat_model

    home = tmp_path / "home"
    assert kigi(home, "model", "add", str(save_tiny_chat_model(tmp_path / "tiny")), "--name", "tiny").returncode == 0
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "Tom has 2 apples and buys 3 more. How many now?", "answer": 5}\n', encoding="utf-8")
    out = tmp_path / "tot.jsonl"
    done = kigi(home, "eval", "questions", "--data", str(path), "-m", "tiny", "--method", "tot", "--breadth", "1",
                "--depth", "2", "--n-generate", "1", "--max-tokens", "8", "-o", str(out))
    assert done.returncode == 0, done.stderr.decode()
    header, *results = [json.loads(line) for line in out.read_text().splitlines()]
    assert header["params"]["n_generate"] == 1 and header["params"]["depth"] == 2 and len(results) == 1
