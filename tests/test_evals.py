"""`run_game24_eval`: every method with a scripted model, resumable JSONL results, the
summary and its log record; io, cot and tot end to end on the tiny model, in worker
processes too."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import pytest
import torch

from agent.evals import (
    EvalError,
    Game24EvalConfig,
    read_results,
    results_name,
    run_game24_eval,
    solve_puzzle,
)
from agent.tasks.game24 import Puzzle, next_steps, solvable, solve
from agent.tot import Completion, LanguageModel, plain_render
from llm.errors import ContextOverflowError
from memory.log import ConversationLog
from tests.test_lm import tiny_model_dir

PUZZLES = ["1 1 4 6", "1 1 11 11", "1 1 3 8", "1 2 3 4", "4 4 6 8", "2 3 5 12"]
WRONG = {"1 1 3 8"}  # the scripted model gets this one wrong


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "game24.csv"
    rows = ["Rank,Puzzles,AMT (s),Solved rate,1-sigma Mean (s),1-sigma STD (s)"]
    rows += [f"{rank},{p},5.0,99%,5.0,1.0" for rank, p in enumerate(PUZZLES, start=1)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _numbers(prompt: str, pattern: str) -> list[Fraction]:
    match = re.search(pattern, prompt)
    assert match, prompt
    return [Fraction(x) for x in match.group(1).split()]


class Game24LM:
    """Knows the answers (the solver), except for the puzzles in WRONG."""

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def complete(self, prompt, *, n=1, max_tokens=128, temperature=0.0, stop=(), seed=None):
        self.prompts.append(prompt)
        if prompt.startswith("Use the numbers"):
            numbers = [int(x) for x in _numbers(prompt, r"Use the numbers ([\d ]+) and")]
            text = " ".join(map(str, numbers))
            right = f"Answer: {solve(numbers)} = 24"
            wrong = f"Answer: {' + '.join(map(str, numbers))} = 24"
            if "step by step" in prompt and n > 1:  # cot-sc: the majority is right unless WRONG
                texts = [right, wrong, right] if text not in WRONG else [wrong, right, wrong]
                return [Completion(texts[i % 3], 7) for i in range(n)]
            return [Completion(wrong if text in WRONG else right, 7) for _ in range(n)]
        if "List possible next steps" in prompt:
            numbers = _numbers(prompt, r"Numbers: ([\d/ -]+)\n")
            steps = sorted(next_steps(numbers), key=lambda s: not solvable(s.left))
            return [Completion("\n".join(s.line() for s in steps[:4]), 20)]
        raise AssertionError(f"unexpected prompt {prompt!r}")

    def label_probs(self, prompt: str, labels: Sequence[str]) -> list[float]:
        self.prompts.append(prompt)
        numbers = _numbers(prompt, r"Numbers: ([\d/ -]+)\n")
        sure = 0.9 if solvable(numbers) else 0.01
        return [{"sure": sure, "likely": 0.05, "impossible": 1 - sure}[w] for w in labels]


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_scripted_model_is_a_language_model():
    assert isinstance(Game24LM(), LanguageModel)


def test_io_results_summary_and_log(data, tmp_path):
    lm = Game24LM()
    results = tmp_path / "results" / "io.jsonl"
    with ConversationLog(tmp_path / "kigi.db") as log:
        summary = run_game24_eval(Game24EvalConfig(method="io", ranks="1-4"), data, results, lm=lm, log=log)
        runs = log.eval_runs("game24")
    assert (summary.puzzles, summary.done, summary.solved, summary.new) == (4, 4, 3, 4)
    assert summary.success_rate == 0.75 and summary.mean_tokens == 7 and summary.complete
    header, *records = lines(results)
    assert header["kind"] == "header" and header["params"]["method"] == "io"
    assert {"breadth", "depth", "n_generate", "precision", "model", "check", "few_shot"} <= set(header["params"])
    assert [r["rank"] for r in records] == [1, 2, 3, 4]
    assert [r["ok"] for r in records] == [True, True, False, True]
    assert records[2]["answer"] == "1 + 1 + 3 + 8" and records[2]["reason"] == "equals 13, not 24"
    assert all(r["method"] == "io" and r["puzzle"] and r["seconds"] >= 0 and r["tokens"] == 7 for r in records)
    assert len(runs) == 1 and runs[0].summary["success_rate"] == 0.75 and runs[0].params["method"] == "io"
    assert summary.run_id == runs[0].id


def test_a_rerun_computes_only_the_new_puzzles(data, tmp_path):
    results = tmp_path / "io.jsonl"
    first = Game24LM()
    run_game24_eval(Game24EvalConfig(method="io", ranks="1-3"), data, results, lm=first)
    assert len(first.prompts) == 3
    second = Game24LM()
    seen: list[tuple[int, int, int | None]] = []
    summary = run_game24_eval(Game24EvalConfig(method="io", ranks="1-5", workers=1), data, results, lm=second,
                              progress=lambda done, total, r: seen.append((done, total, r and r.rank)))
    assert len(second.prompts) == 2
    assert (summary.done, summary.new, summary.skipped) == (5, 2, 3)
    assert seen == [(3, 5, None), (4, 5, 4), (5, 5, 5)]
    records = lines(results)
    assert [r["kind"] for r in records] == ["header"] + ["result"] * 5
    third = Game24LM()
    run_game24_eval(Game24EvalConfig(method="io", ranks="1-5"), data, results, lm=third)
    assert third.prompts == []


def test_a_line_cut_short_by_a_kill_is_redone(data, tmp_path):
    results = tmp_path / "io.jsonl"
    run_game24_eval(Game24EvalConfig(method="io", ranks="1-3"), data, results, lm=Game24LM())
    text = results.read_text(encoding="utf-8")
    results.write_text(text[: text.rindex('{"kind"') + 25], encoding="utf-8")  # the last line half written
    lm = Game24LM()
    summary = run_game24_eval(Game24EvalConfig(method="io", ranks="1-3"), data, results, lm=lm)
    assert len(lm.prompts) == 1 and summary.done == 3
    assert [r["rank"] for r in lines(results)[1:]] == [1, 2, 3]


def test_other_parameters_are_refused_for_the_same_file(data, tmp_path):
    results = tmp_path / "io.jsonl"
    run_game24_eval(Game24EvalConfig(method="io", ranks="1-2"), data, results, lm=Game24LM())
    with pytest.raises(EvalError, match="few_shot"):
        run_game24_eval(Game24EvalConfig(method="io", ranks="1-2", few_shot=True), data, results, lm=Game24LM())
    with pytest.raises(EvalError, match="method"):
        run_game24_eval(Game24EvalConfig(method="cot", ranks="1-2"), data, results, lm=Game24LM())


def test_a_damaged_results_file_is_an_error(data, tmp_path):
    results = tmp_path / "io.jsonl"
    results.write_text('{"kind": "header", "eval": "game24", "params": {}}\nnot json\n{"kind": "result"}\n')
    with pytest.raises(EvalError, match=":2: not a JSON line"):
        read_results(results)


def test_cot_sc_takes_the_majority(data, tmp_path):
    summary = run_game24_eval(Game24EvalConfig(method="cot-sc", ranks="1-4", samples=3), data,
                              tmp_path / "sc.jsonl", lm=Game24LM())
    records = lines(tmp_path / "sc.jsonl")[1:]
    assert [r["ok"] for r in records] == [True, True, False, True]
    assert all(r["any_ok"] for r in records) and summary.any_ok_rate == 1.0
    assert all(r["tokens"] == 21 for r in records)


def test_tot_solves_with_a_model_that_proposes_and_values_well(data, tmp_path):
    lm = Game24LM()
    summary = run_game24_eval(Game24EvalConfig(method="tot", ranks="1-6", breadth=2), data,
                              tmp_path / "tot.jsonl", lm=lm)
    assert summary.success_rate == 1.0 and summary.any_ok_rate == 1.0
    record = lines(tmp_path / "tot.jsonl")[1]
    tree = record["tree"]
    assert tree["depth"] == 3 and tree["candidates"] >= 1 and len(tree["best_path"]) == 3
    assert tree["nodes"] == tree["kept"] + tree["pruned"]
    assert tree["lost"] is None and len(tree["levels"]) == 2 and summary.lost is None  # nothing lost
    assert record["tokens"] > 0 and record["tokens"] % 20 == 0  # only the propose calls generate
    assert record["prompt_tokens"] is None  # a model without stats


def test_roles_give_the_generator_and_the_evaluator_their_own_models(data, tmp_path):
    base, propose, value = Game24LM(), Game24LM(), Game24LM()
    config = Game24EvalConfig(method="tot", ranks="1-1", breadth=1, adapters={"propose": "p1", "value": "v1"})
    summary = run_game24_eval(config, data, tmp_path / "tot.jsonl", lm=base, roles={"propose": propose, "value": value})
    assert summary.solved == 1 and base.prompts == []
    assert propose.prompts and all("List possible next steps" in p for p in propose.prompts)
    assert value.prompts and all("Can these numbers" in p for p in value.prompts)
    assert lines(tmp_path / "tot.jsonl")[0]["params"]["adapters"] == {"propose": "p1", "value": "v1"}
    with pytest.raises(ValueError, match="adapters"):
        run_game24_eval(config, data, tmp_path / "x.jsonl", lm=base)
    with pytest.raises(ValueError, match="adapters"):
        Game24EvalConfig(adapters={"judge": "x"})


def test_a_context_overflow_is_a_failed_puzzle_not_a_crash():
    class Overflowing(Game24LM):
        def complete(self, prompt, **kwargs):
            raise ContextOverflowError("the prompt is 900 tokens; the context window holds 512")

    result = solve_puzzle(Overflowing(), Puzzle(1, (1, 2, 3, 4)), Game24EvalConfig(method="cot"), plain_render)
    assert not result.ok and result.reason.startswith("context overflow")


@pytest.mark.parametrize(
    ("field", "value"),
    [("method", "guess"), ("breadth", 0), ("workers", 0), ("precision", "int3"), ("check", "maybe"),
     ("ranks", "10-1"), ("max_tokens", 0), ("budget_seconds", -1.0), ("evaluate", "scorer"),
     ("n_generate_root", 0), ("last_breadth", 0), ("root_breadth", 0)],
)
def test_config_rejects_bad_values_naming_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        Game24EvalConfig(**{field: value})


def test_results_names_tell_settings_apart():
    assert results_name(Game24EvalConfig()) == "game24-io-smollm2-135m-instruct-fp32.jsonl"
    tot = Game24EvalConfig(method="tot", breadth=1, model="/models/tiny", precision="bf16", few_shot=True)
    assert results_name(tot) == "game24-tot-b1-propose-value-repair-last25-few-shot-tiny-bf16.jsonl"
    spread = Game24EvalConfig(method="tot", n_generate=2, n_generate_root=5)
    assert "-repair-last25-n2-root5-" in results_name(spread)
    rooted = Game24EvalConfig(method="tot", n_generate_root=5)
    assert "-repair-last25-root5-smollm2" in results_name(rooted)
    wide_root = Game24EvalConfig(method="tot", n_generate_root=5, root_breadth=8)
    assert "-repair-last25-rootb8-root5-" in results_name(wide_root)
    papers = Game24EvalConfig(method="tot", last_breadth=None)
    assert "-b5-propose-value-repair-smollm2" in results_name(papers)
    quantized = Game24EvalConfig(method="cot", precision="int4")  # every engine precision
    assert results_name(quantized).endswith("-int4.jsonl")
    adapted = Game24EvalConfig(method="io", adapters={"answer": "io-v1"})
    assert results_name(adapted) == "game24-io-answer=io-v1-smollm2-135m-instruct-fp32.jsonl"


def test_an_empty_range_is_an_error(data, tmp_path):
    with pytest.raises(EvalError, match="no puzzles"):
        run_game24_eval(Game24EvalConfig(ranks="901-1000"), data, tmp_path / "r.jsonl", lm=Game24LM())


# -- end to end on the tiny model ------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_model_dir(tmp_path_factory)


@pytest.mark.parametrize("method", ["io", "cot", "cot-sc", "tot"])
def test_methods_run_end_to_end_on_the_tiny_model(method, tiny_dir, data, tmp_path):
    config = Game24EvalConfig(method=method, ranks="1-2", model=str(tiny_dir), max_tokens=12, samples=2, breadth=2)
    results = tmp_path / f"{method}.jsonl"
    summary = run_game24_eval(config, data, results)
    records = lines(results)
    assert records[0]["kind"] == "header" and records[0]["params"]["model"] == str(tiny_dir)
    assert [r["rank"] for r in records[1:]] == [1, 2] and summary.done == 2
    for record in records[1:]:
        assert isinstance(record["ok"], bool) and record["method"] == method
        assert record["tokens"] >= 0 and record["prompt_tokens"] > 0 and record["seconds"] > 0
        assert (record["tree"] is not None) == (method == "tot")


def test_worker_processes_give_the_same_results(tiny_dir, data, tmp_path):
    config = Game24EvalConfig(method="io", ranks="1-3", model=str(tiny_dir), max_tokens=6)
    alone = run_game24_eval(config, data, tmp_path / "one.jsonl")
    pooled = run_game24_eval(Game24EvalConfig(**{**config.__dict__, "workers": 2}), data, tmp_path / "two.jsonl")
    assert (alone.done, pooled.done) == (3, 3)

    def outputs(path: Path) -> dict[int, str]:
        return {r["rank"]: r["output"] for r in lines(path)[1:]}

    assert outputs(tmp_path / "one.jsonl") == outputs(tmp_path / "two.jsonl")  # greedy: worker-independent


def test_a_worker_that_dies_is_one_clear_error_and_keeps_what_was_done(tiny_dir, data, tmp_path):
    broken = tmp_path / "broken-model"
    shutil.copytree(tiny_dir, broken)
    for weights in broken.glob("*.safetensors"):
        weights.write_bytes(weights.read_bytes()[:100])  # every worker's load fails
    config = Game24EvalConfig(method="io", ranks="1-3", model=str(broken), max_tokens=6, workers=2)
    with pytest.raises(EvalError, match="a worker process failed to load the model or died"):
        run_game24_eval(config, data, tmp_path / "r.jsonl")
    assert [r["kind"] for r in lines(tmp_path / "r.jsonl")] == ["header"]  # resumable: the header is intact


def test_worker_processes_load_the_adapters_of_their_roles(tiny_dir, data, tmp_path):
    from agent.adapters import AdapterStore
    from agent.home import KigiHome
    from llm.engine import Engine
    from llm.lora import LoRAConfig, adapters_of

    home = KigiHome(tmp_path / "home").ensure()
    engine = Engine.load(tiny_dir)
    adapters = adapters_of(engine.model)
    adapters.add("loud", LoRAConfig(rank=2, alpha=4, targets=("q", "v")), seed=0)
    with torch.no_grad():
        for param in adapters.parameters("loud"):
            param.normal_(std=0.5)
    adapters.save("loud", AdapterStore.of(home).path_for("loud"))
    config = Game24EvalConfig(method="io", ranks="1-3", model=str(tiny_dir), max_tokens=6, adapters={"answer": "loud"})
    alone = run_game24_eval(config, data, tmp_path / "one.jsonl", home=home.root)
    pooled = run_game24_eval(Game24EvalConfig(**{**config.__dict__, "workers": 2}), data, tmp_path / "two.jsonl",
                             home=home.root)
    plain = run_game24_eval(Game24EvalConfig(method="io", ranks="1-3", model=str(tiny_dir), max_tokens=6), data,
                            tmp_path / "plain.jsonl")
    assert (alone.done, pooled.done, plain.done) == (3, 3, 3)

    def outputs(path: Path) -> dict[int, str]:
        return {r["rank"]: r["output"] for r in lines(path)[1:]}

    assert outputs(tmp_path / "one.jsonl") == outputs(tmp_path / "two.jsonl")
    assert outputs(tmp_path / "one.jsonl") != outputs(tmp_path / "plain.jsonl"), "the adapter was not applied"


class DeadEndProposer(Game24LM):
    """Proposes only steps after which 24 can no longer be reached; in the paper's setting
    (`liar`) it also claims its last step made 24 and writes a wrong final expression."""

    def __init__(self, liar: bool = False) -> None:
        super().__init__()
        self.liar = liar

    def complete(self, prompt, *, n=1, max_tokens=128, temperature=0.0, stop=(), seed=None, rule=None):
        self.prompts.append(prompt)
        if prompt.startswith("Game of 24. Numbers:") and "Steps:" in prompt:  # the final answer
            numbers = _numbers(prompt, r"Numbers: ([\d ]+)\n")
            return [Completion(f"Answer: {numbers[0]} + {numbers[1]} = 24", 9)]  # leaves numbers out
        numbers = _numbers(prompt, r"Numbers: ([\d/ -]+)\n")
        dead = [s for s in next_steps(numbers) if not solvable(s.left)]
        text = "\n".join(s.line() for s in dead[:4])
        if self.liar and len(numbers) == 2 and dead:
            a, b = numbers
            text = f"{a} + {b} = 24 (left: 24)"  # wrong arithmetic, passed on unchecked
        return [Completion(text, 20)]


@pytest.mark.parametrize("setting", [
    {"check": "repair"},  # kigi's default: the calculator rewrites each step, composed answers
    {"check": "drop"},  # the setting (b): the calculator drops a wrong step
    {"check": "none", "answer": "model", "n_evaluate": 3},  # the paper's shape
])
@pytest.mark.parametrize("liar", [False, True])
def test_a_proposer_of_dead_ends_solves_nothing_in_either_setting(setting, liar, data, tmp_path):
    """Whatever the value model says, a search can only be as good as the steps it is
    offered; in the paper's setting a wrong final expression is caught by the verifier."""
    config = Game24EvalConfig(method="tot", ranks="1-6", breadth=5, **setting)
    summary = run_game24_eval(config, data, tmp_path / "tot.jsonl", lm=DeadEndProposer(liar))
    assert summary.solved == 0 and summary.any_ok_rate == 0.0
