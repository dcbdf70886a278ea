"""The training loop, SFT data and the train/adapter commands, on tiny real models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from agent.adapters import AdapterStore, RoleAdapters, chat_render
from agent.prompts import ChatTemplate
from cli import app
from llm.engine import Engine
from llm.lora import AdapterNotFoundError, LoRAConfig, LoRAError, adapters_of
from llm.train.data import (
    IGNORE_INDEX,
    Example,
    PreferenceBatches,
    SFTBatches,
    chat_example,
    collate,
    pack,
    preference_pairs,
    read_jsonl,
    split_records,
)
from llm.train.loop import DataError, ListBatches, TrainConfig, Trainer, TrainingError
from llm.train.reports import LossOutput
from llm.train.sft import SFTConfig, SFTRun
from tests.tiny import save_tiny_chat_model

pytestmark = pytest.mark.usefixtures("one_thread")  # tiny models: one thread each

MEMORISE = [
    {"messages": [{"role": "user", "content": f"What is code {i}?"},
                  {"role": "assistant", "content": f"Code {i} is {word}."}], "meta": {"puzzle": [i]}}
    for i, word in enumerate(["tangerine", "violet", "granite", "harbour", "meadow", "copper"])
]


@pytest.fixture()
def engine(model_dir) -> Engine:
    return Engine.load(model_dir)


@pytest.fixture()
def data_file(tmp_path) -> Path:
    path = tmp_path / "memorise.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in MEMORISE), encoding="utf-8")
    return path


# -- a hand-built template: every id is visible ---------------------------------------------
START, END, SYSTEM, USER, ASSISTANT = 1, 2, 3, 4, 5
ROLE_IDS = {"system": SYSTEM, "user": USER, "assistant": ASSISTANT}


def toy_render(messages, add_generation_prompt):
    """<start> role content-chars <end> per message; content char c is token 10 + digit."""
    ids = []
    for m in messages:
        ids += [START, ROLE_IDS[m["role"]], *(10 + int(c) for c in m["content"]), END]
    return ids + ([START, ASSISTANT] if add_generation_prompt else [])


def test_sft_masks_put_the_loss_on_assistant_tokens_only():
    messages = [{"role": "system", "content": "9"}, {"role": "user", "content": "12"},
                {"role": "assistant", "content": "34"}, {"role": "user", "content": "5"},
                {"role": "assistant", "content": "6"}]
    example = chat_example(messages, toy_render)
    assert example.ids == (START, SYSTEM, 19, END, START, USER, 11, 12, END, START, ASSISTANT, 13, 14, END,
                           START, USER, 15, END, START, ASSISTANT, 16, END)
    targets = [t for t, m in zip(example.ids, example.mask, strict=True) if m]
    assert targets == [13, 14, END, 16, END]  # the answers and their end-of-turn marks, nothing else
    batch = collate([example, Example((START, USER, 11), (False, False, True))], pad_id=0)
    assert batch.input_ids[0].tolist() == list(example.ids[:-1])
    expected = [t if m else IGNORE_INDEX for t, m in zip(example.ids[1:], example.mask[1:], strict=True)]
    assert batch.targets[0].tolist() == expected
    assert batch.targets[1].tolist() == [IGNORE_INDEX, 11] + [IGNORE_INDEX] * (len(example) - 3)
    assert batch.lengths.tolist() == [len(example) - 1, 2] and batch.n_targets == 6


def test_only_answers_are_targets_with_the_real_chat_template(engine):
    render = chat_render(engine.tokenizer)
    example = chat_example(MEMORISE[0]["messages"], render)
    targets = [t for t, m in zip(example.ids, example.mask, strict=True) if m]
    assert engine.tokenizer.decode(targets) == "Code 0 is tangerine.<|im_end|>\n"
    assert engine.tokenizer.decode(example.ids).startswith("<|im_start|>system\n")


def test_bad_records_are_named():
    with pytest.raises(DataError, match="record 1: no assistant message"):
        chat_example([{"role": "user", "content": "1"}], toy_render, where="record 1")
    from llm.train.data import sft_examples

    with pytest.raises(DataError, match="record 2: message 0 must be"):
        sft_examples([MEMORISE[0], {"messages": [{"role": "bot", "content": "x"}]}], lambda m, g: [1], 16)


def test_read_jsonl_names_the_bad_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"messages": []}\n\nnot json\n', encoding="utf-8")
    with pytest.raises(DataError, match="bad.jsonl:3: not valid JSON"):
        read_jsonl(path)


def test_packing_keeps_every_example_whole_within_the_row_length():
    examples = [Example(tuple(range(n)), tuple([True] * n)) for n in (9, 7, 5, 4, 3, 3, 2, 1)]
    rows = pack(examples, 10)
    assert all(len(r) <= 10 for r in rows)
    assert sum(len(r) for r in rows) == sum(len(e) for e in examples)
    assert len(rows) == 4  # 34 tokens: best-fit decreasing fills 10 + 10 + 10 + 4
    batches = SFTBatches(examples, batch_size=2, seq_len=9, seed=0)
    assert len(batches.rows) == 4 and len(batches) == 2

    def order(epoch):
        return [b.input_ids.tolist() for b in batches.epoch(epoch)]

    assert order(3) == order(3)  # an epoch's order is fixed (resuming relies on it)
    assert len({str(order(e)) for e in range(6)}) > 1  # and reshuffled between epochs


def test_split_keeps_groups_together_and_is_seeded():
    records = [{"g": i // 3, "i": i} for i in range(30)]
    train, held = split_records(records, 0.2, seed=1, group=lambda r: r["g"])
    assert len(held) == 6 and {r["g"] for r in train}.isdisjoint({r["g"] for r in held})
    assert split_records(records, 0.2, seed=1, group=lambda r: r["g"]) == (train, held)
    assert split_records(records, 0.0) == (records, [])


def test_preference_pairs_target_the_answers_and_refuse_long_prompts():
    record = {"prompt": [{"role": "user", "content": "12"}], "chosen": [{"role": "assistant", "content": "3"}],
              "rejected": "45"}
    pairs = preference_pairs([record], toy_render, seq_len=32)
    chosen = pairs[0].chosen
    assert [t for t, m in zip(chosen.ids, chosen.mask, strict=True) if m] == [13, END]
    batch = PreferenceBatches(pairs * 3, batch_size=2, shuffle=False).epoch(0)[0]
    assert batch.n_pairs == 2 and batch.both.input_ids.shape[0] == 2  # the same pair twice: its two rows once
    good, bad = batch.split(batch.both.targets)
    assert (good != IGNORE_INDEX).sum() == 4 and (bad != IGNORE_INDEX).sum() == 6
    with pytest.raises(DataError, match="record 1: the prompt is 7 tokens"):
        preference_pairs([record], toy_render, seq_len=6)
    with pytest.raises(DataError, match="no 'rejected'"):
        preference_pairs([{"prompt": record["prompt"], "chosen": "1"}], toy_render, seq_len=32)


# -- the loop ------------------------------------------------------------------------------------
def test_schedule_warms_up_then_decays_to_the_floor():
    config = TrainConfig(lr=1.0, warmup_steps=4, min_lr_ratio=0.1)
    lrs = [config.lr_at(s, 14) for s in range(14)]
    assert lrs[:4] == [0.2, 0.4, 0.6, 0.8] and lrs[4] == 1.0
    assert all(a >= b for a, b in zip(lrs[4:], lrs[5:], strict=False)) and lrs[-1] == pytest.approx(0.1)
    with pytest.raises(ValueError, match="TrainConfig.grad_accum"):
        TrainConfig(grad_accum=0)


def _toy_trainer(accum: int, batches: list[torch.Tensor]) -> tuple[Trainer, torch.nn.Linear]:
    torch.manual_seed(0)
    layer = torch.nn.Linear(3, 1)

    def loss(batch):
        return LossOutput(((layer(batch) - 1.0) ** 2).mean(), tokens=batch.shape[0], weight=batch.shape[0])

    config = TrainConfig(lr=0.1, grad_accum=accum, clip_norm=None, epochs=1)
    return Trainer(layer, dict(layer.named_parameters()), loss, config), layer


def test_an_objective_kept_apart_is_added_after_the_clip_and_never_outweighs_the_main_one():
    """main gradient (3, 4, 0), norm 5, clipped to 1: (0.6, 0.8, 0); the apart one (0, 0, 10)
    capped at 0.5 × that norm: (0, 0, 0.5). One shared clip would give (3, 4, 10)/√125."""
    weight = torch.nn.Parameter(torch.zeros(3))
    holder = torch.nn.Module()
    holder.weight = weight

    def loss(batch):
        main, apart = torch.tensor([3.0, 4.0, 0.0]), torch.tensor([0.0, 0.0, 10.0]) * batch
        return LossOutput((weight * main).sum(), apart=(weight * apart).sum(), apart_ratio=0.5)

    trainer = Trainer(holder, {"weight": weight}, loss, TrainConfig(lr=0.1, clip_norm=1.0))
    seen = []
    trainer.optimizer.step = lambda: seen.append(weight.grad.clone())
    trainer.plan(3)
    info = trainer.train_step([1.0, 1.0])  # two micro-batches: each objective averaged over them
    torch.testing.assert_close(seen[0], torch.tensor([0.6, 0.8, 0.5]))
    assert info.grad_norm == pytest.approx(5.0) and info.metrics["apart_grad_norm"] == pytest.approx(10.0)
    trainer.config = TrainConfig(lr=0.1, clip_norm=None)
    trainer.train_step([2.0])  # unclipped main gradient (norm 5): the apart one capped at 2.5
    torch.testing.assert_close(seen[1], torch.tensor([3.0, 4.0, 2.5]))
    trainer.train_step([0.01])  # an apart gradient under the cap is added as it is
    torch.testing.assert_close(seen[2], torch.tensor([3.0, 4.0, 0.1]))


def test_gradient_accumulation_equals_one_big_batch():
    data = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    big, big_layer = _toy_trainer(1, [data])
    big.fit(ListBatches([data], seed=None))
    small, small_layer = _toy_trainer(2, [data[:2], data[2:]])
    result = small.fit(ListBatches([data[:2], data[2:]], seed=None))
    assert result.steps == 1
    torch.testing.assert_close(small_layer.weight, big_layer.weight)


def test_ctrl_c_inside_a_step_saves_a_checkpoint_that_resumes_exactly(tmp_path):
    data = [torch.randn(2, 3, generator=torch.Generator().manual_seed(i)) for i in range(6)]

    def trainer(interrupt_at: int | None = None):
        torch.manual_seed(0)
        layer = torch.nn.Linear(3, 1)
        calls = []

        def loss(batch):
            calls.append(1)
            if len(calls) == interrupt_at:
                raise KeyboardInterrupt
            noise = torch.rand(batch.shape[0], 1)  # uses the RNG, like dropout
            return LossOutput(((layer(batch) - noise) ** 2).mean(), tokens=2)

        config = TrainConfig(lr=0.1, max_steps=5, grad_accum=2)
        return Trainer(layer, dict(layer.named_parameters()), loss, config, checkpoint_dir=tmp_path / "ckpt"), layer

    straight, expected = trainer()
    straight.fit(ListBatches(data))
    (tmp_path / "ckpt").rename(tmp_path / "straight")
    first, _ = trainer(interrupt_at=6)  # the second micro-batch of step 3
    with pytest.raises(KeyboardInterrupt):
        first.fit(ListBatches(data))
    torch.manual_seed(99)
    again, layer = trainer()
    result = again.fit(ListBatches(data), resume=True)
    assert result.steps == 5 and [h.step for h in result.history] == [1, 2, 3, 4, 5]
    assert torch.equal(layer.weight, expected.weight) and torch.equal(layer.bias, expected.bias)


def _sft(engine, data_file, dropout: float = 0.0, **train) -> SFTRun:
    config = {**dict(lr=2e-2, max_steps=40, warmup_steps=2, seed=0), **train}
    render = chat_render(engine.tokenizer, ChatTemplate(default_system=None))
    return SFTRun.prepare(engine.model, render, data_file, "mem",
                          LoRAConfig(rank=8, alpha=16, dropout=dropout, targets="all"),
                          SFTConfig(batch_size=4, seq_len=64, eval_fraction=0.0), TrainConfig(**config))


def test_sft_lowers_the_loss_on_a_memorisation_task_and_leaves_the_base_alone(engine, data_file, tmp_path):
    with torch.no_grad():
        # A random tiny base has near-uniform logits (a std-0.02 head on unit-norm states)
        # that no adapter can sharpen; a trained model's head is larger, as this one is made.
        engine.model.lm_head.weight.mul_(20)
    before = {k: v.clone() for k, v in engine.model.state_dict().items()}
    run = _sft(engine, data_file)
    steps = []
    result = run.fit(on_step=steps.append)
    assert [s.step for s in steps] == list(range(1, 41)) and steps[0].tokens_per_s > 0
    assert result.final_loss < 0.25 * result.initial_loss, (result.initial_loss, result.final_loss)
    after = {k.replace(".base.", "."): v for k, v in engine.model.state_dict().items() if "lora_" not in k}
    assert all(torch.equal(after[k], v) for k, v in before.items())
    saved = run.save(tmp_path / "mem", base_name="tiny")
    card = json.loads((saved / "kigi_adapter.json").read_text())["training"]
    assert card["seed"] == 0 and card["result"]["steps"] == 40 and card["data"]["records"] == 6
    assert card["data"]["sha256"] and card["result"]["final_loss"] < card["result"]["initial_loss"]


def test_resume_continues_exactly_where_training_stopped(model_dir, data_file, tmp_path):
    def run(**train):  # dropout on: the RNG state must come back too
        return _sft(Engine.load(model_dir), data_file, dropout=0.2, max_steps=6, checkpoint_every=3, **train)

    straight = run()
    straight.fit()
    expected = {k: v.clone() for k, v in adapters_of(straight.model).named_parameters("mem").items()}

    class Crash(Exception):
        pass

    def crash_at_3(info):
        if info.step == 3:
            raise Crash

    first = run()
    with pytest.raises(Crash):
        first.fit(checkpoint_dir=tmp_path / "ckpt", on_step=crash_at_3)
    torch.manual_seed(12345)  # as in a new process: the RNG state must come from the checkpoint
    again = run()
    steps = []
    result = again.fit(checkpoint_dir=tmp_path / "ckpt", resume=True, on_step=steps.append)
    assert [s.step for s in steps] == [4, 5, 6] and result.steps == 6 and len(result.history) == 6
    got = adapters_of(again.model).named_parameters("mem")
    assert all(torch.equal(got[k], v) for k, v in expected.items())

    other = run(weight_decay=0.5)
    with pytest.raises(TrainingError, match="weight_decay"):
        other.fit(checkpoint_dir=tmp_path / "ckpt", resume=True)


def test_init_starts_from_a_saved_adapter_and_the_card_names_it(model_dir, data_file, tmp_path):
    first = _sft(Engine.load(model_dir), data_file, max_steps=5)
    first.fit()
    saved = first.save(tmp_path / "mem", base_name="tiny")
    trained = adapters_of(first.model).named_parameters("mem")
    fresh = Engine.load(model_dir)
    render = chat_render(fresh.tokenizer, ChatTemplate(default_system=None))
    again = SFTRun.prepare(fresh.model, render, data_file, "more", LoRAConfig(rank=2, targets="q"),
                           SFTConfig(batch_size=4, seq_len=64, eval_fraction=0.0),
                           TrainConfig(lr=2e-2, max_steps=1), init=saved)
    assert again.lora.rank == 8 and len(again.lora.targets) == 7  # the starting adapter's shape wins
    started = adapters_of(again.model).named_parameters("more")
    assert all(torch.equal(started[k.replace("mem", "more")], v) for k, v in trained.items())
    card = again.card()
    assert card["init"] == {"name": "mem", "sha256": card["init"]["sha256"]} and len(card["init"]["sha256"]) == 64
    assert str(tmp_path) not in json.dumps(card)  # never a path of this machine


def test_eval_loss_is_reported_on_the_held_out_split(engine, tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in MEMORISE * 2), encoding="utf-8")
    run = SFTRun.prepare(engine.model, chat_render(engine.tokenizer), path, "e", LoRAConfig(),
                         SFTConfig(batch_size=2, seq_len=128, eval_fraction=0.34),
                         TrainConfig(lr=1e-3, max_steps=2, eval_every=1))
    result = run.fit()
    assert run.eval_stats.examples == 4 and run.train_stats.examples == 8  # two puzzles of six held out
    assert result.initial_eval_loss is not None and all(h.eval_loss is not None for h in result.history)


# -- the store and the commands -----------------------------------------------------------------
def test_train_sft_then_list_info_use_and_remove(tiny_home, data_file, engine):
    runner = CliRunner()
    args = ["train", "sft", "--data", str(data_file), "--adapter", "mem", "-m", "tiny", "--targets", "all",
            "--lr", "1e-2", "--max-steps", "8", "--batch", "4", "--seq-len", "128", "--warmup", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (tiny_home.adapters / "mem" / "adapter_model.safetensors").is_file()
    assert not (tiny_home.adapters / ".runs" / "mem").exists()  # the checkpoint goes once the adapter is saved
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "already exists" in again.output

    listed = json.loads(runner.invoke(app, ["adapter", "list", "--json"]).stdout)
    mine = [a for a in listed if a["source"] == "user"]
    assert [a["name"] for a in mine] == ["mem"] and mine[0]["base"]["name"] == "tiny"
    info = json.loads(runner.invoke(app, ["adapter", "info", "mem"]).stdout)
    assert info["lora"]["targets"] == ["q", "k", "v", "o", "gate", "up", "down"]
    assert info["training"]["result"]["steps"] == 8

    store = AdapterStore.of(tiny_home)
    roles = RoleAdapters(engine, store, {"propose": "mem", "value": None})
    idx = torch.tensor([[1, 5, 9, 30, 31]])
    with torch.no_grad():
        base = engine.model(idx)
        roles.activate("propose")
        tuned = engine.model(idx)
        with roles.use("value"):
            assert torch.equal(engine.model(idx), base)
        assert adapters_of(engine.model).active == "mem"
    assert not torch.allclose(base, tuned)
    from llm.sampling import SamplingConfig

    roles.activate("propose")  # generation (KV cache, batched samples) runs through the adapter too
    completions = engine.complete([1, 5, 9, 30], SamplingConfig(max_new_tokens=4, temperature=1.0, seed=0), n=2)
    assert len(completions) == 2

    assert runner.invoke(app, ["adapter", "remove", "mem"]).exit_code == 0
    missing = runner.invoke(app, ["adapter", "info", "mem"])
    assert missing.exit_code == 1 and "no adapter named 'mem'" in missing.output
    with pytest.raises(AdapterNotFoundError):
        store.info("mem")


def test_an_adapter_of_another_model_is_refused_by_the_store(tiny_home, tmp_path, engine):
    other = Engine.load(save_tiny_chat_model(tmp_path / "other", seed=5))
    adapters_of(other.model).add("x", LoRAConfig(), seed=0)
    adapters_of(other.model).save("x", AdapterStore.of(tiny_home).path_for("x"), base_name="other")
    with pytest.raises(LoRAError, match="trained on another base model \\(other"):
        AdapterStore.of(tiny_home).load_onto(engine, "x")
