"""`EngineLM`: the Tree-of-Thoughts `LanguageModel` over our `Engine` and a chat template.

Tasks build prompts as strings through `render` (ChatML, ending with the assistant's turn
open). Message contents are sanitised there, so the only control tokens a prompt can hold
are the ones the template put in; `encode` turns exactly those back into their ids and
everything else into ordinary tokens.

An `EngineLM` can be bound to a named adapter (`bind`): the LoRA module switches to it in
`before_call`, run before every model call, so the propose and value roles of one search
can use different adapters over one loaded base model.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent.prompts import ChatTemplate, Message
from agent.tot import Completion

if TYPE_CHECKING:
    from llm.engine import Engine
    from llm.sampling import SamplingConfig
    from llm.text_rules import TextRule

_GUARD = "\u200b"  # a zero-width space breaks a control-token string that user text spells out


@dataclass
class LMStats:
    """What the model was asked for, summed over calls (shared by every bound view)."""

    calls: int = 0
    prompt_tokens: int = 0
    generated_tokens: int = 0
    forward_passes: int = 0  # label_probs: the prefill plus one batched step per extra label token

    def snapshot(self) -> LMStats:
        return dataclasses.replace(self)

    def since(self, before: LMStats) -> LMStats:
        return LMStats(*(getattr(self, f.name) - getattr(before, f.name) for f in dataclasses.fields(self)))


@dataclass
class EngineLM:
    """`agent.tot.LanguageModel` over an `Engine`: n samples decoded as one batch sharing
    the prefill; label probabilities from one forward pass.

    adapter: the adapter this view is bound to (None: the base model); recorded, and
    switched to by `before_call` (the LoRA module supplies it).
    top_k / top_p apply to sampled calls (temperature > 0).
    """

    engine: Engine
    template: ChatTemplate = field(default_factory=ChatTemplate)
    adapter: str | None = None
    before_call: Callable[[], None] | None = None
    top_k: int = 0
    top_p: float = 1.0
    stats: LMStats = field(default_factory=LMStats)

    def __post_init__(self) -> None:
        if self.top_k < 0:
            raise ValueError(f"top_k must be >= 0, got {self.top_k}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")
        markers = (self.template.start, self.template.end)
        self._marker_re = re.compile("(" + "|".join(re.escape(m) for m in markers) + ")")
        self._label_ids: dict[tuple[str, ...], list[list[tuple[int, ...]]]] = {}

    def bind(self, adapter: str | None, before_call: Callable[[], None] | None = None) -> EngineLM:
        """A view of the same engine (and stats) bound to `adapter`."""
        view = dataclasses.replace(self, adapter=adapter, before_call=before_call)
        view.stats = self.stats
        return view

    # -- prompts -------------------------------------------------------------------------
    def sanitize(self, text: str) -> str:
        """`text` with every spelled-out template marker broken, so it stays plain text."""
        for marker in (self.template.start, self.template.end):
            text = text.replace(marker, marker[0] + _GUARD + marker[1:])
        return text

    def render(self, messages: Sequence[Mapping[str, str] | Message]) -> str:
        """ChatML text of `messages`, the assistant's turn opened (a `tot.Render`)."""
        chat = []
        for m in messages:
            role, content = (m.role, m.content) if isinstance(m, Message) else (m["role"], m["content"])
            if role not in ("system", "user", "assistant"):
                raise ValueError(f"message role must be system, user or assistant, got {role!r}")
            chat.append(Message(role, self.sanitize(content)))  # type: ignore[arg-type]
        return self.template.render_text(chat)

    def encode(self, prompt: str) -> list[int]:
        """Token ids of a rendered prompt: the template's markers become control tokens,
        the rest is encoded as ordinary text (no other control token can appear)."""
        tokenizer = self.engine.tokenizer
        ids: list[int] = []
        for piece in self._marker_re.split(prompt):
            if piece in (self.template.start, self.template.end):
                ids.append(tokenizer.special_id(piece))
            elif piece:
                ids += tokenizer.encode(piece)
        return ids

    # -- the LanguageModel protocol ------------------------------------------------------
    def complete(
        self,
        prompt: str,
        *,
        n: int = 1,
        max_tokens: int = 128,
        temperature: float = 0.0,
        stop: Sequence[str] = (),
        seed: int | None = None,
        rule: TextRule | None = None,
    ) -> list[Completion]:
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        ids = self.encode(prompt)
        sampling = self._sampling(max_tokens, temperature, stop, seed)
        token_filter = None if rule is None else self.engine.text_filters([rule])[0]
        self._before()
        return self._count([ids], self.engine.complete(ids, sampling, n=n, token_filter=token_filter))

    def complete_each(
        self,
        prompts: Sequence[str],
        *,
        max_tokens: int = 128,
        temperature: float = 0.0,
        stop: Sequence[str] = (),
        seed: int | None = None,
        rules: Sequence[TextRule | None] | None = None,
    ) -> list[Completion]:
        """One completion of each prompt, decoded as one batch (prompt i seeded seed + i,
        kept to `rules[i]` where given: constrained decoding, `llm.text_rules`)."""
        encoded = [self.encode(prompt) for prompt in prompts]
        sampling = self._sampling(max_tokens, temperature, stop, seed)
        filters = None if rules is None else self.engine.text_filters(rules)
        self._before()
        return self._count(encoded, self.engine.complete_each(encoded, sampling, filters))

    def _sampling(self, max_tokens: int, temperature: float, stop: Sequence[str], seed: int | None) -> SamplingConfig:
        from llm.sampling import SamplingConfig

        return SamplingConfig(
            max_new_tokens=max_tokens, temperature=temperature, top_k=self.top_k, top_p=self.top_p,
            seed=seed, stop_token_ids=self.template.stop_tokens(self.engine.tokenizer),
            stop_strings=tuple(s for s in stop if s),
        )

    def _count(self, prompts: Sequence[Sequence[int]], done: Sequence[Any]) -> list[Completion]:
        """The completions as the search sees them, counted in the stats (one call)."""
        out = [Completion(c.text, len(c.token_ids)) for c in done]
        self.stats.calls += 1
        self.stats.prompt_tokens += sum(len(ids) for ids in prompts)
        self.stats.generated_tokens += sum(c.tokens for c in out)
        return out

    def label_probs(self, prompt: str, labels: Sequence[str]) -> list[float]:
        """Probability that the reply starts with each label word: the summed probability
        of its spellings (`sure`, `Sure`, ` sure`, ` Sure`), each the product over all of its
        tokens (`sure` is `s` + `ure` here), scored as one batch after one prefill."""
        ids = self.encode(prompt)
        spellings = self._label_spellings(tuple(labels))
        flat = [seq for group in spellings for seq in group]
        self._before()
        logprobs = self.engine.continuation_logprobs(ids, flat)
        self.stats.calls += 1
        self.stats.forward_passes += max(len(seq) for seq in flat)
        self.stats.prompt_tokens += len(ids)
        probs, start = [], 0
        for group in spellings:
            probs.append(sum(math.exp(lp) for lp in logprobs[start : start + len(group)]))
            start += len(group)
        return probs

    def text_logprobs(self, prompt: str, continuations: Sequence[str]) -> list[float]:
        """log P(continuation | prompt) of each continuation (plain text), scored as one
        batch after one prefill: how multiple-choice evals weigh whole options."""
        ids = self.encode(prompt)
        encoded = [self.engine.tokenizer.encode(text) for text in continuations]
        if any(not seq for seq in encoded):
            raise ValueError("every continuation needs at least one token")
        self._before()
        logprobs = self.engine.continuation_logprobs(ids, encoded)
        self.stats.calls += 1
        self.stats.forward_passes += max(len(seq) for seq in encoded)
        self.stats.prompt_tokens += len(ids)
        return list(logprobs)

    def _before(self) -> None:
        if self.before_call is not None:
            self.before_call()

    def _label_spellings(self, labels: tuple[str, ...]) -> list[list[tuple[int, ...]]]:
        """Each label's spellings as token sequences, none shared with another label and
        none a prefix of another label's (those events would overlap); refused otherwise."""
        cached = self._label_ids.get(labels)
        if cached is not None:
            return cached
        if not labels or any(not label.strip() for label in labels):
            raise ValueError(f"labels must be non-empty words, got {list(labels)!r}")
        tokenizer = self.engine.tokenizer
        spelled = [
            list(dict.fromkeys(tuple(tokenizer.encode(variant)) for variant in
                               (label, label.capitalize(), " " + label, " " + label.capitalize())))
            for label in labels
        ]
        for i, group in enumerate(spelled):
            others = [seq for j, g in enumerate(spelled) if j != i for seq in g]
            if any(other[: len(seq)] == seq for seq in group for other in others):
                raise ValueError(f"labels {list(labels)!r} cannot be told apart: "
                                 f"a spelling of {labels[i]!r} begins another label's")
        self._label_ids[labels] = spelled
        return spelled
