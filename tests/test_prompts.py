"""Versioned prompts: the catalog's versions are the ones answers are logged with, the log
keeps each version's texts, and `kigi prompts` lists, shows and diffs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.grounding import PROMPT_VERSION
from agent.prompt_catalog import catalog, chat_prompts, diff, find, grounded_prompts, record_catalog, tot_prompts
from agent.prompts import ChatTemplate
from agent.session import Session
from agent.tot_answer import tot_prompt_version
from memory.log import ConversationLog


def test_the_catalog_versions_are_the_logged_ones():
    assert chat_prompts().version == ChatTemplate().version
    assert grounded_prompts().version == PROMPT_VERSION
    assert tot_prompts().version == tot_prompt_version()
    assert len({p.name for p in catalog()}) == len(catalog())
    assert grounded_prompts(focused=False).version != PROMPT_VERSION  # --focus off is another version


def test_the_log_keeps_old_versions_and_they_diff(tmp_path):
    with ConversationLog(tmp_path / "kigi.db") as log:
        record_catalog(log)
        record_catalog(log)  # idempotent
        assert [v.version for v in log.prompt_versions("chat")] == [ChatTemplate().version]
        old_texts = {**chat_prompts().texts, "system": "You are an old assistant."}
        assert log.record_prompt_version("chat", "0123456789ab", old_texts)
        old = find(log, "chat", "0123")
        assert old.texts["system"] == "You are an old assistant." and old.about == "recorded in the log"
        lines = diff("chat", old, find(log, "chat"))
        assert "-You are an old assistant." in lines and f"+{ChatTemplate().default_system}" in lines
        assert diff("chat", find(log, "chat"), find(log, "chat", "current")) == []
        with pytest.raises(ValueError, match="no such version"):
            find(log, "chat", "ffff")
        with pytest.raises(ValueError, match="unknown prompt"):
            find(log, "nothing")


def test_answers_are_counted_by_the_version_they_used(tmp_path):
    from llm.engine import Engine
    from llm.sampling import SamplingConfig
    from tests.tiny import save_tiny_chat_model

    engine = Engine.load(save_tiny_chat_model(tmp_path / "tiny"))
    with ConversationLog(tmp_path / "kigi.db") as log:
        session = Session(engine, "tiny", log=log)
        "".join(session.reply("hello", sampling=SamplingConfig(max_new_tokens=3)))
        "".join(session.reply("What does it say?", "Foxes eat berries.", SamplingConfig(max_new_tokens=3)))
        assert log.generations_with(ChatTemplate().version) == 2  # alone, and joined with the grounded one
        assert log.generations_with(PROMPT_VERSION) == 1


def kigi(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KIGI_HOME": str(home), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, env=env, timeout=120,
                          cwd=Path(__file__).parent.parent)


def test_kigi_prompts_list_show_and_diff(tmp_path):
    with ConversationLog(tmp_path / "kigi.db") as log:
        record_catalog(log)
    listed = json.loads(kigi(tmp_path, "prompts", "list", "--json").stdout)
    assert {row["name"] for row in listed} == {p.name for p in catalog()}
    grounded = next(row for row in listed if row["name"] == "grounded")
    # focused or --focus off; each source alone, or together with or without passages picked among them
    assert len(grounded["versions_in_log"]) == 6
    shown = kigi(tmp_path, "prompts", "show", f"grounded@{PROMPT_VERSION[:6]}")
    assert shown.returncode == 0 and b"[instructions]" in shown.stdout
    off = grounded_prompts(focused=False).version
    changed = kigi(tmp_path, "prompts", "diff", "grounded", off[:8])
    assert changed.returncode == 0 and b"-None" in changed.stdout and b"+FocusConfig(" in changed.stdout
    bad = kigi(tmp_path, "prompts", "show", "grounded@zzz")
    assert bad.returncode == 1 and b"no such version" in bad.stderr and b"Traceback" not in bad.stderr
