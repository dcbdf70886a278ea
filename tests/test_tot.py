"""Tree-of-Thoughts search on a toy task with a known optimum and a scripted fake model.

The toy: a state is a string of digits, each thought appends one digit, depth 3. The
fake model's "value" of a state is scripted, with a trap: the best first digit ("1")
leads nowhere, the second best ("2") leads to the optimum "210".
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from agent.tot import (
    VALUE_LABELS,
    Completion,
    LanguageModel,
    Meter,
    SearchConfig,
    SearchTree,
    StateEvaluator,
    Task,
    ThoughtGenerator,
    bfs,
    dfs,
    search,
)

OPTIMUM = "210"
P_SURE = {
    "0": 0.1, "1": 0.9, "2": 0.8,
    "10": 0.2, "11": 0.3, "12": 0.25,
    "20": 0.1, "21": 0.95, "22": 0.5,
    "210": 0.99,
}  # every other state: 0.05


def score_of(p_sure: float) -> float:
    return p_sure * VALUE_LABELS["sure"] + (1 - p_sure) * VALUE_LABELS["impossible"]


class ToyTask(Task):
    def __init__(self, depth: int = 3, key=None) -> None:
        self.depth = depth
        self.key = key

    def root(self) -> str:
        return ""

    def propose_prompt(self, state: str) -> str:
        return f"propose:{state}"

    def sample_prompt(self, state: str) -> str:
        return f"sample:{state}"

    def value_prompt(self, state: str) -> str:
        return f"value:{state}"

    def vote_prompt(self, states: Sequence[str]) -> str:
        return "vote:" + ",".join(states)

    def parse_thoughts(self, state: str, text: str) -> list[str]:
        return [state + line.strip() for line in text.splitlines() if line.strip().isdigit()]

    def is_final(self, state: str) -> bool:
        return len(state) >= self.depth

    def final_answer(self, state: str) -> str | None:
        return state if self.is_final(state) else None

    def judge(self, answer: str) -> bool:
        return answer == OPTIMUM

    def state_key(self, state: str) -> str:
        return state if self.key is None else self.key(state)

    def describe(self, state: str) -> str:
        return state or "(root)"


class FakeLM:
    """Scripted replies; records every call; each call advances a fake clock by 1 s."""

    def __init__(self, replies: dict[str, str] | None = None, tokens_per_reply: int = 3) -> None:
        self.replies = replies or {}
        self.tokens_per_reply = tokens_per_reply
        self.calls: list[tuple[str, str, dict]] = []
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def complete(self, prompt, *, n=1, max_tokens=128, temperature=0.0, stop=(), seed=None):
        self.calls.append(("complete", prompt, {"n": n, "max_tokens": max_tokens, "seed": seed,
                                                "temperature": temperature, "stop": stop}))
        self.now += 1.0
        kind, _, state = prompt.partition(":")
        tokens = min(self.tokens_per_reply, max_tokens)
        if kind == "propose":
            text = self.replies.get(state, "0\n1\n2")
            return [Completion(text, tokens) for _ in range(n)]
        if kind == "sample":
            return [Completion(str(i % 3), tokens) for i in range(n)]
        if kind == "value":
            label = "sure" if P_SURE.get(state, 0.05) >= 0.5 else "impossible"
            return [Completion(f"thinking...\n{label}", tokens) for _ in range(n)]
        if kind == "vote":
            states = state.split(",")
            best = max(range(len(states)), key=lambda i: P_SURE.get(states[i], 0.05))
            return [Completion(f"The best choice is {best + 1}", tokens) for _ in range(n)]
        raise AssertionError(f"unexpected prompt {prompt!r}")

    def label_probs(self, prompt: str, labels: Sequence[str]) -> list[float]:
        self.calls.append(("label_probs", prompt, {"labels": tuple(labels)}))
        self.now += 1.0
        p = P_SURE.get(prompt.partition(":")[2], 0.05)
        return [{"sure": p, "likely": 0.0, "impossible": 1 - p}[w] for w in labels]

    def prompts(self, kind: str = "complete") -> list[str]:
        return [prompt for k, prompt, _ in self.calls if k == kind]


class BatchingFakeLM(FakeLM):
    """FakeLM that also decodes several prompts as one batch (recorded as one call)."""

    def complete_each(self, prompts, *, max_tokens=128, temperature=0.0, stop=(), seed=None):
        self.calls.append(("complete_each", "|".join(prompts), {"max_tokens": max_tokens, "seed": seed}))
        self.now += 1.0
        out = []
        for i, prompt in enumerate(prompts):
            kind, _, state = prompt.partition(":")
            assert kind in ("propose", "sample")
            text = self.replies.get(state, "0\n1\n2") if kind == "propose" else str((seed or 0) + i)
            out.append(Completion(text, min(self.tokens_per_reply, max_tokens)))
        return out


def run(algorithm=bfs, lm=None, task=None, evaluator=None, generator=None, on_update=None,
        **config) -> tuple[SearchTree, FakeLM]:
    lm = lm or FakeLM()
    config.setdefault("depth", 3)
    config.setdefault("method", "dfs" if algorithm is dfs else "bfs")
    tree = algorithm(
        task or ToyTask(),
        generator or ThoughtGenerator(lm),
        evaluator or StateEvaluator(lm),
        SearchConfig(**config),
        on_update=on_update,
        clock=lm.clock,
    )
    return tree, lm


def assert_consistent(tree: SearchTree, breadth: int | None = None) -> None:
    """Ids dense, parents exist and were kept, depths chain, every node decided."""
    assert [n.id for n in tree.nodes] == list(range(len(tree.nodes)))
    root = tree.nodes[0]
    assert root.parent is None and root.depth == 0 and root.kept
    for node in tree.nodes[1:]:
        assert node.parent is not None and 0 <= node.parent < node.id
        parent = tree.nodes[node.parent]
        assert node.depth == parent.depth + 1
        assert parent.kept and not parent.final, "only kept, non-final nodes are expanded"
        assert node.status in ("kept", "pruned")
        assert (node.reason is None) == node.kept
    assert all(tree.nodes[i].kept and tree.nodes[i].final for i in tree.candidates)
    scores = [tree.nodes[i].score for i in tree.candidates]
    assert scores == sorted(scores, reverse=True)
    if breadth is not None:
        for depth in range(1, max(n.depth for n in tree.nodes) + 1):
            level = [n for n in tree.nodes if n.depth == depth]
            eligible = [n for n in level if n.score is not None and n.reason != "dead end"]
            assert sum(n.kept for n in level) == min(breadth, len(eligible))


# -- config ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("method", "astar"), ("breadth", 0), ("depth", 0), ("n_generate", 0),
        ("n_evaluate", -1), ("breadth", 1.5), ("select", "best"), ("solutions", 0),
        ("max_nodes", 0), ("max_tokens", -5), ("max_seconds", 0), ("max_seconds", float("inf")),
        ("threshold", float("nan")), ("breadth", True), ("last_breadth", 0),
        ("root_breadth", 0),
    ],
)
def test_config_rejects_bad_values_naming_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        SearchConfig(**{field: value})


def test_config_defaults_are_valid_and_serialisable():
    config = SearchConfig()
    assert json.loads(json.dumps(config.to_dict()))["breadth"] == 5


def test_generator_and_evaluator_reject_bad_modes():
    with pytest.raises(ValueError, match="mode"):
        ThoughtGenerator(FakeLM(), mode="think")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mode"):
        StateEvaluator(FakeLM(), mode="guess")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scorer"):
        StateEvaluator(mode="scorer")
    with pytest.raises(ValueError, match="lm"):
        StateEvaluator(None, mode="value")


def test_greedy_propose_lists_beyond_the_first_are_sampled():
    """n greedy lists would be one list n times: the first stays greedy, the rest are sampled."""
    lm = FakeLM()
    generator = ThoughtGenerator(lm, "propose", seed=5, spread_temperature=0.9)
    generator.generate(ToyTask(), "", n=4)
    assert [(c[2]["n"], c[2]["temperature"], c[2]["seed"]) for c in lm.calls] == [(1, 0.0, 5), (3, 0.9, 6)]
    lm = FakeLM()
    ThoughtGenerator(lm, "propose", seed=5).generate(ToyTask(), "", n=1)
    assert [(c[2]["n"], c[2]["temperature"]) for c in lm.calls] == [(1, 0.0)]
    lm = FakeLM()  # lists sampled already: n of them in one call, as before
    ThoughtGenerator(lm, "propose", temperature=0.7).generate(ToyTask(), "", n=3)
    assert [(c[2]["n"], c[2]["temperature"]) for c in lm.calls] == [(3, 0.7)]
    with pytest.raises(ValueError, match="spread_temperature"):
        ThoughtGenerator(FakeLM(), "propose", spread_temperature=-1)
    lm = FakeLM()  # a budget that allows the greedy list only: its children still count
    children = ThoughtGenerator(lm, "propose").generate(ToyTask(), "", n=4, meter=Meter(max_tokens=4))
    assert children == ["0", "1", "2"] and len(lm.calls) == 1


def test_the_root_may_get_more_propose_lists_than_the_levels_below():
    tree, lm = run(lm=BatchingFakeLM(), breadth=2, depth=2, n_generate_root=3, seed=0)
    proposals = [(kind, c["n"] if kind == "complete" else None) for kind, _, c in lm.calls if kind != "label_probs"]
    # the root: one greedy list and two sampled; the level below: one list per state, batched
    assert proposals == [("complete", 1), ("complete", 2), ("complete_each", None)]
    assert_consistent(tree, breadth=2)
    with pytest.raises(ValueError, match="n_generate_root"):
        SearchConfig(n_generate_root=0)


def test_fake_satisfies_the_protocol():
    assert isinstance(FakeLM(), LanguageModel)


# -- bfs ---------------------------------------------------------------------------------


def test_bfs_with_breadth_two_finds_the_optimum():
    tree, lm = run(breadth=2)
    assert tree.answer == OPTIMUM
    assert ToyTask().judge(tree.answer)
    assert tree.best is not None and tree.best.score == pytest.approx(score_of(0.99))
    assert [n.state for n in tree.path(tree.best.id)] == ["", "2", "21", "210"]
    assert_consistent(tree, breadth=2)
    assert len(tree.candidates) == 2  # two finals kept at the last level
    assert tree.stopped is None and tree.done


def test_bfs_with_breadth_one_falls_into_the_trap():
    tree, _ = run(breadth=1)
    assert tree.answer is not None and tree.answer.startswith("1")
    assert not ToyTask().judge(tree.answer)
    assert_consistent(tree, breadth=1)


def test_bfs_prunes_and_never_expands_pruned_states():
    tree, lm = run(breadth=2)
    pruned = {n.state for n in tree.nodes if n.pruned}
    assert {"0", "10", "11", "12", "20"} <= pruned
    assert all(tree.nodes[n.parent].kept for n in tree.nodes[1:])
    assert "propose:0" not in lm.prompts() and "propose:20" not in lm.prompts()
    # one propose call per kept non-final state, one value call per generated state
    assert len(lm.prompts()) == 1 + 2 + 2
    assert len(lm.prompts("label_probs")) == len(tree.nodes) - 1


def test_last_breadth_widens_only_the_level_before_the_last():
    tree, lm = run(breadth=1, last_breadth=3)
    kept = [sum(n.kept for n in tree.nodes if n.depth == depth) for depth in (1, 2, 3)]
    assert kept == [1, 3, 1]
    # the root, the one state kept at depth 1, each of the three kept at depth 2
    assert lm.prompts() == ["propose:", "propose:1", "propose:11", "propose:12", "propose:10"]
    same, _ = run(breadth=2, last_breadth=2)
    assert same.to_dict()["nodes"] == run(breadth=2)[0].to_dict()["nodes"]


def test_root_breadth_widens_only_the_root_children():
    tree, lm = run(breadth=1, root_breadth=3)
    kept = [sum(n.kept for n in tree.nodes if n.depth == depth) for depth in (1, 2, 3)]
    assert kept == [3, 1, 1]
    # the root, each of its three kept children (best first), then the best state below them:
    # the trap "1" no longer decides the search as it does with breadth 1 alone
    assert lm.prompts() == ["propose:", "propose:1", "propose:2", "propose:0", "propose:21"]
    assert tree.answer == OPTIMUM
    same, _ = run(breadth=2, root_breadth=2)
    assert same.to_dict()["nodes"] == run(breadth=2)[0].to_dict()["nodes"]


def test_bfs_threshold_prunes_low_scores():
    tree, _ = run(breadth=5, threshold=score_of(0.5))
    assert {n.state for n in tree.nodes if n.reason == "threshold"} >= {"0", "10", "20"}
    assert all(n.score >= score_of(0.5) for n in tree.nodes[1:] if n.kept)
    assert tree.answer == OPTIMUM


def test_duplicate_states_are_dropped():
    lm = FakeLM(replies={"": "1\n1\n2\n2"})
    # with digits sorted as the key, "12" and "21" are the same state
    task = ToyTask(key=lambda s: "".join(sorted(s)))
    tree, _ = run(lm=lm, task=task, breadth=2)
    keys = [task.state_key(n.state) for n in tree.nodes]
    assert len(keys) == len(set(keys))
    assert [n.state for n in tree.nodes if n.depth == 1] == ["1", "2"]
    assert tree.duplicates >= 2 + 1  # "1" and "2" repeated, then "21" (== "12")
    assert "21" not in {n.state for n in tree.nodes}
    assert_consistent(tree, breadth=2)


def test_dead_ends_are_pruned_unscored_and_take_no_slot(monkeypatch):
    class DeadEnds(ToyTask):
        def final_answer(self, state):
            return None if "9" in state else super().final_answer(state)

    monkeypatch.setitem(P_SURE, "219", 0.999)  # the model would like the dead end best
    lm = FakeLM(replies={"21": "9\n0"})
    tree, _ = run(lm=lm, task=DeadEnds(), breadth=2)
    dead = next(n for n in tree.nodes if n.state == "219")
    assert dead.pruned and dead.reason == "dead end" and dead.score is None
    assert "value:219" not in lm.prompts("label_probs")
    assert [n.state for n in tree.nodes if n.depth == 3 and n.kept] == ["210", "220"]
    assert tree.answer == OPTIMUM
    assert_consistent(tree)


def test_evaluations_are_cached_across_searches():
    lm = FakeLM()
    evaluator = StateEvaluator(lm)
    first, _ = run(lm=lm, evaluator=evaluator, breadth=2)
    value_calls = len(lm.prompts("label_probs"))
    second, _ = run(lm=lm, evaluator=evaluator, breadth=2)
    assert len(lm.prompts("label_probs")) == value_calls
    assert second.cache_hits == len(second.nodes) - 1
    assert [n.score for n in second.nodes] == [n.score for n in first.nodes]


def test_value_score_weights_label_probabilities_and_normalises():
    class Probs(FakeLM):
        def label_probs(self, prompt, labels):
            return [{"sure": 0.07, "likely": 0.02, "impossible": 0.01}[w] for w in labels]

    (score,) = StateEvaluator(Probs()).evaluate(ToyTask(), ["1"])
    assert score == pytest.approx(0.7 * 20 + 0.2 * 1 + 0.1 * 0.001)


def test_node_budget_is_honoured():
    tree, _ = run(breadth=2, max_nodes=4)
    assert len(tree.nodes) - 1 == 4
    assert tree.stopped == "max_nodes"
    assert_consistent(tree)


def test_token_budget_is_honoured_and_caps_each_call():
    lm = FakeLM(tokens_per_reply=10)
    tree, _ = run(lm=lm, breadth=2, max_tokens=25)
    assert tree.stopped == "max_tokens"
    assert tree.tokens <= 25
    spent = 0
    for kind, _, options in lm.calls:
        if kind == "complete":
            assert options["max_tokens"] * options["n"] <= 25 - spent
            spent += min(10, options["max_tokens"]) * options["n"]
    assert_consistent(tree)


def test_time_budget_is_honoured():
    tree, lm = run(breadth=2, max_seconds=5)
    assert tree.stopped == "max_seconds"
    assert len(lm.calls) == 5  # each fake call takes 1 s; none starts after the deadline
    assert 5 <= tree.seconds <= 5 + 1
    assert any(n.reason == "max_seconds" for n in tree.nodes)
    assert_consistent(tree)


def test_sample_mode_batches_the_samples_of_one_prompt():
    lm = FakeLM()
    generator = ThoughtGenerator(lm, mode="sample", seed=7)
    tree, _ = run(lm=lm, generator=generator, breadth=2, n_generate=3)
    samples = [(p, o) for k, p, o in lm.calls if k == "complete"]
    assert len(samples) == 1 + 2 + 2  # one batched call per expanded state
    assert all(o["n"] == 3 and o["temperature"] > 0 for _, o in samples)
    assert [o["seed"] for _, o in samples] == [7, 8, 9, 10, 11]
    assert tree.answer == OPTIMUM


def test_sampled_value_and_vote_evaluators():
    lm = FakeLM()
    tree, _ = run(lm=lm, evaluator=StateEvaluator(lm, mode="sampled_value"), breadth=2,
                  n_evaluate=3)
    assert tree.answer is not None and tree.answer.startswith("2")
    assert all(o["n"] == 3 for k, p, o in lm.calls if p.startswith("value:"))

    lm = FakeLM()
    votes = StateEvaluator(lm, mode="vote").evaluate(ToyTask(), ["0", "1", "2"], n=3)
    assert votes == [0.0, 3.0, 0.0]


def test_callable_scorer_needs_no_model_for_evaluation():
    def scorer(task, states):
        return [P_SURE.get(s, 0.05) for s in states]

    tree, lm = run(evaluator=StateEvaluator.from_scorer(scorer), breadth=2)
    assert tree.answer == OPTIMUM
    assert lm.prompts("label_probs") == []


def test_on_update_sees_the_tree_grow():
    sizes: list[int] = []
    done: list[bool] = []

    def watch(tree: SearchTree) -> None:
        sizes.append(len(tree.nodes))
        done.append(tree.done)

    tree, _ = run(breadth=2, on_update=watch)
    assert sizes == sorted(sizes) and sizes[-1] == len(tree.nodes)
    assert done[-1] and not any(done[:-1])
    assert len(sizes) >= 3 * 3


def test_tree_round_trips_through_json():
    tree, _ = run(breadth=2)
    data = json.loads(json.dumps(tree.to_dict()))
    assert data["nodes"][0]["parent"] is None
    assert {"id", "parent", "depth", "state", "thought", "score", "status", "reason"} <= set(
        data["nodes"][1]
    )
    assert SearchTree.from_dict(data).to_dict() == tree.to_dict()


def test_meter_refuses_calls_past_the_token_budget():
    meter = Meter(max_tokens=10)
    assert meter.tokens_per_sample(128, n=2) == 5
    meter.record(10)
    with pytest.raises(Exception, match="max_tokens"):
        meter.tokens_per_sample(128, n=1)


# -- dfs ---------------------------------------------------------------------------------


def test_dfs_backtracks_from_a_dead_end_and_stops_at_the_first_solution():
    tree, lm = run(dfs, breadth=3, threshold=score_of(0.5))
    assert tree.answer == OPTIMUM
    assert lm.prompts() == ["propose:", "propose:1", "propose:2", "propose:21"]
    by_state = {n.state: n for n in tree.nodes}
    assert by_state["0"].reason == "threshold"
    assert by_state["1"].kept and all(c.pruned for c in tree.children(by_state["1"].id))
    assert by_state["22"].reason == "unvisited"
    assert_consistent(tree)


def test_dfs_children_per_state_limited_by_breadth():
    tree, _ = run(dfs, breadth=1, solutions=1)
    for node in tree.nodes:
        assert sum(c.kept for c in tree.children(node.id)) <= 1
    assert_consistent(tree)


def test_search_dispatches_on_method():
    lm = FakeLM()
    tree = search(ToyTask(), ThoughtGenerator(lm), StateEvaluator(lm),
                  SearchConfig(method="dfs", breadth=3, threshold=score_of(0.5)), clock=lm.clock)
    assert tree.config.method == "dfs" and tree.answer == OPTIMUM


def test_bfs_decodes_each_level_as_one_batch_and_builds_the_same_tree():
    one_by_one, _ = run(breadth=2)
    lm = BatchingFakeLM()
    batched, _ = run(lm=lm, breadth=2)
    assert batched.to_dict()["nodes"] == one_by_one.to_dict()["nodes"]
    assert batched.answer == OPTIMUM
    batches = [p for k, p, _ in lm.calls if k == "complete_each"]
    assert [len(p.split("|")) for p in batches] == [2, 2]  # the root alone, then 2 states per level
    assert len(lm.prompts("complete")) == 1
    assert_consistent(batched, breadth=2)


def test_a_batched_level_respects_the_token_budget():
    lm = BatchingFakeLM(tokens_per_reply=10)
    tree, _ = run(lm=lm, breadth=2, max_tokens=25)
    assert tree.stopped == "max_tokens" and tree.tokens <= 25
    for kind, prompt, options in lm.calls:
        if kind == "complete_each":
            assert options["max_tokens"] * len(prompt.split("|")) <= 25
    assert_consistent(tree)
