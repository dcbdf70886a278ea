"""Tree-of-Thoughts search, independent of any task (Yao et al. 2023).

A `Task` renders states into prompts and parses the model's thoughts into child states;
a `ThoughtGenerator` proposes or samples children; a `StateEvaluator` scores states;
`bfs` and `dfs` search under a `SearchConfig` and return the whole `SearchTree`.

The language model sits behind the small `LanguageModel` protocol: prompts are fully
rendered strings (a task builds them, chat-formatted through a `render` callable if it
is given one), so this module knows nothing about tokenizers or chat templates.
"""

from __future__ import annotations

import math
import random
import re
import time
from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal, Protocol, cast, runtime_checkable

# -- the language model ------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    """One sampled continuation: its text and the number of tokens generated."""

    text: str
    tokens: int


@runtime_checkable
class LanguageModel(Protocol):
    def complete(
        self,
        prompt: str,
        *,
        n: int = 1,
        max_tokens: int = 128,
        temperature: float = 0.0,
        stop: Sequence[str] = (),
        seed: int | None = None,
    ) -> list[Completion]:
        """`n` samples of one prompt, decoded as one batch that shares the prompt's prefill.

        Each returned object needs `.text` (stop string excluded) and `.tokens` (count).
        """
        ...

    def label_probs(self, prompt: str, labels: Sequence[str]) -> list[float]:
        """Probability of each label word as the next token after `prompt` (one forward pass)."""
        ...


class BatchingLanguageModel(LanguageModel, Protocol):
    """A model that also decodes several different prompts as one batch (optional)."""

    def complete_each(
        self,
        prompts: Sequence[str],
        *,
        max_tokens: int = 128,
        temperature: float = 0.0,
        stop: Sequence[str] = (),
        seed: int | None = None,
    ) -> list[Completion]:
        """One completion of each prompt, as one batch; prompt i is seeded with seed + i."""
        ...


Message = Mapping[str, str]
Render = Callable[[Sequence[Message]], str]


def plain_render(messages: Sequence[Message]) -> str:
    """Messages as plain text, one after another: the prompt of a model without a chat template.

    A chat `render` must end with the assistant's turn opened, so that the next token is
    the answer (the label word of a value prompt, the first thought of a propose prompt).
    """
    return "".join(m["content"].rstrip("\n") + "\n" for m in messages)


# -- the task ----------------------------------------------------------------------------


class Task(Protocol):
    """How one problem is searched. States are strings; the root is `root()`.

    Subclass it explicitly to inherit the defaults of the optional methods.
    """

    @abstractmethod
    def root(self) -> str: ...

    @abstractmethod
    def propose_prompt(self, state: str) -> str:
        """Prompt whose one completion lists several next thoughts, one per line."""

    @abstractmethod
    def sample_prompt(self, state: str) -> str:
        """Prompt whose every sampled completion is one next thought."""

    @abstractmethod
    def value_prompt(self, state: str) -> str:
        """Prompt after which the next word judges the state (sure / likely / impossible)."""

    @abstractmethod
    def parse_thoughts(self, state: str, text: str) -> list[str]:
        """The child states that one completion `text` describes; invalid thoughts dropped."""

    @abstractmethod
    def is_final(self, state: str) -> bool:
        """True when the state is terminal: it is not expanded further."""

    @abstractmethod
    def final_answer(self, state: str) -> str | None:
        """The answer a terminal state gives, or None (a dead end, or not terminal)."""

    def judge(self, answer: str) -> bool | None:
        """Whether an answer is right, when the task knows (never used by the search)."""
        return None

    def state_key(self, state: str) -> str:
        """States with equal keys are the same state: the search keeps only the first."""
        return state

    def describe(self, state: str) -> str:
        """One short line for the tree view: the state's last thought."""
        lines = state.strip().splitlines()
        return lines[-1] if lines else ""

    def vote_prompt(self, states: Sequence[str]) -> str:
        """Prompt asking which of `states` (numbered from 1) is the most promising."""
        raise NotImplementedError(f"{type(self).__name__} has no vote prompt")

    def parse_vote(self, text: str, n_states: int) -> int | None:
        """Index (from 0) of the state a vote chose, or None."""
        for match in re.finditer(r"\d+", text):
            choice = int(match.group())
            if 1 <= choice <= n_states:
                return choice - 1
        return None


# -- budget ------------------------------------------------------------------------------


class BudgetExhausted(Exception):
    """Raised inside a search when a budget forbids the next model call."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Meter:
    """Counts model calls, generated tokens and seconds against a search's budget."""

    def __init__(
        self,
        max_tokens: int | None = None,
        max_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_tokens = max_tokens
        self.max_seconds = max_seconds
        self.clock = clock
        self.start = clock()
        self.tokens = 0
        self.calls = 0
        self.cache_hits = 0

    @property
    def seconds(self) -> float:
        return self.clock() - self.start

    def tokens_per_sample(self, max_tokens: int, n: int) -> int:
        """Check the clock and return the `max_tokens` a call of `n` samples may use."""
        self.check_time()
        if self.max_tokens is None:
            return max_tokens
        allowed = min(max_tokens, (self.max_tokens - self.tokens) // n)
        if allowed < 1:
            raise BudgetExhausted("max_tokens")
        return allowed

    def check_time(self) -> None:
        if self.max_seconds is not None and self.seconds >= self.max_seconds:
            raise BudgetExhausted("max_seconds")

    def record(self, tokens: int = 0) -> None:
        self.calls += 1
        self.tokens += tokens


# -- thoughts ----------------------------------------------------------------------------

GenerateMode = Literal["propose", "sample"]


class ThoughtGenerator:
    """Children of a state from the model.

    propose: each call's completion lists several thoughts, one per line (the paper runs
    one such call; `n` > 1 samples the list `n` times, in one batch).
    sample: `n` independent completions of one prompt, each one thought, in one batch.
    """

    def __init__(
        self,
        lm: LanguageModel,
        mode: GenerateMode = "propose",
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
        stop: Sequence[str] = (),
        seed: int | None = None,
    ) -> None:
        if mode not in ("propose", "sample"):
            raise ValueError(f"mode must be 'propose' or 'sample', got {mode!r}")
        self.lm = lm
        self.mode = mode
        if temperature is None:
            temperature = 0.0 if mode == "propose" else 0.7
        if max_tokens is None:
            max_tokens = 128 if mode == "propose" else 48
        self.temperature = temperature
        self.max_tokens = max_tokens
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be >= 1, got {self.max_tokens}")
        self.stop = tuple(stop)
        self.seed = seed
        self._calls = 0

    def generate(
        self, task: Task, state: str, n: int = 1, meter: Meter | None = None
    ) -> list[str]:
        meter = meter or Meter()
        if self.mode == "propose":
            prompt = task.propose_prompt(state)
        else:
            prompt = task.sample_prompt(state)
        max_tokens = meter.tokens_per_sample(self.max_tokens, n)
        seed = None if self.seed is None else self.seed + self._calls
        self._calls += 1
        completions = self.lm.complete(
            prompt, n=n, max_tokens=max_tokens, temperature=self.temperature,
            stop=self.stop, seed=seed,
        )
        meter.record(sum(c.tokens for c in completions))
        children: list[str] = []
        for completion in completions:
            children.extend(task.parse_thoughts(state, completion.text))
        return children

    def batches(self, n: int) -> bool:
        """Whether `generate_each` decodes several states as one batch (else it costs the same
        as one `generate` call per state, and a budget is better checked between them)."""
        return n == 1 and callable(getattr(self.lm, "complete_each", None))

    def generate_each(
        self, task: Task, states: Sequence[str], meter: Meter | None = None
    ) -> list[list[str]]:
        """The children of each state, one thought list per state, decoded as one batch
        (frontier-wide: ToT's b states of a level cost one decode, not b)."""
        if not self.batches(1):
            raise TypeError("generate_each needs a model with complete_each")
        meter = meter or Meter()
        prompt_of = task.propose_prompt if self.mode == "propose" else task.sample_prompt
        max_tokens = meter.tokens_per_sample(self.max_tokens, len(states))
        seed = None if self.seed is None else self.seed + self._calls
        self._calls += len(states)
        completions = cast(BatchingLanguageModel, self.lm).complete_each(
            [prompt_of(state) for state in states], max_tokens=max_tokens,
            temperature=self.temperature, stop=self.stop, seed=seed,
        )
        meter.record(sum(c.tokens for c in completions))
        return [task.parse_thoughts(state, c.text) for state, c in zip(states, completions, strict=True)]


# -- evaluation --------------------------------------------------------------------------

# The paper's weights: one "sure" outweighs many "likely"; "impossible" is nearly zero.
VALUE_LABELS: dict[str, float] = {"sure": 20.0, "likely": 1.0, "impossible": 0.001}

EvaluateMode = Literal["value", "sampled_value", "vote", "scorer"]
Scorer = Callable[[Task, Sequence[str]], Sequence[float]]


class StateEvaluator:
    """Scores of states; higher is better.

    value: the label words' probabilities as the next token after the value prompt, one
    forward pass per state, score = their probability-weighted weight (VALUE_LABELS).
    sampled_value: the paper's way, `n` sampled judgements, mean weight of the labels said.
    vote: `n` sampled votes over all states at once; score = votes received.
    scorer: any callable `(task, states) -> scores`, e.g. a reward model.
    Value and vote results are cached by prompt, across searches.
    """

    def __init__(
        self,
        lm: LanguageModel | None = None,
        mode: EvaluateMode = "value",
        *,
        labels: Mapping[str, float] | None = None,
        scorer: Scorer | None = None,
        temperature: float = 0.7,
        max_tokens: int = 16,
        seed: int | None = None,
        cache: bool = True,
    ) -> None:
        if mode not in ("value", "sampled_value", "vote", "scorer"):
            raise ValueError(f"mode must be value, sampled_value, vote or scorer, got {mode!r}")
        if mode == "scorer" and scorer is None:
            raise ValueError("scorer must be given when mode is 'scorer'")
        if mode != "scorer" and lm is None:
            raise ValueError(f"lm must be given when mode is {mode!r}")
        self.lm = lm
        self.mode = mode
        self.labels = dict(VALUE_LABELS if labels is None else labels)
        if not self.labels:
            raise ValueError("labels must not be empty")
        self.scorer = scorer
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.seed = seed
        self.cache: dict[tuple[str, str], Any] | None = {} if cache else None
        self._calls = 0

    @classmethod
    def from_scorer(cls, scorer: Scorer) -> StateEvaluator:
        return cls(mode="scorer", scorer=scorer)

    def evaluate(
        self, task: Task, states: Sequence[str], n: int = 1, meter: Meter | None = None
    ) -> list[float | None]:
        """Scores of `states`, in order; None for those a budget left unscored."""
        meter = meter or Meter()
        if not states:
            return []
        if self.mode == "scorer":
            assert self.scorer is not None
            meter.check_time()
            scored = [float(s) for s in self.scorer(task, states)]
            meter.record(0)
            if len(scored) != len(states):
                raise ValueError(f"scorer returned {len(scored)} scores for {len(states)} states")
            return list(scored)
        if self.mode == "vote":
            return list(self._votes(task, states, n, meter))
        scores: list[float | None] = []
        for state in states:
            try:
                scores.append(self._value(task, state, n, meter))
            except BudgetExhausted as exc:
                scores.extend([None] * (len(states) - len(scores)))
                raise PartialScores(exc.reason, scores) from None
        return scores

    def _cached(self, key: tuple[str, str], meter: Meter) -> Any:
        if self.cache is not None and key in self.cache:
            meter.cache_hits += 1
            return self.cache[key]
        return None

    def _store(self, key: tuple[str, str], value: Any) -> None:
        if self.cache is not None:
            self.cache[key] = value

    def _next_seed(self) -> int | None:
        seed = None if self.seed is None else self.seed + self._calls
        self._calls += 1
        return seed

    def _value(self, task: Task, state: str, n: int, meter: Meter) -> float:
        assert self.lm is not None
        prompt = task.value_prompt(state)
        key = (self.mode, prompt)
        cached = self._cached(key, meter)
        if cached is not None:
            return cached
        words = list(self.labels)
        if self.mode == "value":
            meter.check_time()
            probs = self.lm.label_probs(prompt, words)
            meter.record(0)
            total = sum(probs)
            score = sum(p * self.labels[w] for p, w in zip(probs, words, strict=True)) / total if (
                total > 0
            ) else 0.0
        else:
            max_tokens = meter.tokens_per_sample(self.max_tokens, n)
            completions = self.lm.complete(
                prompt, n=n, max_tokens=max_tokens, temperature=self.temperature,
                seed=self._next_seed(),
            )
            meter.record(sum(c.tokens for c in completions))
            said = [_last_label(c.text, words) for c in completions]
            score = sum(self.labels[w] for w in said if w is not None) / max(len(said), 1)
        self._store(key, score)
        return score

    def _votes(self, task: Task, states: Sequence[str], n: int, meter: Meter) -> list[float]:
        assert self.lm is not None
        prompt = task.vote_prompt(states)
        key = ("vote", prompt)
        cached = self._cached(key, meter)
        if cached is not None:
            return list(cached)
        max_tokens = meter.tokens_per_sample(self.max_tokens, n)
        completions = self.lm.complete(
            prompt, n=n, max_tokens=max_tokens, temperature=self.temperature,
            seed=self._next_seed(),
        )
        meter.record(sum(c.tokens for c in completions))
        votes = [0.0] * len(states)
        for completion in completions:
            choice = task.parse_vote(completion.text, len(states))
            if choice is not None:
                votes[choice] += 1
        self._store(key, tuple(votes))
        return votes


class PartialScores(BudgetExhausted):
    """A budget ran out part way through a batch of evaluations; carries what was scored."""

    def __init__(self, reason: str, scores: list[float | None]) -> None:
        super().__init__(reason)
        self.scores = scores


def _last_label(text: str, words: Sequence[str]) -> str | None:
    pattern = r"\b(" + "|".join(re.escape(w) for w in words) + r")\b"
    found = re.findall(pattern, text.lower())
    return found[-1] if found else None


# -- configuration -----------------------------------------------------------------------


@dataclass
class SearchConfig:
    """How a search runs. Budgets are off when None.

    breadth: states kept per level (bfs) or children visited per state (dfs).
    depth: most thoughts from the root to a leaf.
    n_generate: completions per expanded state; n_evaluate: samples per evaluation.
    threshold: states scoring below it are pruned (dfs; bfs too when set).
    solutions: dfs stops after finding this many final answers.
    max_nodes counts the nodes added under the root; max_tokens the generated tokens.
    """

    method: Literal["bfs", "dfs"] = "bfs"
    breadth: int = 5
    depth: int = 3
    n_generate: int = 1
    n_evaluate: int = 1
    select: Literal["greedy", "sample"] = "greedy"
    threshold: float | None = None
    solutions: int = 1
    max_nodes: int | None = None
    max_tokens: int | None = None
    max_seconds: float | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.method not in ("bfs", "dfs"):
            raise ValueError(f"method must be 'bfs' or 'dfs', got {self.method!r}")
        if self.select not in ("greedy", "sample"):
            raise ValueError(f"select must be 'greedy' or 'sample', got {self.select!r}")
        for name in ("breadth", "depth", "n_generate", "n_evaluate", "solutions"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        for name in ("max_nodes", "max_tokens"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise ValueError(f"{name} must be an integer >= 1 or None, got {value!r}")
        if self.max_seconds is not None and not (
            isinstance(self.max_seconds, int | float) and 0 < self.max_seconds < math.inf
        ):
            raise ValueError(
                f"max_seconds must be a positive number or None, got {self.max_seconds!r}"
            )
        if self.threshold is not None and not (
            isinstance(self.threshold, int | float) and math.isfinite(self.threshold)
        ):
            raise ValueError(f"threshold must be a finite number or None, got {self.threshold!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- the tree ----------------------------------------------------------------------------

Status = Literal["open", "kept", "pruned"]


@dataclass
class Node:
    """One state of the search. `thought` is its short line for display.

    status: kept (in the beam, or visited by dfs), pruned (with a reason: rank,
    threshold, dead end (terminal without an answer; never scored, never takes a slot),
    unvisited, or the budget that stopped the search: max_nodes, max_tokens,
    max_seconds) or open (still undecided while the search runs).
    """

    id: int
    parent: int | None
    depth: int
    state: str
    thought: str
    score: float | None = None
    status: Status = "open"
    reason: str | None = None
    final: bool = False
    answer: str | None = None

    @property
    def kept(self) -> bool:
        return self.status == "kept"

    @property
    def pruned(self) -> bool:
        return self.status == "pruned"


@dataclass
class SearchTree:
    """The whole search: every node, who was kept, the final candidates and the cost."""

    config: SearchConfig
    nodes: list[Node] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)  # kept final nodes, best first
    frontier: list[int] = field(default_factory=list)  # kept, not final, never expanded
    stopped: str | None = None  # the budget that ended the search early, if any
    tokens: int = 0
    calls: int = 0
    seconds: float = 0.0
    duplicates: int = 0
    cache_hits: int = 0
    done: bool = False

    def add(self, parent: Node | None, state: str, thought: str) -> Node:
        node = Node(
            id=len(self.nodes),
            parent=None if parent is None else parent.id,
            depth=0 if parent is None else parent.depth + 1,
            state=state,
            thought=thought,
        )
        self.nodes.append(node)
        return node

    def children(self, node_id: int) -> list[Node]:
        return [n for n in self.nodes if n.parent == node_id]

    def path(self, node_id: int) -> list[Node]:
        """Nodes from the root down to `node_id`."""
        path = []
        current: int | None = node_id
        while current is not None:
            node = self.nodes[current]
            path.append(node)
            current = node.parent
        return path[::-1]

    @property
    def best(self) -> Node | None:
        return self.nodes[self.candidates[0]] if self.candidates else None

    @property
    def answer(self) -> str | None:
        best = self.best
        return None if best is None else best.answer

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["config"] = self.config.to_dict()
        data["nodes"] = [asdict(n) for n in self.nodes]
        data["candidates"] = list(self.candidates)
        data["frontier"] = list(self.frontier)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SearchTree:
        values = dict(data)
        values["config"] = SearchConfig(**values["config"])
        values["nodes"] = [Node(**n) for n in values["nodes"]]
        return cls(**values)


# -- search ------------------------------------------------------------------------------

OnUpdate = Callable[[SearchTree], None]


class _Search:
    """State shared by bfs and dfs: the tree, the budget, dedup and bookkeeping."""

    def __init__(
        self,
        task: Task,
        generator: ThoughtGenerator,
        evaluator: StateEvaluator,
        config: SearchConfig,
        on_update: OnUpdate | None,
        clock: Callable[[], float],
    ) -> None:
        self.task = task
        self.generator = generator
        self.evaluator = evaluator
        self.config = config
        self.on_update = on_update
        self.meter = Meter(config.max_tokens, config.max_seconds, clock)
        self.tree = SearchTree(config=config)
        self.seen: set[str] = set()
        self.rng = random.Random(config.seed)
        root_state = task.root()
        self.root = self.tree.add(None, root_state, task.describe(root_state))
        self.root.status = "kept"
        self.seen.add(task.state_key(root_state))

    def notify(self) -> None:
        self.tree.tokens = self.meter.tokens
        self.tree.calls = self.meter.calls
        self.tree.cache_hits = self.meter.cache_hits
        self.tree.seconds = self.meter.seconds
        if self.on_update is not None:
            self.on_update(self.tree)

    def stop(self, reason: str) -> None:
        if self.tree.stopped is None:
            self.tree.stopped = reason

    def expand(self, node: Node) -> list[Node]:
        """Generate the children of `node`, dropping duplicates; respects max_nodes."""
        if self.tree.stopped is not None:
            return []
        try:
            states = self.generator.generate(
                self.task, node.state, self.config.n_generate, self.meter
            )
        except BudgetExhausted as exc:
            self.stop(exc.reason)
            return []
        return self._adopt(node, states)

    def expand_all(self, nodes: Sequence[Node]) -> list[Node]:
        """The children of every node of a level: one batched decode when the model can,
        else node by node (stopping as soon as a budget runs out)."""
        if len(nodes) < 2 or not self.generator.batches(self.config.n_generate):
            children: list[Node] = []
            for node in nodes:
                children.extend(self.expand(node))
                if self.tree.stopped is not None:
                    break
            return children
        if self.tree.stopped is not None:
            return []
        try:
            per_node = self.generator.generate_each(self.task, [n.state for n in nodes], self.meter)
        except BudgetExhausted as exc:
            self.stop(exc.reason)
            return []
        return [child for node, states in zip(nodes, per_node, strict=True) for child in self._adopt(node, states)]

    def _adopt(self, node: Node, states: Sequence[str]) -> list[Node]:
        """Add new `states` as children of `node`; duplicates of seen states are dropped."""
        children = []
        for state in states:
            key = self.task.state_key(state)
            if key in self.seen:
                self.tree.duplicates += 1
                continue
            max_nodes = self.config.max_nodes
            if max_nodes is not None and len(self.tree.nodes) - 1 >= max_nodes:
                self.stop("max_nodes")
                break
            self.seen.add(key)
            child = self.tree.add(node, state, self.task.describe(state))
            child.final = self.task.is_final(state)
            if child.final:
                child.answer = self.task.final_answer(state)
            children.append(child)
        return children

    def evaluate(self, nodes: Sequence[Node]) -> None:
        """Score `nodes`; those a budget leaves unscored keep score None. Dead ends
        (terminal states without an answer) are not worth a model call."""
        nodes = [n for n in nodes if not _dead_end(n)]
        if not nodes:
            return
        try:
            scores = self.evaluator.evaluate(
                self.task, [n.state for n in nodes], self.config.n_evaluate, self.meter
            )
        except PartialScores as exc:
            scores = exc.scores
            self.stop(exc.reason)
        except BudgetExhausted as exc:
            scores = [None] * len(nodes)
            self.stop(exc.reason)
        for node, score in zip(nodes, scores, strict=True):
            node.score = score

    def rank(self, nodes: Sequence[Node]) -> list[Node]:
        """Scored nodes above the threshold, in the order selection prefers them."""
        threshold = self.config.threshold
        eligible = []
        for node in nodes:
            if _dead_end(node):
                node.status, node.reason = "pruned", "dead end"
            elif node.score is None:  # a budget stopped the search before it was scored
                node.status, node.reason = "pruned", self.tree.stopped or "unscored"
            elif threshold is not None and node.score < threshold:
                node.status, node.reason = "pruned", "threshold"
            else:
                eligible.append(node)
        if self.config.select == "sample":
            return self._sample_order(eligible)
        return sorted(eligible, key=lambda n: (-(n.score or 0.0), n.id))

    def _sample_order(self, nodes: list[Node]) -> list[Node]:
        """Weighted sampling without replacement, proportional to score."""
        pool, order = list(nodes), []
        while pool:
            weights = [max(n.score or 0.0, 0.0) for n in pool]
            if sum(weights) <= 0:
                weights = [1.0] * len(pool)
            pick = self.rng.choices(range(len(pool)), weights=weights)[0]
            order.append(pool.pop(pick))
        return order

    def finish(self) -> SearchTree:
        reason = self.tree.stopped or "unvisited"
        for node in self.tree.nodes:
            if node.status == "open":
                node.status, node.reason = "pruned", reason
        finals = [n for n in self.tree.nodes if n.kept and n.final and n.answer is not None]
        finals.sort(key=lambda n: (-(n.score if n.score is not None else -math.inf), n.id))
        self.tree.candidates = [n.id for n in finals]
        expanded = {n.parent for n in self.tree.nodes}
        self.tree.frontier = [
            n.id for n in self.tree.nodes if n.kept and not n.final and n.id not in expanded
        ]
        self.tree.done = True
        self.notify()
        return self.tree


def _dead_end(node: Node) -> bool:
    return node.final and node.answer is None


def bfs(
    task: Task,
    generator: ThoughtGenerator,
    evaluator: StateEvaluator,
    config: SearchConfig,
    *,
    on_update: OnUpdate | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> SearchTree:
    """Breadth-first search: each level keeps the best `breadth` states, for `depth` levels."""
    search = _Search(task, generator, evaluator, config, on_update, clock)
    frontier = [search.root]
    if task.is_final(search.root.state):
        frontier = []
    for _ in range(config.depth):
        if not frontier or search.tree.stopped is not None:
            break
        children = search.expand_all(frontier)
        search.notify()
        search.evaluate(children)
        search.notify()
        ranked = search.rank(children)
        for position, node in enumerate(ranked):
            if position < config.breadth:
                node.status = "kept"
            else:
                node.status, node.reason = "pruned", "rank"
        search.notify()
        frontier = [n for n in ranked[: config.breadth] if not n.final]
    return search.finish()


def dfs(
    task: Task,
    generator: ThoughtGenerator,
    evaluator: StateEvaluator,
    config: SearchConfig,
    *,
    on_update: OnUpdate | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> SearchTree:
    """Depth-first search: visit the best children first, prune below the threshold,
    backtrack from dead ends, stop after `solutions` final answers or a budget."""
    search = _Search(task, generator, evaluator, config, on_update, clock)
    found = 0

    def visit(node: Node) -> None:
        nonlocal found
        if node.final:
            if node.answer is not None:
                found += 1
            return
        if node.depth >= config.depth:
            return
        children = search.expand(node)
        search.notify()
        search.evaluate(children)
        search.notify()
        ranked = search.rank(children)
        for child in ranked[config.breadth :]:
            child.status, child.reason = "pruned", "rank"
        for child in ranked[: config.breadth]:
            if found >= config.solutions or search.tree.stopped is not None:
                break  # left open; finish() marks why they were never visited
            child.status = "kept"
            search.notify()
            visit(child)

    if not task.is_final(search.root.state):
        visit(search.root)
    return search.finish()


def search(
    task: Task,
    generator: ThoughtGenerator,
    evaluator: StateEvaluator,
    config: SearchConfig,
    *,
    on_update: OnUpdate | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> SearchTree:
    """Run `config.method` (bfs or dfs)."""
    method = bfs if config.method == "bfs" else dfs
    return method(task, generator, evaluator, config, on_update=on_update, clock=clock)
