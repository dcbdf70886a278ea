"""A Tree-of-Thoughts answer for the product (`kigi ask --tot`, `/tot on` in chat).

    result = tot_answer(engine, question, SearchConfig(breadth=2, depth=2), on_update=live)
    result.answer, result.alternatives, result.tree  # text, texts, JSON-shaped tree

The session logs `result.tree` with the generation (`Generation(tot_tree=...)`), the
answer as the assistant message and each alternative as a candidate for rating.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

from agent.lm import EngineLM
from agent.prompts import ChatTemplate, Message, content_version, user_turn
from agent.tasks.open_question import ToTAnswer, answer_question, computes
from agent.tasks.step_check import StepCheck
from agent.tot import EvaluateMode, GenerateMode, OnUpdate, Scorer, SearchConfig

if TYPE_CHECKING:
    from agent.remote_lm import RemoteLM
    from llm.engine import Engine
    from llm.remote import RemoteEngine

__all__ = ["ToTAnswer", "tot_answer", "tot_prompt_version"]


def tot_prompt_version(template: ChatTemplate | None = None) -> str:
    """The prompt version a ToT answer is logged with: the chat template and the task's prompts."""
    from agent.tasks.open_question import prompt_version

    return content_version((template or ChatTemplate()).version, prompt_version())


def _switched_to(engine: Engine | RemoteEngine, adapter: str | None) -> AbstractContextManager[None]:
    """`adapter` active for the search and its answers, the one active before restored after."""
    if adapter is None or getattr(engine, "remote", False):
        return nullcontext()
    from llm.lora import adapters_of

    return adapters_of(engine.model).using(adapter)  # type: ignore[union-attr]


def tot_answer(
    engine: Engine | RemoteEngine,
    question: str,
    config: SearchConfig | None = None,
    on_update: OnUpdate | None = None,
    *,
    context: str | None = None,
    history: Sequence[Message] = (),
    template: ChatTemplate | None = None,
    generate: GenerateMode = "sample",
    evaluate: EvaluateMode = "value",
    alternatives: int = 2,
    answer_tokens: int = 384,
    adapter: str | None = None,
    roles: str | None = None,
    asked: str | None = None,
    before_call: Callable[[], None] | None = None,
    scorer: Scorer | None = None,
    check: StepCheck = "none",
) -> ToTAnswer:
    """Search reasoning paths for `question` (piped `context` placed before it), write the
    answer from the best path and alternatives from the others.

    `history`: earlier turns, seen by the final answer prompt only (search prompts stay
    short). `config.seed` makes the search reproducible. `adapter` is active for the search
    and its answers (or switched to by `before_call`, see `EngineLM`); `roles` takes its place
    when the question as `asked` (without the sources a turn adds; default `question`)
    computes with quantities (`computes`), the kind it was trained on. `scorer` values states
    instead of the model (a reward model: `reward_scorer`). `check`: the calculator for the
    search's steps (`agent.tasks.step_check`).
    `result.prompt_version` covers the template and the task's prompts. A remote model
    (`RemoteEngine`) searches through its chat completions (`RemoteLM`), without adapters.
    """
    template = template or ChatTemplate()
    if roles is not None and computes(question if asked is None else asked):
        adapter = roles
    lm: EngineLM | RemoteLM
    if getattr(engine, "remote", False):
        from agent.remote_lm import RemoteLM

        if adapter is not None:
            raise ValueError("a remote model cannot use our adapters in the search")
        lm = RemoteLM(engine)  # type: ignore[arg-type]
    else:
        lm = EngineLM(engine, template, adapter=adapter, before_call=before_call)  # type: ignore[arg-type]
    with _switched_to(engine, adapter if before_call is None else None):
        result = answer_question(
            lm, user_turn(question, context), config, history=history,
            generate=generate, evaluate=evaluate, alternatives=alternatives, answer_tokens=answer_tokens,
            on_update=on_update, scorer=scorer, check=check,
        )
    result.prompt_version = tot_prompt_version(template)
    return result
