"""`Engine`: a loaded model with its tokenizer, the unit that callers hold on to.

It still speaks token ids (plus the tokenizer for whoever renders prompts); chat
templates stay in `agent/`. Loading itself is `llm.load.load_model`'s pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from llm.compile import CompiledOrEager, compile_decode
from llm.completion import StreamingCompletion, complete_batch, complete_ragged
from llm.config import Precision
from llm.generate import continuation_logprobs, generate_ids, next_token_logits, suffix_logprobs
from llm.load import load_model
from llm.logits import TokenFilter
from llm.model import Transformer
from llm.sampling import Completion, SamplingConfig
from llm.text_rules import TextRule, TokenKinds
from llm.tokenizer import Tokenizer


def step_store(cache_dir: Path | None) -> Path | None:
    """Where a model's compiled decode steps (and kigi's int4 kernel) are kept, beside its cache."""
    return cache_dir / "compiled" if cache_dir else None


@dataclass
class Engine:
    model: Transformer
    tokenizer: Tokenizer
    name: str = "model"
    metadata: dict[str, Any] = field(default_factory=dict)
    compiled: CompiledOrEager | None = None  # the compiled decode step, when asked for
    precision: Precision = "fp32"  # what the weights were loaded at (a later process loads them so again)
    _kinds: TokenKinds | None = field(default=None, init=False, repr=False)

    @classmethod
    def load(cls, path: Path, *, precision: Precision = "fp32", cache_dir: Path | None = None,
             name: str | None = None, compile: bool | None = False) -> Engine:
        """Load weights at `precision` (fp32 exact; bf16; int8/int4 weight-only quantized,
        their packed weights cached under `cache_dir`); `compile` opts into the compiled
        decode step, kept under `cache_dir` too, for the next process; None uses the steps an
        earlier run stored there and compiles none."""
        weights, model = load_model(path, precision, cache_dir)
        store = step_store(cache_dir)
        wanted = compile or (compile is None and store is not None)
        compiled = compile_decode(model, store, build=bool(compile)) if wanted else None
        return cls(model, weights.tokenizer, name or Path(path).stem, weights.metadata, compiled, precision)

    def warm_up(self) -> None:
        """Decode a few tokens and forget them: a compiled decode step compiles (or a stored
        one loads) here, not in the middle of the first answer."""
        for _ in generate_ids(self.model, [0], SamplingConfig(max_new_tokens=3), compiled=self.compiled):
            pass
        self.model.clear_cache()
        if self.compiled is not None:
            self.compiled.wait()

    @property
    def context_window(self) -> int:
        return self.model.config.max_seq_len

    def stream(self, prompt_ids: Sequence[int], sampling: SamplingConfig,
               token_filter: TokenFilter | None = None) -> StreamingCompletion:
        return StreamingCompletion(self.model, prompt_ids, sampling, self.tokenizer.decode_bytes, self.compiled,
                                   token_filter)

    def complete(self, prompt_ids: Sequence[int], sampling: SamplingConfig, n: int = 1,
                 token_filter: TokenFilter | None = None) -> list[Completion]:
        return complete_batch(self.model, prompt_ids, sampling, n, self.tokenizer.decode_bytes, self.compiled,
                              token_filter)

    def complete_each(self, prompts: Sequence[Sequence[int]], sampling: SamplingConfig,
                      filters: Sequence[TokenFilter | None] | None = None) -> list[Completion]:
        """One completion of each prompt, decoded as one batch; prompt i seeded with seed + i
        and constrained by `filters[i]` where given."""
        return complete_ragged(self.model, prompts, sampling, self.tokenizer.decode_bytes, self.compiled, filters)

    def text_filters(self, rules: Sequence[TextRule | None]) -> list[TokenFilter | None]:
        """Token filters that keep each row to its text rule (`llm.text_rules`)."""
        return [None if rule is None else self.token_kinds.token_filter(rule) for rule in rules]

    @property
    def token_kinds(self) -> TokenKinds:
        """The vocabulary's token texts and masks, sorted once per engine."""
        if self._kinds is None:
            self._kinds = TokenKinds(self.tokenizer, self.model.config.vocab_size)
        return self._kinds

    def continuation_logprobs(self, prompt_ids: Sequence[int], continuations: Sequence[Sequence[int]]) -> list[float]:
        """log P(continuation | prompt) of each, scored as one batch after one prefill."""
        return continuation_logprobs(self.model, prompt_ids, continuations)

    def suffix_logprobs(self, prefixes: Sequence[Sequence[int]], suffix: Sequence[int]) -> list[float]:
        """Mean log P(suffix | prefix) per suffix token, for each prefix (batched, uncached)."""
        return suffix_logprobs(self.model, prefixes, suffix)

    @torch.inference_mode()
    def next_token_probs(self, prompt_ids: Sequence[int]) -> torch.Tensor:
        """The next-token distribution after the prompt, from one uncached forward pass."""
        return next_token_logits(self.model, prompt_ids).float().softmax(-1)
