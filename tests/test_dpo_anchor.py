"""DPO's anchors (`llm.train.anchor`, as PPO's): each micro-batch carries its share of its
optimizer step's anchors, a run given anchors keeps them likely while the preferences pull
the other way, an interrupted run resumes with the same anchors, and the command takes them."""

from __future__ import annotations

import json

import pytest
import torch
from typer.testing import CliRunner

from cli import app
from llm.lora import LoRAConfig, adapters_of
from llm.train.anchor import ANCHORS_FILE, AnchorConfig, AnchoredBatches, Anchors, anchor_loss
from llm.train.dpo import DPOConfig, DPORun
from llm.train.drift import DriftConfig
from llm.train.loop import ListBatches, TrainConfig
from tests.test_dpo import render_of, sharpened
from tests.test_reward import length_preferences, write_jsonl

pytestmark = pytest.mark.usefixtures("one_thread")

EVERYDAY = [f"Tell me about {w}." for w in ("cats", "rain", "tea", "maps", "jazz")]


def test_each_micro_batch_carries_its_share_of_its_steps_anchors():
    anchors = Anchors.of([[1, 2], [3], [4, 5, 6], [7]], [[10, 11], [12], [13], [14, 15]])
    config = AnchorConfig(per_step=3)
    batches = AnchoredBatches(ListBatches(list("abcde"), seed=None), anchors, config, grad_accum=2, seed=4)
    for epoch in (0, 1):
        got = batches.epoch(epoch)
        assert [batch for batch, _ in got] == list("abcde")
        steps = [(0, 2), (2, 4), (4, 5)]  # micro-batches of each optimizer step; the last step has one
        for number, (begin, end) in enumerate(steps):
            expected = anchors.parts(epoch * 3 + number, 3, end - begin, seed=4)
            for got_part, want in zip([part for _, part in got[begin:end]], expected, strict=True):
                assert torch.equal(got_part.input_ids, want.input_ids) and torch.equal(got_part.mask, want.mask)
        assert sum(len(part) for _, part in got[:2]) == 3 and len(got[4][1]) == 3
    again = batches.epoch(1)[0][1]  # asked twice, the same
    assert again.input_ids.tolist() == batches.epoch(1)[0][1].input_ids.tolist()
    assert [part for _, part in AnchoredBatches(ListBatches([1, 2], None), None, config, 1, 0).epoch(0)] == [None, None]


def anchored_dpo(model_dir, coef: float, apart: bool = False, resume_from=None, **train) -> DPORun:
    """Shorter answers preferred; anchors: the plain base's sampled answers, at full length."""
    engine = sharpened(model_dir)
    config = {**dict(lr=3e-3, max_steps=24, warmup_steps=2, seed=0, eval_every=0), **train}
    return DPORun.prepare(engine.model, render_of(engine), length_preferences(48), "dpo",
                          LoRAConfig(rank=4, alpha=8, targets="all"),
                          DPOConfig(beta=0.1, batch_size=8, seq_len=64, eval_fraction=0.25,
                                    anchor=AnchorConfig(coef=coef, max_tokens=12, apart=apart)),
                          TrainConfig(**config), drift=DriftConfig(max_new_tokens=8), anchor_prompts=EVERYDAY,
                          resume_from=resume_from)


def anchors_nll(run: DPORun) -> float:
    everything = run.anchors.for_step(0, len(run.anchors), seed=0)
    with torch.no_grad(), adapters_of(run.model).using(run.adapter):
        return anchor_loss(run.model, everything).item()


@pytest.mark.parametrize("apart", [False, True])
def test_a_dpo_run_with_anchors_keeps_them_likely_while_the_preferences_pull_away(model_dir, apart):
    anchored, plain = anchored_dpo(model_dir, 1.0, apart), anchored_dpo(model_dir, 0.0, apart)
    assert anchored.anchors == plain.anchors and len(anchored.anchors) + anchored.anchors_dropped == len(EVERYDAY)
    start = anchors_nll(anchored)
    result = anchored.fit()
    plain.fit()
    assert all(step.metrics["anchor_nll"] > 0 for step in result.history)
    assert ("apart_grad_norm" in result.history[0].metrics) is apart
    # four seeds: start 4.0-4.3, kept 3.2-3.5, without the anchors' loss 5.0-6.2
    assert anchors_nll(anchored) < 0.9 * start and anchors_nll(anchored) < anchors_nll(plain)
    assert plain.evaluations[-1]["accuracy"] >= 0.9 and anchored.evaluations[-1]["accuracy"] >= 0.9  # DPO still learns
    card = anchored.card()
    assert card["dpo_config"]["anchors"] == {"count": len(anchored.anchors), "dropped": anchored.anchors_dropped,
                                             "sha256": anchored.anchors.sha256()}
    assert card["dpo_config"]["anchor"]["apart"] is apart


def test_an_interrupted_dpo_run_resumes_with_its_anchors_read_back(model_dir, tmp_path, monkeypatch):
    first = anchored_dpo(model_dir, 1.0, checkpoint_every=2)

    seen = []

    def stop_at_three(info) -> None:
        seen.append(info.loss)
        if info.step == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        first.fit(checkpoint_dir=tmp_path, on_step=stop_at_three)
    assert (tmp_path / ANCHORS_FILE).is_file() and (tmp_path / "trainer").is_dir()
    monkeypatch.setattr("llm.train.anchor.answered_anchors", lambda *a, **k: pytest.fail("answered again"))
    resumed = anchored_dpo(model_dir, 1.0, resume_from=tmp_path, checkpoint_every=2)
    assert resumed.anchors == first.anchors
    result = resumed.fit(checkpoint_dir=tmp_path, resume=True)
    assert result.steps == 24 and [h.step for h in result.history] == list(range(1, 25))
    # steps 1-2 come from the checkpoint; step 3 is trained again on the same pairs and anchors
    assert [h.loss for h in result.history[:3]] == pytest.approx(seen, abs=1e-5)


def test_train_dpo_with_anchors_command(tiny_home, tmp_path):
    data = write_jsonl(tmp_path / "prefs.jsonl", length_preferences(24))
    everyday = tmp_path / "everyday.txt"
    everyday.write_text("\n".join(EVERYDAY[:3]) + "\n", encoding="utf-8")
    args = ["train", "dpo", "--data", str(data), "--adapter", "kept", "-m", "tiny", "--max-steps", "2",
            "--seq-len", "160", "--eval-fraction", "0.25", "--json"]
    result = CliRunner().invoke(app, [*args, "--anchors", str(everyday), "--anchor-coef", "0.5", "--anchors-apart",
                                      "--anchor-max-tokens", "8"])
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout.strip().splitlines()[-1])
    assert card["dpo_config"]["anchors"]["count"] + card["dpo_config"]["anchors"]["dropped"] == 3
    assert card["dpo_config"]["anchor"] == {"coef": 0.5, "per_step": 2, "max_tokens": 8, "temperature": 1.0,
                                            "apart": True}
    assert "anchors (" in result.output
    missing = CliRunner().invoke(app, [*args[:5], "other", *args[6:], "--anchors", "nope.txt"])
    assert missing.exit_code == 1 and "no such prompt file: nope.txt" in missing.output
    assert "Traceback" not in missing.output and "training pairs" not in missing.output
