"""`RemoteLM`: the Tree-of-Thoughts `LanguageModel` over a model served elsewhere.

Tasks build prompts with `render` and hand them back to `complete` and `label_probs`; over
a remote model a rendered prompt is the chat messages themselves, serialised (the server
applies its own chat template), so the tasks do not change. State values come from the
server's log-probabilities of the first reply token when it returns them (OpenAI's
`logprobs` / `top_logprobs`: vLLM, llama.cpp's server and OpenAI do); otherwise from the
label a short greedy reply starts with (a one-hot vote: coarser, and said so in the README).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.lm import LMStats
from agent.tot import Completion
from llm.remote import RemoteEngine
from llm.sampling import SamplingConfig

PREFIX = "\x00kigi-messages:"  # a rendered prompt that holds chat messages, not template text
TOP_LOGPROBS = 20


@dataclass
class RemoteLM:
    engine: RemoteEngine
    stats: LMStats = field(default_factory=LMStats)

    def render(self, messages: Sequence[Mapping[str, str]]) -> str:
        """The messages as one opaque prompt string (a `tot.Render`)."""
        return PREFIX + json.dumps([{"role": m["role"], "content": m["content"]} for m in messages])

    @staticmethod
    def messages(prompt: str) -> list[dict[str, str]]:
        """The messages a rendered prompt holds (plain text becomes one user message)."""
        if prompt.startswith(PREFIX):
            return json.loads(prompt[len(PREFIX):])
        return [{"role": "user", "content": prompt}]

    def complete(self, prompt: str, *, n: int = 1, max_tokens: int = 128, temperature: float = 0.0,
                 stop: Sequence[str] = (), seed: int | None = None) -> list[Completion]:
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        sampling = SamplingConfig(max_new_tokens=max_tokens, temperature=temperature, seed=seed,
                                  stop_strings=tuple(s for s in stop if s))
        reply = self.engine.chat(self.messages(prompt), sampling, n)
        choices = sorted(reply.get("choices") or (), key=lambda c: c.get("index", 0))
        texts = [(c.get("message") or {}).get("content") or "" for c in choices]
        usage = reply.get("usage") or {}
        each = int(usage.get("completion_tokens") or 0) // max(len(texts), 1)
        out = [Completion(text, each or max(1, len(text) // 4)) for text in texts]
        self._count(usage, out)
        return out

    def label_probs(self, prompt: str, labels: Sequence[str]) -> list[float]:
        """Probability that the reply starts with each label: the summed probability of the
        server's top first tokens that begin the label (`sure`, ` Sure`, `s`...) and begin no
        other label; without log-probabilities, 1 for the label a short greedy reply starts with."""
        reply = self.engine.chat(self.messages(prompt), SamplingConfig(max_new_tokens=4), 1,
                                 logprobs=True, top_logprobs=TOP_LOGPROBS)
        self._count(reply.get("usage") or {}, [])
        choice = (reply.get("choices") or [{}])[0]
        top = _first_top_logprobs(choice)
        if top:
            return label_mass(top, labels)
        text = ((choice.get("message") or {}).get("content") or "").strip().lower()
        return [1.0 if text.startswith(label.lower()) else 0.0 for label in labels]

    def text_logprobs(self, prompt: str, continuations: Sequence[str]) -> list[float]:
        """Whole-text log-probabilities need the model's own weights (the API scores only
        what it generates): refused in one line."""
        raise ValueError(f"{self.engine.name} is served remotely: scoring whole options needs a local model "
                         "(use --scoring letter or generate)")

    def _count(self, usage: Mapping[str, Any], out: Sequence[Completion]) -> None:
        self.stats.calls += 1
        self.stats.prompt_tokens += int(usage.get("prompt_tokens") or 0)
        self.stats.generated_tokens += sum(c.tokens for c in out)


def _first_top_logprobs(choice: Mapping[str, Any]) -> list[tuple[str, float]]:
    content = ((choice.get("logprobs") or {}).get("content")) or []
    if not content:
        return []
    return [(str(t.get("token", "")), float(t.get("logprob", -math.inf))) for t in content[0].get("top_logprobs") or ()]


def label_mass(top: Sequence[tuple[str, float]], labels: Sequence[str]) -> list[float]:
    """Each label's share of the first-token probabilities: a token counts for a label when,
    stripped and lower-cased, it begins that label and no other."""
    lowered = [label.lower() for label in labels]
    mass = [0.0] * len(labels)
    for token, logprob in top:
        piece = token.strip().lower()
        if not piece:
            continue
        owners = [i for i, label in enumerate(lowered) if label.startswith(piece)]
        if len(owners) == 1:
            mass[owners[0]] += math.exp(logprob)
    return mass
