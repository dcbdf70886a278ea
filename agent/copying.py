"""The reader's short answer copied from its sources, letter for letter: constrained decoding
(`llm.logits.TokenFilter`) that lets the reply be the abstention, or a span of a source's
text starting at a word (its first letter in either case) followed by its citation.

The 135M reader often finds the right place and then misspells it: handed "The wifi
password is marigold.", it answers `marlia [1]`, which the check then withholds. Held to
the sources' own characters, it can still pick the wrong span, or abstain, but not invent a
word. Once the citation's `[` is written, the rest is free.
"""

from __future__ import annotations

from collections import defaultdict
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

PARTIAL = "\ufffd"  # a token holding part of a character: its text cannot be judged alone


@dataclass(frozen=True)
class SpanCopy:
    """A token filter over what the reply has written (`decode` of the generated ids)."""

    sources: str  # the sources' texts, one after another
    size: int  # logits per step
    decode: Callable[[list[int]], str]
    ends: tuple[int, ...]  # ids that end the reply (its stop tokens)
    cites: tuple[int, ...]  # ids whose text opens a citation (` [`)
    texts: Sequence[str]  # each token id's text
    starts: dict[str, list[int]]  # ids by the first character of their left-stripped, lower-cased text
    nexts: dict[str, list[int]]  # ids by the first character of their text

    def __call__(self, ids: list[int]) -> Tensor | None:
        written = self.decode(ids)
        if "[" in written or written.strip().startswith(ABSTENTION):
            return None
        so_far = written.lstrip()
        allowed = self._abstaining(so_far) + self._copying(so_far)
        if any(_word_ends(self.sources, at + len(so_far)) for at in self._at(so_far)) and so_far:
            allowed += [*self.cites, *self.ends]  # the span ends where a word of the source does
        if not allowed:  # text this filter cannot follow (a character split over tokens): never a dead end
            return None
        mask = torch.zeros(self.size, dtype=torch.bool)
        mask[allowed] = True
        return mask

    def _abstaining(self, so_far: str) -> list[int]:
        """Tokens that keep the reply on its way to the abstention."""
        if not ABSTENTION.startswith(so_far) or so_far == ABSTENTION:
            return []
        rest = ABSTENTION[len(so_far):]
        if not so_far:
            return [i for i in self.starts.get(rest[0].lower(), []) if rest.startswith(self.texts[i].lstrip())]
        return [i for i in self.nexts.get(rest[0], []) if rest.startswith(self.texts[i])]

    def _copying(self, span: str) -> list[int]:
        """Tokens after which the reply is still a span of the sources that starts a word."""
        if not span:
            return [i for c in {c.lower() for c in self.sources} for i in self.starts.get(c, [])
                    if PARTIAL in self.texts[i] or self._at(self.texts[i].lstrip())]
        following = {self.sources[at + len(span)] for at in self._at(span) if at + len(span) < len(self.sources)}
        return [i for c in following for i in self.nexts.get(c, [])
                if PARTIAL in self.texts[i] or self._at(span + self.texts[i])]

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


def span_copy(citations: Sequence[Citation], texts: Sequence[str], decode: Callable[[list[int]], str],
              ends: Sequence[int]) -> SpanCopy:
    """The filter for a reply over `citations`, on a vocabulary whose token texts are `texts`."""
    starts: dict[str, list[int]] = defaultdict(list)
    nexts: dict[str, list[int]] = defaultdict(list)
    for i, text in enumerate(texts):
        if stripped := text.lstrip().lower()[:1]:
            starts[stripped].append(i)
        if first := text[:1]:
            nexts[first].append(i)
    cites = tuple(i for i, t in enumerate(texts) if t.lstrip().startswith("["))
    return SpanCopy("\n".join(c.hit.text for c in citations), len(texts), decode, tuple(ends), cites,
                    texts, dict(starts), dict(nexts))


def reply_filter(engine: Engine, turn: TurnInput, config: GroundingConfig, sampling: SamplingConfig) -> SpanCopy | None:
    """The span filter for the reader's reply to `turn`, where the grounding asks for copied
    answers and the reader reads sources; None otherwise."""
    if not (config.copy_answers and turn.reader and turn.citations):
        return None
    return span_copy(turn.citations, engine.token_kinds.texts, engine.tokenizer.decode, sampling.stop_token_ids)
