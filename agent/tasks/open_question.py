"""Tree-of-Thoughts for ordinary questions.

A thought is one short reasoning step; a state is the steps so far, one per line (the
root is the empty string). States are scored from the label words' probabilities (or
votes); after the search the model writes the answer from the best path, and the other
final candidates give alternative answers that the user can rate.

The prompts are short on purpose: the default model is a 135M instruct model.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.prompts import Message as ChatMessage
from agent.prompts import content_version
from agent.tasks.step_check import STEP_CHECKS, StepCheck, StepContext, apply_check
from agent.tot import (
    EvaluateMode,
    GenerateMode,
    LanguageModel,
    Message,
    OnUpdate,
    Render,
    Scorer,
    SearchConfig,
    SearchTree,
    StateEvaluator,
    Task,
    ThoughtGenerator,
    plain_render,
    search,
)

STEP_PROMPT = (
    "Question: {question}\n{steps}"
    "Write the {which} step of reasoning towards the answer, in one short sentence."
)
LIST_PROMPT = (
    "Question: {question}\n{steps}"
    "Suggest {k} different {which} steps of reasoning, one short sentence per line."
)
VALUE_PROMPT = (
    "Question: {question}\n{steps}"
    "Is this reasoning correct and useful for answering? Answer sure, likely or impossible."
)
VOTE_PROMPT = (
    "Question: {question}\nWhich line of reasoning is best?\n{choices}\n"
    "Answer with the number of the best one."
)
ANSWER_PROMPT = "Notes:\n{steps}\n\nQuestion: {question}\nAnswer the question; use the notes where they help."
PROMPTS = {"step": STEP_PROMPT, "list": LIST_PROMPT, "value": VALUE_PROMPT, "vote": VOTE_PROMPT,
           "answer": ANSWER_PROMPT}

DEFAULT_CONFIG = SearchConfig(breadth=2, depth=2, n_generate=3)  # a few minutes on a laptop CPU
DEFAULT_ROLES = "question-roles"  # the shipped adapter `--tot` searches with (computations as steps)
ROLE_DEPTH = 5  # room for four computations and the answer step
MAX_THOUGHT_CHARS = 200
_QUANTITY = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
_ANSWER_STEP = re.compile(r"^(?:final answer|answer|so the answer is)\b", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•]+|\(?\d+[.):]|step\s*\d+\s*[:.)-]?|thought\s*\d*\s*:)\s*", re.IGNORECASE)


def prompt_version() -> str:
    """Content hash of this task's prompt texts (logged with every ToT answer)."""
    return content_version(*(f"{k}={v}" for k, v in sorted(PROMPTS.items())))


def computes(question: str) -> bool:
    """Whether a question computes with quantities (two or more numbers in it): the questions
    the roles adapter writes steps for. On others ("Why is the sky blue?") it writes sums."""
    return len(_QUANTITY.findall(question)) >= 2


def search_depth(question: str, depth: int | None = None) -> int:
    """`depth` where one was asked for; else room for a computed answer on a question with
    quantities, and the short default search on others (longer paths of a 135M model's
    sentences only make its answer echo them)."""
    if depth is not None:
        return depth
    return ROLE_DEPTH if computes(question) else DEFAULT_CONFIG.depth


def _as_dict(message: Mapping[str, str] | ChatMessage) -> dict[str, str]:
    if isinstance(message, ChatMessage):
        return message.to_dict()
    return {"role": message["role"], "content": message["content"]}


def steps_of(state: str) -> list[str]:
    return [line for line in state.splitlines() if line.strip()]


def reward_scorer(score: Callable[[list[str], list[dict[str, str]]], Sequence[float]]) -> Scorer:
    """A ToT state scorer from a reward model's `(answers, prompt) -> scores`: each state's
    steps so far are scored as an answer to the question (`--value reward:NAME`)."""
    def scorer(task: Any, states: Sequence[str]) -> Sequence[float]:
        texts = ["\n".join(steps_of(s)) or "(no step yet)" for s in states]
        return score(texts, [{"role": "user", "content": task.question}])

    return scorer


def clean_thought(line: str) -> str:
    """One model line as a reasoning step: bullets and numbering dropped, length capped."""
    text = _BULLET.sub("", line.strip(), count=1).strip()
    if len(text) > MAX_THOUGHT_CHARS:
        text = text[:MAX_THOUGHT_CHARS].rsplit(" ", 1)[0] + "…"
    return text


def _normal(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


class OpenQuestionTask(Task):
    """One question as a ToT task: at most `steps` reasoning steps per path.

    A step that gives the answer (`Answer: ...`) ends its path early. `propose_count` is
    how many steps a propose prompt asks for (the propose generator).
    """

    def __init__(
        self,
        question: str,
        *,
        steps: int = 3,
        render: Render = plain_render,
        propose_count: int = 3,
        check: StepCheck = "none",
    ) -> None:
        if not question or not question.strip():
            raise ValueError("question must not be empty")
        if steps < 1:
            raise ValueError(f"steps must be >= 1, got {steps}")
        if propose_count < 1:
            raise ValueError(f"propose_count must be >= 1, got {propose_count}")
        if check not in STEP_CHECKS:
            raise ValueError(f"check must be one of {', '.join(STEP_CHECKS)}, got {check!r}")
        self.question = question.strip()
        self.steps = steps
        self.render = render
        self.propose_count = propose_count
        self.check = check

    def _steps_block(self, state: str) -> str:
        lines = steps_of(state)
        if not lines:
            return ""
        return "Steps so far:\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(lines, start=1)) + "\n"

    def _which(self, state: str) -> str:
        return "next" if steps_of(state) else "first"

    def _user(self, content: str) -> str:
        return self.render([{"role": "user", "content": content}])

    # the Task protocol
    def root(self) -> str:
        return ""

    def sample_prompt(self, state: str) -> str:
        return self._user(STEP_PROMPT.format(
            question=self.question, steps=self._steps_block(state), which=self._which(state)))

    def propose_prompt(self, state: str) -> str:
        return self._user(LIST_PROMPT.format(
            question=self.question, steps=self._steps_block(state), which=self._which(state),
            k=self.propose_count))

    def value_prompt(self, state: str) -> str:
        block = self._steps_block(state).replace("Steps so far:", "Reasoning:")
        return self._user(VALUE_PROMPT.format(question=self.question, steps=block))

    def vote_prompt(self, states: Sequence[str]) -> str:
        choices = "\n".join(
            f"{i}. " + " ".join(steps_of(state)) for i, state in enumerate(states, start=1)
        )
        return self._user(VOTE_PROMPT.format(question=self.question, choices=choices))

    def parse_thoughts(self, state: str, text: str) -> list[str]:
        """Each non-empty line is a step (a sampled step is one line); repeats dropped, and
        with a `check`, wrong arithmetic dropped or repaired, numbers from nowhere dropped
        (`agent.tasks.step_check`)."""
        done = {_normal(s) for s in steps_of(state)}
        context = StepContext.of(self.question, steps_of(state))
        children = []
        for line in text.splitlines():
            thought = apply_check(clean_thought(line), self.check, context)
            if thought is None:
                continue
            key = _normal(thought)
            if not key or key in done:
                continue
            done.add(key)
            children.append(f"{state}{thought}\n")
            if len(children) >= self.propose_count:
                break
        return children

    def is_final(self, state: str) -> bool:
        lines = steps_of(state)
        return len(lines) >= self.steps or bool(lines and _ANSWER_STEP.match(lines[-1]))

    def final_answer(self, state: str) -> str | None:
        """The reasoning of a finished path (the answer itself is written after the search)."""
        return "\n".join(steps_of(state)) if self.is_final(state) and steps_of(state) else None

    def state_key(self, state: str) -> str:
        return "\n".join(_normal(s) for s in steps_of(state))

    def describe(self, state: str) -> str:
        lines = steps_of(state)
        return lines[-1] if lines else self.question

    def answer_messages(self, path: Sequence[str], history: Sequence[Message | ChatMessage] = ()) -> list[Message]:
        """The final prompt: earlier turns, then the notes of a path and the question."""
        if path:
            notes = "\n".join(f"{i}. {s}" for i, s in enumerate(path, start=1))
            content = ANSWER_PROMPT.format(steps=notes, question=self.question)
        else:
            content = self.question
        return [*(_as_dict(m) for m in history), {"role": "user", "content": content}]


def path_answer(path: Sequence[str]) -> str:
    """A path that ended in an answer step, as the reply: its steps numbered, then the
    answer. Rewriting it with a 135M model could only lose what the search found."""
    *steps, answer = path
    return "\n".join(f"{i}. {s}" for i, s in enumerate(steps, start=1)) + f"\n\n{answer}" if steps else answer


@dataclass
class ToTAnswer:
    """The answer from the best path, alternatives from the other final candidates, the
    tree (`tree` is JSON-shaped for `Generation.tot_tree`) and the total cost."""

    answer: str
    alternatives: list[str]
    search: SearchTree
    path: list[str]  # the reasoning steps the answer was written from
    tokens: int  # generated by the search and the answers
    seconds: float
    prompt_version: str
    alternative_paths: list[list[str]] = field(default_factory=list)

    @property
    def tree(self) -> dict[str, Any]:
        return self.search.to_dict()


def _best_path_nodes(tree: SearchTree) -> list[int]:
    """Final candidates, best first; without any (a budget stopped the search), the best
    scored kept node, deepest first on ties."""
    if tree.candidates:
        return list(tree.candidates)
    kept = [n for n in tree.nodes if n.kept and n.parent is not None and n.score is not None]
    if not kept:
        return []
    best = max(kept, key=lambda n: (n.score, n.depth, -n.id))
    return [best.id]


def answer_question(
    lm: LanguageModel,
    question: str,
    config: SearchConfig | None = None,
    *,
    render: Render | None = None,
    history: Sequence[Message | ChatMessage] = (),
    generate: GenerateMode = "sample",
    evaluate: EvaluateMode = "value",
    alternatives: int = 2,
    thought_tokens: int = 40,
    answer_tokens: int = 384,
    temperature: float = 0.8,
    on_update: OnUpdate | None = None,
    check: StepCheck = "none",
    scorer: Scorer | None = None,
) -> ToTAnswer:
    """Search reasoning steps for `question`, then write the answer from the best path (a
    path that ends in an answer step is the answer itself, `path_answer`).

    `config` defaults to DEFAULT_CONFIG; `render` to the model's own (`lm.render`, e.g.
    ChatML) or plain text.
    `history`: earlier turns of the conversation, shown only to the final answer prompt.
    At most `alternatives` other final candidates get an answer of their own. `check`:
    what to do with a step whose arithmetic is wrong (keep, drop, repair). `scorer`: values
    states instead of the model's own judgement (`reward_scorer`: a reward model).
    """
    if alternatives < 0:
        raise ValueError(f"alternatives must be >= 0, got {alternatives}")
    start = time.monotonic()
    config = config or dataclasses.replace(DEFAULT_CONFIG)
    render = render or getattr(lm, "render", None) or plain_render
    task = OpenQuestionTask(question, steps=config.depth, render=render, propose_count=max(config.breadth, 2),
                            check=check)
    generator = ThoughtGenerator(
        lm, generate, temperature=temperature if generate == "sample" else 0.0,
        max_tokens=thought_tokens if generate == "sample" else thought_tokens * task.propose_count,
        stop=("\n",) if generate == "sample" else (), seed=config.seed,
    )
    evaluator = (StateEvaluator(lm, "scorer", scorer=scorer) if scorer is not None
                 else StateEvaluator(lm, evaluate, seed=config.seed))
    tree = search(task, generator, evaluator, config, on_update=on_update)

    paths = [steps_of(tree.nodes[i].state) for i in _best_path_nodes(tree)]
    paths = paths[: alternatives + 1] or [[]]
    tokens = tree.tokens
    answers: list[str] = []
    for path in paths:
        if path and _ANSWER_STEP.match(path[-1]):  # the path ends in its answer: say it as found
            answers.append(path_answer(path))
            continue
        completion = lm.complete(
            render(task.answer_messages(path, history)), n=1, max_tokens=answer_tokens, temperature=0.0,
        )[0]
        tokens += completion.tokens
        answers.append(completion.text.strip())
    seen, others = {_normal(answers[0])}, []
    for text, path in zip(answers[1:], paths[1:], strict=True):
        if _normal(text) not in seen:  # an alternative that says the same adds nothing to rate
            seen.add(_normal(text))
            others.append((text, path))
    return ToTAnswer(
        answer=answers[0],
        alternatives=[a for a, _ in others],
        search=tree,
        path=paths[0],
        tokens=tokens,
        seconds=time.monotonic() - start,
        prompt_version=prompt_version(),
        alternative_paths=[p for _, p in others],
    )
