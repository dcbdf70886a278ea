"""Reading each source alone (issue 13; `--read each`, not the default): one short grounded
prompt per retrieved source, decoded as one batch, and the answer of the best-ranked source
whose reading answers. Each source keeps its number, so the citation in the answer is the
one the user sees under it.

A 135M reader handed four sources at once mostly says the sources do not say, even where
one of them does; handed one source at a time it finds more. On the hand-written
development KB (`evals/rag-dev`, no distractors) the shipped reader answered 15 of 32
answerable questions this way against 10 reading them together. On the held-out KBs, with
60 distractor documents in memory, it answered one more question (46 vs 45 of 130) but
abstained correctly on 14 of 30 unanswerable ones instead of 22: read alone, a distractor
is answered from as readily as the right source. So sources are read together by default.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from agent.grounding import ABSTENTION, Citation, grounded_prompt, is_abstention
from agent.prompts import ChatTemplate, Message
from llm.sampling import Completion, SamplingConfig

if TYPE_CHECKING:
    from agent.focus import FocusConfig
    from llm.engine import Engine

_ALONE = re.compile(r"\[1\]")


class EachSourceReading:
    """An answer read source by source, shaped like a stream (it yields the answer as one
    piece; `.completion` tells how it ended) so a session answers with it as with a stream."""

    def __init__(self, engine: Engine, template: ChatTemplate, head: Sequence[Message], question: str,
                 citations: Sequence[Citation], focused: FocusConfig | None, sampling: SamplingConfig) -> None:
        self.prompts = [template.render_ids(engine.tokenizer, [*head, Message("user", grounded_prompt(
            question, [Citation(1, c.hit)], focused))]) for c in citations]
        self.engine, self.citations, self.sampling = engine, list(citations), sampling
        self.readings: list[Completion] = []
        self.completion = Completion([], "", "interrupted")  # until the readings are in

    def __iter__(self) -> Iterator[str]:
        self.readings = self.engine.complete_each(self.prompts, self.sampling)
        chosen = best_reading([r.text for r in self.readings])
        if chosen is None:
            self.completion = Completion(list(self.engine.tokenizer.encode(ABSTENTION)), ABSTENTION, "stop")
        else:
            reading = self.readings[chosen]
            text = _ALONE.sub(f"[{self.citations[chosen].number}]", reading.text)
            self.completion = Completion(reading.token_ids, text, reading.finish_reason)
        yield self.completion.text

    @property
    def prompt_tokens(self) -> int:
        return sum(len(p) for p in self.prompts)

    @property
    def completion_tokens(self) -> int:
        return sum(len(r.token_ids) for r in self.readings)


def best_reading(texts: Sequence[str]) -> int | None:
    """The index of the answer to give: the best-ranked source's reading that answers
    (sources come best last, as the prompt orders them), or None when all abstain."""
    for index in reversed(range(len(texts))):
        if texts[index].strip() and not is_abstention(texts[index]):
            return index
    return None
