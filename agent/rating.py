"""Preference collection outside the chat: another candidate for a logged turn, on demand."""

from __future__ import annotations

import dataclasses
import secrets
from typing import TYPE_CHECKING

from agent.prompts import ChatTemplate, Message
from llm.engine import Engine
from llm.sampling import SamplingConfig

if TYPE_CHECKING:
    from memory.log import Candidate, ConversationLog, Turn


def sample_candidates(engine: Engine, log: ConversationLog, turn: Turn, model_name: str,
                      sampling: SamplingConfig, n: int = 1, template: ChatTemplate | None = None,
                      adapter: str | None = None) -> list[Candidate]:
    """Sample `n` more answers to `turn` from its logged prompt, decoded as one batch that
    reads the prompt once, and log each as a candidate; `adapter` (already on the engine)
    writes them, so that the answers compared differ in their sampling, not in who wrote them."""
    from contextlib import nullcontext

    from llm.lora import adapters_of
    from memory.log import Generation

    if n < 1:  # the turn has all the answers it asked for (a resumed collection)
        return []
    template = template or ChatTemplate()
    messages = [Message(m["role"], m["content"]) for m in turn.prompt]  # type: ignore[arg-type]
    prompt = template.render_ids(engine.tokenizer, messages)
    sampling = dataclasses.replace(
        sampling, seed=secrets.randbelow(2**31), temperature=sampling.temperature or 0.8,
        stop_token_ids=template.stop_tokens(engine.tokenizer))
    with adapters_of(engine.model).using(adapter) if adapter else nullcontext():
        completions = engine.complete(prompt, sampling, n=n)
    params = {k: v for k, v in dataclasses.asdict(sampling).items() if k != "seed"}
    return [log.add_candidate(turn.message.id, completion.text, generation=Generation(
        model=model_name, adapter=adapter, prompt_version=template.version,
        params=params | ({"batch_row": row, "batch_size": n} if n > 1 else {}),  # a row's seed alone does not replay it
        seed=sampling.seed, tokens_in=len(prompt), tokens_out=len(completion.token_ids)))
        for row, completion in enumerate(completions)]
