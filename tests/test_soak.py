"""A short soak of `kigi chat` (benchmarks/soak.py) and the REPL outliving a full conversation."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console

from agent.prompts import ChatTemplate
from agent.session import Session
from llm.sampling import Completion, SamplingConfig
from tests.need import extra, missing
from ui.chat import ChatREPL

ROOT = Path(__file__).parent.parent


def test_a_short_soak_logs_every_turn_and_leaks_no_file_handles():
    if not Path("/proc/self/fd").is_dir():
        missing("the soak counts file handles in /proc")
    extra("pexpect")
    run = subprocess.run([sys.executable, "benchmarks/soak.py", "--turns", "40", "--new-every", "10", "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=900)
    if run.returncode != 0 and "download" in run.stderr:
        missing("the embedding model could not be downloaded here")
    assert run.returncode == 0, run.stderr[-2000:]
    figures = json.loads(run.stdout.splitlines()[-1])
    assert figures["error"] is None and figures["exit_status"] == 0
    assert figures["answered"] == 40 and figures["overflows"] == 0 and figures["conversations"] == 4
    assert figures["logged_user"] == figures["logged_assistant"] == figures["logged_generations"] == 40
    assert figures["grounded_generations"] > 0  # the memory was searched and used
    # every file opened per turn is closed again. The one exception is Chroma's SQLite pool,
    # which opens reader connections on demand up to its own bound (measured: 7 handles after
    # 60 turns, 24 fds in all flat from turn 200 to 400), so it is bounded, not counted
    others = [target for target in figures["fds_opened"] if Path(target).name != "chroma.sqlite3"]
    assert len(others) <= 2, others
    assert figures["fds_chroma_end"] <= 16  # a per-search leak would hold one per grounded turn
    assert figures["rss_growth_pct"] < 50  # a runaway leak only: RSS is noisy


class TinyWindowEngine:
    """A fake engine whose context window holds about two short turns."""

    context_window = 40

    def __init__(self) -> None:
        from llm.tokenizer import Tokenizer

        ranks = {bytes([b]): b for b in range(256)}
        self.tokenizer = Tokenizer(ranks, {"<|im_start|>": 256, "<|im_end|>": 257}, r"\S+|\s+", 258)

    def stream(self, prompt_ids: list[int], sampling: SamplingConfig) -> Iterator[str]:
        class Stream:
            completion = Completion([1], "ok", "stop")

            def __iter__(self) -> Iterator[str]:
                yield "ok"

        return Stream()  # type: ignore[return-value]


def test_a_conversation_that_outgrows_the_window_leaves_its_oldest_turns_out():
    lines = iter(["hi", "hello again", "and more", "/new", "hi", "/exit"])
    out = io.StringIO()
    engine = RecordingTinyWindowEngine()
    session = Session(engine, template=ChatTemplate(default_system=None))  # type: ignore[arg-type]
    repl = ChatREPL(Console(file=out, width=200), session, SamplingConfig(max_new_tokens=2),
                    read=lambda _: next(lines))
    repl.run()
    text = out.getvalue()
    assert "earlier turns left out to fit the context window" in text
    assert all(len(p) + 2 <= engine.context_window for p in engine.prompts)  # room left for the answer
    third = engine.tokenizer.decode(engine.prompts[2])
    assert "and more" in third and "hi" not in third  # the oldest turn went first
    assert [m.content for m in session.messages] == ["hi", "ok"]  # answered again after /new, the history kept


def test_a_question_that_cannot_fit_alone_is_refused_and_the_chat_goes_on():
    lines = iter(["x" * 60, "hi", "/exit"])
    out = io.StringIO()
    session = Session(TinyWindowEngine(), template=ChatTemplate(default_system=None))  # type: ignore[arg-type]
    ChatREPL(Console(file=out, width=200), session, SamplingConfig(max_new_tokens=2), read=lambda _: next(lines)).run()
    assert "context window holds 40" in out.getvalue() and "/new starts a new conversation" in out.getvalue()
    assert [m.content for m in session.messages] == ["hi", "ok"]


class RecordingTinyWindowEngine(TinyWindowEngine):
    def __init__(self) -> None:
        super().__init__()
        self.prompts: list[list[int]] = []

    def stream(self, prompt_ids: list[int], sampling: SamplingConfig) -> Iterator[str]:
        self.prompts.append(list(prompt_ids))
        return super().stream(prompt_ids, sampling)
