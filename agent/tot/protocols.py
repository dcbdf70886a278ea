"""What the search talks to: the language model (prompts in, completions out) and the task
(how states become prompts, how completions become child states, when a state is final).

Prompts are fully rendered strings (a task builds them, chat-formatted through a `render`
callable if it is given one), so the search knows nothing about tokenizers or templates.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

# -- the language model ------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    """One sampled continuation: its text and the number of tokens generated."""

    text: str
    tokens: int


@runtime_checkable
class LanguageModel(Protocol):
    def complete(
        self,
        prompt: str,
        *,
        n: int = 1,
        max_tokens: int = 128,
        temperature: float = 0.0,
        stop: Sequence[str] = (),
        seed: int | None = None,
    ) -> list[Completion]:
        """`n` samples of one prompt, decoded as one batch that shares the prompt's prefill.

        Each returned object needs `.text` (stop string excluded) and `.tokens` (count).
        """
        ...

    def label_probs(self, prompt: str, labels: Sequence[str]) -> list[float]:
        """Probability of each label word as the next token after `prompt` (one forward pass)."""
        ...


class BatchingLanguageModel(LanguageModel, Protocol):
    """A model that also decodes several different prompts as one batch (optional)."""

    def complete_each(
        self,
        prompts: Sequence[str],
        *,
        max_tokens: int = 128,
        temperature: float = 0.0,
        stop: Sequence[str] = (),
        seed: int | None = None,
    ) -> list[Completion]:
        """One completion of each prompt, as one batch; prompt i is seeded with seed + i."""
        ...


Message = Mapping[str, str]
Render = Callable[[Sequence[Message]], str]


def plain_render(messages: Sequence[Message]) -> str:
    """Messages as plain text, one after another: the prompt of a model without a chat template.

    A chat `render` must end with the assistant's turn opened, so that the next token is
    the answer (the label word of a value prompt, the first thought of a propose prompt).
    """
    return "".join(m["content"].rstrip("\n") + "\n" for m in messages)


# -- the task ----------------------------------------------------------------------------


class Task(Protocol):
    """How one problem is searched. States are strings; the root is `root()`.

    Subclass it explicitly to inherit the defaults of the optional methods.
    """

    @abstractmethod
    def root(self) -> str: ...

    @abstractmethod
    def propose_prompt(self, state: str) -> str:
        """Prompt whose one completion lists several next thoughts, one per line."""

    @abstractmethod
    def sample_prompt(self, state: str) -> str:
        """Prompt whose every sampled completion is one next thought."""

    @abstractmethod
    def value_prompt(self, state: str) -> str:
        """Prompt after which the next word judges the state (sure / likely / impossible)."""

    @abstractmethod
    def parse_thoughts(self, state: str, text: str) -> list[str]:
        """The child states that one completion `text` describes; invalid thoughts dropped."""

    @abstractmethod
    def is_final(self, state: str) -> bool:
        """True when the state is terminal: it is not expanded further."""

    @abstractmethod
    def final_answer(self, state: str) -> str | None:
        """The answer a terminal state gives, or None (a dead end, or not terminal)."""

    def judge(self, answer: str) -> bool | None:
        """Whether an answer is right, when the task knows (never used by the search)."""
        return None

    def state_key(self, state: str) -> str:
        """States with equal keys are the same state: the search keeps only the first."""
        return state

    def describe(self, state: str) -> str:
        """One short line for the tree view: the state's last thought."""
        lines = state.strip().splitlines()
        return lines[-1] if lines else ""

    def vote_prompt(self, states: Sequence[str]) -> str:
        """Prompt asking which of `states` (numbered from 1) is the most promising."""
        raise NotImplementedError(f"{type(self).__name__} has no vote prompt")

    def parse_vote(self, text: str, n_states: int) -> int | None:
        """Index (from 0) of the state a vote chose, or None."""
        for match in re.finditer(r"\d+", text):
            choice = int(match.group())
            if 1 <= choice <= n_states:
                return choice - 1
        return None

