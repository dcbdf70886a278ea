"""Best-of-n: n answers sampled together, the one the scorer ranks highest kept and logged
as the answer, the others kept as candidates for rating."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from agent.session import Session
from llm.engine import Engine
from llm.sampling import SamplingConfig
from memory.log import ConversationLog
from tests.tiny import save_tiny_chat_model


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    torch.set_num_threads(1)
    return Engine.load(save_tiny_chat_model(tmp_path_factory.mktemp("tiny")))


class Longest:
    """Scores an answer by its length; remembers the prompts it saw."""

    def __init__(self) -> None:
        self.prompts: list[list[dict[str, str]]] = []

    def __call__(self, prompt, answers):
        self.prompts.append(prompt)
        return [float(len(a)) for a in answers]


def test_the_best_scored_answer_is_kept_and_the_rest_become_candidates(engine, tmp_path: Path):
    with ConversationLog(tmp_path / "log.db") as log:
        session = Session(engine, "tiny", log=log, system="Be brief.")
        scorer = Longest()
        sampling = SamplingConfig(max_new_tokens=12, temperature=1.0, seed=5)
        found = session.reply_best_of("What is a fox?", None, sampling, 4, scorer)
        assert len(found.answers) == 4 and len(set(found.answers)) > 1
        assert found.scores == [float(len(a)) for a in found.answers]
        assert found.answers[found.best] == max(found.answers, key=len) == session.last.text
        assert scorer.prompts == [[{"role": "system", "content": "Be brief."},
                                   {"role": "user", "content": "What is a fox?"}]]
        assert session.messages[-1].content == session.last.text  # the kept answer continues the chat
        candidates = log.candidates(session.last_turn_id)
        assert sorted(c.content for c in candidates) == sorted(found.answers)
        assert candidates[0].content == session.last.text  # the kept one is the logged answer, the first
        again = Session(engine, "tiny", system="Be brief.").reply_best_of("What is a fox?", None, sampling, 4,
                                                                          Longest())
        assert again.answers == found.answers  # seeded: reproducible


def test_best_of_needs_two_answers_and_samples_even_when_greedy(engine):
    session = Session(engine, "tiny")
    with pytest.raises(ValueError, match="at least 2"):
        session.reply_best_of("Hi?", None, SamplingConfig(max_new_tokens=4), 1, Longest())
    found = session.reply_best_of("Hi?", None, SamplingConfig(max_new_tokens=8, seed=1), 3, Longest())
    assert session.last.sampling.temperature > 0 and len(found.answers) == 3
