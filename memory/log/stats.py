"""What the log says about kigi over time (`kigi stats`, issue 19): activity per day,
quality per model / adapter / prompt version, speed, and the history of each eval with
the runs that got worse flagged.

Quality comes from people's own judgements: ratings (1-5, good/bad) of an answer and
side-by-side preferences, where the chosen answer's model/adapter/prompt version wins
against the rejected one's (a tie counts half to each). Speed comes from each generation's
record: time to first token, and decode tokens/s after it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from memory.log.database import LogDatabase
from memory.log.records import EvalRun

Group = Literal["model", "adapter", "prompt_version"]
GROUPS: tuple[str, ...] = ("model", "adapter", "prompt_version")
# The figure each eval's summary is compared on (higher is better for all of them).
EVAL_FIGURES: dict[str, str] = {
    "rag": "accuracy_with_memory", "game24": "success_rate", "questions": "success_rate", "mc": "success_rate",
    "code": "pass@1", "prefs": "win_rate",
}


@dataclass(frozen=True)
class Day:
    day: str  # YYYY-MM-DD (UTC)
    answers: int
    ratings: int
    preferences: int


@dataclass
class Quality:
    group: str  # the model, adapter or prompt version ("-" for none)
    answers: int = 0
    rated: int = 0
    mean_score: float | None = None
    good: int = 0
    bad: int = 0
    wins: float = 0.0
    comparisons: int = 0

    @property
    def win_rate(self) -> float | None:
        return self.wins / self.comparisons if self.comparisons else None


@dataclass(frozen=True)
class Speed:
    model: str
    answers: int
    ttft_p50: float | None
    ttft_p95: float | None
    tokens_per_s: float | None  # median decode rate after the first token


@dataclass(frozen=True)
class EvalPoint:
    created: str
    value: float | None
    error: float | None  # the run's standard error, when it has one
    worse: bool  # below the previous run of the same eval and parameters by more than its error


@dataclass
class EvalHistory:
    name: str
    figure: str
    setting: str  # what the runs compared share (model, method, data...)
    points: list[EvalPoint] = field(default_factory=list)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100), linear between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class Stats(LogDatabase):
    """Aggregate queries over the log (read-only)."""

    def daily(self, days: int = 30) -> list[Day]:
        """Answers, ratings and preferences recorded per UTC day, the last `days` days with any."""
        with self._read() as conn:
            counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
            for column, table in enumerate(("generations", "ratings", "preferences")):
                for row in conn.execute(f"SELECT substr(created, 1, 10) AS day, count(*) AS n FROM {table} "
                                        "GROUP BY day"):
                    counts[row["day"]][column] = row["n"]
        return [Day(day, *counts[day]) for day in sorted(counts)[-days:]]

    def quality(self, group: Group = "model") -> list[Quality]:
        """Answers, ratings and preference wins per model, adapter or prompt version."""
        if group not in GROUPS:
            raise ValueError(f"group must be one of {', '.join(GROUPS)}, got {group!r}")
        key = f"coalesce(g.{group}, '-')"
        out: dict[str, Quality] = {}

        def of(name: str) -> Quality:
            return out.setdefault(name, Quality(name))

        with self._read() as conn:
            for row in conn.execute(f"SELECT {key} AS k, count(*) AS n FROM generations g GROUP BY k"):
                of(row["k"]).answers = row["n"]
            for row in conn.execute(
                    f"SELECT {key} AS k, count(r.id) AS rated, avg(r.score) AS mean, "
                    "sum(r.label = 'good') AS good, sum(r.label = 'bad') AS bad FROM ratings r "
                    "JOIN candidates c ON c.id = r.candidate_id JOIN generations g ON g.id = c.generation_id "
                    "GROUP BY k"):
                q = of(row["k"])
                q.rated, q.mean_score, q.good, q.bad = row["rated"], row["mean"], row["good"] or 0, row["bad"] or 0
            for row in conn.execute(
                    f"SELECT p.outcome, coalesce(ga.{group}, '-') AS ka, coalesce(gb.{group}, '-') AS kb "
                    "FROM preferences p JOIN candidates a ON a.id = p.a_id JOIN candidates b ON b.id = p.b_id "
                    "JOIN generations ga ON ga.id = a.generation_id JOIN generations gb ON gb.id = b.generation_id "
                    "WHERE p.outcome IN ('a', 'b', 'tie')"):
                first, second = of(row["ka"]), of(row["kb"])
                if first is second:
                    continue  # a group against itself says nothing about the group
                share = {"a": (1.0, 0.0), "b": (0.0, 1.0), "tie": (0.5, 0.5)}[row["outcome"]]
                for side, won in zip((first, second), share, strict=True):
                    side.wins += won
                    side.comparisons += 1
        return sorted(out.values(), key=lambda q: (-q.answers, q.group))

    def speed(self) -> list[Speed]:
        """Time to first token (p50, p95) and decode tokens/s per model."""
        by_model: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
        with self._read() as conn:
            for row in conn.execute("SELECT model, ttft_s, latency_s, tokens_out FROM generations "
                                    "WHERE interrupted = 0"):
                ttfts, rates = by_model[row["model"]]
                if row["ttft_s"] is not None:
                    ttfts.append(row["ttft_s"])
                decode = (row["latency_s"] or 0) - (row["ttft_s"] or 0)
                if row["tokens_out"] and row["tokens_out"] > 1 and decode > 0 and row["ttft_s"] is not None:
                    rates.append((row["tokens_out"] - 1) / decode)
        counts = self._answers_per_model()
        return [Speed(model, counts.get(model, 0), percentile(t, 50), percentile(t, 95), percentile(r, 50))
                for model, (t, r) in sorted(by_model.items())]

    def _answers_per_model(self) -> dict[str, int]:
        with self._read() as conn:
            return {r["model"]: r["n"] for r in conn.execute("SELECT model, count(*) AS n FROM generations "
                                                             "GROUP BY model")}

    def eval_history(self) -> list[EvalHistory]:
        """Each eval's runs in time order, grouped by the parameters that make runs comparable
        (everything but where the results went); a run is flagged `worse` when its figure is
        below the previous run's by more than the larger of their standard errors."""
        histories: dict[tuple[str, str], EvalHistory] = {}
        for run in reversed(self.eval_runs()):  # type: ignore[attr-defined]  (EvalRuns, beside it in ConversationLog)
            figure = EVAL_FIGURES.get(run.name, "success_rate")
            setting = ", ".join(f"{k}={v}" for k, v in sorted(run.params.items())
                                if k not in ("results", "ranks") and v not in (None, "", []))
            history = histories.setdefault((run.name, setting), EvalHistory(run.name, figure, setting))
            value = _number(run.summary.get(figure))
            error = _number(run.summary.get("standard_error"))
            previous = next((p for p in reversed(history.points) if p.value is not None), None)
            worse = bool(previous is not None and value is not None
                         and previous.value - value > max(error or 0.0, previous.error or 0.0))
            history.points.append(EvalPoint(run.created, value, error, worse))
        return sorted(histories.values(), key=lambda h: (h.name, h.setting))


@dataclass(frozen=True)
class EvalChange:
    """A new run's headline figure against an earlier run's, with the standard error of the
    difference (the two runs' errors combined) when both summaries give one."""

    run_id: str
    figure: str
    before: float | None
    after: float | None
    standard_error: float | None

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before

    @property
    def beyond_error(self) -> bool:
        """Whether the change is larger than its standard error (either way)."""
        return self.change is not None and self.standard_error is not None and abs(self.change) > self.standard_error

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "figure": self.figure, "before": self.before, "after": self.after,
                "change": self.change, "standard_error": self.standard_error, "beyond_error": self.beyond_error}


def compare_eval(name: str, before: EvalRun, after: Mapping[str, Any]) -> EvalChange:
    """`after` (a new summary of eval `name`) against the recorded run `before`."""
    if before.name != name:
        raise ValueError(f"run {before.id} is a {before.name!r} eval, not {name!r}")
    figure = EVAL_FIGURES.get(name, "success_rate")
    errors = [_standard_error(before.summary, figure), _standard_error(after, figure)]
    known = [e for e in errors if e is not None]
    combined = math.sqrt(sum(e * e for e in known)) if len(known) == 2 else None
    return EvalChange(before.id, figure, _number(before.summary.get(figure)), _number(after.get(figure)), combined)


def _standard_error(summary: Mapping[str, Any], figure: str) -> float | None:
    """The summary's own standard error, or a proportion's binomial one, sqrt(p(1-p)/n), when
    the summary gives the count it is over (questions, prompts)."""
    given = _number(summary.get("standard_error"))
    if given is not None:
        return given
    p = _number(summary.get(figure))
    n = next((_number(summary.get(k)) for k in ("count", "questions", "prompts") if _number(summary.get(k))), None)
    if p is None or not n or not 0 <= p <= 1:
        return None
    return math.sqrt(p * (1 - p) / n)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
