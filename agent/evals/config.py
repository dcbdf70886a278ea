"""What one Game of 24 evaluation runs: the method, the model, the search's settings, and
the file name that tells runs apart."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from agent.tasks.game24.puzzles import Game24Error, parse_rank_range
from agent.tasks.game24.task import AnswerMode, Check
from agent.tot import EvaluateMode, GenerateMode
from llm.config import PRECISIONS, Precision

Method = Literal["io", "cot", "cot-sc", "tot"]
METHODS: tuple[str, ...] = ("io", "cot", "cot-sc", "tot")
# tot's generator (propose-root: for the puzzle's own numbers, where it differs) and evaluator; the baselines' reply
ROLES: tuple[str, ...] = ("propose", "propose-root", "value", "answer")
EVAL_NAME = "game24"
# Fields that change what a result means: a results file holds one setting of them.
_NOT_IDENTITY = ("ranks", "workers")


@dataclass(frozen=True)
class Game24EvalConfig:
    """One Game of 24 evaluation. `max_tokens`: per reply (io 64, cot/cot-sc 256) or per
    thought-generation call (tot, default 128); None picks the method's default.

    tot: `breadth` states kept per level (`last_breadth` at the level before the last,
    `root_breadth` among the root's children, when set), `generate` propose|sample (`n_generate` lists a
    state, `n_generate_root` for the puzzle's own numbers: the first greedy), `evaluate`
    value|sampled_value|vote, `check` drop|repair|none for wrong steps, `answer`
    compose|model; `budget_tokens` / `budget_seconds` cap one puzzle's search.
    cot-sc: `samples` replies at `temperature`, majority answer.
    adapters: role (propose, propose-root, value, answer) -> adapter name. Recorded here; the caller
    applies them by passing `roles`, models bound to them (`EngineLM.bind`).
    """

    method: Method = "io"
    ranks: str = "901-1000"
    model: str = "smollm2-135m-instruct"  # a registry name or a path to weights
    precision: Precision = "fp32"
    few_shot: bool = False
    max_tokens: int | None = None
    samples: int = 5
    temperature: float = 0.7
    breadth: int = 5
    # the two-number states kept: 25 (b x a reply's 5 lines: the whole level) solved 43/100 of
    # ranks 901-1000 against b=5's 27, at 1.9x the tokens; 8/20 against 6/20 on development
    # puzzles first (docs/tree-of-thoughts.md). None keeps `breadth`, the paper's shape
    last_breadth: int | None = 25
    root_breadth: int | None = None
    generate: GenerateMode = "propose"
    evaluate: EvaluateMode = "value"
    n_generate: int = 1
    # propose lists for the puzzle's own numbers. 5 (1 greedy + 4 sampled) listed a way on for
    # 38 of 40 development puzzles against 23 and solved 9/20 of them against 6/20, but on
    # ranks 901-1000 27/100 as with 1, at 1.6x the tokens (docs/tree-of-thoughts.md): so 1, the paper's one call
    n_generate_root: int = 1
    n_evaluate: int = 1
    check: Check = "repair"  # 27/100 against drop's 7/100 with the shipped pair (docs/tree-of-thoughts.md)
    answer: AnswerMode = "compose"
    # constrained decoding holds `(left: …)` to the count a step leaves. None: on with the
    # drop check (80/100 against 62 without it, README), where nothing else keeps the
    # model's bookkeeping; off with repair, which rewrites the list, and with none (the
    # paper's shape, the model's text as written)
    left_guard: bool | None = None
    budget_tokens: int | None = None
    budget_seconds: float | None = None
    seed: int = 0
    workers: int = 1
    adapters: dict[str, str] | None = None

    def __post_init__(self) -> None:
        choices = {
            "method": METHODS, "precision": PRECISIONS, "generate": ("propose", "sample"),
            "evaluate": ("value", "sampled_value", "vote"), "check": ("drop", "repair", "none"),
            "answer": ("compose", "model"),
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {getattr(self, name)!r}")
        for name in ("samples", "breadth", "n_generate", "n_generate_root", "n_evaluate", "workers"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        for name in ("max_tokens", "budget_tokens", "last_breadth", "root_breadth"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be an integer >= 1 or None, got {value!r}")
        if self.budget_seconds is not None and not self.budget_seconds > 0:
            raise ValueError(f"budget_seconds must be > 0 or None, got {self.budget_seconds!r}")
        if self.left_guard is None:
            object.__setattr__(self, "left_guard", self.method == "tot" and self.check == "drop")  # frozen
        if self.left_guard and self.method != "tot":
            raise ValueError(f"left_guard keeps a ToT step's (left: …) list; method {self.method!r} writes none")
        if not self.temperature >= 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature!r}")
        unknown = set(self.adapters or {}) - set(ROLES)
        if unknown:
            raise ValueError(f"adapters: roles must be among {', '.join(ROLES)}, got {sorted(unknown)}")
        try:
            parse_rank_range(self.ranks)
        except Game24Error as exc:
            raise ValueError(f"ranks: {exc}") from None

    @property
    def depth(self) -> int:
        """ToT depth: three steps, plus the model's written answer when answer=model."""
        return 3 + (self.answer == "model")

    def reply_tokens(self) -> int:
        if self.max_tokens is not None:
            return self.max_tokens
        return {"io": 64, "cot": 256, "cot-sc": 256, "tot": 128}[self.method]

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "depth": self.depth, "reply_tokens": self.reply_tokens()}

    def identity(self) -> dict[str, Any]:
        """The parameters that a results file is bound to."""
        return {k: v for k, v in self.to_dict().items() if k not in _NOT_IDENTITY}


def results_name(config: Game24EvalConfig) -> str:
    """A file name that tells runs apart:
    `game24-tot-b5-propose-value-repair-last25-smollm2-135m-instruct-fp32.jsonl`."""
    parts = [EVAL_NAME, config.method]
    if config.method == "tot":
        parts += [f"b{config.breadth}", config.generate, config.evaluate, config.check]
        if config.last_breadth is not None:
            parts.append(f"last{config.last_breadth}")
        if config.root_breadth is not None:
            parts.append(f"rootb{config.root_breadth}")
        if config.n_generate > 1:
            parts.append(f"n{config.n_generate}")
        if config.n_generate_root != config.n_generate:
            parts.append(f"root{config.n_generate_root}")
        if config.answer == "model":
            parts.append("model-answer")
        if config.left_guard:
            parts.append("left-guard")
    elif config.method == "cot-sc":
        parts.append(f"k{config.samples}")
    if config.few_shot:
        parts.append("few-shot")
    if config.adapters:
        parts += [f"{role}={name}" for role, name in sorted(config.adapters.items())]
    parts += [Path(config.model).name or "model", config.precision]
    return "-".join(parts) + ".jsonl"
