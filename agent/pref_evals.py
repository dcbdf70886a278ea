"""Preference evaluations, for `kigi eval prefs`:

    reward = load_reward_model(engine, store, "judge")
    reward_accuracy(reward, read_jsonl(Path("prefs.jsonl")))          # --pairs FILE
    win_rate(engine, store, "concise", "base", prompts, RewardJudge(reward))   # --adapter A --vs B --judge reward:NAME

A win rate generates one answer per prompt with each adapter, shows the two to the judge
in a random order (recorded per match, so a judge's position bias can be measured), and
counts wins, losses and ties. A reward model scores each answer on its own, so for it the
order cannot matter; a pairwise judge (an LM asked "which is better?") plugs into the same
`PairJudge` protocol.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import Tensor

from agent.adapters import AdapterStore, chat_render
from agent.errors import AgentError
from agent.prompts import ChatTemplate, Message
from llm.engine import Engine
from llm.generate import seeded_row
from llm.lora import adapters_of
from llm.sampling import SamplingConfig
from llm.train.reward import RewardModel, pair_metrics

PLAIN = ("base", "none", "off")  # names of "no adapter"
TIE_TOLERANCE = 1e-6


class PrefEvalError(AgentError):
    """A preference evaluation that cannot run (bad judge spec, nothing to compare)."""


def load_reward_model(engine: Engine, store: AdapterStore, name_or_path: str,
                      template: ChatTemplate | None = None) -> RewardModel:
    """A reward model from the adapter store (or a directory), on the engine's model; one
    trained on another base is refused (AdapterMismatchError)."""
    name, path = store.resolve(name_or_path)
    return RewardModel.load(engine.model, path, chat_render(engine.tokenizer, template), name)


# -- reward-model accuracy on pairs ----------------------------------------------------------------
@dataclass
class PairAccuracy:
    pairs: int
    correct: int
    accuracy: float
    margin: float  # mean r(chosen) − r(rejected)
    chosen: float  # mean reward of the chosen answers
    rejected: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pair_scores(reward: RewardModel, records: Sequence[Mapping[str, Any]]) -> tuple[Tensor, Tensor]:
    """The rewards of each record's chosen and rejected answers, (N,) each, on preference
    records in TRL's conversational format (what `kigi prefs export` writes). Each distinct
    answer to a prompt is scored once, beside the prompt's other answers, so the prompt is
    read once: every pair of four answers (six pairs) costs four answers, not twelve."""
    from llm.train.data import check_messages
    from llm.train.loop import DataError

    if not records:
        raise DataError("no preference pairs to evaluate")
    prompts: dict[str, list[dict[str, str]]] = {}  # each prompt once, by its text
    sides: list[tuple[str, str]] = []  # (prompt, answer) of each pair's chosen, then rejected side
    for number, record in enumerate(records, 1):
        where = f"record {number}"
        prompt = check_messages(record.get("prompt"), f"{where} prompt")
        key = json.dumps(prompt, sort_keys=True)
        prompts.setdefault(key, prompt)
        for side in ("chosen", "rejected"):
            if side not in record:
                raise DataError(f"{where}: no {side!r} answer")
            value = record[side]
            turns = [{"role": "assistant", "content": value}] if isinstance(value, str) else \
                check_messages(value, f"{where} {side}")
            if len(turns) != 1 or turns[0]["role"] != "assistant":
                raise DataError(f"{where}: {side!r} must be one assistant message")
            sides.append((key, turns[0]["content"]))
    rank = {key: i for i, key in enumerate(prompts)}
    order = sorted(dict.fromkeys(sides), key=lambda side: rank[side[0]])  # a prompt's answers side by side
    scored = torch.tensor(reward.score([answer for _, answer in order], prompts=[prompts[key] for key, _ in order]))
    position = {side: i for i, side in enumerate(order)}
    scores = scored[[position[side] for side in sides]]
    return scores[0::2], scores[1::2]


def reward_accuracy(reward: RewardModel, records: Sequence[Mapping[str, Any]]) -> PairAccuracy:
    """How often the reward model scores the chosen answer above the rejected one."""
    return accuracy_of(*pair_scores(reward, records))


def accuracy_of(good: Tensor, bad: Tensor) -> PairAccuracy:
    """Pair accuracy and margins of already scored pairs (chosen, rejected)."""
    metrics = pair_metrics(good, bad)
    return PairAccuracy(len(good), int((good > bad).sum()), metrics["accuracy"], metrics["margin"],
                        metrics["chosen"], metrics["rejected"])


# -- win rate of one adapter against another --------------------------------------------------------
class PairJudge(Protocol):
    """(prompt, first answer, second answer) -> (score of first, score of second); higher wins."""

    name: str

    def __call__(self, prompt: Sequence[Mapping[str, str]], first: str, second: str) -> tuple[float, float]: ...


@dataclass
class RewardJudge:
    reward: RewardModel
    name: str = "reward"

    def __call__(self, prompt: Sequence[Mapping[str, str]], first: str, second: str) -> tuple[float, float]:
        a, b = self.reward.score([first, second], list(prompt))
        return a, b


def parse_judge(spec: str, engine: Engine, store: AdapterStore, template: ChatTemplate | None = None) -> PairJudge:
    """`reward:NAME` -> a judge that compares the reward model NAME's scores; `truth:FILE` ->
    one that knows the accepted answers (`agent.truth`), independent of any trained model."""
    from agent.truth import TruthJudge, truth_file

    if (file := truth_file(spec)) is not None:
        return TruthJudge.from_file(file)
    kind, _, name = spec.partition(":")
    if kind != "reward" or not name:
        raise PrefEvalError(f"unknown judge {spec!r}: use reward:NAME (a model trained with `kigi train reward`) "
                            "or truth:FILE (questions with their accepted answers)")
    return RewardJudge(load_reward_model(engine, store, name, template), name=spec)


@dataclass
class Match:
    prompt: str  # the last user message
    a: str  # answer of the first adapter
    b: str
    a_shown_first: bool
    score_a: float
    score_b: float
    winner: str  # a | b | tie
    tokens_a: int
    tokens_b: int


@dataclass
class WinRate:
    a: str
    b: str
    judge: str
    matches: list[Match] = field(default_factory=list)

    @property
    def wins(self) -> int:
        return sum(m.winner == "a" for m in self.matches)

    @property
    def losses(self) -> int:
        return sum(m.winner == "b" for m in self.matches)

    @property
    def ties(self) -> int:
        return sum(m.winner == "tie" for m in self.matches)

    @property
    def win_rate(self) -> float:
        """Wins of A, a tie counting half."""
        return (self.wins + 0.5 * self.ties) / len(self.matches) if self.matches else 0.0

    @property
    def first_shown_won(self) -> int:
        return sum((m.winner == "a") == m.a_shown_first for m in self.matches if m.winner != "tie")

    def summary(self) -> dict[str, Any]:
        n = len(self.matches) or 1
        return {"a": self.a, "b": self.b, "judge": self.judge, "prompts": len(self.matches), "wins": self.wins,
                "losses": self.losses, "ties": self.ties, "win_rate": round(self.win_rate, 4),
                "first_shown_won": self.first_shown_won,
                "mean_score_a": round(sum(m.score_a for m in self.matches) / n, 4),
                "mean_score_b": round(sum(m.score_b for m in self.matches) / n, 4),
                "mean_tokens_a": round(sum(m.tokens_a for m in self.matches) / n, 2),
                "mean_tokens_b": round(sum(m.tokens_b for m in self.matches) / n, 2)}


def answer_with(engine: Engine, store: AdapterStore, adapter: str | None,
                prompts: Sequence[Sequence[Mapping[str, str]]], sampling: SamplingConfig,
                template: ChatTemplate | None = None, batch: int = 8) -> list[tuple[str, int]]:
    """(text, tokens) of one answer per prompt, from the base with `adapter` on (None or
    'base': the plain model), decoded `batch` prompts at a time (prompt i seeded seed + i)."""
    template = template or ChatTemplate()
    name = None if adapter is None or adapter in PLAIN else adapter
    adapters = adapters_of(engine.model)
    previous = adapters.active
    store.use(engine, name)
    sampling = replace(sampling, stop_token_ids=tuple(template.stop_tokens(engine.tokenizer)))
    # The KV cache keeps the keys of earlier prompts; computed under another adapter they
    # would be reused for a shared prefix (the system prompt), so start it afresh.
    engine.model.clear_cache()
    try:
        rendered = [template.render_ids(engine.tokenizer, [Message(m["role"], m["content"]) for m in prompt])
                    for prompt in prompts]
        out = []
        for start in range(0, len(rendered), batch):  # a batch decodes ~3x the tokens/s of one by one
            chunk = engine.complete_each(rendered[start:start + batch], seeded_row(sampling, start))
            out.extend((completion.text, len(completion.token_ids)) for completion in chunk)
        return out
    finally:
        engine.model.clear_cache()
        adapters.activate(previous)


def win_rate(engine: Engine, store: AdapterStore, a: str | None, b: str | None,
             prompts: Sequence[Sequence[Mapping[str, str]]], judge: PairJudge, *,
             sampling: SamplingConfig | None = None, seed: int = 0, template: ChatTemplate | None = None,
             on_match: Callable[[Match], None] | None = None) -> WinRate:
    """A's answers against B's on `prompts`, judged in a seeded random order per prompt."""
    if not prompts:
        raise PrefEvalError("no prompts to compare the adapters on")
    sampling = sampling or SamplingConfig(max_new_tokens=256)
    answers_a = answer_with(engine, store, a, prompts, sampling, template)
    answers_b = answer_with(engine, store, b, prompts, sampling, template)
    rng = random.Random(seed)
    result = WinRate(a or "base", b or "base", getattr(judge, "name", "judge"))
    for prompt, (text_a, tokens_a), (text_b, tokens_b) in zip(prompts, answers_a, answers_b, strict=True):
        a_first = rng.random() < 0.5
        first, second = (text_a, text_b) if a_first else (text_b, text_a)
        score_first, score_second = judge(prompt, first, second)
        score_a, score_b = (score_first, score_second) if a_first else (score_second, score_first)
        winner = "tie" if abs(score_a - score_b) <= TIE_TOLERANCE else "a" if score_a > score_b else "b"
        users = [m["content"] for m in prompt if m["role"] == "user"]
        match = Match(users[-1] if users else "", text_a, text_b, a_first, float(score_a), float(score_b), winner,
                      tokens_a, tokens_b)
        result.matches.append(match)
        if on_match is not None:
            on_match(match)
    return result


def read_eval_prompts(path: Path) -> list[list[dict[str, str]]]:
    """Prompts for a win rate: JSONL (`prompt`/`messages`/`question` per line) or one question per line."""
    from llm.train.rollouts import read_prompts

    return read_prompts(path)
