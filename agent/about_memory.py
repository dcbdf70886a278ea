"""Whether the memory is about a question at all, asked of the model before its sources
are shown.

Retrieval's cosine gate lets sources through for about half of the everyday questions
asked beside a memory of ~70 documents (46% on the development KBs: "Why is the sky
blue?" gets four chunks of an allotment newsletter), and the reader, handed sources,
reads them: "The Milky Way [4]", "mixing the flour, bicarbonate and salt [3]", or "The
sources do not say." The sources are kept only if one of them makes the question likelier
to the model than no passage does, by at least `min_gain` nats a token (pointwise mutual
information: a passage about the question's subject predicts its words, one that merely
shares "sky" does not; the likelihood is UPR's, `agent.passage_pick`), or if the question
names something a source contains (a capitalised word past its first: a question about
someone the memory mentions stays with the memory, to be answered or abstained on there).
One batched forward pass over the sources' heads (~0.9 s at int4 here). Opt-in
(`--topic-check`): chosen on the development KBs and forty everyday prompts, it lost one
answerable question and one abstention there (docs/evals.md, "Everyday questions beside a
memory").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.grounding import AboutConfig, Citation, GroundingConfig
    from llm.engine import Engine
    from memory.store import Retriever

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def named_in(question: str, texts: Sequence[str]) -> bool:
    """Whether a capitalised word of the question, past its first, is a word of a source."""
    words = [w.removesuffix("'s") for w in _WORD.findall(question)]
    names = {w for w in words[1:] if w[:1].isupper() and w != "I"}  # "How do I ...?" names nothing
    return bool(names) and any(names & set(_WORD.findall(text)) for text in texts)


def about_memory(engine: Engine, question: str, texts: Sequence[str], config: AboutConfig) -> bool:
    """Whether the sources `texts` are about `question` (see the module's docstring)."""
    if not texts or named_in(question, texts):
        return True
    from agent.passage_pick import PickConfig, question_likelihood

    heads = PickConfig(max_passage_tokens=config.max_passage_tokens)
    alone, *given = question_likelihood(engine, heads)(question, ["", *texts])
    return max(given) - alone >= config.min_gain


def memory_sources(retriever: Retriever | None, question: str, grounding: GroundingConfig,
                   engine: Engine | None) -> list[Citation]:
    """The question's sources from memory (`agent.grounding.retrieve`), or none when the
    model here finds the memory is not about the question (a remote model is not asked)."""
    from agent.grounding import retrieve

    found = retrieve(retriever, question, grounding) if retriever is not None else []
    if engine is None or grounding.about is None:
        return found
    return found if about_memory(engine, question, [c.hit.text for c in found], grounding.about) else []
