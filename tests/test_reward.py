"""Reward models on tiny real models: the Bradley–Terry loss by hand, the head on the last
token, gradients into the adapter and head only, learning a preference, save/load, the
command, and the errors for bad input."""

from __future__ import annotations

import itertools
import json
import math
import random
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from agent.adapters import AdapterStore, chat_render
from agent.pref_evals import load_reward_model, pair_scores, parse_judge, reward_accuracy
from agent.prompts import ChatTemplate
from cli import app
from llm.engine import Engine
from llm.lora import AdapterFormatError, AdapterMismatchError, LoRAConfig, adapters_of
from llm.train.data import PreferenceBatches, preference_pairs
from llm.train.loop import DataError, TrainConfig
from llm.train.reward import (
    REWARD_HEAD_FILE,
    RewardConfig,
    RewardModel,
    RewardRun,
    ScalarHead,
    bradley_terry_loss,
    pair_metrics,
    reward_loss_fn,
)
from tests.tiny import save_tiny_chat_model

pytestmark = pytest.mark.usefixtures("one_thread")  # tiny models: one thread each

WORDS = ["fox", "dog", "capital", "France", "Tokyo", "quick", "brown", "lazy", "point", "class", "return",
         "whitespace", "emoji", "tabs", "sure", "done"]


def length_preferences(n: int, seed: int = 0, prefer: str = "shorter") -> list[dict]:
    """Preference records where the rater always prefers the shorter (or longer) answer."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        short = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
        long = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 14)))
        chosen, rejected = (short, long) if prefer == "shorter" else (long, short)
        records.append({"prompt": [{"role": "user", "content": f"What is {rng.choice(WORDS)} {i}?"}],
                        "chosen": [{"role": "assistant", "content": chosen}],
                        "rejected": [{"role": "assistant", "content": rejected}]})
    return records


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture()
def engine(model_dir) -> Engine:
    return Engine.load(model_dir)


def render_of(engine: Engine):
    return chat_render(engine.tokenizer, ChatTemplate(default_system=None))


def reward_run(engine: Engine, records, name: str = "rm", pool: str = "last", **train) -> RewardRun:
    config = {**dict(lr=1e-2, max_steps=30, warmup_steps=2, seed=0, eval_every=10), **train}
    return RewardRun.prepare(engine.model, render_of(engine), records, name, LoRAConfig(rank=4, alpha=8, targets="all"),
                             RewardConfig(batch_size=8, seq_len=64, eval_fraction=0.25, pool=pool),
                             TrainConfig(**config))


# -- the loss and the head ----------------------------------------------------------------------------
def test_bradley_terry_loss_matches_hand_computed_values():
    chosen, rejected = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    # −log σ(1) = log(1 + e^−1) = 0.3132617, −log σ(−1) = log(1 + e) = 1.3132617
    assert bradley_terry_loss(chosen, rejected).item() == pytest.approx((0.3132617 + 1.3132617) / 2, abs=1e-6)
    # centring adds coef · mean((r+ + r−)²) = 0.1 · mean(1, 1)
    assert bradley_terry_loss(chosen, rejected, 0.1).item() == pytest.approx(0.8132617 + 0.1, abs=1e-6)
    assert bradley_terry_loss(torch.tensor([0.0]), torch.tensor([0.0])).item() == pytest.approx(math.log(2))
    assert pair_metrics(torch.tensor([2.0, 0.0, 1.0]), torch.tensor([1.0, 0.5, 1.0])) == pytest.approx(
        {"accuracy": 1 / 3, "margin": 0.5 / 3, "chosen": 1.0, "rejected": 2.5 / 3})


def test_the_head_reads_each_rows_last_real_token():
    head = ScalarHead(3, zero=True)
    with torch.no_grad():
        head.proj.weight.copy_(torch.tensor([[1.0, 10.0, 100.0]]))
        head.proj.bias.fill_(0.5)
    hidden = torch.arange(24, dtype=torch.float32).view(2, 4, 3)  # row 0: last real token at 1; row 1: at 3
    rewards = head.at_last(hidden, torch.tensor([2, 4]))
    assert rewards.tolist() == [3 + 40 + 500 + 0.5, 21 + 220 + 2300 + 0.5]


def test_the_summed_head_adds_each_rows_answer_tokens_and_nothing_else():
    head = ScalarHead(2, zero=True)
    with torch.no_grad():
        head.proj.weight.copy_(torch.tensor([[1.0, 10.0]]))
        head.proj.bias.fill_(0.5)
    hidden = torch.arange(12, dtype=torch.float32).view(2, 3, 2)  # per token: 10.5, 32.5, 54.5 | 76.5, 98.5, 120.5
    rewards = head.summed(hidden, starts=torch.tensor([1, 0]), lengths=torch.tensor([2, 3]))
    assert rewards.tolist() == [32.5, 76.5 + 98.5 + 120.5]


def test_a_summed_reward_scores_an_answer_in_use_as_the_loss_saw_it(engine):
    # where an answer begins is found from the training batch's targets and from the
    # rendered conversation when scoring: both must sum the same tokens
    record = length_preferences(1)[0]
    [batch] = PreferenceBatches(preference_pairs([record], render_of(engine), seq_len=64), batch_size=1).epoch(0)
    adapters_of(engine.model).add("rm", LoRAConfig(), seed=0)
    head = ScalarHead(engine.model.config.d_model, seed=1)
    with adapters_of(engine.model).using("rm"):
        seen = reward_loss_fn(engine.model, head, pool="sum")(batch).metrics
    reward = RewardModel(engine.model, "rm", head, render_of(engine), seq_len=64, pool="sum")
    scored = reward.score([record["chosen"][0]["content"], record["rejected"][0]["content"]], record["prompt"])
    assert scored == pytest.approx([seen["chosen"], seen["rejected"]], abs=1e-4)
    last = RewardModel(engine.model, "rm", head, render_of(engine), seq_len=64).score(
        [record["chosen"][0]["content"]], record["prompt"])
    assert last != pytest.approx(scored[:1], abs=1e-3)


def test_a_score_does_not_depend_on_the_padding_of_its_batch(engine):
    reward = RewardModel(engine.model, "rm", ScalarHead(engine.model.config.d_model, seed=1), render_of(engine))
    adapters_of(engine.model).add("rm", LoRAConfig(), seed=0)
    short, long = [1, 5, 9, 30], [1, 5, 9, 30, 31, 40, 41, 50]
    alone = reward.score_ids([short])
    together = reward.score_ids([long, short])
    torch.testing.assert_close(together[1:], alone)
    assert together[0] != together[1]


# -- training --------------------------------------------------------------------------------------
def test_only_the_adapter_and_the_head_get_gradients_and_the_base_stays_bit_identical(engine):
    before = {k: v.clone() for k, v in engine.model.state_dict().items()}
    run = reward_run(engine, length_preferences(24), max_steps=3)
    adapters = adapters_of(engine.model)
    adapters.activate("rm")
    adapters.train_only("rm")
    batch = run.batches.epoch(0)[0]
    run.loss_fn()(batch).loss.backward()
    trained = {id(p) for p in [*adapters.parameters("rm"), *run.head.parameters()]}
    assert run.head.proj.weight.grad.abs().sum() > 0
    assert run.head.proj.bias.grad.item() == 0.0  # r+ − r− cancels the bias: only centring moves it
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in adapters.parameters("rm"))
    for name, param in engine.model.named_parameters():
        if id(param) not in trained:
            assert param.grad is None and not param.requires_grad, name
    for p in [*adapters.parameters("rm"), *run.head.parameters()]:
        p.grad = None
    run.fit()
    after = {k.replace(".base.", "."): v for k, v in engine.model.state_dict().items() if "lora_" not in k}
    assert all(torch.equal(after[k], v) for k, v in before.items())
    assert not any(p.requires_grad for p in engine.model.parameters())


def test_all_pairs_of_a_prompt_share_its_rows_and_score_as_if_apart(engine):
    # four answers to one prompt make six pairs: a batch holds the four rows once, and the
    # loss is the loss of the six pairs scored one by one
    answers = ["fox", "fox dog", "fox dog capital", "fox dog capital France Tokyo"]
    prompt = [{"role": "user", "content": "What is fox?"}]
    records = [{"prompt": prompt, "chosen": [{"role": "assistant", "content": a}],
                "rejected": [{"role": "assistant", "content": b}]} for a, b in itertools.combinations(answers, 2)]
    records.append({**length_preferences(1)[0]})
    pairs = preference_pairs(records, render_of(engine), seq_len=64)
    [batch] = PreferenceBatches(pairs, batch_size=7, seed=3).epoch(0)
    assert batch.n_pairs == 7 and batch.both.input_ids.shape[0] == 6
    head = ScalarHead(engine.model.config.d_model, seed=0)
    loss = reward_loss_fn(engine.model, head)
    together = loss(batch)
    apart = [loss(b) for b in PreferenceBatches(pairs, batch_size=1, shuffle=False).epoch(0)]
    assert all(b.both.input_ids.shape[0] == 2 for b in PreferenceBatches(pairs, 1).epoch(0))
    assert together.loss.item() == pytest.approx(sum(o.loss.item() for o in apart) / len(apart), abs=1e-5)


@pytest.mark.parametrize(("prefer", "pool"), [("shorter", "last"), ("longer", "last"), ("longer", "sum")])
def test_the_reward_model_learns_the_raters_preference(model_dir, prefer, pool):
    # Same base, same head init, same held-out prompts: the two directions start with
    # complementary accuracies, so at least one starts at or below chance; both must end high.
    run = reward_run(Engine.load(model_dir), length_preferences(48, prefer=prefer), pool=pool)
    result = run.fit()
    first, last = run.evaluations[0], run.evaluations[-1]
    assert len(run.data.held_out) == 12 and first["step"] == 0 and last["step"] == 30
    assert result.final_loss < 0.2 * result.initial_loss
    assert last["accuracy"] >= 0.9 and last["margin"] > first["margin"] + 1.0, (first, last)
    card = run.card()
    assert card["held_out"]["last"]["accuracy"] == last["accuracy"] and card["data"]["train_pairs"] == 36


def test_a_fresh_summed_reward_scores_every_answer_zero_so_its_first_loss_is_log_2(model_dir):
    run = reward_run(Engine.load(model_dir), length_preferences(48), pool="sum", max_steps=1, eval_every=0)
    result = run.fit()
    assert result.initial_loss == pytest.approx(math.log(2), abs=1e-6)
    assert run.evaluations[0]["margin"] == 0 and run.evaluations[0]["accuracy"] == 0


def test_initial_accuracies_of_opposite_preferences_are_complementary(model_dir):
    accuracies = []
    for prefer in ("shorter", "longer"):
        run = reward_run(Engine.load(model_dir), length_preferences(48, prefer=prefer), max_steps=1, eval_every=0)
        run.fit()
        accuracies.append(run.evaluations[0]["accuracy"])
    assert sum(accuracies) == pytest.approx(1.0) and min(accuracies) <= 0.5


@pytest.mark.parametrize("pool", ["last", "sum"])
def test_a_saved_reward_model_scores_the_same_after_loading(model_dir, tmp_path, pool):
    engine = Engine.load(model_dir)
    run = reward_run(engine, length_preferences(48), pool=pool)
    run.fit()
    saved = run.save(tmp_path / "rm", base_name="tiny")
    assert (saved / REWARD_HEAD_FILE).is_file() and (saved / "adapter_model.safetensors").is_file()
    side = json.loads((saved / "kigi_adapter.json").read_text())
    assert side["training"]["kind"] == "reward" and side["reward"]["seq_len"] == 64
    assert side["reward"]["pool"] == pool and side["training"]["reward_config"]["pool"] == pool
    prompt = [{"role": "user", "content": "What is fox?"}]
    answers = ["dog", "fox dog capital France Tokyo quick brown lazy point class"]
    expected = run.reward_model(render_of(engine)).score(answers, prompt)
    loaded = RewardModel.load(Engine.load(model_dir).model, saved, render_of(engine))
    assert loaded.score(answers, prompt) == pytest.approx(expected, abs=1e-5)
    assert loaded.scorer(prompt)(answers) == pytest.approx(expected, abs=1e-5)
    assert expected[0] > expected[1]  # it prefers the short answer, as taught
    accuracy = reward_accuracy(loaded, length_preferences(16, seed=7))
    assert accuracy.pairs == 16 and accuracy.accuracy >= 0.9 and accuracy.margin > 0
    # a pair's two answers are scored side by side (its prompt read once), as each alone
    records = length_preferences(4, seed=3)
    answers_of_one = [records[0]["chosen"], records[0]["rejected"], records[1]["chosen"]]
    records += [{"prompt": records[0]["prompt"], "chosen": a, "rejected": b}  # every pair of three answers,
                for a, b in itertools.combinations(answers_of_one, 2)]   # each answer scored once
    good, bad = pair_scores(loaded, records)
    for record, pair in zip(records, zip(good.tolist(), bad.tolist(), strict=True), strict=True):
        alone = [loaded.score([record[side][0]["content"]], record["prompt"])[0] for side in ("chosen", "rejected")]
        assert list(pair) == pytest.approx(alone, abs=1e-5)
    # loaded on the model it was trained on (the adapter still attached there): the row
    # length comes from the saved side file, not the default
    assert RewardModel.load(engine.model, saved, render_of(engine)).seq_len == 64


def test_a_reward_model_can_start_from_a_saved_adapter_and_its_card_names_it(model_dir, tmp_path):
    # A reward model started from the reader already reads the sources it must judge by.
    first = reward_run(Engine.load(model_dir), length_preferences(48), name="reader", max_steps=3)
    first.fit()
    saved = first.save(tmp_path / "reader", base_name="tiny")
    trained = adapters_of(first.model).named_parameters("reader")
    fresh = Engine.load(model_dir)
    run = RewardRun.prepare(fresh.model, render_of(fresh), length_preferences(48), "judge",
                            LoRAConfig(rank=2, targets="q"), RewardConfig(batch_size=8, seq_len=64, eval_fraction=0.25),
                            TrainConfig(max_steps=1), init=saved)
    assert run.lora.rank == 4 and len(run.lora.targets) == 7  # the starting adapter's shape wins
    started = adapters_of(run.model).named_parameters("judge")
    assert all(torch.equal(started[k.replace("reader", "judge")], v) for k, v in trained.items())
    assert run.card()["init"]["name"] == "reader" and len(run.card()["init"]["sha256"]) == 64
    assert run.run_info()["init"] == run.card()["init"]  # a resume must start from the same adapter
    assert str(tmp_path) not in json.dumps(run.card())


def test_a_reward_model_started_from_a_reward_model_keeps_its_head(model_dir, tmp_path):
    # Another epoch continues where the first stopped: before any step it scores as it did.
    first = reward_run(Engine.load(model_dir), length_preferences(48), name="judge", max_steps=3)
    first.fit()
    saved = first.save(tmp_path / "judge", base_name="tiny")
    prompt, answers = [{"role": "user", "content": "x"}], ["a", "b c d"]
    fresh = Engine.load(model_dir)
    before = RewardModel.load(fresh.model, saved, render_of(fresh)).score(answers, prompt)
    run = RewardRun.prepare(fresh.model, render_of(fresh), length_preferences(48), "judge-2", LoRAConfig(),
                            RewardConfig(batch_size=8, seq_len=64, eval_fraction=0.25), TrainConfig(max_steps=1),
                            init=saved)
    assert run.reward_model(render_of(fresh)).score(answers, prompt) == pytest.approx(before, abs=1e-5)
    reader = adapters_of(fresh.model).save("judge-2", tmp_path / "plain")  # an adapter without a head
    plain = RewardRun.prepare(Engine.load(model_dir).model, render_of(fresh), length_preferences(48), "judge-3",
                              LoRAConfig(), RewardConfig(batch_size=8, seq_len=64), TrainConfig(max_steps=1),
                              init=reader)
    assert torch.equal(plain.head.proj.weight, ScalarHead(fresh.model.config.d_model, seed=0).proj.weight)


# -- bad input ---------------------------------------------------------------------------------------
def test_empty_or_one_sided_preference_sets_are_refused(engine, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(DataError, match="no records"):
        reward_run(engine, empty)
    with pytest.raises(DataError, match="no preference pairs"):
        reward_run(engine, [])
    same = [{**r, "rejected": r["chosen"]} for r in length_preferences(4)]
    with pytest.raises(DataError, match="one-sided preference data: in all 4 pair"):
        reward_run(engine, same)
    with pytest.raises(DataError, match="record 2: no 'rejected' answer"):
        reward_run(engine, [length_preferences(1)[0], {"prompt": same[0]["prompt"], "chosen": "dog"}])
    assert "rm" not in adapters_of(engine.model)  # nothing is attached when the data is refused


def test_a_prompt_that_fills_the_context_is_refused_naming_the_record(engine):
    records = length_preferences(3)
    records[1]["prompt"] = [{"role": "user", "content": "fox " * 80}]
    with pytest.raises(DataError, match="record 2: the prompt is \\d+ tokens, which leaves no room for an answer "
                                        "within 64 tokens"):
        reward_run(engine, records)
    records[1]["prompt"] = [{"role": "user", "content": "fox " * 600}]
    with pytest.raises(DataError, match="record 2: .* within 512 tokens"):  # the window caps --seq-len
        RewardRun.prepare(engine.model, render_of(engine), records, "rm", LoRAConfig(), RewardConfig(seq_len=4096))


def test_a_reward_model_of_another_base_is_refused(model_dir, tmp_path):
    other = Engine.load(save_tiny_chat_model(tmp_path / "other", seed=5))
    run = reward_run(other, length_preferences(12), max_steps=1)
    run.fit()
    saved = run.save(tmp_path / "rm-other", base_name="other")
    engine = Engine.load(model_dir)
    with pytest.raises(AdapterMismatchError, match="reward model 'rm-other' cannot score with this model: .*"
                                                  "trained on another base model \\(other"):
        RewardModel.load(engine.model, saved, render_of(engine))
    adapters_of(other.model).add("plain", LoRAConfig(), seed=0)
    plain = adapters_of(other.model).save("plain", tmp_path / "plain")
    with pytest.raises(AdapterFormatError, match="not a reward model"):
        RewardModel.load(engine.model, plain, render_of(engine))
    head = ScalarHead(16)
    head.save(tmp_path / "narrow.safetensors")
    with pytest.raises(AdapterMismatchError, match="d_model=32"):
        ScalarHead.load(tmp_path / "narrow.safetensors", 32)


# -- the command -------------------------------------------------------------------------------------
def test_train_reward_command_saves_a_reward_model_that_the_store_loads(tiny_home, tmp_path, model_dir):
    data = write_jsonl(tmp_path / "prefs.jsonl", length_preferences(40))
    args = ["train", "reward", "--data", str(data), "--adapter", "judge", "-m", "tiny", "--targets", "all",
            "--lr", "1e-2", "--max-steps", "12", "--batch", "8", "--seq-len", "160", "--warmup", "1",
            "--eval-fraction", "0.25", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout.strip().splitlines()[-1])
    assert card["kind"] == "reward" and card["result"]["steps"] == 12 and card["data"]["held_out_pairs"] == 10
    assert "held-out accuracy" in result.output
    assert (tiny_home.adapters / "judge" / REWARD_HEAD_FILE).is_file()
    assert not (tiny_home.adapters / ".runs" / "judge").exists()
    again = CliRunner().invoke(app, args[:-1])
    assert again.exit_code == 1 and "already exists" in again.output
    continued = CliRunner().invoke(app, [*args[:5], "judge-2", *args[6:13], "1", *args[14:], "--init", "judge",
                                         "--pool", "sum"])
    assert continued.exit_code == 0, continued.output
    card = json.loads(continued.stdout.strip().splitlines()[-1])
    assert card["init"]["name"] == "judge" and card["reward_config"]["pool"] == "sum"
    bad_pool = CliRunner().invoke(app, [*args[:5], "judge-3", *args[6:], "--pool", "mean"])
    assert bad_pool.exit_code == 2 and "--pool" in bad_pool.output

    engine = Engine.load(model_dir)
    reward = load_reward_model(engine, AdapterStore.of(tiny_home), "judge", ChatTemplate(default_system=None))
    assert len(reward.score(["a", "b c"], [{"role": "user", "content": "x"}])) == 2
    assert reward.pool == "last"
    assert load_reward_model(engine, AdapterStore.of(tiny_home), "judge-2").pool == "sum"
    judge = parse_judge("reward:judge", engine, AdapterStore.of(tiny_home))
    first, second = judge([{"role": "user", "content": "x"}], "a", "b c")
    assert judge.name == "reward:judge" and isinstance(first, float) and isinstance(second, float)

    # the reward model at work: `kigi ask --best-of 3` keeps the answer it scores highest
    asked = CliRunner().invoke(app, ["ask", "-m", "tiny", "--best-of", "3", "--reward", "judge", "--max-tokens", "6",
                                     "--seed", "2", "--json", "hello"])
    assert asked.exit_code == 0, asked.output
    shown = json.loads(asked.stdout.strip().splitlines()[-1])
    scores = [c["score"] for c in shown["best_of"]]
    assert len(scores) == 3 and shown["answer"] == shown["best_of"][scores.index(max(scores))]["text"]
    assert shown["kept"] == scores.index(max(scores))  # no sources: nothing checked, the best scored
    refused = CliRunner().invoke(app, ["ask", "-m", "tiny", "--best-of", "3", "hello"])
    assert refused.exit_code == 1 and "--best-of needs --reward" in refused.output
    # and as the value of Tree-of-Thoughts states
    searched = CliRunner().invoke(app, ["ask", "-m", "tiny", "--tot", "--value", "reward:judge", "--depth", "1",
                                        "--breadth", "1", "--budget", "200", "--max-tokens", "6", "--json", "hello"])
    assert searched.exit_code == 0, searched.output
    assert json.loads(searched.stdout.strip().splitlines()[-1])["tree"]["nodes"]
    wrong = CliRunner().invoke(app, ["ask", "-m", "tiny", "--tot", "--value", "judge", "hello"])
    assert wrong.exit_code == 1 and "reward:NAME" in wrong.output


def test_train_reward_from_an_empty_log_says_what_to_do(tiny_home):
    result = CliRunner().invoke(app, ["train", "reward", "--adapter", "judge", "-m", "tiny"])
    assert result.exit_code == 1
    assert "no decided preference pairs yet: rate answers with `kigi rate`" in result.output


def test_train_reward_reads_the_pairs_recorded_in_the_log(tiny_home):
    from memory.log import ConversationLog

    with ConversationLog(tiny_home.db) as log:
        for record in length_preferences(12):
            cid = log.start_conversation("tiny")
            turn = log.add_message(cid, "user", record["prompt"][0]["content"])
            first = log.add_message(cid, "assistant", record["rejected"][0]["content"])
            second = log.add_candidate(turn.id, record["chosen"][0]["content"])
            [candidate] = [c for c in log.candidates(turn.id) if c.message_id == first.id]
            log.record_preference(candidate.id, second.id, "b")
    result = CliRunner().invoke(app, ["train", "reward", "--adapter", "judge", "-m", "tiny", "--max-steps",
                                            "2", "--seq-len", "160", "--json"])
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout.strip().splitlines()[-1])
    assert card["data"]["source"] == "log" and card["data"]["records"] == 12
