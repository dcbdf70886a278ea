"""Answers packed under their shared prompt (`llm.train.shared_prompt`): the layout by hand;
a reward model's and DPO's losses and gradients, and a reward model's scores, equal to the
row-per-answer layout's on a tiny real model."""

from __future__ import annotations

import itertools

import pytest
import torch

from agent.adapters import chat_render
from agent.prompts import ChatTemplate
from llm.engine import Engine
from llm.lora import LoRAConfig, adapters_of
from llm.train.data import PreferenceBatches, preference_pairs
from llm.train.dpo import dpo_loss_fn
from llm.train.reward import RewardModel, ScalarHead, reward_loss_fn
from llm.train.shared_prompt import share_prompts

pytestmark = pytest.mark.usefixtures("one_thread")  # tiny models: one thread each


def test_the_prompt_is_written_once_and_each_answer_sees_it_and_itself_only():
    rows = share_prompts([((5, 6, 7, 8), 2), ((1, 2), 1), ((5, 6, 10), 2)], pad_id=0)
    assert rows.input_ids.tolist() == [[5, 6, 7, 8, 10], [1, 2, 0, 0, 0]]
    assert rows.positions.tolist() == [[0, 1, 2, 3, 2], [0, 1, 0, 0, 0]]
    assert (rows.answer_row.tolist(), rows.answer_start.tolist(), rows.answer_end.tolist()) == (
        [0, 1, 0], [2, 1, 4], [4, 2, 5])
    assert rows.n_tokens == 7
    seen = rows.visible[0, 0].int().tolist()
    assert seen == [[1, 0, 0, 0, 0],
                    [1, 1, 0, 0, 0],
                    [1, 1, 1, 0, 0],
                    [1, 1, 1, 1, 0],
                    [1, 1, 0, 0, 1]]  # the second answer skips the first
    assert rows.visible[1, 0, 2:].int().tolist() == [[1, 0, 0, 0, 0]] * 3  # padding sees one key, never none


@pytest.fixture()
def engine(model_dir) -> Engine:
    return Engine.load(model_dir)


def reading_pairs(engine: Engine) -> list:
    """Two prompts, every pair of their answers (as the truth rater compares them)."""
    records = []
    for question, answers in (("What is fox?", ["fox", "fox dog", "a lazy brown fox dog", "Tokyo"]),
                              ("Capital of France, from the sources?", ["France", "capital point class"])):
        prompt = [{"role": "user", "content": question}]
        records += [{"prompt": prompt, "chosen": [{"role": "assistant", "content": a}],
                     "rejected": [{"role": "assistant", "content": b}]} for a, b in itertools.combinations(answers, 2)]
    return preference_pairs(records, chat_render(engine.tokenizer, ChatTemplate(default_system=None)), seq_len=64)


def random_adapter(engine: Engine) -> list[torch.nn.Parameter]:
    """A trainable adapter "rm" that changes the model (B starts at zero)."""
    adapters = adapters_of(engine.model)
    adapters.add("rm", LoRAConfig(rank=4, alpha=8, targets="all"), seed=0)
    adapters.activate("rm")
    params = adapters.train_only("rm")
    with torch.no_grad():
        for param in params:
            param.normal_(0, 0.05)
    return params


@pytest.mark.parametrize("trainer", ["reward-last", "reward-sum", "dpo"])
def test_a_run_learns_the_same_from_shared_prompt_rows(engine, trainer):
    params = random_adapter(engine)
    if trainer == "dpo":
        loss = dpo_loss_fn(engine.model, "rm", beta=0.5)
    else:
        head = ScalarHead(engine.model.config.d_model, seed=0)
        params += list(head.parameters())
        loss = reward_loss_fn(engine.model, head, center_coef=0.01, pool=trainer.removeprefix("reward-"))
    pairs = reading_pairs(engine)
    outputs, grads = [], []
    for shared in (False, True):
        [batch] = PreferenceBatches(pairs, batch_size=len(pairs), shuffle=False, shared_prompts=shared).epoch(0)
        assert (batch.shared is not None) == shared
        output = loss((batch, None) if trainer == "dpo" else batch)
        grads.append(torch.autograd.grad(output.loss, params))
        outputs.append(output)
    apart, together = outputs
    assert together.loss.item() == pytest.approx(apart.loss.item(), abs=1e-5)
    assert together.metrics == pytest.approx(apart.metrics, abs=1e-4)
    assert together.tokens < 0.6 * apart.tokens  # the prompt is read once, not once per answer
    for a, b in zip(*grads, strict=True):
        torch.testing.assert_close(b, a, atol=1e-5, rtol=1e-4)


def test_a_reward_model_scores_answers_to_one_prompt_as_it_scores_them_alone(engine):
    random_adapter(engine)
    reward = RewardModel(engine.model, "rm", ScalarHead(engine.model.config.d_model, seed=0),
                         chat_render(engine.tokenizer, ChatTemplate(default_system=None)), seq_len=64, batch_size=5)
    prompts = [[{"role": "user", "content": "What is fox?"}]] * 4 + [[{"role": "user", "content": "Tokyo?"}]] * 3
    answers = ["fox", "fox dog", "a lazy brown fox dog", "Tokyo", "sure", "Tokyo point", "done"]
    scored = [reward.scored_row(p, a) for p, a in zip(prompts, answers, strict=True)]
    together = reward.score_ids([row for row, _ in scored], [start for _, start in scored])  # 2 batches: 4 + 1, 2
    alone = reward.score_ids([row for row, _ in scored])  # a row each, read at its last token
    torch.testing.assert_close(together, alone, atol=1e-5, rtol=1e-4)
    assert len(set(together.tolist())) == len(answers)
