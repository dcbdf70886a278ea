"""The chat REPL in a real pseudo-terminal, and the log/rating/preference commands."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from memory.log import ConversationLog, Generation
from tests.need import extra
from tests.test_cli_ask import kigi
from tests.tiny import save_tiny_chat_model

ROOT = Path(__file__).parent.parent


@pytest.fixture()
def home(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kigi-home")
    model_dir = save_tiny_chat_model(tmp_path_factory.mktemp("tiny-model"))
    assert kigi(root, "model", "add", str(model_dir), "--name", "tiny").returncode == 0
    return root


def test_chat_in_a_pty_rates_retries_compares_and_logs(home):
    pexpect = extra("pexpect")
    env = {**os.environ, "KIGI_HOME": str(home), "COLUMNS": "120", "LINES": "40", "TERM": "xterm"}
    child = pexpect.spawn(sys.executable, ["-m", "cli", "chat", "-m", "tiny", "--max-tokens", "12"],
                          env=env, cwd=str(ROOT), encoding="utf-8", timeout=60, dimensions=(40, 120))
    try:
        child.expect("Ctrl-D to leave")
        child.sendline("What is a tree?")
        child.expect("tok/s")
        child.sendline("/good")
        child.expect("marked good")
        child.sendline("/retry")
        child.expect("tok/s")
        child.sendline("/compare")
        child.expect("Better")
        child.sendline("b")
        child.expect("recorded: b")
        child.sendline("/rate 4")
        child.expect("rated 4/5")
        child.sendline("/nonsense")
        child.expect("unknown command")
        child.sendline("/exit")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    log = ConversationLog(home / "kigi.db", readonly=True)
    [summary] = log.list_conversations()
    convo = log.conversation(summary.id)
    assert [m.role for m in convo.messages] == ["user", "assistant"]
    assert convo.messages[0].content == "What is a tree?"
    [turn] = log.turns_with_candidates(2)
    assert len(turn.candidates) == 2
    [pair] = log.preference_pairs()
    assert pair.outcome == "b" and {pair.a.id, pair.b.id} == {c.id for c in turn.candidates}
    stats = log.prefs_stats()
    assert stats.good == 1 and stats.pairs == 1


def test_ask_logs_and_continues_a_conversation(home):
    first = json.loads(kigi(home, "ask", "-m", "tiny", "--max-tokens", "4", "--json", "first").stdout)
    second = json.loads(kigi(home, "ask", "-m", "tiny", "--max-tokens", "4", "--json", "-c", "second").stdout)
    assert second["conversation_id"] == first["conversation_id"]
    assert second["prompt_tokens"] > first["prompt_tokens"]
    shown = json.loads(kigi(home, "logs", first["conversation_id"][:8], "--json").stdout)
    assert [m["content"] for m in shown["messages"] if m["role"] == "user"] == ["first", "second"]
    listed = json.loads(kigi(home, "logs", "--json", "-q", "second").stdout)
    assert [c["id"] for c in listed] == [first["conversation_id"]]
    with sqlite3.connect(home / "kigi.db") as db:
        rows = db.execute("SELECT model, tokens_in, tokens_out, seed FROM generations").fetchall()
    assert len(rows) == 2 and all(r[0] == "tiny" and r[1] > 0 and r[3] is not None for r in rows)


def test_logs_show_a_withheld_answer_beside_its_abstention(home):
    with ConversationLog(home / "kigi.db") as log:
        cid = log.start_conversation(model="tiny")
        log.add_message(cid, "user", "What is the secret word?")
        log.add_message(cid, "assistant", "The sources do not say.",
                        generation=Generation(model="tiny", adapter="grounded-reader", withheld="apricot [1]"))
    shown = kigi(home, "logs", cid[:8])
    assert shown.returncode == 0, shown.stderr.decode()
    assert "withheld, as its sources do not support it: apricot [1]" in shown.stdout.decode()


def test_no_log_writes_nothing(home):
    assert kigi(home, "ask", "-m", "tiny", "--max-tokens", "2", "--no-log", "hi").returncode == 0
    assert json.loads(kigi(home, "logs", "--json").stdout) == []


def test_unknown_conversation_id_is_a_clear_error(home):
    kigi(home, "ask", "-m", "tiny", "--max-tokens", "2", "hi")
    result = kigi(home, "ask", "-m", "tiny", "--cid", "zzzzzzzz", "hi")
    assert result.returncode == 1 and "zzzzzzzz" in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


def test_rate_generates_a_second_answer_and_records_the_choice(home, tmp_path):
    kigi(home, "ask", "-m", "tiny", "--max-tokens", "6", "hello there")
    result = kigi(home, "rate", "--generate", "-m", "tiny", stdin=b"a\n")
    assert result.returncode == 0, result.stderr.decode()
    out = tmp_path / "prefs.jsonl"
    assert kigi(home, "prefs", "export", "-o", str(out)).returncode == 0
    [record] = [json.loads(line) for line in out.read_text().splitlines()]
    assert set(record) >= {"prompt", "chosen", "rejected"}
    assert record["prompt"][-1] == {"role": "user", "content": "hello there"}
    assert record["chosen"][0]["role"] == "assistant" and record["rejected"][0]["role"] == "assistant"
    stats = json.loads(kigi(home, "prefs", "stats", "--json").stdout)
    assert stats["pairs"] == 1


def test_ten_parallel_asks_lose_no_row(home):
    def run(i: int) -> subprocess.CompletedProcess:
        return kigi(home, "ask", "-m", "tiny", "--max-tokens", "3", "--json", f"question {i}")

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(run, range(10)))
    assert all(r.returncode == 0 for r in results), [r.stderr.decode()[-300:] for r in results]
    ids = {json.loads(r.stdout)["conversation_id"] for r in results}
    assert len(ids) == 10
    with sqlite3.connect(home / "kigi.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM messages").fetchone()[0] == 20
        assert db.execute("SELECT count(*) FROM generations").fetchone()[0] == 10


def test_corrupt_database_is_refused_and_left_alone(home):
    db = home / "kigi.db"
    db.write_bytes(b"this is not sqlite" * 100)
    before = db.read_bytes()
    result = kigi(home, "ask", "-m", "tiny", "--max-tokens", "2", "hi")
    assert result.returncode == 1 and "not a kigi log" in result.stderr.decode()
    assert db.read_bytes() == before


def test_a_second_answer_comes_from_the_adapter_that_wrote_the_first(tmp_path):
    from agent.rating import sample_candidates
    from llm.engine import Engine
    from llm.lora import LoRAConfig, adapters_of
    from llm.sampling import SamplingConfig
    from memory.log import Generation

    engine = Engine.load(save_tiny_chat_model(tmp_path / "tiny"))
    adapters_of(engine.model).add("concise", LoRAConfig(rank=2, alpha=4, targets=("q", "v")), seed=0)
    active: list[str | None] = []
    complete = engine.complete

    def spying(prompt, sampling, n=1):
        active.append(adapters_of(engine.model).active)
        return complete(prompt, sampling, n)

    engine.complete = spying  # type: ignore[method-assign]
    with ConversationLog(tmp_path / "kigi.db") as log:
        cid = log.start_conversation("tiny")
        user = log.add_message(cid, "user", "hello")
        log.add_message(cid, "assistant", "hi", generation=Generation(model="tiny", adapter="concise"))
        [turn] = log.turns_with_candidates(1)
        made, = sample_candidates(engine, log, turn, "tiny", SamplingConfig(max_new_tokens=4), adapter="concise")
        assert active == ["concise"] and adapters_of(engine.model).active is None  # on for that answer only
        assert made.generation.adapter == "concise" and made.turn_id == user.id
        # several more at once: one batch, each logged with its row (its seed alone does not replay it)
        more = sample_candidates(engine, log, turn, "tiny", SamplingConfig(max_new_tokens=4), n=3)
        assert active == ["concise", None] and [c.generation.params["batch_row"] for c in more] == [0, 1, 2]
        [turn] = log.turns_with_candidates(1)
        assert [c.id for c in turn.candidates[-3:]] == [c.id for c in more] and len(turn.candidates) == 5
        assert sample_candidates(engine, log, turn, "tiny", SamplingConfig(max_new_tokens=4), n=0) == []


def test_chat_tot_attaches_its_roles_once_and_searches_with_their_check():
    """/tot on: the first search attaches the roles adapter (once) and passes on its check;
    each question gets its depth (`search_depth`) unless --depth was given."""
    import io
    from types import SimpleNamespace

    from rich.console import Console

    from agent.tot import SearchConfig
    from llm.sampling import SamplingConfig
    from ui.chat import ChatREPL

    calls: list[dict] = []
    attached: list[str] = []

    class SearchingSession:
        def reply_tot(self, text, **kwargs):
            calls.append(kwargs)
            return SimpleNamespace(answer="So the answer is 4.", search=SimpleNamespace(nodes=[1, 2]), tokens=9,
                                   seconds=0.1, alternatives=[])

    repl = ChatREPL(Console(file=io.StringIO()), SearchingSession(), SamplingConfig(),  # type: ignore[arg-type]
                    tot=SearchConfig(breadth=1, depth=2), tot_roles=lambda: attached.append("question-roles"),
                    tot_check="repair")
    assert repl.answer_tot("2 + 2?") and repl.answer_tot("Why 2?")
    assert attached == ["question-roles"] and [c["check"] for c in calls] == ["repair", "repair"]
    assert [c["config"].depth for c in calls] == [5, 2]  # room for a computed answer where there are quantities
    repl.tot_depth = 3
    assert repl.answer_tot("2 + 2?") and calls[-1]["config"].depth == 3  # --depth given: kept


def test_a_chat_does_its_upkeep_after_each_answer_and_not_after_a_command():
    """`between_answers` (a decode step built meanwhile) runs once an answer is out."""
    import io

    from rich.console import Console

    from llm.sampling import SamplingConfig
    from ui.chat import ChatREPL

    upkeep: list[int] = []
    lines = iter(["hello", "/help", "again"])

    class Answering:
        model_name, last, left_out = "fake", None, 0

        def reply(self, text, **kwargs):
            yield f"echo {text}"

    def read(prompt: str) -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    ChatREPL(Console(file=io.StringIO()), Answering(), SamplingConfig(), read=read,  # type: ignore[arg-type]
             between_answers=lambda: upkeep.append(1)).run()
    assert len(upkeep) == 2
