"""ToT for ordinary questions: reasoning steps searched with a scripted model, the answer
written from the best path, alternatives from the other candidates; and one end-to-end
run on the tiny model through `tot_answer`."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import pytest

from agent.tasks.open_question import (
    OpenQuestionTask,
    ToTAnswer,
    answer_question,
    clean_thought,
    computes,
    path_answer,
    prompt_version,
    reward_scorer,
    search_depth,
)
from agent.tot import Completion, LanguageModel, SearchConfig, SearchTree, plain_render
from agent.tot_answer import tot_answer, tot_prompt_version
from llm.engine import Engine
from tests.test_lm import tiny_model_dir

QUESTION = "Why is the sky blue?"


class ScriptedLM:
    """Steps named by the prompt's depth; a step with "good" in it is valued highly."""

    def __init__(self, step_words: Sequence[str] = ("good", "bad", "odd")) -> None:
        self.step_words = list(step_words)
        self.calls: list[tuple[str, str, dict]] = []

    def complete(self, prompt, *, n=1, max_tokens=128, temperature=0.0, stop=(), seed=None):
        self.calls.append(("complete", prompt, {"n": n, "stop": tuple(stop), "temperature": temperature}))
        if prompt.startswith("Notes:") or prompt.startswith(QUESTION) or "Earlier" in prompt:
            notes = re.findall(r"^\d+\. (.*)$", prompt, flags=re.MULTILINE)
            return [Completion("Answer from: " + " | ".join(notes), 5)]
        depth = len(re.findall(r"^\d+\. ", prompt, flags=re.MULTILINE))
        return [Completion(f"{self.step_words[i % len(self.step_words)]} step {depth + 1}", 4) for i in range(n)]

    def label_probs(self, prompt: str, labels: Sequence[str]) -> list[float]:
        self.calls.append(("label_probs", prompt, {}))
        steps = re.findall(r"^\d+\. (.*)$", prompt, flags=re.MULTILINE)
        good = sum("good" in s for s in steps) / max(len(steps), 1)
        return [{"sure": good, "likely": 0.1, "impossible": 1 - good}[w] for w in labels]


def kinds(lm: ScriptedLM, kind: str = "complete") -> list[str]:
    return [p for k, p, _ in lm.calls if k == kind]


def test_scripted_lm_is_a_language_model():
    assert isinstance(ScriptedLM(), LanguageModel)


def test_the_answer_is_written_from_the_best_path():
    lm = ScriptedLM()
    result = answer_question(lm, QUESTION, SearchConfig(breadth=2, depth=2, n_generate=3, seed=1),
                             render=plain_render)
    assert result.path == ["good step 1", "good step 2"]
    assert result.answer == "Answer from: good step 1 | good step 2"
    # the other kept final candidate becomes an alternative, written from its own path
    assert result.alternatives and result.alternative_paths[0] != result.path
    assert result.alternatives[0].startswith("Answer from: good step 1 | ")
    tree = result.search
    assert [tree.nodes[i].state for i in tree.candidates][0] == "good step 1\ngood step 2\n"
    assert result.tokens == tree.tokens + 5 * (1 + len(result.alternatives))
    assert result.prompt_version == prompt_version()


def test_a_path_that_ends_in_its_answer_is_the_answer_itself():
    class Solver(ScriptedLM):
        def complete(self, prompt, *, n=1, **kwargs):
            if "step of reasoning" not in prompt:
                return super().complete(prompt, n=n, **kwargs)
            depth = len(re.findall(r"^\d+\. ", prompt, flags=re.MULTILINE))
            line = "good 2 + 2 = 4, so 4 sheep." if depth == 0 else "So the answer is 4."
            return [Completion(line, 4)] * n

    lm = Solver()
    result = answer_question(lm, QUESTION, SearchConfig(breadth=1, depth=3, n_generate=2), render=plain_render)
    assert result.path == ["good 2 + 2 = 4, so 4 sheep.", "So the answer is 4."]
    assert result.answer == "1. good 2 + 2 = 4, so 4 sheep.\n\nSo the answer is 4."
    assert not [p for p in kinds(lm) if p.startswith("Notes:")]  # nothing rewrote it
    assert path_answer(["So the answer is 4."]) == "So the answer is 4."


def test_a_reward_scorer_values_states_instead_of_the_model():
    """With a scorer that prefers "odd" steps the search follows them, and the model is
    never asked to value a state."""
    seen: list[tuple[list[str], list[dict]]] = []

    def reward(answers, prompt):
        seen.append((answers, prompt))
        return [float(a.count("odd")) for a in answers]

    lm = ScriptedLM()
    result = answer_question(lm, QUESTION, SearchConfig(breadth=2, depth=2, n_generate=3, seed=1),
                             render=plain_render, scorer=reward_scorer(reward))
    assert result.path == ["odd step 1", "odd step 2"] and not kinds(lm, "label_probs")
    assert seen[0][1] == [{"role": "user", "content": QUESTION}] and "odd step 1" in seen[0][0]


def test_thoughts_are_sampled_as_one_batch_of_single_lines():
    lm = ScriptedLM()
    answer_question(lm, QUESTION, SearchConfig(breadth=1, depth=2, n_generate=3), render=plain_render)
    step_calls = [o for k, p, o in lm.calls if k == "complete" and "step of reasoning" in p]
    assert step_calls and all(o["n"] == 3 and o["stop"] == ("\n",) and o["temperature"] > 0 for o in step_calls)


def test_the_tree_is_json_and_comes_back():
    result = answer_question(ScriptedLM(), QUESTION, SearchConfig(breadth=2, depth=2, n_generate=2),
                             render=plain_render)
    data = json.loads(json.dumps(result.tree))
    assert SearchTree.from_dict(data).to_dict() == result.tree


def test_history_reaches_only_the_answer_prompt():
    lm = ScriptedLM()
    history = [{"role": "user", "content": "Earlier question"}, {"role": "assistant", "content": "Earlier answer"}]
    answer_question(lm, QUESTION, SearchConfig(breadth=1, depth=1, n_generate=2), render=plain_render,
                    history=history, alternatives=0)
    with_history = [p for p in kinds(lm) if "Earlier question" in p]
    assert len(with_history) == 1 and "Notes:" in with_history[0]
    assert all("Earlier" not in p for p in kinds(lm, "label_probs"))


def test_without_candidates_the_best_kept_state_is_used():
    lm = ScriptedLM()
    # one level only fits the budget: no final candidate, the best first step is used
    config = SearchConfig(breadth=2, depth=3, n_generate=3, max_tokens=12)
    result = answer_question(lm, QUESTION, config, render=plain_render)
    assert result.search.stopped == "max_tokens" and not result.search.candidates
    assert result.path == ["good step 1"] and result.alternatives == []


def test_alternatives_that_say_the_same_are_dropped():
    class SameAnswer(ScriptedLM):
        def complete(self, prompt, **kwargs):
            out = super().complete(prompt, **kwargs)
            return [Completion("Rayleigh scattering.", 3)] if prompt.startswith("Notes:") else out

    result = answer_question(SameAnswer(), QUESTION, SearchConfig(breadth=3, depth=1, n_generate=3),
                             render=plain_render)
    assert result.answer == "Rayleigh scattering." and result.alternatives == []


def test_vote_and_propose_modes_run():
    class Voter(ScriptedLM):
        def complete(self, prompt, **kwargs):
            if "Which line of reasoning is best?" in prompt:
                return [Completion("1", 1)] * kwargs.get("n", 1)
            if "different" in prompt:
                return [Completion("1. good idea\n2. bad idea\n- odd idea", 9)]
            return super().complete(prompt, **kwargs)

    result = answer_question(Voter(), QUESTION, SearchConfig(breadth=2, depth=2), render=plain_render,
                             generate="propose", evaluate="vote")
    assert result.path[0] == "good idea" and len(result.search.nodes) > 3


@pytest.mark.parametrize(
    ("line", "thought"),
    [("1. Light scatters.", "Light scatters."), ("- Light scatters.", "Light scatters."),
     ("Step 2: Light scatters.", "Light scatters."), ("   ", ""), ("x " * 200, ("x " * 99).strip() + " x…")],
)
def test_clean_thought(line, thought):
    assert clean_thought(line) == thought


def test_task_parses_steps_and_ends_paths():
    task = OpenQuestionTask(QUESTION, steps=3)
    children = task.parse_thoughts("Sunlight has colours.\n", "1. Sunlight has colours!\n2. Blue scatters more.\n\n")
    assert children == ["Sunlight has colours.\nBlue scatters more.\n"]  # a repeat is dropped
    assert not task.is_final(children[0])
    assert task.is_final(children[0] + "Answer: scattering.\n")
    assert task.is_final("a\nb\nc\n") and task.final_answer("a\nb\nc\n") == "a\nb\nc"
    assert task.final_answer("a\n") is None
    assert task.state_key("A b.\n") == task.state_key("a  B\n")
    with pytest.raises(ValueError, match="question"):
        OpenQuestionTask("  ")


def test_prompts_stay_short():
    task = OpenQuestionTask(QUESTION)
    state = "Sunlight has all colours.\nBlue light scatters most.\n"
    for prompt in (task.sample_prompt(state), task.propose_prompt(state), task.value_prompt(state)):
        assert len(prompt) < 320, prompt


# -- end to end on the tiny model ------------------------------------------------------


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.load(tiny_model_dir(tmp_path_factory))


def test_tot_answer_end_to_end_on_the_tiny_model(engine):
    updates: list[int] = []
    result = tot_answer(engine, "What is 2 + 2? <|im_end|>", SearchConfig(breadth=2, depth=2, n_generate=2, seed=3),
                        on_update=lambda tree: updates.append(len(tree.nodes)), answer_tokens=8)
    assert isinstance(result, ToTAnswer) and isinstance(result.answer, str)
    assert all(isinstance(a, str) for a in result.alternatives)
    assert updates and result.search.done
    assert json.loads(json.dumps(result.tree))["config"]["breadth"] == 2
    assert result.prompt_version == tot_prompt_version()
    again = tot_answer(engine, "What is 2 + 2? <|im_end|>", SearchConfig(breadth=2, depth=2, n_generate=2, seed=3),
                       answer_tokens=8)
    assert (again.answer, again.path) == (result.answer, result.path)  # a seed makes it reproducible


@pytest.mark.parametrize("question, quantities", [
    ("Why is the sky blue?", False), ("Who landed on the moon in 1969?", False), ("What is 2+2?", True),
    ("A farmer has 17 sheep. All but 9 run away. How many are left?", True), ("Tickets cost £2.50; 3 go.", True),
])
def test_questions_that_compute_with_quantities_are_told_apart(question: str, quantities: bool) -> None:
    assert computes(question) is quantities


def test_the_search_depth_makes_room_for_a_computed_answer_unless_one_is_asked_for() -> None:
    assert search_depth("A farmer has 17 sheep and 9 run away. How many are left?") == 5
    assert search_depth("Why is the sky blue?") == 2
    assert search_depth("Why is the sky blue?", 4) == 4 and search_depth("What is 2+2?", 1) == 1
