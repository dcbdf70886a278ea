"""`kigi eval code`: pass@k by its formula on hand-checked cases, HumanEval tasks run in the
sandbox with a scripted model (right, wrong, looping, networking completions), resuming,
and bad task files named."""

from __future__ import annotations

import gzip
import json
from math import comb
from pathlib import Path

import pytest

from agent.evals.code import CodeEvalConfig, code_block, load_tasks, pass_at_k, run_code_eval, truncate
from agent.evals.results import EvalError
from agent.tot import Completion

TASKS = [
    {"task_id": "T/0", "prompt": "def add(a, b):\n    \"\"\"Add two numbers.\"\"\"\n", "entry_point": "add",
     "test": "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n"},
    {"task_id": "T/1", "prompt": "def double(x):\n", "entry_point": "double",
     "test": "def check(candidate):\n    assert candidate(4) == 8\n"},
    {"task_id": "T/2", "prompt": "def spin():\n", "entry_point": "spin",
     "test": "def check(candidate):\n    assert candidate() == 1\n"},
    {"task_id": "T/3", "prompt": "def fetch():\n", "entry_point": "fetch",
     "test": "def check(candidate):\n    assert candidate() == 1\n"},
]
COMPLETIONS = {
    "T/0": ["    return a + b\n\ndef unrelated():\n    pass\n", "    return a - b\n"],  # right (cut at def), wrong
    "T/1": ["    return x + x\n", "    return x * 2\n"],  # both right
    "T/2": ["    while True:\n        pass\n", "    return 1\n"],  # loops forever, right
    "T/3": ["    import socket\n    socket.create_connection(('127.0.0.1', 80), 1)\n    return 1\n"] * 2,
}


def write_tasks(path: Path, gz: bool = False) -> Path:
    text = "".join(json.dumps(t) + "\n" for t in TASKS)
    path.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    return path


class Scripted:
    def __init__(self) -> None:
        self.calls = 0

    def complete(self, prompt, *, n=1, max_tokens=128, temperature=0.0, stop=(), seed=None):
        self.calls += 1
        task = next(t for t in TASKS if t["prompt"] == prompt)
        return [Completion(text, 5) for text in COMPLETIONS[task["task_id"]][:n]]


@pytest.mark.parametrize(("n", "c", "k"), [(10, 1, 1), (10, 0, 1), (5, 5, 1), (10, 3, 10), (10, 3, 5), (20, 7, 10)])
def test_pass_at_k_is_the_unbiased_estimator(n, c, k):
    expected = 1.0 if n - c < k else 1 - comb(n - c, k) / comb(n, k)
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)
    assert pass_at_k(10, 3, 5) == pytest.approx(1 - 21 / 252)


def test_truncate_stops_at_a_new_top_level_statement():
    assert truncate("    return 1\n\ndef g():\n    pass") == "    return 1\n"
    assert truncate("    return 1\nprint(f())") == "    return 1"


class ChatScripted(Scripted):
    """A chat model asked for the function: it answers with the whole function in a code
    block (or, for T/1, without the function it was asked for), then goes on talking."""

    def __init__(self) -> None:
        super().__init__()
        self.prompts: list[str] = []

    def render(self, messages):  # noqa: ANN001, ANN201
        return "".join(f"<{m['role']}>{m['content']}</{m['role']}>" for m in messages) + "<assistant>"

    def complete(self, prompt, *, n=1, max_tokens=128, temperature=0.0, stop=(), seed=None):
        self.prompts.append(prompt)
        task = next(t for t in TASKS if t["prompt"] in prompt)
        body = COMPLETIONS[task["task_id"]][0].split("\n\n")[0]
        code = task["prompt"] + body if task["task_id"] == "T/0" else "def helper():\n    return 2\n"
        return [Completion(f"```python\n{code}\n```\nThis function works because ...", 5)] * n


def test_the_chat_format_asks_for_the_function_and_runs_its_code_block(tmp_path):
    data = write_tasks(tmp_path / "tasks.jsonl")
    lm = ChatScripted()
    config = CodeEvalConfig(ranks="1-2", prompt_format="chat", timeout_s=2.0, memory_mb=512)
    run_code_eval(config, data, tmp_path / "r.jsonl", lm=lm)
    rows = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()[1:]]
    # T/0: the reply's function passes, the prose after the block never reached Python;
    # T/1: no `double` in the reply, so the prompt's empty one runs and fails
    assert [r["passed"] for r in rows] == [1, 0]
    assert lm.prompts[0].startswith("<user>Complete the following Python function.")
    assert code_block("no fence at all") == "no fence at all" and code_block("```py\nx = 1") == "x = 1"
    with pytest.raises(ValueError, match="prompt format"):
        CodeEvalConfig(prompt_format="markdown")


def test_tasks_run_in_the_sandbox_and_pass_at_k_comes_out_exact(tmp_path):
    data = write_tasks(tmp_path / "tasks.jsonl.gz", gz=True)
    config = CodeEvalConfig(samples=2, temperature=0.8, ks=(1, 2), timeout_s=2.0, memory_mb=512)
    summary = run_code_eval(config, data, tmp_path / "r.jsonl", lm=Scripted())
    rows = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()[1:]]
    assert [r["passed"] for r in rows] == [1, 2, 1, 0]
    assert rows[2]["statuses"] == ["timeout", "passed"] and rows[3]["statuses"] == ["failed", "failed"]
    assert summary.pass_at == {"pass@1": round((0.5 + 1 + 0.5 + 0) / 4, 4), "pass@2": 0.75}
    assert summary.overall.solved == 2  # the first sample passed on T/0 and T/1
    again = Scripted()
    resumed = run_code_eval(CodeEvalConfig(samples=2, temperature=0.8, ks=(1, 2), timeout_s=2.0, memory_mb=512),
                            data, tmp_path / "r.jsonl", lm=again)
    assert again.calls == 0 and resumed.pass_at == summary.pass_at


def test_bad_task_files_and_settings_are_named(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"task_id": "x", "prompt": "def f():\n"}) + "\n")
    with pytest.raises(EvalError, match=r"bad.jsonl:1: missing or not text: entry_point, test"):
        load_tasks(bad)
    with pytest.raises(EvalError, match="no such file"):
        load_tasks(tmp_path / "none.jsonl")
    with pytest.raises(ValueError, match="temperature"):
        CodeEvalConfig(samples=5, temperature=0.0)
