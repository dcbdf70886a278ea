"""Constrained decoding by text: a rule reads what a row has written so far and names the
kind of token that may come next (None: any). The vocabulary is sorted into a kind once,
when first asked, and the mask kept, so a rule costs a decode of the row per step.

A format the model should keep but sometimes breaks — `(left: 24)` with exactly as many
numbers as are left — is kept by the decoder, while every value stays the model's choice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import Tensor

from llm.logits import TokenFilter
from llm.tokenizer import Tokenizer

TokenKind = Callable[[str], bool]  # whether a token with this text may come next; hashable (a function)
TextRule = Callable[[str], TokenKind | None]  # the text written so far -> the kind allowed next


@dataclass
class TokenKinds:
    """The vocabulary's token texts and the mask of each kind asked about, over `vocab_size`
    logits (ids past the tokenizer's vocabulary are never allowed)."""

    tokenizer: Tokenizer
    vocab_size: int
    _texts: list[str] = field(default_factory=list)
    _masks: dict[TokenKind, Tensor] = field(default_factory=dict)
    _firsts: dict[bool, dict[str, list[int]]] = field(default_factory=dict)

    @property
    def texts(self) -> list[str]:
        """Each token id's text ("" for ids the tokenizer lacks)."""
        if not self._texts:
            self._texts = [self._text(i) for i in range(self.vocab_size)]
        return self._texts

    def by_first(self, stripped: bool = False) -> dict[str, list[int]]:
        """Token ids by the first character of their text (left-stripped and lower-cased when
        `stripped`), indexed once: a rule that follows text looks up only the tokens that can."""
        if stripped not in self._firsts:
            index: dict[str, list[int]] = {}
            for i, text in enumerate(self.texts):
                if first := (text.lstrip().lower() if stripped else text)[:1]:
                    index.setdefault(first, []).append(i)
            self._firsts[stripped] = index
        return self._firsts[stripped]

    def mask(self, kind: TokenKind) -> Tensor:
        if kind not in self._masks:
            self._masks[kind] = torch.tensor([bool(t) and kind(t) for t in self.texts], dtype=torch.bool)
        return self._masks[kind]

    def token_filter(self, rule: TextRule) -> TokenFilter:
        def allowed(ids: list[int]) -> Tensor | None:
            kind = rule(self.tokenizer.decode(ids))
            return None if kind is None else self.mask(kind)

        return allowed

    def _text(self, token_id: int) -> str:
        try:
            return self.tokenizer.decode([token_id])
        except (KeyError, ValueError):  # an id the tokenizer does not have
            return ""
