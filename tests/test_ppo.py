"""PPO on tiny real models: GAE, the KL-penalised rewards and the clipped losses by hand,
rollout tensors against a plain forward pass, gradients into the adapter and value head
only, learning a preference, exact resume, the command, and the errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from agent.adapters import chat_render
from agent.prompts import ChatTemplate
from cli import app
from llm.engine import Engine
from llm.lora import LoRAConfig, LoRAError, adapters_of
from llm.sampling import SamplingConfig
from llm.train.data import IGNORE_INDEX
from llm.train.loop import DataError, TrainConfig
from llm.train.ppo import VALUE_HEAD_FILE, PPOConfig, PPORun
from llm.train.ppo_maths import gae, kl_penalized_rewards, ppo_policy_loss, ppo_value_loss, whiten
from llm.train.reward import RewardModel
from llm.train.rollouts import (
    RolloutBatch,
    logprobs_and_values,
    read_prompts,
    sample_rollouts,
    sequence_kl,
    shared_layout,
)
from llm.train.scalar_head import ScalarHead
from tests.test_reward import length_preferences, write_jsonl
from tests.tiny import save_tiny_chat_model

pytestmark = pytest.mark.usefixtures("one_thread")  # tiny models: one thread each

PROMPTS = [f"What is {w}?" for w in ("fox", "dog", "capital", "France", "Tokyo", "quick", "brown", "lazy")]


def sharpened(model_dir: Path) -> Engine:
    engine = Engine.load(model_dir)
    with torch.no_grad():  # a trained model's head is larger than a random one's (see the SFT test)
        engine.model.lm_head.weight.mul_(20)
    return engine


TEMPLATE = ChatTemplate(default_system=None)


def shorter_is_better(queries, responses):
    return [-len(r) / 12 for r in responses]


def ppo_run(engine: Engine, reward=shorter_is_better, prompts=PROMPTS, name: str = "policy", lr: float = 1e-2,
            seed: int = 0, init: Path | None = None, **ppo) -> PPORun:
    config = {**dict(iterations=30, prompts_per_iteration=4, samples_per_prompt=4, max_new_tokens=12, ppo_epochs=2,
                     minibatch_size=8, kl_coef=0.01), **ppo}
    return PPORun.prepare(engine.model, chat_render(engine.tokenizer, TEMPLATE), prompts, name, reward,
                          LoRAConfig(rank=4, alpha=8, targets="all"), PPOConfig(**config),
                          TrainConfig(lr=lr, seed=seed),
                          stop_token_ids=TEMPLATE.stop_tokens(engine.tokenizer), init=init)


# -- the maths by hand ------------------------------------------------------------------------------
def test_gae_matches_hand_computed_values():
    rewards = torch.tensor([[0.0, 0.0, 1.0], [0.5, 2.0, 7.0]])
    values = torch.tensor([[0.5, 0.2, 0.1], [1.0, 0.5, 9.0]])
    mask = torch.tensor([[True, True, True], [True, True, False]])  # row 2 has two tokens; its third is padding
    advantages, returns = gae(rewards, values, mask, gamma=0.9, lam=0.5)
    # row 1: δ2 = 1 − 0.1 = 0.9; δ1 = 0.9·0.1 − 0.2 = −0.11; δ0 = 0.9·0.2 − 0.5 = −0.32
    #        A2 = 0.9, A1 = −0.11 + 0.45·0.9 = 0.295, A0 = −0.32 + 0.45·0.295 = −0.18725
    # row 2: δ1 = 2 − 0.5 = 1.5 (V after the end is 0); δ0 = 0.5 + 0.9·0.5 − 1 = −0.05; A0 = −0.05 + 0.45·1.5
    torch.testing.assert_close(advantages, torch.tensor([[-0.18725, 0.295, 0.9], [0.625, 1.5, 0.0]]))
    torch.testing.assert_close(returns, torch.tensor([[0.31275, 0.495, 1.0], [1.625, 2.0, 0.0]]))
    undiscounted, _ = gae(rewards[:1], values[:1], mask[:1], gamma=1.0, lam=1.0)
    torch.testing.assert_close(undiscounted, torch.tensor([[0.5, 0.8, 0.9]]))  # Σ future r − V_t


def test_the_score_lands_on_the_last_token_and_kl_is_penalised_per_token():
    logprobs = torch.tensor([[-1.0, -2.0, -3.0], [-1.0, -1.0, 0.0]])
    ref = torch.tensor([[-1.5, -2.0, -2.0], [-2.0, -1.0, -5.0]])
    mask = torch.tensor([[True, True, True], [True, True, False]])
    rewards, kl = kl_penalized_rewards(torch.tensor([2.0, -1.0]), logprobs, ref, mask, kl_coef=0.1)
    torch.testing.assert_close(kl, torch.tensor([[0.5, 0.0, -1.0], [1.0, 0.0, 0.0]]))
    torch.testing.assert_close(rewards, torch.tensor([[-0.05, 0.0, 0.1 + 2.0], [-0.1, -1.0, 0.0]]))


def test_clipped_policy_and_value_losses_match_hand_computed_values():
    old = torch.zeros(1, 2)
    new = torch.log(torch.tensor([[1.5, 0.5]]))  # ratios 1.5 and 0.5
    mask = torch.ones(1, 2, dtype=torch.bool)
    # A = +1: max(−1.5, −1.2) = −1.2 (clipped), max(−0.5, −0.8) = −0.5
    loss, clipped = ppo_policy_loss(new, old, torch.ones(1, 2), mask, clip_range=0.2)
    assert loss.item() == pytest.approx(-0.85) and clipped.item() == pytest.approx(0.5)
    # A = −1: max(1.5, 1.2) = 1.5, max(0.5, 0.8) = 0.8 (clipped)
    loss, clipped = ppo_policy_loss(new, old, -torch.ones(1, 2), mask, clip_range=0.2)
    assert loss.item() == pytest.approx(1.15) and clipped.item() == pytest.approx(0.5)
    # V = 2 moved from 1, clipped to 1.2; R = 3: ½·max((2 − 3)², (1.2 − 3)²) = ½·3.24
    loss, clipped = ppo_value_loss(torch.tensor([[2.0]]), torch.tensor([[1.0]]), torch.tensor([[3.0]]),
                                   torch.ones(1, 1, dtype=torch.bool), clip_range=0.2)
    assert loss.item() == pytest.approx(1.62) and clipped.item() == 1.0
    white = whiten(torch.tensor([[1.0, 3.0, 100.0]]), torch.tensor([[True, True, False]]))
    torch.testing.assert_close(white, torch.tensor([[-1.0, 1.0, 0.0]]), atol=1e-6, rtol=0)


def test_batched_rollouts_equal_one_by_one_rollouts_token_for_token(model_dir):
    """Prompts of different lengths decoded as one left-padded batch give each answer the
    tokens it gets decoded alone with the same seed."""
    engine = sharpened(model_dir)
    render = chat_render(engine.tokenizer, TEMPLATE)
    queries = [render([{"role": "user", "content": text}], True)
               for text in ("What is fox?", "Say a long sentence about the quick brown dog, please.", "Hi")]
    sampling = SamplingConfig(max_new_tokens=8, temperature=1.0, seed=11)
    alone = sample_rollouts(engine.model, queries, sampling, samples=2, batch_rows=1)
    together = sample_rollouts(engine.model, queries, sampling, samples=2, batch_rows=6)
    partly = sample_rollouts(engine.model, queries, sampling, samples=2, batch_rows=4)
    assert len({tuple(map(tuple, r.responses)) for r in (alone, together, partly)}) == 1
    assert together.prompt_index == partly.prompt_index == [0, 0, 1, 1, 2, 2]
    assert together.queries == alone.queries and together.finished == alone.finished
    assert len({tuple(r) for r in together.responses}) > 1  # sampled, not one answer six times
    with pytest.raises(ValueError, match="batch_rows"):
        sample_rollouts(engine.model, queries, sampling, batch_rows=0)


def test_rollout_tensors_line_up_with_a_plain_forward_pass(model_dir):
    engine = sharpened(model_dir)
    query = chat_render(engine.tokenizer, TEMPLATE)([{"role": "user", "content": "What is fox?"}], True)
    rollouts = sample_rollouts(engine.model, [query, query[:5]], SamplingConfig(max_new_tokens=6, temperature=1.0,
                                                                                  seed=3), samples=2)
    assert len(rollouts) == 4 and rollouts.prompt_index == [0, 0, 1, 1]
    again = sample_rollouts(engine.model, [query, query[:5]], SamplingConfig(max_new_tokens=6, temperature=1.0,
                                                                               seed=3), samples=2)
    assert again.responses == rollouts.responses  # seeded
    batch = RolloutBatch.build(rollouts.queries, rollouts.responses)
    head = ScalarHead(engine.model.config.d_model, seed=0)
    with torch.no_grad():
        logprobs, values, _ = logprobs_and_values(engine.model, head, batch)
        for i, (q, r) in enumerate(zip(rollouts.queries, rollouts.responses, strict=True)):
            hidden = engine.model(torch.tensor([q + r]), return_hidden=True)[0]
            table = engine.model.logits(hidden).log_softmax(-1)
            expected = [table[len(q) - 1 + j, t].item() for j, t in enumerate(r)]
            assert logprobs[i, : len(r)].tolist() == pytest.approx(expected, abs=1e-5)
            assert values[i, : len(r)].tolist() == pytest.approx(head(hidden[len(q) - 1: len(q) - 1 + len(r)]).tolist(),
                                                                 abs=1e-5)
            assert not batch.mask[i, len(r):].any() and (batch.targets[i] != IGNORE_INDEX).sum() == len(r)
    assert sequence_kl(engine.model, None, rollouts.queries, rollouts.responses).abs().max() == 0  # π = πref


def test_responses_to_one_prompt_read_it_once_with_the_same_log_probs_values_and_entropy(model_dir):
    engine = sharpened(model_dir)
    render = chat_render(engine.tokenizer, TEMPLATE)
    first, second = (render([{"role": "user", "content": f"What is {w}?"}], True) for w in ("fox", "dog"))
    queries = [first, first, second, first]
    responses = [[5, 9, 11], [5, 7, 7, 3, 2], [12, 4, 8, 6], [30, 31]]
    batch = RolloutBatch.build(queries, responses)
    shared = shared_layout(batch)
    assert shared is not None and len(shared.input_ids) == 2  # two prompts, each read once
    assert shared.n_tokens < int((batch.input_ids != 0).sum())
    head = ScalarHead(engine.model.config.d_model, seed=0)
    with torch.no_grad():
        logprobs, values, entropy = logprobs_and_values(engine.model, head, batch, temperature=0.7, with_entropy=True)
        entropies = []
        for i, (q, r) in enumerate(zip(queries, responses, strict=True)):
            hidden = engine.model(torch.tensor([q + r]), return_hidden=True)[0]
            table = (engine.model.logits(hidden).float() / 0.7).log_softmax(-1)[len(q) - 1: len(q) - 1 + len(r)]
            assert logprobs[i, : len(r)].tolist() == pytest.approx(
                [table[j, t].item() for j, t in enumerate(r)], abs=1e-5)
            assert values[i, : len(r)].tolist() == pytest.approx(
                head(hidden[len(q) - 1: len(q) - 1 + len(r)]).tolist(), abs=1e-5)
            entropies += (-(table.exp() * table).sum(-1)).tolist()
        assert float(entropy) == pytest.approx(sum(entropies) / len(entropies), abs=1e-5)
        plain = logprobs_and_values(engine.model, head, batch, temperature=0.7, with_entropy=True, share=False)
    for ours, theirs in zip((logprobs, values, entropy), plain, strict=True):
        assert torch.allclose(ours, theirs, atol=1e-5)
    # nothing to share, or a one-token response (no input of its own): the plain layout
    assert shared_layout(RolloutBatch.build([first, second], responses[:2])) is None
    assert shared_layout(RolloutBatch.build([first, first], [[5], [5, 9]])) is None


# -- training --------------------------------------------------------------------------------------
def test_only_the_policy_adapter_and_value_head_learn(model_dir):
    engine = sharpened(model_dir)
    adapters = adapters_of(engine.model)
    adapters.add("rm", LoRAConfig(targets="all"), seed=1)
    with torch.no_grad():
        for param in adapters.parameters("rm"):
            param.normal_(0.0, 0.1)
    reward = RewardModel(engine.model, "rm", ScalarHead(engine.model.config.d_model, seed=2))
    before = {k: v.clone() for k, v in engine.model.state_dict().items()}
    run = ppo_run(engine, reward, iterations=2, lr=1e-3)
    rollouts = sample_rollouts(engine.model, run.queries[:2], run.sampling(), 2)
    adapters.activate("policy")
    adapters.train_only("policy")
    batch = run.score_rollouts(rollouts)
    run.loss(batch).loss.backward()
    trained = {id(p) for p in [*adapters.parameters("policy"), *run.value_head.parameters()]}
    assert all(p.grad is not None for p in run.value_head.parameters())
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in adapters.parameters("policy"))
    for name, param in engine.model.named_parameters():
        if id(param) not in trained:
            assert param.grad is None and not param.requires_grad, name
    for p in [*adapters.parameters("policy"), *run.value_head.parameters()]:
        p.grad = None
    result = run.fit()
    assert result.steps == 2 * run.config.steps_per_iteration == 8
    after = {k: v for k, v in engine.model.state_dict().items() if ".policy" not in k}
    assert all(torch.equal(after[k], v) for k, v in before.items())  # base and reward adapter alike
    assert adapters.active == "policy" and not any(p.requires_grad for p in engine.model.parameters())


def test_a_policy_started_from_an_adapter_is_kept_near_that_adapter(model_dir, tmp_path):
    """`init`: the policy starts as a copy of a saved adapter (a reader, say) and the KL
    penalty's reference is a frozen copy of it, so the first rollouts have KL 0 to it — not
    to the plain base, from which the adapter is far — and training moves only the copy."""
    donor = sharpened(model_dir)
    adapters_of(donor.model).add("reader", LoRAConfig(rank=4, alpha=8, targets="all"), seed=3)
    with torch.no_grad():
        for param in adapters_of(donor.model).parameters("reader"):
            param.normal_(0.0, 0.2)
    saved = adapters_of(donor.model).save("reader", tmp_path / "reader", base_name="tiny")
    run = ppo_run(sharpened(model_dir), init=saved, iterations=3, lr=2e-2)
    adapters = adapters_of(run.model)
    reference = {k: v.clone() for k, v in adapters.named_parameters("policy-reference").items()}
    start = {k: v.clone() for k, v in adapters.named_parameters("policy").items()}
    assert run.reference == "policy-reference" and run.init["name"] == "reader" and run.lora.rank == 4
    assert sorted(map(torch.Tensor.sum, start.values())) == sorted(map(torch.Tensor.sum, reference.values()))
    rollouts = sample_rollouts(run.model, run.queries[:2], run.sampling(), 2)
    to_base = sequence_kl(run.model, "policy", rollouts.queries, rollouts.responses)
    assert to_base.abs().max() > 0.1  # the adapter is far from the base it was trained on
    result = run.fit()
    assert result.iterations[0].kl == pytest.approx(0.0, abs=1e-4)  # π starts at its reference
    assert any(not torch.equal(start[k], v) for k, v in adapters.named_parameters("policy").items())
    assert all(torch.equal(v, reference[k]) for k, v in adapters.named_parameters("policy-reference").items())
    assert run.card()["init"] == run.init


def test_ppo_makes_the_answers_shorter_when_shorter_is_rewarded(model_dir):
    """A statistical criterion over several seeds: whether one run leaves the plateau of
    12-token answers within 30 iterations depends on the seed and on the CPU's float
    rounding (measured on one machine: 7 seeds of 8 did, by iteration 5-20). Two of five
    must halve their length; every run must stay finite and start at π = πref."""
    # lr 2e-2: on this random tiny base, 1e-2 needs more than 30 iterations to leave the plateau.
    halved = []
    for seed in range(5):
        result = ppo_run(sharpened(model_dir), lr=2e-2, seed=seed).fit()
        history = result.iterations
        lengths = [h.response_tokens for h in history]
        first, last = sum(lengths[:3]) / 3, sum(lengths[-3:]) / 3
        assert first > 10, lengths  # the base answers at (nearly) full length
        assert history[0].kl == pytest.approx(0.0, abs=1e-4)  # the first rollouts come from π = πref
        assert all(h.kl == h.kl and abs(h.kl) != float("inf") for h in history)  # finite
        assert result.summary()["iterations"] == 30
        if last < 0.5 * first:
            assert sum(h.score for h in history[-3:]) > sum(h.score for h in history[:3])
            halved.append(seed)
    assert len(halved) >= 2, f"only seeds {halved} of 0-4 made the answers shorter"


def test_a_resumed_run_ends_exactly_where_a_straight_run_does(model_dir, tmp_path):
    straight = ppo_run(sharpened(model_dir), iterations=4)
    straight.fit()
    expected = {k: v.clone() for k, v in adapters_of(straight.model).named_parameters("policy").items()}

    class Crash(Exception):
        pass

    def crash_after_2(info):
        if info.iteration == 2:
            raise Crash

    first = ppo_run(sharpened(model_dir), iterations=4)
    with pytest.raises(Crash):
        first.fit(checkpoint_dir=tmp_path / "ckpt", on_iteration=crash_after_2)
    torch.manual_seed(1234)
    again = ppo_run(sharpened(model_dir), iterations=4)
    seen = []
    result = again.fit(checkpoint_dir=tmp_path / "ckpt", resume=True, on_iteration=seen.append)
    assert [i.iteration for i in seen] == [3, 4] and [i.iteration for i in result.iterations] == [1, 2, 3, 4]
    got = adapters_of(again.model).named_parameters("policy")
    assert all(torch.equal(got[k], v) for k, v in expected.items())
    torch.testing.assert_close(again.value_head.proj.weight, straight.value_head.proj.weight, rtol=0, atol=0)


# -- bad input ---------------------------------------------------------------------------------------
def test_bad_prompts_and_reward_models_are_refused(model_dir, tmp_path):
    engine = Engine.load(model_dir)
    with pytest.raises(DataError, match="no prompts"):
        ppo_run(engine, prompts=[])
    with pytest.raises(DataError, match="prompt 2 is \\d+ tokens, which leaves no room .* 512 tokens"):
        ppo_run(engine, prompts=["hi", "fox " * 600])
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(DataError, match="no prompts"):
        read_prompts(empty)
    other = Engine.load(model_dir)
    adapters_of(other.model).add("rm", LoRAConfig(), seed=0)
    elsewhere = RewardModel(other.model, "rm", ScalarHead(other.model.config.d_model))
    with pytest.raises(LoRAError, match="must be loaded on the policy's model"):
        ppo_run(engine, elsewhere)
    adapters_of(engine.model).add("rm", LoRAConfig(), seed=0)
    with pytest.raises(LoRAError, match="cannot be the reward model itself"):
        ppo_run(engine, RewardModel(engine.model, "rm", ScalarHead(32)), name="rm")
    with pytest.raises(ValueError, match="PPOConfig.temperature"):
        PPOConfig(temperature=0)


def test_prompts_come_from_text_lines_chat_jsonl_or_a_preference_export(tmp_path):
    text = tmp_path / "p.txt"
    text.write_text("What is fox?\n\nAnd dog?\n", encoding="utf-8")
    assert read_prompts(text) == [[{"role": "user", "content": "What is fox?"}],
                                  [{"role": "user", "content": "And dog?"}]]
    prefs = write_jsonl(tmp_path / "prefs.jsonl", length_preferences(2) + [
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]},
        {"question": "why?"}])
    prompts = read_prompts(prefs)
    assert prompts[0] == length_preferences(2)[0]["prompt"] and prompts[2:] == [
        [{"role": "user", "content": "q"}], [{"role": "user", "content": "why?"}]]
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"answer": "x"}])
    with pytest.raises(DataError, match="bad.jsonl:1: expected a 'prompt'"):
        read_prompts(bad)


# -- the command -------------------------------------------------------------------------------------
def test_train_reward_then_ppo_commands(tiny_home, tmp_path):
    data = write_jsonl(tmp_path / "prefs.jsonl", length_preferences(24))
    runner = CliRunner()
    reward = runner.invoke(app, ["train", "reward", "--data", str(data), "--adapter", "judge", "-m", "tiny",
                                       "--max-steps", "3", "--seq-len", "160"])
    assert reward.exit_code == 0, reward.output
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("\n".join(PROMPTS), encoding="utf-8")
    args = ["train", "ppo", "--reward", "judge", "--prompts", str(prompts), "--adapter", "concise", "-m", "tiny",
            "--iterations", "2", "--batch-prompts", "2", "--samples", "2", "--max-new-tokens", "6",
            "--ppo-epochs", "1", "--minibatch", "4", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout.strip().splitlines()[-1])
    assert card["kind"] == "ppo" and card["reward"] == "judge" and card["result"]["iterations"] == 2
    assert [h["iteration"] for h in card["history"]] == [1, 2] and card["data"]["count"] == len(PROMPTS)
    assert "iteration 2/2" in result.output and "answer length" in result.output
    assert (tiny_home.adapters / "concise" / VALUE_HEAD_FILE).is_file()
    assert not (tiny_home.adapters / ".runs" / "concise").exists()

    same = runner.invoke(app, [*args[:6], "--adapter", "judge", "-m", "tiny"])
    assert same.exit_code == 1 and "must name different adapters" in same.output
    missing = runner.invoke(app, [*args[:2], "--reward", "nope", *args[4:10]])
    assert missing.exit_code == 1 and "no adapter named 'nope'" in missing.output


def test_ppo_refuses_a_reward_model_trained_on_another_base(tiny_home, tmp_path):
    from agent.adapters import AdapterStore

    other = Engine.load(save_tiny_chat_model(tmp_path / "other", seed=5))
    adapters_of(other.model).add("judge", LoRAConfig(), seed=0)
    target = adapters_of(other.model).save("judge", AdapterStore.of(tiny_home).path_for("judge"), base_name="other")
    ScalarHead(other.model.config.d_model).save(target / "reward_head.safetensors")
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("What is fox?\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["train", "ppo", "--reward", "judge", "--prompts", str(prompts),
                                            "--adapter", "concise", "-m", "tiny", "--iterations", "1"])
    assert result.exit_code == 1
    assert "reward model 'judge' cannot score with this model" in result.output
    assert "trained on another base model (other" in result.output


def test_ppo_against_the_truth_command(tiny_home, tmp_path):
    """`--reward truth:FILE`: no reward model, the prompts' own questions' accepted answers;
    a prompt the file does not answer, or no such file, is refused before the model loads."""
    truth = write_jsonl(tmp_path / "truth.jsonl", [{"question": p, "answers": ["fox"]} for p in PROMPTS[:4]])
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("\n".join(PROMPTS[:4]), encoding="utf-8")
    args = ["train", "ppo", "--reward", f"truth:{truth}", "--prompts", str(prompts), "--adapter", "right", "-m",
            "tiny", "--iterations", "1", "--batch-prompts", "2", "--samples", "2", "--max-new-tokens", "6",
            "--ppo-epochs", "1", "--minibatch", "4", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout.strip().splitlines()[-1])
    assert card["kind"] == "ppo" and card["reward"] == f"truth:{truth}" and card["result"]["iterations"] == 1
    assert -0.1 <= card["history"][0]["score"] <= 1.0  # right or wrong, less at most the length cost
    again = CliRunner().invoke(app, [*args[:6], "--adapter", "righter", *args[8:], "--init", "right"])
    assert again.exit_code == 0, again.output  # improves the first policy, kept near it
    assert json.loads(again.stdout.strip().splitlines()[-1])["init"]["name"] == "right"
    prompts.write_text("What is fox?\nWhat is an owl?\n", encoding="utf-8")
    unknown = CliRunner().invoke(app, [*args[:6], "--adapter", "other", "-m", "tiny"])
    assert unknown.exit_code == 1 and "no expected answer for the prompt 'What is an owl?'" in unknown.output
    assert "Traceback" not in unknown.output and "iterations of" not in unknown.output
    missing = CliRunner().invoke(app, [*args[:2], "--reward", "truth:nope.jsonl", *args[4:6], "--adapter", "x"])
    assert missing.exit_code == 1 and "nope.jsonl" in missing.output
