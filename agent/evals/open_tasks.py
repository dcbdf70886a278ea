"""`kigi eval tasks`: open-ended tasks in ELYZA-tasks-100's layout (issue 19): each item is
an `input` (the task), a reference `output` and an `eval_aspect` (how a grader should judge).

The model answers each input as a chat turn (greedy); a judge scores the answer. kigi has
no model strong enough to grade by the rubric, so the judge is named for what it is:
- `chrf` (default): character n-gram F-score against the reference output (chrF, Popović
  2015: n = 1..6, β = 2), 0-100. It rewards saying what the reference says, in any script
  (Japanese included: it works on characters, not words); it cannot read `eval_aspect`.
- `reward:NAME`: a reward model trained with `kigi train reward` scores the (input, answer)
  exchange; as good as the preferences it learned from.
Every answer, its score and the eval aspect go to the resumable results file, so a person
(or a stronger model) can grade them by the rubric later.
"""

from __future__ import annotations

import csv
import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.evals.results import (
    EvalError,
    ResultRecord,
    check_ranks,
    in_ranks,
    jsonl_records,
    prompt_tokens_since,
    resume_and_run,
    stats_now,
    summarize,
)
from llm.config import PRECISIONS, Precision

if TYPE_CHECKING:
    from memory.log import ConversationLog

TASKS_EVAL = "tasks"
Judge = Callable[[str, str, str], float]  # (input, answer, reference) -> score


@dataclass(frozen=True)
class OpenTask:
    rank: int
    input: str
    output: str
    eval_aspect: str


@dataclass(frozen=True)
class TasksEvalConfig:
    judge: str = "chrf"
    max_tokens: int = 256
    ranks: str | None = None
    model: str = "smollm2-135m-instruct"
    precision: Precision = "fp32"

    def __post_init__(self) -> None:
        if self.judge != "chrf" and not (self.judge.startswith("reward:") and len(self.judge) > len("reward:")):
            raise ValueError(f"judge must be chrf or reward:NAME, got {self.judge!r}")
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be >= 1, got {self.max_tokens!r}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")
        check_ranks(self.ranks)

    def identity(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if k != "ranks"}


@dataclass
class TaskResult(ResultRecord):
    rank: int
    input: str
    answer: str
    score: float
    ok: bool  # the score is at least the judge's pass mark (chrF 50; a reward above 0)
    tokens: int
    prompt_tokens: int | None
    seconds: float
    eval_aspect: str = ""
    any_ok: bool | None = None


def chrf(hypothesis: str, reference: str, max_n: int = 6, beta: float = 2.0) -> float:
    """chrF: the F-beta score of character n-grams (spaces removed), averaged over n, 0-100."""
    hyp, ref = "".join(hypothesis.split()), "".join(reference.split())
    precisions, recalls = [], []
    for n in range(1, max_n + 1):
        h = Counter(hyp[i:i + n] for i in range(len(hyp) - n + 1))
        r = Counter(ref[i:i + n] for i in range(len(ref) - n + 1))
        if not h or not r:
            continue
        common = sum((h & r).values())
        precisions.append(common / sum(h.values()))
        recalls.append(common / sum(r.values()))
    if not precisions:
        return 0.0
    p, r = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    if p + r == 0:
        return 0.0
    return 100 * (1 + beta**2) * p * r / (beta**2 * p + r)


def load_tasks(path: Path) -> list[OpenTask]:
    """Tasks of a JSONL file or a CSV with a header (input, output, eval_aspect)."""
    if not path.is_file():
        raise EvalError(f"{path}: no such file")
    rows: list[tuple[str, Any]] = []
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            rows = [(f"{path}:{n}", row) for n, row in enumerate(csv.DictReader(f), start=2)]
    else:
        rows = [(where, record) for _, where, record in jsonl_records(path.read_text(encoding="utf-8"), path)]
    tasks = []
    for where, row in rows:
        missing = [k for k in ("input", "output") if not isinstance(row, dict) or not isinstance(row.get(k), str)
                   or not row[k].strip()]
        if missing:
            raise EvalError(f"{where}: missing or empty: {', '.join(missing)}")
        tasks.append(OpenTask(len(tasks) + 1, row["input"].strip(), row["output"].strip(),
                              str(row.get("eval_aspect") or "").strip()))
    if not tasks:
        raise EvalError(f"{path}: no tasks")
    return tasks


def answer_task(lm: Any, task: OpenTask, config: TasksEvalConfig, judge: Judge) -> TaskResult:
    render = getattr(lm, "render", None)
    prompt = render([{"role": "user", "content": task.input}]) if render else task.input
    before, start = stats_now(lm), time.perf_counter()
    [reply] = lm.complete(prompt, max_tokens=config.max_tokens, temperature=0.0)
    score = float(judge(task.input, reply.text, task.output))
    passed = score >= 50.0 if config.judge == "chrf" else score > 0.0
    seconds = round(time.perf_counter() - start, 3)
    return TaskResult(task.rank, task.input, reply.text, round(score, 4), passed, reply.tokens,
                      prompt_tokens_since(lm, before), seconds, task.eval_aspect)


def chrf_judge(task_input: str, answer: str, reference: str) -> float:
    return chrf(answer, reference)


@dataclass(frozen=True)
class TasksSummary:
    judge: str
    mean_score: float
    overall: Any  # EvalSummary: success_rate = share at or above the pass mark

    def to_dict(self) -> dict[str, Any]:
        return {**self.overall.to_dict(), "judge": self.judge, "mean_score": self.mean_score}


def run_tasks_eval(config: TasksEvalConfig, data: str | Path, results: str | Path, *, lm: Any, judge: Judge,
                   log: ConversationLog | None = None,
                   progress: Callable[[int, int], None] | None = None) -> TasksSummary:
    data, results = Path(data), Path(results)
    tasks = in_ranks(load_tasks(data), config.ranks)
    if not tasks:
        raise EvalError(f"{data} has no tasks in {config.ranks}")
    done, new = resume_and_run(results, config, data, TASKS_EVAL, tasks,
                               lambda task: answer_task(lm, task, config, judge), TaskResult.from_record, progress)
    ranks = [t.rank for t in tasks]
    scores: Sequence[float] = [done[r].score for r in ranks if r in done]
    summary = TasksSummary(config.judge, round(sum(scores) / len(scores), 4) if scores else 0.0,
                           summarize(done, ranks, config.judge, results, new))
    if log is not None:
        params = {**config.identity(), "ranks": config.ranks, "data": str(data), "results": str(results)}
        summary.overall.run_id = log.record_eval_run(TASKS_EVAL, params, summary.to_dict())
    return summary
