"""Multi-step questions with exact answers (issue 15): answered directly, with a chain of
thought, by self-consistency over sampled chains (cot-sc), or by a Tree-of-Thoughts search,
and judged by the number the reply ends on.

    summary = run_questions_eval(QuestionsEvalConfig(method="cot"), "evals/questions/heldout.jsonl",
                                 "results.jsonl", lm=lm)

Same results file as every item-by-item eval (`agent.evals.results`): a header with the
parameters, one line per question keyed by its line number in the data file, resumable.
A tot result also counts its thoughts and how many are talk about reasoning
(`agent.tasks.meta_talk`), the figure the issue asks to drive below 5%.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from agent.evals.results import (
    EvalError,
    EvalSummary,
    ResultRecord,
    check_ranks,
    jsonl_records,
    prompt_tokens_since,
    resume_and_run,
    stats_now,
    summarize,
)
from agent.tasks.game24.puzzles import parse_rank_range
from agent.tasks.meta_talk import is_meta_talk
from agent.tasks.step_check import STEP_CHECKS, StepCheck
from agent.tot import LanguageModel, SearchConfig, plain_render
from llm.config import PRECISIONS, Precision

if TYPE_CHECKING:
    from memory.log import ConversationLog

QUESTIONS_EVAL = "questions"
QuestionMethod = Literal["direct", "cot", "cot-sc", "tot"]
QUESTION_METHODS: tuple[str, ...] = ("direct", "cot", "cot-sc", "tot")

DIRECT_PROMPT = "{question}\nReply with the final answer only, as: The answer is N."
COT_PROMPT = "{question}\nWork it out one calculation per line, then finish with: The answer is N."
_ANSWER_IS = re.compile(r"answer is\s*:?\s*[£$€]?\s*(-?\d[\d,]*(?:\.\d+)?)", re.IGNORECASE)
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_OUTPUT_CHARS = 600


@dataclass(frozen=True)
class Question:
    rank: int  # its line number in the data file
    question: str
    answer: int


@dataclass(frozen=True)
class QuestionsEvalConfig:
    """One questions evaluation. `max_tokens`: per reply (direct 32, cot/cot-sc 256) or per
    final answer (tot); tot searches `breadth` x `depth` with `n_generate` thoughts per state."""

    method: QuestionMethod = "direct"
    ranks: str = "1-300"
    model: str = "smollm2-135m-instruct"
    precision: Precision = "fp32"
    max_tokens: int | None = None
    samples: int = 5
    temperature: float = 0.7
    breadth: int = 2
    depth: int = 3
    n_generate: int = 3
    seed: int = 0
    adapter: str | None = None
    check: StepCheck = "none"  # tot: wrong arithmetic in a thought kept, dropped or repaired

    def __post_init__(self) -> None:
        if self.method not in QUESTION_METHODS:
            raise ValueError(f"method must be one of {', '.join(QUESTION_METHODS)}, got {self.method!r}")
        if self.check not in STEP_CHECKS:
            raise ValueError(f"check must be one of {', '.join(STEP_CHECKS)}, got {self.check!r}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")
        for name in ("samples", "breadth", "depth", "n_generate"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise ValueError(f"max_tokens must be >= 1 or None, got {self.max_tokens!r}")
        if not self.temperature >= 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature!r}")
        check_ranks(self.ranks)

    def reply_tokens(self) -> int:
        if self.max_tokens is not None:
            return self.max_tokens
        return {"direct": 32, "cot": 256, "cot-sc": 256, "tot": 128}[self.method]

    def identity(self) -> dict[str, Any]:
        """The parameters a results file is bound to (the range may grow)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if k != "ranks"} | {
            "reply_tokens": self.reply_tokens()}


@dataclass
class QuestionResult(ResultRecord):
    rank: int
    question: str
    expected: int
    method: str
    answer: str | None
    ok: bool
    tokens: int
    prompt_tokens: int | None
    calls: int
    seconds: float
    any_ok: bool | None = None  # cot-sc: some sample was right; tot: some final candidate
    output: str | None = None
    thoughts: list[str] | None = None  # tot: every thought the search generated
    meta_thoughts: int | None = None  # tot: how many of them talk about reasoning


def load_questions(path: Path) -> list[Question]:
    """The questions of a JSONL file ({"question": str, "answer": int} per line); a bad line
    is an EvalError naming it."""
    if not path.is_file():
        raise EvalError(f"{path}: no such questions file")
    questions = []
    for number, where, record in jsonl_records(path.read_text(encoding="utf-8"), path):
        if not isinstance(record, dict):
            raise EvalError(f"{where}: expected an object with question and answer")
        text, answer = record.get("question"), record.get("answer")
        if not isinstance(text, str) or not text.strip():
            raise EvalError(f"{where}: question must be a non-empty string")
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise EvalError(f"{where}: answer must be an integer, got {answer!r}")
        questions.append(Question(number, text.strip(), answer))
    if not questions:
        raise EvalError(f"{path}: no questions")
    return questions


def extract_number(text: str) -> str | None:
    """The number a reply gives as its answer: after the last "answer is", else its last number."""
    found = _ANSWER_IS.findall(text) or _NUMBER.findall(text)
    if not found:
        return None
    value = found[-1].replace(",", "").rstrip(".")
    return value[:-2] if value.endswith(".0") else value


def is_right(answer: str | None, expected: int) -> bool:
    try:
        return answer is not None and float(answer) == expected
    except ValueError:
        return False


def solve_question(lm: LanguageModel, item: Question, config: QuestionsEvalConfig) -> QuestionResult:
    """Run `config.method` on one question (the seed depends on the question, not the order)."""
    from llm.errors import ContextOverflowError

    render = getattr(lm, "render", None) or plain_render
    seed = config.seed + item.rank
    before = stats_now(lm)
    start = time.perf_counter()
    result = QuestionResult(item.rank, item.question, item.answer, config.method, None, False, 0, None, 0, 0.0)
    try:
        if config.method == "tot":
            _solve_tot(lm, item, config, render, seed, result)
        else:
            _solve_reply(lm, item, config, render, seed, result)
    except ContextOverflowError as exc:
        result.output = f"context overflow: {exc}"
    result.ok = is_right(result.answer, item.answer)
    result.seconds = round(time.perf_counter() - start, 3)
    result.prompt_tokens = prompt_tokens_since(lm, before)
    return result


def _solve_reply(lm: LanguageModel, item: Question, config: QuestionsEvalConfig, render: Callable, seed: int,
                 result: QuestionResult) -> None:
    template = DIRECT_PROMPT if config.method == "direct" else COT_PROMPT
    prompt = render([{"role": "user", "content": template.format(question=item.question)}])
    n = config.samples if config.method == "cot-sc" else 1
    temperature = config.temperature if config.method == "cot-sc" else 0.0
    completions = lm.complete(prompt, n=n, max_tokens=config.reply_tokens(), temperature=temperature, seed=seed)
    answers = [extract_number(c.text) for c in completions]
    result.tokens, result.calls = sum(c.tokens for c in completions), 1
    votes = Counter(a for a in answers if a is not None)
    result.answer = votes.most_common(1)[0][0] if votes else None
    if n > 1:
        result.any_ok = any(is_right(a, item.answer) for a in answers)
    result.output = "\n---\n".join(c.text for c in completions)[:_OUTPUT_CHARS]


def _solve_tot(lm: LanguageModel, item: Question, config: QuestionsEvalConfig, render: Callable, seed: int,
               result: QuestionResult) -> None:
    from agent.tasks.open_question import answer_question

    search = SearchConfig(breadth=config.breadth, depth=config.depth, n_generate=config.n_generate, seed=seed)
    found = answer_question(lm, item.question, search, render=render,
                            alternatives=1, answer_tokens=config.reply_tokens(), check=config.check)
    result.tokens, result.calls = found.tokens, found.search.calls
    result.answer = extract_number(found.answer)
    result.any_ok = any(is_right(extract_number(a), item.answer) for a in [found.answer, *found.alternatives])
    result.thoughts = [n.thought for n in found.search.nodes[1:] if n.thought]
    result.meta_thoughts = sum(is_meta_talk(t) for t in result.thoughts)
    result.output = found.answer[:_OUTPUT_CHARS]


def run_questions_eval(config: QuestionsEvalConfig, data: str | Path, results: str | Path, *, lm: LanguageModel,
                       log: ConversationLog | None = None,
                       progress: Callable[[int, int], None] | None = None) -> tuple[EvalSummary, float | None]:
    """Evaluate `config.method` on the questions of `data` within `config.ranks`, appending to
    `results` (created, or resumed). Returns the summary (recorded in `log` when given) and,
    for tot, the share of thoughts that talk about reasoning."""
    data, results = Path(data), Path(results)
    lo, hi = parse_rank_range(config.ranks)
    items = [q for q in load_questions(data) if lo <= q.rank <= hi]
    if not items:
        raise EvalError(f"{data} has no questions on lines {config.ranks}")
    done, new = resume_and_run(results, config, data, QUESTIONS_EVAL, items,
                               lambda item: solve_question(lm, item, config), QuestionResult.from_record, progress)
    ranks = {q.rank for q in items}
    summary = summarize(done, sorted(ranks), config.method, results, new)
    searched = [r for r in done.values() if r.rank in ranks and r.thoughts is not None]
    thoughts = sum(len(r.thoughts or []) for r in searched)
    meta_rate = sum(r.meta_thoughts or 0 for r in searched) / thoughts if thoughts else None
    if log is not None:
        params = {**config.identity(), "ranks": config.ranks, "data": str(data), "results": str(results)}
        summary.run_id = log.record_eval_run(QUESTIONS_EVAL, params,
                                             {**summary.to_dict(), "meta_talk_rate": meta_rate})
    return summary, meta_rate
