"""Constrained decoding: token filters in the decode loops, text rules over a real
tokenizer, and the Game of 24 rule that holds a step's `(left: …)` to its count."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from agent.evals import Game24EvalConfig, results_name
from agent.lm import EngineLM
from agent.tasks.game24.replies import LeftListRule, close, number_or_close, parse_step
from agent.tasks.game24.task import Game24Task
from agent.tot import Completion
from agent.tot.thoughts import ThoughtGenerator
from llm.config import ModelConfig
from llm.engine import Engine
from llm.generate import generate_ids, generate_ragged_ids
from llm.model import Transformer
from llm.sampling import SamplingConfig
from tests.test_generate import collect
from tests.tiny import save_tiny_chat_model

PROMPTS = [[1, 2, 3], [4, 5], [6, 7, 8, 9], [10]]
EVEN = torch.arange(64) % 2 == 0


@pytest.fixture(scope="module")
def model() -> Transformer:
    torch.manual_seed(0)
    return Transformer(ModelConfig(vocab_size=64, d_model=32, n_layer=2, n_head=4, n_kv_head=2,
                                   max_seq_len=96)).eval()


def even_after_two(ids: list[int]) -> torch.Tensor | None:
    """From the third token on, only even ids."""
    return EVEN if len(ids) >= 2 else None


@pytest.mark.parametrize("sampling", [SamplingConfig(max_new_tokens=12),
                                      SamplingConfig(max_new_tokens=12, temperature=1.0, seed=4)])
def test_filtered_rows_keep_to_their_tokens_and_the_others_decode_as_before(model, sampling) -> None:
    free = collect(generate_ragged_ids(model, PROMPTS, sampling), len(PROMPTS))
    filters = [even_after_two, None, even_after_two, None]
    kept = collect(generate_ragged_ids(model, PROMPTS, sampling, filters=filters), len(PROMPTS))
    for row, f in enumerate(filters):
        if f is None:
            assert kept[row] == free[row]
        else:
            assert kept[row][:2] == free[row][:2] and all(t % 2 == 0 for t in kept[row][2:])
    assert any(t % 2 for row in (0, 2) for t in free[row][2:])  # the filter had work to do
    one = collect(generate_ids(model, PROMPTS[0], sampling, n=2, token_filter=even_after_two), 2)
    assert all(t % 2 == 0 for row in one for t in row[2:])
    everything = collect(generate_ids(model, PROMPTS[0], sampling, token_filter=lambda ids: EVEN | ~EVEN), 1)
    assert everything[0] == collect(generate_ids(model, PROMPTS[0], sampling), 1)[0]


def test_filters_must_match_the_prompts(model) -> None:
    with pytest.raises(ValueError, match="token filters"):
        next(generate_ragged_ids(model, PROMPTS, SamplingConfig(max_new_tokens=2), filters=[None]))


def digits_only(token: str) -> bool:
    return token.strip().isdigit()


def digits_after_one_token(text: str):
    return digits_only if text else None


def test_a_text_rule_reaches_the_decoder_through_the_engine_and_the_search_model(tmp_path: Path) -> None:
    engine = Engine.load(save_tiny_chat_model(tmp_path))
    lm = EngineLM(engine)
    prompts = ["2 + 2 =", "Hello"]
    free = lm.complete_each(prompts, max_tokens=8)
    ruled = lm.complete_each(prompts, max_tokens=8, rules=[digits_after_one_token, None])
    assert ruled[1] == free[1]
    first = engine.tokenizer.decode(engine.tokenizer.encode(free[0].text)[:1])
    assert ruled[0].text.startswith(first) and ruled[0].text[len(first):].replace(" ", "").isdigit()
    assert ruled[0].text != free[0].text
    assert engine.text_filters([digits_after_one_token])[0]([]) is None
    for sample in lm.complete(prompts[0], n=2, max_tokens=8, temperature=1.0, seed=1, rule=digits_after_one_token):
        assert sample.text[len(engine.tokenizer.decode(engine.tokenizer.encode(sample.text)[:1])):] \
            .replace(" ", "").isdigit()
    mask = engine.text_filters([digits_after_one_token])[0](engine.tokenizer.encode("1"))
    assert mask is not None and mask.shape == (engine.model.config.vocab_size,)
    assert bool(mask[engine.tokenizer.encode("7")[0]]) and not bool(mask[engine.tokenizer.encode("a")[0]])


@pytest.mark.parametrize(("count", "text", "kind"), [
    (1, "8 * 3 = 24 (left: 24", number_or_close),  # one number listed: only its digits or `)`
    (1, "8 * 3 = 24 (left: 24 ", close),
    (1, "8 * 3 = 24 (left: ", None),  # nothing listed yet
    (2, "4 + 8 = 12 (left: 12", None),  # one of two
    (2, "4 + 8 = 12 (left: 12 3", number_or_close),
    (1, "8 * 3 = 24 (left: 24)\n8 + 3 = 11", None),  # a new line, no list yet
    (1, "8 * 3 = 24 (left: 24)", None),  # closed
])
def test_the_left_list_rule_stops_at_the_count_a_step_leaves(count: int, text: str, kind) -> None:
    assert LeftListRule(count)(text) is kind


def test_after_the_last_number_only_its_digits_or_the_closing_bracket_may_follow() -> None:
    assert [t for t in ("4", "/3", ")", ")\n", "8)", " 8", " ", "4 ", ",") if number_or_close(t)] == \
        ["4", "/3", ")", ")\n", "8)"]
    assert [t for t in (")", " )", " 8", "4") if close(t)] == [")", " )"]


def test_the_task_asks_for_the_rule_only_when_guarded_and_with_the_count_left() -> None:
    assert Game24Task("3 8 4 6").format_rule("") is None
    guarded = Game24Task("3 8 4 6", left_guard=True)
    assert guarded.format_rule("") == LeftListRule(3)
    state = "4 * 6 = 24 (left: 3 8 24)\n8 / 8 = 1 (left: 1 24)\n"
    assert parse_step(state.splitlines()[0]) is not None
    assert guarded.format_rule(state) == LeftListRule(1)
    assert guarded.format_rule(state + "24 * 1 = 24 (left: 24)\n") is None  # one number: no step left


class RecordingLM:
    """Answers every proposal with one step line and records the rules it was given."""

    def __init__(self) -> None:
        self.rules: list[object] = []

    def complete(self, prompt, *, n=1, max_tokens=128, temperature=0.0, stop=(), seed=None, **ruled):
        self.rules.append(ruled.get("rule"))
        return [Completion("4 * 6 = 24 (left: 3 8 24)", 9)] * n

    def complete_each(self, prompts, *, max_tokens=128, temperature=0.0, stop=(), seed=None, **ruled):
        self.rules.append(ruled.get("rules"))
        return [Completion("3 * 8 = 24 (left: 24 24)", 9) for _ in prompts]


@pytest.mark.parametrize("guard", [False, True])
def test_the_search_hands_the_task_s_rule_to_the_model_at_every_proposal(guard: bool) -> None:
    lm, task = RecordingLM(), Game24Task("3 8 4 6", left_guard=guard)
    generator = ThoughtGenerator(lm, mode="propose")
    [child] = generator.generate(task, "", n=1)
    generator.generate_each(task, [child])
    assert lm.rules == ([LeftListRule(3), [LeftListRule(2)]] if guard else [None, None])


def test_the_guard_is_a_tot_setting_and_names_its_results_file() -> None:
    assert "left-guard" in results_name(Game24EvalConfig(method="tot", left_guard=True))
    assert "left-guard" not in results_name(Game24EvalConfig(method="tot"))
    with pytest.raises(ValueError, match="left_guard"):
        Game24EvalConfig(method="cot", left_guard=True)


@pytest.mark.parametrize(("method", "check", "asked", "guarded"), [
    ("tot", "drop", None, True),  # nothing else keeps the model's bookkeeping
    ("tot", "repair", None, False),  # the calculator rewrites the list
    ("tot", "none", None, False),  # the paper's shape: the text as written
    ("tot", "drop", False, False),
    ("tot", "repair", True, True),
    ("io", "drop", None, False),
])
def test_the_guard_defaults_on_with_the_drop_check_only(method: str, check: str, asked: bool | None,
                                                        guarded: bool) -> None:
    config = Game24EvalConfig(method=method, check=check, left_guard=asked)  # type: ignore[arg-type]
    assert config.left_guard is guarded
    assert ("left-guard" in results_name(config)) is guarded
