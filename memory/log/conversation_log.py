"""`ConversationLog`: the record families joined over one SQLite connection."""

from __future__ import annotations

from memory.log.conversations import Conversations
from memory.log.eval_runs import EvalRuns
from memory.log.preferences import Preferences
from memory.log.prompt_versions import PromptVersions
from memory.log.stats import Stats


class ConversationLog(Conversations, Preferences, EvalRuns, PromptVersions, Stats):
    """The SQLite log: every turn, how it was generated, and the preferences people record.
    Opened as `LogDatabase` says (`timeout`, `readonly`); use it as a context manager."""
