"""`kigi stats`: counts per day, quality per adapter from ratings and preferences, speed
percentiles and eval histories with worse runs flagged, checked on a log written here;
the terminal, JSON and HTML outputs."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory.log import ConversationLog, Generation
from memory.log.stats import compare_eval, percentile


def generation(adapter: str | None, ttft: float, latency: float, tokens: int, prompt_version: str = "v1"):
    return Generation(model="m", adapter=adapter, prompt_version=prompt_version, params={}, seed=1, tokens_in=5,
                      tokens_out=tokens, latency_s=latency, ttft_s=ttft)


@pytest.fixture()
def log(tmp_path: Path):
    with ConversationLog(tmp_path / "kigi.db") as opened:
        cid = opened.start_conversation("m")
        turns = []
        for i in range(3):
            user = opened.add_message(cid, "user", f"q{i}")
            opened.add_message(cid, "assistant", f"base {i}", generation=generation(None, 0.5 + i, 2.5 + i, 21))
            other = opened.add_candidate(user.id, f"tuned {i}", generation=generation("dpo", 0.2, 1.2, 11))
            turns.append((opened.candidates(user.id)[0], other))
        # the tuned answer wins twice, the base once; a rating for each side
        opened.record_preference(turns[0][0].id, turns[0][1].id, "b")
        opened.record_preference(turns[1][1].id, turns[1][0].id, "a")
        opened.record_preference(turns[2][0].id, turns[2][1].id, "a")
        opened.rate(turns[0][1].id, score=5, label="good")
        opened.rate(turns[0][0].id, score=2, label="bad")
        for results, rate in (("a.jsonl", 0.50), ("b.jsonl", 0.49), ("c.jsonl", 0.40)):
            opened.record_eval_run("mc", {"model": "m", "results": results},
                                   {"success_rate": rate, "standard_error": 0.02})
        opened.record_eval_run("mc", {"model": "other"}, {"success_rate": 0.1})
        yield opened


def test_the_figures_come_out_of_the_log_exactly(log):
    [day] = log.daily()
    assert (day.answers, day.ratings, day.preferences) == (6, 2, 3)
    quality = {q.group: q for q in log.quality("adapter")}
    assert quality["dpo"].win_rate == pytest.approx(2 / 3) and quality["-"].win_rate == pytest.approx(1 / 3)
    assert (quality["dpo"].mean_score, quality["dpo"].good, quality["-"].bad) == (5, 1, 1)
    assert {q.group: q.win_rate for q in log.quality("prompt_version")} == {"v1": None}  # itself against itself
    [speed] = log.speed()
    assert speed.answers == 6 and speed.ttft_p50 == pytest.approx(0.35) and speed.ttft_p95 == pytest.approx(2.25)
    assert speed.tokens_per_s == pytest.approx(10.0)  # 10 tokens after the first in 1.0 s, for every answer
    histories = {h.setting: h for h in log.eval_history()}
    same = histories["model=m"]
    assert [p.value for p in same.points] == [0.5, 0.49, 0.4] and [p.worse for p in same.points] == [False, False, True]
    assert len(histories["model=other"].points) == 1


def test_a_run_is_compared_with_an_earlier_one_by_its_figure_and_standard_error(tmp_path):
    with ConversationLog(tmp_path / "kigi.db") as log:
        before = log.record_eval_run("game24", {}, {"success_rate": 0.27, "standard_error": 0.03})
        run = log.eval_run(before[:6])
        assert run.id == before
        better = compare_eval("game24", run, {"success_rate": 0.40, "standard_error": 0.04})
        assert better.change == pytest.approx(0.13) and better.standard_error == pytest.approx(0.05)
        assert better.beyond_error
        same = compare_eval("game24", run, {"success_rate": 0.30, "standard_error": 0.04})
        assert not same.beyond_error
        rag = log.eval_run(log.record_eval_run("rag", {}, {"accuracy_with_memory": 0.5, "questions": 100}))
        binomial = compare_eval("rag", rag, {"accuracy_with_memory": 0.5, "questions": 100})
        assert binomial.standard_error == pytest.approx((2 * 0.25 / 100) ** 0.5)  # sqrt(p(1-p)/n), twice
        with pytest.raises(ValueError, match="not 'rag'"):
            compare_eval("rag", run, {})
        with pytest.raises(ValueError, match="no such run"):
            log.eval_run("zzzz")


def test_percentile_interpolates():
    assert percentile([1, 2, 3, 4], 50) == 2.5 and percentile([5], 95) == 5 and percentile([], 50) is None


class Checked(HTMLParser):
    """Collects tags and fails on the markup errors a browser would paper over."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.seen: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append(tag)
        if tag not in ("meta", "br", "link"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


@pytest.fixture
def logged_home(log, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    """KIGI_HOME holding the test log, as `kigi stats` finds it."""
    monkeypatch.setenv("KIGI_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    log.close()
    (tmp_path / "kigi.db").rename(tmp_path / "home" / "kigi.db")
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"kigi.db{suffix}").unlink(missing_ok=True)
    return tmp_path / "home"


def test_the_command_prints_tables_json_and_a_self_contained_html_report(logged_home, tmp_path):
    from cli import app

    text = CliRunner().invoke(app, ["stats"])
    assert text.exit_code == 0, text.output
    assert "Activity per day" in text.stdout and "dpo" in text.stdout and "(worse)" in text.stdout
    data = json.loads(CliRunner().invoke(app, ["stats", "--json", "--by", "model"]).stdout)
    assert data["daily"][0]["answers"] == 6 and data["quality"][0]["group"] == "m"
    report = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["stats", "--html", str(report)])
    assert result.exit_code == 0, result.output
    page = report.read_text()
    parser = Checked()
    parser.feed(page)
    assert parser.stack == ["html"] or parser.stack == []  # everything opened was closed
    assert parser.seen.count("svg") >= 3 and "script" not in parser.seen and "http" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")  # no script, nothing fetched from outside
    assert CliRunner().invoke(app, ["stats", "--days", "0"]).exit_code == 1



def test_the_html_report_renders_in_a_real_browser_without_console_errors(logged_home, tmp_path):
    from cli import app
    from tests.browser import render

    broken = tmp_path / "broken.html"  # the check itself can fail: a page with a script error
    broken.write_text("<!doctype html><html><body><script>missingFunction();</script></body></html>")
    assert any("missingFunction is not defined" in line for line in render(broken).console)
    report = tmp_path / "report.html"
    assert CliRunner().invoke(app, ["stats", "--html", str(report)]).exit_code == 0
    shown = render(report)
    assert shown.console == []
    assert shown.dom.count("<svg") >= 3 and "<h2>Answers per day</h2>" in shown.dom
