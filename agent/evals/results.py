"""The results file: JSONL, a header line holding the parameters, then one line per item
(a puzzle, a question) keyed by its rank; read back (a line cut short by a kill is
dropped), checked against the parameters of a resumed run, and summarised. Every eval
that `kigi eval` runs item by item shares it."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar

from agent.errors import AgentError
from agent.evals.config import EVAL_NAME


class EvalError(AgentError):
    """A results file that cannot be resumed with these parameters, or is damaged."""


def check_ranks(ranks: str | None) -> None:
    """A config's `ranks` ("901-1000"; None for all), refused as a ValueError naming the field."""
    from agent.tasks.game24.puzzles import Game24Error, parse_rank_range

    if ranks is None:
        return
    try:
        parse_rank_range(ranks)
    except Game24Error as exc:
        raise ValueError(f"ranks: {exc}") from None


def jsonl_records(text: str, path: Path) -> Iterator[tuple[int, str, Any]]:
    """(line number, "file:line", record) of each non-empty line of an eval's JSONL data;
    a line that is not JSON is an EvalError naming it."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            yield number, where, json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{where}: not JSON ({exc.msg})") from None


def in_ranks(items: Sequence[Any], ranks: str | None) -> list[Any]:
    """The items (each with a `rank`) within `ranks` ("1-20"; None: all)."""
    from agent.tasks.game24.puzzles import parse_rank_range

    if ranks is None:
        return list(items)
    lo, hi = parse_rank_range(ranks)
    return [item for item in items if lo <= item.rank <= hi]


class ResultRecord:
    """A result dataclass as a line of the results file, and back (unknown keys ignored)."""

    def to_record(self) -> dict[str, Any]:
        return {"kind": "result", **dataclasses.asdict(self)}  # type: ignore[call-overload]

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Self:
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in record.items() if k in names})


@dataclass
class PuzzleResult(ResultRecord):
    """One puzzle's outcome. `any_ok`: some candidate (tot) or sample (cot-sc) was right."""

    rank: int
    puzzle: list[int]
    method: str
    answer: str | None
    ok: bool
    reason: str
    tokens: int  # generated
    prompt_tokens: int | None
    calls: int
    seconds: float
    any_ok: bool | None = None
    output: str | None = None  # the baselines' raw reply (truncated)
    tree: dict[str, Any] | None = None  # tot: a summary of the search tree


class ItemResult(Protocol):
    """What the results file and the summary need of one item's outcome."""

    rank: int
    ok: bool
    tokens: int
    prompt_tokens: int | None
    seconds: float
    any_ok: bool | None

    def to_record(self) -> dict[str, Any]: ...


class ParamsConfig(Protocol):
    def identity(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=ItemResult)


@dataclass
class EvalSummary:
    """Figures over every result in the file within the rank range (earlier runs included)."""

    method: str
    puzzles: int  # in the rank range
    done: int
    solved: int
    success_rate: float
    standard_error: float  # of the success rate: sqrt(p (1 - p) / n)
    mean_tokens: float
    mean_prompt_tokens: float | None
    mean_seconds: float
    any_ok_rate: float | None
    new: int  # computed by this run
    skipped: int  # already in the results file
    results: str
    run_id: str | None = None
    lost: dict[str, int] | None = None  # where the unsolved were lost, when the eval tells (game24 tot)

    @property
    def complete(self) -> bool:
        return self.done == self.puzzles

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "complete": self.complete}


def header_record(config: ParamsConfig, data: Path, name: str = EVAL_NAME) -> dict[str, Any]:
    """The first line of a results file: the parameters its results were made with."""
    return {"kind": "header", "eval": name, "params": config.identity(), "data": str(data),
            "created": datetime.now(UTC).isoformat(timespec="seconds")}


def read_results(path: str | Path, *, repair: bool = False,
                 parse: Callable[[Mapping[str, Any]], R] = PuzzleResult.from_record,  # type: ignore[assignment]
                 ) -> tuple[dict[str, Any] | None, dict[int, R]]:
    """The header and the results (by rank) of a results file; (None, {}) when there is none.

    A last line cut short by a kill is ignored, and with `repair` cut off the file so that
    appending can go on.
    """
    path = Path(path)
    if not path.exists():
        return None, {}
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        if repair:
            with path.open("r+b") as f:
                f.truncate(cut)
        data = data[:cut]
    header: dict[str, Any] | None = None
    results: dict[int, R] = {}
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise EvalError(f"{path}:{number}: not a JSON line; the results file is damaged") from None
        if record.get("kind") == "header":
            header = header or record
        elif record.get("kind") == "result":
            result = parse(record)
            results[result.rank] = result
    return header, results


def check_header(path: Path, header: Mapping[str, Any] | None, config: ParamsConfig, name: str = EVAL_NAME) -> None:
    """Refuse to resume a results file made with other parameters."""
    if header is None:
        return
    if header.get("eval") != name:
        raise EvalError(f"{path}: not a {name} results file")
    saved, wanted = dict(header.get("params", {})), config.identity()
    # a file made before a field existed ran as the field's default does (new fields default
    # to the old behaviour), so a resumed run with that default is the same setting
    for field in dataclasses.fields(config) if dataclasses.is_dataclass(config) else ():
        if field.name in wanted and field.name not in saved and field.default is not dataclasses.MISSING:
            saved[field.name] = field.default
    differ = sorted(k for k in set(saved) | set(wanted) if saved.get(k) != wanted.get(k))
    if differ:
        detail = ", ".join(f"{k}: {saved.get(k)!r} there, {wanted.get(k)!r} now" for k in differ)
        raise EvalError(f"{path} holds results of other parameters ({detail}); use another results file")


@contextmanager
def results_writer(path: Path, header: Mapping[str, Any] | None) -> Iterator[Callable[[ItemResult], None]]:
    """Append results to `path` (after `header`, for a new file), each flushed as it comes:
    a kill loses at most the items in flight."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        if header is not None:
            out.write(json.dumps(header) + "\n")
            out.flush()

        def write(result: ItemResult) -> None:
            out.write(json.dumps(result.to_record()) + "\n")
            out.flush()

        yield write


def resume_and_run(results: Path, config: ParamsConfig, data: Path, name: str, items: Sequence[Any],
                   solve: Callable[[Any], R], parse: Callable[[Mapping[str, Any]], R],
                   progress: Callable[[int, int], None] | None = None) -> tuple[dict[int, R], int]:
    """The results of `items` (each with a `rank`): those already in the results file read
    back (its parameters checked), the others solved in order and appended as they come.
    Returns every result in the file by rank, and how many this run computed."""
    header, done = read_results(results, repair=True, parse=parse)
    check_header(results, header, config, name)
    todo = [item for item in items if item.rank not in done]
    finished, new = len(items) - len(todo), 0
    with results_writer(results, header_record(config, data, name) if header is None else None) as write:
        for item in todo:
            result = solve(item)
            write(result)
            done[result.rank] = result
            finished, new = finished + 1, new + 1
            if progress is not None:
                progress(finished, len(items))
    return done, new


def stats_now(lm: Any) -> Any:
    """The model's token counters as they stand (None for a model that keeps none)."""
    stats = getattr(lm, "stats", None)
    return None if stats is None else stats.snapshot()


def prompt_tokens_since(lm: Any, before: Any) -> int | None:
    """Prompt tokens the model read since `stats_now` gave `before` (None without counters)."""
    after = stats_now(lm)
    return None if before is None or after is None else after.since(before).prompt_tokens


def summarize(results: Mapping[int, ItemResult], ranks: Sequence[int], method: str, path: str | Path,
              new: int = 0) -> EvalSummary:
    """Figures over the results whose rank is among `ranks` (the items of this run)."""
    wanted = set(ranks)
    done = [r for rank, r in sorted(results.items()) if rank in wanted]
    count = len(done)

    def mean(values: list[float]) -> float:
        return round(sum(values) / len(values), 3) if values else 0.0

    prompt_tokens = [r.prompt_tokens for r in done if r.prompt_tokens is not None]
    any_ok = [r.any_ok for r in done if r.any_ok is not None]
    solved = sum(r.ok for r in done)
    return EvalSummary(
        method=method, puzzles=len(wanted), done=count, solved=solved,
        success_rate=round(solved / count, 4) if count else 0.0,
        standard_error=round(math.sqrt(solved / count * (1 - solved / count) / count), 4) if count else 0.0,
        mean_tokens=mean([r.tokens for r in done]),
        mean_prompt_tokens=mean(prompt_tokens) if prompt_tokens else None,
        mean_seconds=mean([r.seconds for r in done]),
        any_ok_rate=round(sum(any_ok) / len(any_ok), 4) if any_ok else None,
        new=new, skipped=count - new, results=str(path),
    )
