"""The default precision, chosen by measurement against fp32 and kept per model file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import agent.precision
from agent.home import KigiHome
from agent.models import model_registry
from agent.precision import (
    AUTO,
    CANDIDATES,
    FILE_NAME,
    GATE,
    MAX_PPL_RISE,
    MIN_TOP1,
    Quality,
    default_precision,
    release_records,
    released_choice,
    resolve,
)
from tests.tiny import save_tiny_chat_model


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> KigiHome:
    home = KigiHome(tmp_path_factory.mktemp("home")).ensure()
    model_registry(home).add(save_tiny_chat_model(tmp_path_factory.mktemp("tiny")), "tiny")
    return home


def counting(calls: list[str]):
    """A progress callback that notes each measurement's start."""
    def progress(stage: str, done: int, total: int) -> None:
        assert 0 <= done <= total
        if (stage, done) == ("fp32's answers", 0):
            calls.append("measured")
    return progress


@pytest.mark.parametrize(("rise", "top1", "good"), [
    (0.0, 1.0, True), (MAX_PPL_RISE, MIN_TOP1, True), (MAX_PPL_RISE + 0.01, 1.0, False), (0.1, MIN_TOP1 - 0.01, False),
    (-0.5, 0.99, True),  # a quantized model may even read the text slightly better
])
def test_a_precision_is_good_within_every_limit(rise, top1, good):
    assert Quality("int4", rise, top1).good is good
    assert Quality("int4", rise, top1, greedy_prefix=0.4).good is False  # answers part too soon, on average
    assert Quality("int4", rise, top1, early_partings=1, sure_partings=1).good is False  # set off another way
    assert Quality("int4", rise, top1, early_partings=2).good is good  # where fp32 itself was at a coin flip


def test_agreement_counts_shared_prefixes_and_early_partings_where_fp32_was_sure():
    from agent.precision import SURE_MARGIN, Answer, agreement

    sure, tie = SURE_MARGIN + 0.5, SURE_MARGIN / 10
    reference = [Answer([0], [1, 2, 3, 4, 5, 6, 7, 8], [sure] * 8), Answer([0], [1, 2, 3, 4], [tie, sure, sure, sure])]
    assert agreement([8, 4], reference) == (1.0, 0, 0)
    assert agreement([4, 0], reference) == ((0.5 + 0.0) / 2, 1, 0)  # parted at fp32's near-tie
    assert agreement([1, 4], reference) == ((1 / 8 + 1.0) / 2, 1, 1)  # parted where fp32 was sure
    assert agreement([0], [Answer([0], [], [])]) == (1.0, 0, 0)  # an empty answer has nothing to part from


def test_a_parting_is_where_the_greedy_decode_differs(home):
    from agent.models import load_engine
    from agent.precision import QUALITY_PROMPTS, Answer, greedy_answers, parting, reference_answers

    engine = load_engine(home, "tiny", precision="fp32")
    prompts = QUALITY_PROMPTS[:3]
    answers = reference_answers(engine, prompts)
    assert [a.tokens for a in answers] == greedy_answers(engine, prompts)  # the batch decodes as each alone
    assert all(len(a.margins) == len(a.tokens) and min(a.margins) >= 0 for a in answers)
    assert [parting(engine, a) for a in answers] == [len(a.tokens) for a in answers]
    first = answers[0]
    for at in (0, len(first.tokens) // 2):
        changed = first.tokens[:at] + [(first.tokens[at] + 1) % engine.model.config.vocab_size] + first.tokens[at + 1:]
        assert parting(engine, Answer(first.prompt, changed, first.margins)) == at


def test_the_choice_is_the_first_good_candidate_measured_once_per_model_file(home):
    calls: list[str] = []
    seen: dict[str, tuple[int, int]] = {}
    count = counting(calls)

    def progress(stage: str, done: int, total: int) -> None:
        count(stage, done, total)
        seen[stage] = (done, total)

    choice = default_precision(home, "tiny", progress=progress)
    assert calls == ["measured"] and [q.precision for q in choice.measured][0] == "int4"
    assert all(done == total for done, total in seen.values())  # every stage shown to its end
    assert set(seen) == {"fp32's answers", *(f"{q.precision} against fp32" for q in choice.measured)}
    good = [q.precision for q in choice.measured if q.good]
    assert choice.precision == (good[0] if good else "fp32")
    assert choice.precision in choice.reason or choice.precision == "fp32"
    assert all(q.good is False for q in choice.measured[:-1])  # it stopped at the first good one
    again = default_precision(home, "tiny", progress=counting(calls))
    assert again == choice and calls == ["measured"]  # kept, not measured again
    assert resolve(home, "tiny", AUTO) == choice.precision and resolve(home, "tiny", "bf16") == "bf16"


def test_a_changed_model_file_or_a_damaged_record_is_measured_again(home):
    store = home.models / FILE_NAME
    default_precision(home, "tiny")
    record = json.loads(store.read_text())
    record["tiny"]["sha256"] = "0" * 64  # as if measured on another file
    store.write_text(json.dumps(record))
    calls: list[str] = []
    default_precision(home, "tiny", progress=counting(calls))
    store.write_text("{not json")
    default_precision(home, "tiny", progress=counting(calls))
    assert calls == ["measured", "measured"] and json.loads(store.read_text())["tiny"]["sha256"] != "0" * 64
    record = json.loads(store.read_text())
    assert record["tiny"]["candidates"] == list(CANDIDATES)
    del record["tiny"]["candidates"]  # chosen by a kigi that knew fewer candidates (no bf16)
    store.write_text(json.dumps(record))
    default_precision(home, "tiny", progress=counting(calls))
    assert len(calls) == 3 and json.loads(store.read_text())["tiny"]["candidates"] == list(CANDIDATES)
    record = json.loads(store.read_text())
    record["tiny"]["gate"] = GATE - 1  # chosen by older rules
    store.write_text(json.dumps(record))
    default_precision(home, "tiny", progress=counting(calls))
    assert len(calls) == 4 and json.loads(store.read_text())["tiny"]["gate"] == GATE


def test_model_info_says_which_precision_and_why(home, monkeypatch, tmp_path: Path):
    from typer.testing import CliRunner

    from cli import app

    monkeypatch.setenv("KIGI_HOME", str(home.root))
    result = CliRunner().invoke(app, ["model", "info", "tiny"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout[result.stdout.index("{"):])
    assert info["name"] == "tiny"  # the name kigi knows it by, not the one its file declares
    chosen = info["default_precision"]
    assert chosen["precision"] in (*CANDIDATES, "fp32") and chosen["why"] and chosen["measured"]
    assert info["int4_kernel"].startswith(("kigi's", "torch's"))  # which one serves one-row int4 steps, and why
    before = (home.models / FILE_NAME).stat().st_mtime_ns
    result = CliRunner().invoke(app, ["model", "info", "tiny", "--measure"])
    assert result.exit_code == 0, result.output
    assert (home.models / FILE_NAME).stat().st_mtime_ns != before  # measured again, and kept


def shipped(home: KigiHome, precision: str, sha256: str | None = None) -> dict:
    """A release record for the tiny model, as benchmarks/release_precision.py writes them."""
    sha256 = sha256 or model_registry(home).resolve("tiny").sha256
    return {"tiny": {"precision": precision, "reason": f"{precision}: as shipped", "sha256": sha256,
                     "measured": [], "candidates": list(CANDIDATES), "gate": GATE}}


def test_a_choice_shipped_for_the_same_file_spares_a_first_run_the_measurement(tmp_path_factory, monkeypatch):
    home = KigiHome(tmp_path_factory.mktemp("fresh")).ensure()
    model_registry(home).add(save_tiny_chat_model(tmp_path_factory.mktemp("tiny")), "tiny")
    monkeypatch.setattr(agent.precision, "release_records", lambda: shipped(home, "bf16"))
    calls: list[str] = []
    choice = default_precision(home, "tiny", progress=counting(calls))
    assert calls == [] and choice.precision == "bf16" and "measured for this release" in choice.reason
    assert not (home.models / FILE_NAME).exists()  # nothing measured here, nothing kept
    here = default_precision(home, "tiny", progress=counting(calls), here=True)  # `kigi model info --measure`
    assert calls == ["measured"] and "release" not in here.reason
    assert default_precision(home, "tiny", progress=counting(calls)) == here and calls == ["measured"]


def test_a_shipped_choice_for_another_file_or_older_rules_is_not_used(tmp_path_factory, monkeypatch):
    home = KigiHome(tmp_path_factory.mktemp("fresh")).ensure()
    model_registry(home).add(save_tiny_chat_model(tmp_path_factory.mktemp("tiny")), "tiny")
    older = shipped(home, "bf16")
    older["tiny"]["gate"] = GATE - 1
    for records in (shipped(home, "bf16", sha256="0" * 64), older, {"tiny": "garbage"}):
        monkeypatch.setattr(agent.precision, "release_records", lambda records=records: records)
        assert released_choice("tiny", model_registry(home).resolve("tiny").sha256) is None
    calls: list[str] = []
    default_precision(home, "tiny", progress=counting(calls))
    assert calls == ["measured"]


def test_the_shipped_choices_are_current_for_every_chat_model_kigi_fetches():
    """Fails when the gate, the candidates or a pinned model change until
    `python benchmarks/release_precision.py` is run again."""
    from llm.registry import EMBEDDING_MODEL, KNOWN_MODELS

    chat_models = {name: source for name, source in KNOWN_MODELS.items() if name != EMBEDDING_MODEL}
    assert set(release_records()) == set(chat_models)
    for name, source in chat_models.items():
        choice = released_choice(name, source.sha256)
        assert choice is not None and choice.precision in (*CANDIDATES, "fp32") and choice.measured
