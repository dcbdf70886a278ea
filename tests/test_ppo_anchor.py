"""PPO's anchors (InstructGPT's PPO-ptx, `llm.train.anchor`): the loss is the textbook
negative log-likelihood of the anchored answers, every anchor is used before any repeats,
and a run given anchors keeps them likely while the reward pulls the other way."""

from __future__ import annotations

import json

import pytest
import torch
import torch.nn.functional as F
from typer.testing import CliRunner

from agent.adapters import chat_render
from cli import app
from llm.generate import generate_ids
from llm.loops import loop_end
from llm.lora import LoRAConfig, adapters_of
from llm.sampling import SamplingConfig
from llm.train.anchor import (
    ANCHORS_FILE,
    AnchorConfig,
    Anchors,
    anchor_loss,
    answered_anchors,
    save_anchors,
    seeded_walk,
)
from llm.train.loop import DataError, TrainConfig, TrainingError
from llm.train.ppo import PPOConfig, PPORun
from tests.test_ppo import PROMPTS, TEMPLATE, ppo_run, sharpened, shorter_is_better
from tests.test_reward import write_jsonl

pytestmark = pytest.mark.usefixtures("one_thread")


def test_the_anchor_loss_is_the_mean_negative_log_likelihood_of_the_answer_tokens(model_dir):
    run = ppo_run(sharpened(model_dir), iterations=1)
    anchors = Anchors.of([run.queries[0], run.queries[1]], [[21, 22, 23], [30, 31]])
    batch = anchors.for_step(0, 2, seed=0)
    with torch.no_grad():
        got = anchor_loss(run.model, batch)
        nlls = []
        for query, answer in zip(anchors.queries, anchors.responses, strict=True):
            ids = torch.tensor([list(query) + list(answer)])
            logits = run.model(ids)[0, len(query) - 1:-1]
            nlls.append(F.cross_entropy(logits.float(), torch.tensor(answer), reduction="none"))
    torch.testing.assert_close(got, torch.cat(nlls).mean(), rtol=1e-5, atol=1e-5)  # per token, not per answer


def test_the_walk_uses_every_item_once_before_any_repeats_and_is_the_same_for_everyone():
    walk = seeded_walk(7, seed=3, begin=0, end=21)
    for begin in (0, 7, 14):
        assert sorted(walk[begin:begin + 7]) == list(range(7))
    assert walk[5:12] == seeded_walk(7, seed=3, begin=5, end=12)  # a resumed run walks on where it stopped
    assert walk != seeded_walk(7, seed=4, begin=0, end=21)


def test_the_reference_answers_each_anchor_prompt_as_a_lone_seeded_decode_and_loops_are_dropped(model_dir):
    engine = sharpened(model_dir)
    stops = TEMPLATE.stop_tokens(engine.tokenizer)
    queries = [chat_render(engine.tokenizer, TEMPLATE)([{"role": "user", "content": p}], True) for p in PROMPTS]
    for temperature in (0.0, 1.0):  # greedy; sampled (the default), answer i seeded with seed + i
        anchors, dropped = answered_anchors(engine.model, queries, stops, max_new_tokens=40,
                                            temperature=temperature, seed=5)
        alone = []
        for i, query in enumerate(queries):
            lone = SamplingConfig(max_new_tokens=40, temperature=temperature, seed=5 + i, stop_token_ids=tuple(stops))
            alone.append([step[0] for step in generate_ids(engine.model, query, lone) if step[0] is not None])
        kept = [answer for answer in alone if loop_end([t for t in answer if t not in stops], 32) is None]
        assert [list(a) for a in anchors.responses] == kept and dropped == len(PROMPTS) - len(kept)


def anchored_run(engine, anchor_coef: float, seed: int = 0, resume_from=None, apart: bool = False) -> PPORun:
    """Shorter answers rewarded; anchors: the plain base's greedy answers, at full length."""
    return PPORun.prepare(engine.model, chat_render(engine.tokenizer, TEMPLATE), PROMPTS, "policy",
                          shorter_is_better, LoRAConfig(rank=4, alpha=8, targets="all"),
                          PPOConfig(iterations=4, prompts_per_iteration=4, samples_per_prompt=4, max_new_tokens=12,
                                    ppo_epochs=2, minibatch_size=8, kl_coef=0.01,
                                    anchor=AnchorConfig(coef=anchor_coef, max_tokens=12, apart=apart)),
                          TrainConfig(lr=2e-2, seed=seed), stop_token_ids=TEMPLATE.stop_tokens(engine.tokenizer),
                          anchor_prompts=[f"Tell me about {w}." for w in ("cats", "rain", "tea", "maps", "jazz")],
                          resume_from=resume_from)


def test_a_run_with_anchors_keeps_them_likely_while_the_reward_pulls_away(model_dir):
    """Same seed, same rewards: with the anchors' loss on, the policy ends with the anchored
    answers likelier than it started and than the same run with the loss off leaves them."""
    anchored, plain = anchored_run(sharpened(model_dir), 1.0), anchored_run(sharpened(model_dir), 0.0)
    assert anchored.anchors == plain.anchors and len(anchored.anchors) + anchored.anchors_dropped == 5
    everything = anchored.anchors.for_step(0, len(anchored.anchors), seed=0)

    def nll(run) -> float:
        adapters_of(run.model).activate(run.adapter)
        with torch.no_grad():
            return anchor_loss(run.model, everything).item()

    start = nll(anchored)
    result = anchored.fit()
    plain.fit()
    assert all(h.anchor_nll > 0 for h in result.iterations)
    assert nll(anchored) < 0.8 * start
    assert nll(anchored) < nll(plain)
    info = anchored.run_info()["anchors"]
    assert info == {"count": len(anchored.anchors), "dropped": anchored.anchors_dropped,
                    "sha256": anchored.anchors.sha256()}
    assert anchored.card()["anchors"] == info and ppo_run(sharpened(model_dir), iterations=1).card()["anchors"] is None


def test_anchors_kept_apart_are_held_without_outweighing_ppo(model_dir):
    """`AnchorConfig.apart`: each step adds the anchors' gradient after PPO's clip, never more
    than its coef × PPO's norm; they are still kept likely (NLL 4.0-4.3 -> 1.2-1.8 against
    4.8-7.0 with the loss off, five seeds)."""
    apart, plain = (anchored_run(sharpened(model_dir), coef, apart=True) for coef in (1.0, 0.0))
    everything = apart.anchors.for_step(0, len(apart.anchors), seed=0)

    def nll(run) -> float:
        adapters_of(run.model).activate(run.adapter)
        with torch.no_grad():
            return anchor_loss(run.model, everything).item()

    start, steps = nll(apart), []
    result = apart.fit(on_step=steps.append)
    plain.fit()
    assert all(step.metrics["apart_grad_norm"] > 0 for step in steps)
    assert all(h.anchor_grad_norm > 0 and h.grad_norm > 0 for h in result.iterations)
    assert nll(apart) < 0.6 * start and nll(apart) < nll(plain)


def test_a_resumed_run_reads_its_anchors_back_instead_of_answering_again(model_dir, tmp_path, monkeypatch):
    first = anchored_run(sharpened(model_dir), 1.0)

    def stop_after_one(info) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        first.fit(checkpoint_dir=tmp_path, resume=True, on_iteration=stop_after_one)
    monkeypatch.setattr("llm.train.anchor.answered_anchors", lambda *a, **k: pytest.fail("answered again"))
    resumed = anchored_run(sharpened(model_dir), 1.0, resume_from=tmp_path)
    assert resumed.anchors == first.anchors and resumed.anchors_dropped == first.anchors_dropped
    result = resumed.fit(checkpoint_dir=tmp_path, resume=True)  # the checkpoint takes them as its own
    assert [h.iteration for h in result.iterations] == [1, 2, 3, 4]

    other = tmp_path / "other"
    save_anchors(other, Anchors.of([[1, 2, 3]], [[4]]), dropped=4)
    with pytest.raises(TrainingError, match="anchors of other prompts"):
        anchored_run(sharpened(model_dir), 1.0, resume_from=other)
    (other / ANCHORS_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="not a run's anchors"):
        anchored_run(sharpened(model_dir), 1.0, resume_from=other)


def test_bad_anchors_are_refused():
    with pytest.raises(DataError, match="empty answer"):
        Anchors.of([[1, 2]], [[]])
    with pytest.raises(DataError, match="as many answers as prompts"):
        Anchors.of([[1, 2], [3]], [[4]])
    with pytest.raises(DataError, match="at least one"):
        Anchors.of([], [])
    with pytest.raises(ValueError, match="per step"):
        Anchors.of([[1]], [[2]]).for_step(0, 0, seed=0)
    for bad in ({"per_step": 0}, {"max_tokens": 0}, {"coef": -1.0}, {"temperature": float("nan")}):
        with pytest.raises(ValueError, match="AnchorConfig"):
            AnchorConfig(**bad)


def test_train_ppo_with_anchors_command(tiny_home, tmp_path):
    truth = write_jsonl(tmp_path / "truth.jsonl", [{"question": p, "answers": ["fox"]} for p in PROMPTS[:4]])
    prompts, anchors = tmp_path / "prompts.txt", tmp_path / "everyday.txt"
    prompts.write_text("\n".join(PROMPTS[:4]), encoding="utf-8")
    anchors.write_text("Tell me about cats.\nWhy is the sky blue?\nHow do I boil an egg?\n", encoding="utf-8")
    args = ["train", "ppo", "--reward", f"truth:{truth}", "--prompts", str(prompts), "--adapter", "kept", "-m",
            "tiny", "--iterations", "1", "--batch-prompts", "2", "--samples", "2", "--max-new-tokens", "6",
            "--ppo-epochs", "1", "--minibatch", "4", "--json"]
    result = CliRunner().invoke(app, [*args, "--anchors", str(anchors), "--anchor-coef", "0.5",
                                         "--anchor-max-tokens", "8", "--anchors-apart"])
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout.strip().splitlines()[-1])
    assert card["anchors"]["count"] + card["anchors"]["dropped"] == 3 and card["ppo_config"]["anchor"]["coef"] == 0.5
    assert card["ppo_config"]["anchor"]["apart"] is True and card["ppo_config"]["anchor"]["max_tokens"] == 8
    assert "anchor NLL" in result.output and "anchors (" in result.output
    missing = CliRunner().invoke(app, [*args[:6], "--adapter", "other", *args[8:], "--anchors", "nope.txt"])
    assert missing.exit_code == 1 and "no such prompt file: nope.txt" in missing.output
    assert "Traceback" not in missing.output and "iterations of" not in missing.output
