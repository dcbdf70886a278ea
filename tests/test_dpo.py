"""DPO on tiny real models: the loss by hand, the reference being the base with the adapter
off, gradients into the adapter only, learning a preference, the command, and win rates."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from agent.adapters import AdapterStore, chat_render
from agent.pref_evals import PrefEvalError, WinRate, answer_with, parse_judge, win_rate
from agent.prompts import ChatTemplate
from cli import app
from llm.engine import Engine
from llm.lora import LoRAConfig, adapters_of
from llm.sampling import SamplingConfig
from llm.train.data import IGNORE_INDEX
from llm.train.dpo import DPOConfig, DPORun, dpo_loss, sequence_logprobs
from llm.train.drift import DriftConfig
from llm.train.loop import DataError, TrainConfig
from tests.test_reward import length_preferences, write_jsonl

pytestmark = pytest.mark.usefixtures("one_thread")  # tiny models: one thread each


def sharpened(model_dir: Path) -> Engine:
    """A random tiny base has near-uniform logits that an adapter can hardly move; a trained
    model's head is larger, as this one is made (as in the SFT test)."""
    engine = Engine.load(model_dir)
    with torch.no_grad():
        engine.model.lm_head.weight.mul_(20)
    return engine


def render_of(engine: Engine):
    return chat_render(engine.tokenizer, ChatTemplate(default_system=None))


def dpo_run(engine: Engine, records, name: str = "dpo", beta: float = 0.1, drift: DriftConfig | None = None,
            **train) -> DPORun:
    config = {**dict(lr=3e-3, max_steps=30, warmup_steps=2, seed=0, eval_every=10), **train}
    return DPORun.prepare(engine.model, render_of(engine), records, name, LoRAConfig(rank=4, alpha=8, targets="all"),
                          DPOConfig(beta=beta, batch_size=8, seq_len=64, eval_fraction=0.25), TrainConfig(**config),
                          drift=drift or DriftConfig(max_new_tokens=8))


def test_dpo_loss_matches_hand_computed_values():
    # pair 1: chosen gains 1 nat over the reference, rejected loses 1: β·(1 − (−1)) = 1 → log(1 + e^−1)
    # pair 2: no change at all: log 2
    loss, chosen, rejected = dpo_loss(torch.tensor([-1.0, -2.0]), torch.tensor([-3.0, -2.0]),
                                      torch.tensor([-2.0, -2.0]), torch.tensor([-2.0, -2.0]), beta=0.5)
    assert loss.item() == pytest.approx((0.3132617 + math.log(2)) / 2, abs=1e-6)
    assert chosen.tolist() == [0.5, 0.0] and rejected.tolist() == [-0.5, 0.0]
    assert not chosen.requires_grad


def test_sequence_logprobs_sum_the_answer_tokens_only(model_dir):
    engine = Engine.load(model_dir)
    ids = torch.tensor([[1, 5, 9, 30, 31, 40]])
    targets = torch.tensor([[IGNORE_INDEX, IGNORE_INDEX, 30, 31, 40, IGNORE_INDEX]])
    with torch.no_grad():
        logprobs = engine.model(ids)[0].log_softmax(-1)
        by_hand = logprobs[2, 30] + logprobs[3, 31] + logprobs[4, 40]
        assert sequence_logprobs(engine.model, ids, targets).item() == pytest.approx(by_hand.item(), abs=1e-5)


def test_the_reference_is_the_base_with_the_adapter_off(model_dir):
    engine = sharpened(model_dir)
    run = dpo_run(engine, length_preferences(16))
    micro = run.batches.epoch(0)[0]
    batch, anchors = micro
    assert anchors is None  # a run given no anchor prompts
    loss = run.loss_fn()
    with torch.no_grad():
        assert loss(micro).loss.item() == pytest.approx(math.log(2), abs=1e-6)  # a fresh adapter is the reference
        for param in adapters_of(engine.model).parameters("dpo"):
            param.normal_(0.0, 0.3)
        out = loss(micro)
        # the same numbers from a second, adapter-free copy of the base
        plain = sharpened(model_dir)
        ref_c, ref_r = batch.split(sequence_logprobs(plain.model, batch.both.input_ids, batch.both.targets))
        adapters_of(engine.model).activate("dpo")
        pol_c, pol_r = batch.split(sequence_logprobs(engine.model, batch.both.input_ids, batch.both.targets))
        expected, chosen, rejected = dpo_loss(pol_c, pol_r, ref_c, ref_r, beta=0.1)
    assert out.loss.item() == pytest.approx(expected.item(), abs=1e-5)
    assert out.metrics["margin"] == pytest.approx((chosen - rejected).mean().item(), abs=1e-4)
    assert out.loss.item() != pytest.approx(math.log(2), abs=1e-3)


def test_only_the_adapter_gets_gradients_and_the_base_stays_bit_identical(model_dir):
    engine = sharpened(model_dir)
    before = {k: v.clone() for k, v in engine.model.state_dict().items()}
    run = dpo_run(engine, length_preferences(16), max_steps=3)
    adapters = adapters_of(engine.model)
    adapters.activate("dpo")
    adapters.train_only("dpo")
    run.loss_fn()(run.batches.epoch(0)[0]).loss.backward()
    trained = {id(p) for p in adapters.parameters("dpo")}
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in adapters.parameters("dpo"))
    for name, param in engine.model.named_parameters():
        if id(param) not in trained:
            assert param.grad is None and not param.requires_grad, name
    for p in adapters.parameters("dpo"):
        p.grad = None
    run.fit()
    after = {k.replace(".base.", "."): v for k, v in engine.model.state_dict().items() if "lora_" not in k}
    assert all(torch.equal(after[k], v) for k, v in before.items())


def test_dpo_learns_to_prefer_the_raters_choice_on_held_out_prompts(model_dir):
    run = dpo_run(sharpened(model_dir), length_preferences(48))
    result = run.fit()
    first, last = run.evaluations[0], run.evaluations[-1]
    assert first["loss"] == pytest.approx(math.log(2), abs=1e-5) and first["margin"] == 0.0
    assert result.final_loss < 0.2 * result.initial_loss
    assert last["accuracy"] >= 0.9 and last["margin"] > 1.0, last
    # chosen answers gain probability relative to the rejected ones (both may fall: DPO moves the gap)
    assert last["chosen_reward"] > last["rejected_reward"]
    card = run.card()
    assert card["kind"] == "dpo" and card["dpo_config"]["beta"] == 0.1 and card["held_out"]["last"] == last
    kl = [h["kl"] for h in card["drift"]["history"]]
    assert [h["step"] for h in card["drift"]["history"]] == [10, 20, 30] and card["drift"]["stopped"] is None
    assert kl[-1] > kl[0] > 0  # drift is measured on the policy's own answers, and grows as it learns
    assert result.history[9].metrics["kl"] == pytest.approx(kl[0], abs=1e-4)


def test_dpo_stops_at_the_kl_bound_and_keeps_the_last_weights_within_it(model_dir):
    unbounded = dpo_run(sharpened(model_dir), length_preferences(48), drift=DriftConfig(every=2, max_new_tokens=8))
    unbounded.fit()
    history = unbounded.drift.history
    bound = (history[1]["kl"] + history[2]["kl"]) / 2  # passed between the 2nd and 3rd measurement

    run = dpo_run(sharpened(model_dir), length_preferences(48),
                  drift=DriftConfig(max_kl=bound, every=2, max_new_tokens=8))
    result = run.fit()
    assert result.steps == 6 < result.total_steps and "passed --max-kl" in result.stopped
    assert run.card()["result"]["stopped"] == result.stopped and "weights of step 4" in result.stopped
    # the held-out pairs are scored once more after the stop (eval_every is 10): the kept weights' figures
    assert result.history[-1].eval_loss is not None and result.final_eval_loss == result.history[-1].eval_loss
    assert [h["kl"] for h in run.drift.history] == [h["kl"] for h in history[:3]]  # the same measurements
    restored = run.drift.measure()  # step 4's weights are back
    assert restored == pytest.approx(history[1]["kl"], abs=1e-4) and restored <= bound
    with pytest.raises(ValueError, match="max_kl"):
        DriftConfig(max_kl=0)


def test_one_sided_data_is_refused_before_anything_is_attached(model_dir):
    engine = Engine.load(model_dir)
    same = [{**r, "rejected": r["chosen"]} for r in length_preferences(3)]
    with pytest.raises(DataError, match="one-sided"):
        dpo_run(engine, same)
    assert adapters_of(engine.model).names == []
    with pytest.raises(ValueError, match="DPOConfig.beta"):
        DPOConfig(beta=0)


# -- the command and win rates ------------------------------------------------------------------------
def test_train_dpo_command(tiny_home, tmp_path):
    data = write_jsonl(tmp_path / "prefs.jsonl", length_preferences(24))
    args = ["train", "dpo", "--data", str(data), "--adapter", "concise", "-m", "tiny", "--beta", "0.2",
            "--kl-every", "2", "--lr", "1e-3", "--max-steps", "4", "--seq-len", "160", "--eval-fraction", "0.25",
            "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout.strip().splitlines()[-1])
    assert card["kind"] == "dpo" and card["dpo_config"]["beta"] == 0.2 and card["result"]["steps"] == 4
    assert [h["step"] for h in card["drift"]["history"]] == [2, 4] and card["drift"]["config"]["max_kl"] is None
    assert (tiny_home.adapters / "concise" / "adapter_model.safetensors").is_file()
    assert AdapterStore.of(tiny_home).info("concise").training["kind"] == "dpo"

    one_sided = write_jsonl(tmp_path / "same.jsonl", [{**r, "rejected": r["chosen"]} for r in length_preferences(3)])
    bad = CliRunner().invoke(app, [*args[:3], str(one_sided), "--adapter", "other", "-m", "tiny"])
    assert bad.exit_code == 1 and "one-sided preference data" in bad.output


class ShorterJudge:
    """Prefers the shorter answer; records what it was shown, in order."""

    name = "shorter"

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, prompt, first, second):
        self.seen.append((first, second))
        return -float(len(first)), -float(len(second))


def test_win_rate_randomises_positions_and_counts_from_the_first_adapters_side(model_dir, tmp_path):
    engine = Engine.load(model_dir)
    store = AdapterStore(tmp_path / "adapters", bundled=None)
    adapters = adapters_of(engine.model)
    adapters.add("noisy", LoRAConfig(targets="all"), seed=0)
    with torch.no_grad():
        for param in adapters.parameters("noisy"):
            param.normal_(0.0, 0.5)
    adapters.save("noisy", store.path_for("noisy"))
    adapters.remove("noisy")
    prompts = [[{"role": "user", "content": f"What is {w}?"}] for w in ("fox", "dog", "Tokyo", "France", "tabs",
                                                                          "emoji", "class", "done")]
    sampling = SamplingConfig(max_new_tokens=12)
    judge = ShorterJudge()
    result = win_rate(engine, store, "noisy", "base", prompts, judge, sampling=sampling, seed=3)
    assert isinstance(result, WinRate) and len(result.matches) == 8
    assert {m.a_shown_first for m in result.matches} == {True, False}
    for match, (first, second) in zip(result.matches, judge.seen, strict=True):
        assert (first, second) == ((match.a, match.b) if match.a_shown_first else (match.b, match.a))
        expected = "tie" if len(match.a) == len(match.b) else "a" if len(match.a) < len(match.b) else "b"
        assert match.winner == expected
    summary = result.summary()
    assert summary["wins"] + summary["losses"] + summary["ties"] == 8
    assert summary["win_rate"] == pytest.approx((result.wins + 0.5 * result.ties) / 8)
    # the base's answers are those of a model that never had an adapter: no stale KV cache between adapters
    fresh = Engine.load(model_dir)
    plain = answer_with(fresh, store, None, prompts, sampling)
    assert [m.b for m in result.matches] == [text for text, _ in plain]
    assert adapters.active is None
    with pytest.raises(PrefEvalError, match="unknown judge"):
        parse_judge("vote:x", engine, store)
    with pytest.raises(PrefEvalError, match="no prompts"):
        win_rate(engine, store, "noisy", None, [], judge)
