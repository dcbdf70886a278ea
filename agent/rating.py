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


def sample_candidate(engine: Engine, log: ConversationLog, turn: Turn, model_name: str,
                     sampling: SamplingConfig, template: ChatTemplate | None = None,
                     adapter: str | None = None) -> Candidate:
    """Sample one more answer to `turn` from its logged prompt and log it as a candidate;
    `adapter` (already on the engine) writes it, so that the two answers compared differ in
    their sampling, not in who wrote them."""
    from contextlib import nullcontext

    from llm.lora import adapters_of
    from memory.log import Generation

    template = template or ChatTemplate()
    messages = [Message(m["role"], m["content"]) for m in turn.prompt]  # type: ignore[arg-type]
    prompt = template.render_ids(engine.tokenizer, messages)
    sampling = dataclasses.replace(
        sampling, seed=secrets.randbelow(2**31), temperature=sampling.temperature or 0.8,
        stop_token_ids=template.stop_tokens(engine.tokenizer))
    with adapters_of(engine.model).using(adapter) if adapter else nullcontext():
        [completion] = engine.complete(prompt, sampling)
    params = {k: v for k, v in dataclasses.asdict(sampling).items() if k != "seed"}
    generation = Generation(model=model_name, adapter=adapter, prompt_version=template.version, params=params,
                            seed=sampling.seed, tokens_in=len(prompt), tokens_out=len(completion.token_ids))
    return log.add_candidate(turn.message.id, completion.text, generation=generation)
