"""The conversation log: every turn, how it was generated, and the preferences people record.

One SQLite file in WAL mode, one transaction per write, named migrations
(`memory.migrations`). Ids are 32 hex characters (uuid4), so that a short prefix names
one; timestamps are ISO-8601 UTC. A module per record family, joined in `ConversationLog`:

    records.py           the dataclasses callers read (Generation, Message, Candidate, ...)
    rows.py              records <-> SQL rows: ids, checked text, JSON, shared inserts
    database.py          LogDatabase: open and migrate the file, transactions, errors
    conversations.py     conversations, messages, generations
    preferences.py       candidates, ratings, preference pairs, stats, TRL export
    eval_runs.py         results of `kigi eval`
    conversation_log.py  ConversationLog = the three families over one connection
"""

from memory.log.conversation_log import ConversationLog
from memory.log.records import (
    OUTCOMES,
    ROLES,
    Candidate,
    Conversation,
    ConversationSummary,
    EvalRun,
    Generation,
    Label,
    Message,
    Outcome,
    PreferencePair,
    PrefsStats,
    Rating,
    Role,
    Turn,
)

__all__ = [
    "OUTCOMES",
    "ROLES",
    "Candidate",
    "Conversation",
    "ConversationLog",
    "ConversationSummary",
    "EvalRun",
    "Generation",
    "Label",
    "Message",
    "Outcome",
    "PreferencePair",
    "PrefsStats",
    "Rating",
    "Role",
    "Turn",
]
