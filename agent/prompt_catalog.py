"""Every prompt kigi writes, by name: its texts and the content hash the log records.

The versions here are the very ones generations are logged with (the chat template's,
the grounded prompt's, the ToT answer's), computed by their owners, so a version in the
log can be looked up here or, once the code has moved on, in the log's own record of its
texts (`record_catalog` keeps each version's texts the first time a kigi writes to a log).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.prompts import CONTEXT_PROMPT, ChatTemplate, content_version

if TYPE_CHECKING:
    from memory.log import ConversationLog


@dataclass(frozen=True)
class PromptSet:
    name: str
    version: str
    texts: dict[str, str]
    about: str


def chat_prompts(template: ChatTemplate | None = None) -> PromptSet:
    t = template or ChatTemplate()
    texts = {"template": t.name, "system": t.default_system or "", "start": t.start, "end": t.end,
             "context": CONTEXT_PROMPT}
    return PromptSet("chat", t.version, texts, "the chat template around every answer")


def grounded_prompts(focused: bool = True, read_each: bool | None = None, picked: bool | None = None) -> PromptSet:
    """The grounded prompt; `read_each` and `picked` None: as the default GroundingConfig
    reads (a source read alone is focused, never picked among others)."""
    from agent.grounding import (
        DEFAULT_FOCUS,
        GROUNDED_INSTRUCTIONS,
        GROUNDED_PROMPT,
        PICKED,
        READ_EACH,
        GroundingConfig,
        prompt_version,
    )
    from agent.passage_pick import PickConfig

    focus = DEFAULT_FOCUS if focused else None
    default = GroundingConfig()
    each = default.read_each if read_each is None else read_each
    if each or picked is False:
        picks = None
    else:
        picks = default.passages if picked is None else default.passages or PickConfig()
    texts = {"instructions": GROUNDED_INSTRUCTIONS, "prompt": GROUNDED_PROMPT, "focus": repr(focus)}
    if each:
        texts["reading"] = READ_EACH
    if picks:
        texts["passages"] = f"{PICKED}: {picks!r}"
    about = "a question with numbered sources (memory, piped context)"
    return PromptSet("grounded", prompt_version(focus, each, picks), texts, about)


def tot_prompts(template: ChatTemplate | None = None) -> PromptSet:
    from agent.tasks.open_question import PROMPTS
    from agent.tot_answer import tot_prompt_version

    t = template or ChatTemplate()
    texts = {"chat": t.version, **dict(sorted(PROMPTS.items()))}
    return PromptSet("tot-answer", tot_prompt_version(t), texts, "Tree-of-Thoughts steps, values and answer")


def game24_prompts() -> PromptSet:
    from agent.tasks.game24.prompts import PROMPTS

    texts = dict(sorted(PROMPTS.items()))
    return PromptSet("game24", content_version(*(f"{k}={v}" for k, v in texts.items())), texts,
                     "Game of 24 roles (kigi eval game24)")


def questions_prompts() -> PromptSet:
    from agent.evals.questions import COT_PROMPT, DIRECT_PROMPT

    texts = {"direct": DIRECT_PROMPT, "cot": COT_PROMPT}
    return PromptSet("questions", content_version(DIRECT_PROMPT, COT_PROMPT), texts,
                     "multi-step questions (kigi eval questions)")


def catalog() -> list[PromptSet]:
    """The current version of every named prompt."""
    return [chat_prompts(), grounded_prompts(), tot_prompts(), game24_prompts(), questions_prompts()]


def variants() -> list[PromptSet]:
    """Every version the current code can write: the grounded prompt focused or not (--focus
    off), read together or each source alone, its passages picked among all sources or not
    (--passages off, and an instruction over sources)."""
    grounded = {p.version: p for focused in (True, False) for each in (False, True) for picked in (True, False)
                for p in [grounded_prompts(focused, each, picked)]}
    return [*catalog(), *(p for v, p in grounded.items() if v != grounded_prompts().version)]


def record_catalog(log: ConversationLog) -> None:
    """Keep the texts of every version this kigi can write (a no-op for known versions)."""
    for prompts in variants():
        log.record_prompt_version(prompts.name, prompts.version, prompts.texts)


def find(log: ConversationLog | None, name: str, ref: str | None = None) -> PromptSet:
    """`name` at version `ref` (a prefix of its hash; None or "current": the current one),
    from this code's versions or the texts the log recorded."""
    names = {p.name for p in catalog()}
    if name not in names:
        raise ValueError(f"unknown prompt {name!r} (known: {', '.join(sorted(names))})")
    if ref in (None, "", "current"):
        return next(p for p in catalog() if p.name == name)
    known = {p.version: p for p in variants() if p.name == name}
    if log is not None:
        for recorded in log.prompt_versions(name):
            known.setdefault(recorded.version, PromptSet(name, recorded.version, recorded.texts, "recorded in the log"))
    matches = [v for v in known if v.startswith(ref)]  # type: ignore[arg-type]
    if len(matches) != 1:
        listed = ", ".join(known) or "none"
        raise ValueError(f"{name}@{ref}: {'ambiguous' if matches else 'no such version'} (versions: {listed})")
    return known[matches[0]]


def as_text(texts: Mapping[str, str]) -> list[str]:
    """A prompt set as lines, one `[part]` heading per text: what show prints and diff compares."""
    lines: list[str] = []
    for key, text in texts.items():
        lines += [f"[{key}]", *text.splitlines(), ""]
    return lines


def diff(name: str, old: PromptSet, new: PromptSet) -> list[str]:
    """A unified diff of two versions of `name`."""
    return list(difflib.unified_diff(as_text(old.texts), as_text(new.texts), f"{name}@{old.version}",
                                     f"{name}@{new.version}", lineterm=""))
