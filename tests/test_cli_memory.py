"""`kigi memory` and grounded answers through the CLI, on a real Chroma database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.need import missing
from tests.test_cli_ask import kigi
from tests.tiny import save_tiny_chat_model

KB = Path(__file__).parent / "data" / "kb"


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kigi-home")
    # a window wide enough for four retrieved chunks in a 400-token vocabulary
    model_dir = save_tiny_chat_model(tmp_path_factory.mktemp("tiny-model"), max_positions=4096)
    assert kigi(root, "model", "add", str(model_dir), "--name", "tiny").returncode == 0
    result = kigi(root, "memory", "add", str(KB), timeout=300)
    if result.returncode != 0 and b"download" in result.stderr:
        missing("the embedding model could not be downloaded here")
    assert result.returncode == 0, result.stderr.decode()
    return root


def test_add_list_search_and_idempotent_re_add(home):
    sources = json.loads(kigi(home, "memory", "list", "--json").stdout)
    assert {Path(s["source"]).name for s in sources} == {"zephyrine.md", "orrin_observatory.md"}
    hits = json.loads(kigi(home, "memory", "search", "Who founded the observatory?", "-k", "1", "--json").stdout)
    assert "Tobias Orrin" in hits[0]["text"]
    again = kigi(home, "memory", "add", str(KB))
    assert again.returncode == 0 and b"unchanged" in again.stderr
    stats = json.loads(kigi(home, "memory", "stats", "--json").stdout)
    assert stats["sources"] == 2 and stats["chunks"] == sum(s["chunks"] for s in sources)


def test_ask_is_grounded_with_sources_unless_no_memory(home):
    grounded = json.loads(kigi(home, "ask", "-m", "tiny", "--max-tokens", "4", "--json",
                               "What is the capital of Zephyrine?").stdout)
    # the best source is numbered last (shown nearest the question)
    assert grounded["sources"] and "zephyrine.md" in grounded["sources"][-1]["source"]
    assert 0.0 <= grounded["groundedness"] <= 1.0
    plain = json.loads(kigi(home, "ask", "-m", "tiny", "--max-tokens", "4", "--json", "--no-memory",
                            "What is the capital of Zephyrine?").stdout)
    assert "sources" not in plain and plain["prompt_tokens"] < grounded["prompt_tokens"]
    piped = kigi(home, "ask", "-m", "tiny", "--max-tokens", "4", "What is the capital of Zephyrine?")
    assert b"Sources:" not in piped.stdout and b"Sources:" in piped.stderr  # stdout stays the answer alone


def test_the_topic_check_keeps_the_sources_of_a_question_naming_what_memory_holds(home):
    checked = json.loads(kigi(home, "ask", "-m", "tiny", "--max-tokens", "4", "--json", "--topic-check",
                              "What is the capital of Zephyrine?").stdout)
    assert checked["sources"] and "zephyrine.md" in checked["sources"][-1]["source"]


def test_stdin_binary_and_empty_files(home, tmp_path):
    note = kigi(home, "memory", "add", "-", "--source", "note", stdin=b"The secret word is marmalade.")
    assert note.returncode == 0, note.stderr.decode()
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "empty.txt").write_text("")
    bad = kigi(home, "memory", "add", str(tmp_path / "blob.bin"), str(tmp_path / "empty.txt"))
    assert bad.returncode == 1 and b"skipped" in bad.stderr and b"Traceback" not in bad.stderr
    assert kigi(home, "memory", "forget", "note").returncode == 0
    assert kigi(home, "memory", "forget", "note").returncode == 1


def test_reading_an_empty_home_leaves_no_database_behind(tmp_path):
    """`kigi memory list`, `search` and `forget` on a home with no memory answer at once:
    no embedding model pulled, no database made (every later `kigi ask` would open it)."""
    assert json.loads(kigi(tmp_path, "memory", "list", "--json").stdout) == []
    assert json.loads(kigi(tmp_path, "memory", "search", "anything", "--json").stdout) == []
    forget = kigi(tmp_path, "memory", "forget", "notes.md")
    assert forget.returncode == 1 and b"nothing in memory matches" in forget.stderr
    assert not (tmp_path / "memory" / "chroma.sqlite3").exists()
    assert not list((tmp_path / "models").glob("**/*.safetensors"))  # the embedding model was not pulled
