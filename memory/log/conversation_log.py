"""`ConversationLog`: the record families joined over one SQLite connection."""

from __future__ import annotations

from memory.log.conversations import Conversations
from memory.log.eval_runs import EvalRuns
from memory.log.preferences import Preferences


class ConversationLog(Conversations, Preferences, EvalRuns):
    """The SQLite log: every turn, how it was generated, and the preferences people record.
    Use as a context manager; every error it raises is a `LogError`.

    `timeout` is how long a write waits for another process's write before giving up.
    `readonly=True` opens an existing log without ever writing (for `kigi logs`).
    """
