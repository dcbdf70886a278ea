"""`kigi stats`: what the log says over time, as terminal tables and bars, JSON, or one
self-contained HTML report (inline SVG charts, no script, no outside file)."""

from __future__ import annotations

import dataclasses
import html
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ui.errors import err_console, user_errors
from ui.loading import read_log

BAR = "█"


def stats(
    days: Annotated[int, typer.Option(help="Days of activity to show.")] = 30,
    by: Annotated[str, typer.Option(help="Quality per: model | adapter | prompt_version.")] = "adapter",
    as_json: Annotated[bool, typer.Option("--json", help="Print everything as one JSON object.")] = False,
    html_file: Annotated[Path | None, typer.Option("--html", help="Write a self-contained HTML report here.")]
    = None,
) -> None:
    """Answers, ratings and preferences per day; win rate and mean rating per model,
    adapter or prompt version; time to first token and tokens/s; every eval's history
    with the runs that got worse than the one before (by more than its standard error)."""
    with user_errors():
        if days < 1:
            raise ValueError(f"--days must be >= 1, got {days}")
        with read_log() as log:
            report = {"daily": log.daily(days), "quality": log.quality(by), "speed": log.speed(),  # type: ignore[arg-type]
                      "evals": log.eval_history(), "by": by}
        if html_file is not None:
            html_file.write_text(render_html(report), encoding="utf-8")
            err_console().print(f"report written to {html_file}")
        if as_json:
            print(json.dumps(plain(report)))
        elif html_file is None:
            show(Console(soft_wrap=True), report)


def plain(report: dict[str, Any]) -> dict[str, Any]:
    def one(item: Any) -> Any:
        if dataclasses.is_dataclass(item):
            data = dataclasses.asdict(item)  # type: ignore[arg-type]
            if hasattr(item, "win_rate"):
                data["win_rate"] = item.win_rate
            return data
        return item

    return {k: [one(x) for x in v] if isinstance(v, list) else v for k, v in report.items()}


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def show(console: Console, report: dict[str, Any]) -> None:
    daily = report["daily"]
    if not daily:
        console.print("The log is empty: ask something first (`kigi ask`, `kigi chat`).")
        return
    most = max(d.answers for d in daily) or 1
    table = Table(title="Activity per day (UTC)")
    for column in ("day", "answers", "", "ratings", "preferences"):
        table.add_column(column, justify="right" if column not in ("day", "") else "left")
    for d in daily:
        table.add_row(d.day, str(d.answers), BAR * max(1, round(20 * d.answers / most)) if d.answers else "",
                      str(d.ratings), str(d.preferences))
    console.print(table)
    quality = Table(title=f"Quality per {report['by']}")
    for column in (report["by"], "answers", "rated", "mean rating", "good", "bad", "compared", "win rate"):
        quality.add_column(column, justify="left" if column == report["by"] else "right")
    for q in report["quality"]:
        quality.add_row(q.group, str(q.answers), str(q.rated), _fmt(q.mean_score), str(q.good), str(q.bad),
                        str(q.comparisons), _fmt(q.win_rate))
    console.print(quality)
    speed = Table(title="Speed per model")
    for column in ("model", "answers", "TTFT p50 s", "TTFT p95 s", "tokens/s"):
        speed.add_column(column, justify="left" if column == "model" else "right")
    for s in report["speed"]:
        speed.add_row(s.model, str(s.answers), _fmt(s.ttft_p50), _fmt(s.ttft_p95), _fmt(s.tokens_per_s, 1))
    console.print(speed)
    for history in report["evals"]:
        values = " → ".join(("[red]" + _fmt(p.value, 3) + " (worse)[/]") if p.worse else _fmt(p.value, 3)
                            for p in history.points)
        console.print(f"[bold]{history.name}[/] {history.figure}: {values}  [dim]{history.setting}[/]",
                      highlight=False)


def _bars(values: list[tuple[str, float]], width: int = 640, height: int = 160, colour: str = "#3a7d44") -> str:
    """An inline SVG bar chart of (label, value) pairs."""
    if not values:
        return "<p>No data.</p>"
    top = max(v for _, v in values) or 1.0
    step = width / len(values)
    bars = []
    for i, (label, value) in enumerate(values):
        h = (height - 20) * value / top
        bars.append(f'<rect x="{i * step + 1:.1f}" y="{height - 20 - h:.1f}" width="{max(step - 2, 1):.1f}" '
                    f'height="{h:.1f}" fill="{colour}"><title>{html.escape(label)}: {value:g}</title></rect>')
    first, last = html.escape(values[0][0]), html.escape(values[-1][0])
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">'
            + "".join(bars)
            + f'<text x="0" y="{height - 4}" font-size="11">{first}</text>'
            + f'<text x="{width}" y="{height - 4}" font-size="11" text-anchor="end">{last}</text></svg>')


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: dict[str, Any]) -> str:
    daily = report["daily"]
    sections = [
        "<h2>Answers per day</h2>", _bars([(d.day, float(d.answers)) for d in daily]),
        "<h2>Ratings and preferences per day</h2>",
        _bars([(d.day, float(d.ratings + d.preferences)) for d in daily], colour="#8a5a2b"),
        f"<h2>Quality per {html.escape(report['by'])}</h2>",
        _table([report["by"], "answers", "rated", "mean rating", "good", "bad", "compared", "win rate"],
               [[q.group, str(q.answers), str(q.rated), _fmt(q.mean_score), str(q.good), str(q.bad),
                 str(q.comparisons), _fmt(q.win_rate)] for q in report["quality"]]),
        "<h2>Speed per model</h2>",
        _table(["model", "answers", "TTFT p50 s", "TTFT p95 s", "tokens/s"],
               [[s.model, str(s.answers), _fmt(s.ttft_p50), _fmt(s.ttft_p95), _fmt(s.tokens_per_s, 1)]
                for s in report["speed"]]),
        "<h2>Evals over time</h2>",
    ]
    for history in report["evals"]:
        points = [(p.created, p.value or 0.0) for p in history.points]
        worse = [p.created for p in history.points if p.worse]
        sections += [f"<h3>{html.escape(history.name)}: {html.escape(history.figure)}</h3>",
                     f"<p class=setting>{html.escape(history.setting)}</p>", _bars(points, height=120)]
        if worse:
            sections.append(f"<p class=worse>Worse than the run before: {html.escape(', '.join(worse))}</p>")
    style = ("body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}td:first-child,th:first-child"
             "{text-align:left}.worse{color:#b00}.setting{color:#666;font-size:.85em}")
    return ("<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>kigi stats</title>"
            f"<style>{style}</style></head><body><h1>kigi stats</h1>" + "".join(sections) + "</body></html>\n")
