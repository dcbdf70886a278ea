"""The reader's short answer copied from its sources, letter for letter: constrained decoding
(`llm.logits.TokenFilter`) that lets the reply be the abstention, or a span of a source's
text starting at a word (its first letter in either case) followed by its citation.

The 135M reader often finds the right place and then misspells it: handed "The wifi
password is marigold.", it answers `marlia [1]`, which the check then withholds. Held to
the sources' own characters, it can still pick the wrong span, or abstain, but not invent a
word. Once the citation's `[` is written, the rest is free.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from agent.grounding import ABSTENTION, Citation, GroundingConfig
from agent.turns import TurnInput

if TYPE_CHECKING:
    from llm.engine import Engine
    from llm.sampling import SamplingConfig
    from llm.text_rules import TokenKinds

PARTIAL = "\ufffd"  # a token holding part of a character: its text cannot be judged alone


@dataclass(frozen=True)
class SpanCopy:
    """A token filter over what the reply has written (`decode` of the generated ids)."""

    sources: str  # the sources' texts, one after another
    kinds: TokenKinds  # the vocabulary: token texts, indexed by first character
    decode: Callable[[list[int]], str]
    ends: tuple[int, ...]  # ids that end the reply (its stop tokens)

    def __call__(self, ids: list[int]) -> Tensor | None:
        written = self.decode(ids)
        if "[" in written or written.strip().startswith(ABSTENTION):
            return None
        so_far = written.lstrip()
        found = self._at(so_far) if so_far else []
        allowed = self._abstaining(so_far) + self._copying(so_far, found)
        if any(_word_ends(self.sources, at + len(so_far)) for at in found):
            # the span ends where a word of the source does: its citation (` [`) or the end
            allowed += [*self.kinds.by_first(stripped=True).get("[", []), *self.ends]
        if not allowed:  # text this filter cannot follow (a character split over tokens): never a dead end
            return None
        mask = torch.zeros(self.kinds.vocab_size, dtype=torch.bool)
        mask[allowed] = True
        return mask

    def _abstaining(self, so_far: str) -> list[int]:
        """Tokens that keep the reply on its way to the abstention."""
        if not ABSTENTION.startswith(so_far) or so_far == ABSTENTION:
            return []
        rest, texts = ABSTENTION[len(so_far):], self.kinds.texts
        if not so_far:
            return [i for i in self.kinds.by_first(stripped=True).get(rest[0].lower(), [])
                    if rest.startswith(texts[i].lstrip())]
        return [i for i in self.kinds.by_first().get(rest[0], []) if rest.startswith(texts[i])]

    def _copying(self, span: str, found: list[int]) -> list[int]:
        """Tokens after which the reply is still a span of the sources that starts a word
        (`found`: where `span` does)."""
        texts = self.kinds.texts
        if not span:
            starts = self.kinds.by_first(stripped=True)
            return [i for c in {c.lower() for c in self.sources} for i in starts.get(c, [])
                    if PARTIAL in texts[i] or self._at(texts[i].lstrip())]
        following = {self.sources[at + len(span)] for at in found if at + len(span) < len(self.sources)}
        nexts = self.kinds.by_first()
        return [i for c in following for i in nexts.get(c, [])
                if PARTIAL in texts[i] or self._at(span + texts[i])]

    def _at(self, text: str) -> list[int]:
        """Where `text` occurs in the sources at the start of a word (its first letter in
        either case: an answer may open with a capital)."""
        found = []
        for variant in dict.fromkeys((text, text[:1].swapcase() + text[1:])):
            at = self.sources.find(variant)
            while at >= 0:
                if at == 0 or not _in_word(self.sources[at - 1]):
                    found.append(at)
                at = self.sources.find(variant, at + 1)
        return found


def _in_word(char: str) -> bool:
    return char.isalnum() or char in "-_"  # `amber-falcon-42` is one word to copy


def _word_ends(text: str, at: int) -> bool:
    return at >= len(text) or not _in_word(text[at])


def span_copy(citations: Sequence[Citation], kinds: TokenKinds, decode: Callable[[list[int]], str],
              ends: Sequence[int]) -> SpanCopy:
    """The filter for a reply over `citations`, on the vocabulary `kinds` indexes."""
    return SpanCopy("\n".join(c.hit.text for c in citations), kinds, decode, tuple(ends))


def reply_filter(engine: Engine, turn: TurnInput, config: GroundingConfig, sampling: SamplingConfig) -> SpanCopy | None:
    """The span filter for the reader's reply to `turn`, where the grounding asks for copied
    answers and the reader reads sources; None otherwise."""
    if not (config.copy_answers and turn.reader and turn.citations):
        return None
    return span_copy(turn.citations, engine.token_kinds, engine.tokenizer.decode, sampling.stop_token_ids)
