"""Word problems (issue 15): every training template's arithmetic and steps, and the
held-out set's independence from the training generator."""

from __future__ import annotations

import ast
import json
import re
import runpy
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from agent.tasks.word_problems import TEMPLATE_IDS, WordProblem, generate
from agent.tasks.word_problems.generator import NAMES

ROOT = Path(__file__).parent.parent
HELDOUT_DIR = ROOT / "evals" / "questions"
PER_TEMPLATE = 20
COMPUTATION = re.compile(r"(\d+)\s*([-+×x*÷/])\s*(\d+)\s*=\s*(\d+)")
OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "×": lambda a, b: a * b, "x": lambda a, b: a * b,
       "*": lambda a, b: a * b, "÷": lambda a, b: a / b, "/": lambda a, b: a / b}


def computations(step: str) -> list[tuple[int, str, int, int]]:
    """Every `A op B = C` in a step, as numbers."""
    return [(int(a), op, int(b), int(c)) for a, op, b, c in COMPUTATION.findall(step)]


def assert_well_formed(question: str, answer: object, steps: list[str] | tuple[str, ...]) -> None:
    """The checks both generators must pass: an integer answer, 2-4 steps each holding one
    correct computation, the last one giving the answer."""
    assert type(answer) is int and answer >= 0, question
    assert 2 <= len(steps) <= 4, question
    for step in steps:
        assert re.search(r"\d", step) and "=" in step, step
        found = computations(step)
        assert len(found) == 1, step
        a, op, b, c = found[0]
        assert OPS[op](a, b) == c, step
    assert computations(steps[-1])[0][3] == answer, steps[-1]
    assert re.search(rf"(?<!\d){answer}(?!\d)", steps[-1]), steps[-1]


def word_grams(text: str, n: int = 8) -> set[tuple[str, ...]]:
    """Word n-grams with every number made the same, so that only wording is compared."""
    words = re.findall(r"\w+", re.sub(r"\d+", "0", text.lower()))
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


@pytest.fixture(scope="module")
def training() -> list[WordProblem]:
    return generate(len(TEMPLATE_IDS) * PER_TEMPLATE, seed=1)


@pytest.fixture(scope="module")
def heldout() -> list[dict]:
    lines = (HELDOUT_DIR / "heldout.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def make_problems() -> Callable[..., list[dict]]:
    """The held-out script's generation function, loaded by path: evals/ is no package."""
    return runpy.run_path(str(HELDOUT_DIR / "make_heldout.py"), run_name="make_heldout")["make_problems"]


def test_there_are_at_least_24_training_templates_each_used_in_turn(training):
    assert len(TEMPLATE_IDS) >= 24 and len(set(TEMPLATE_IDS)) == len(TEMPLATE_IDS)
    assert [p.template for p in training[:len(TEMPLATE_IDS)]] == list(TEMPLATE_IDS)
    assert Counter(p.template for p in training) == {t: PER_TEMPLATE for t in TEMPLATE_IDS}


@pytest.mark.parametrize("template", TEMPLATE_IDS)
def test_every_template_writes_integer_answers_and_correct_steps(training, template):
    problems = [p for p in training if p.template == template]
    for p in problems:
        assert_well_formed(p.question, p.answer, p.steps)
        assert p.steps[-1].endswith(".") and ", so " in p.steps[-1]


@pytest.mark.parametrize("template", TEMPLATE_IDS)
def test_every_template_words_its_question_more_than_one_way(training, template):
    def shape(question: str) -> str:
        masked = re.sub(r"\d+", "0", question)
        return " ".join("N" if w.strip(".,'s") in NAMES else w for w in masked.split())

    shapes = {shape(p.question) for p in training if p.template == template}
    openings = {tuple(s.split()[:3]) for s in shapes}
    asks = {s.rsplit(". ", 1)[-1] for s in shapes}
    assert len(openings) >= 2 or len(asks) >= 2


def test_generation_is_deterministic_per_seed_and_differs_across_seeds():
    assert generate(60, seed=7) == generate(60, seed=7)
    assert [p.question for p in generate(60, seed=7)] != [p.question for p in generate(60, seed=8)]


def test_no_duplicate_questions_in_one_call():
    questions = [p.question for p in generate(2000, seed=0)]
    assert len(set(questions)) == len(questions)


def test_about_30_percent_carry_a_distractor(training):
    # A distractor's number is needed by no step; every other number in a question is.
    def has_stray_number(p: WordProblem) -> bool:
        used = {n for step in p.steps for n in re.findall(r"\d+", step)}
        return any(n not in used for n in re.findall(r"\d+", p.question))

    share = sum(map(has_stray_number, training)) / len(training)
    assert 0.2 <= share <= 0.4, share


def test_word_problem_round_trips_and_rejects_bad_values(training):
    p = training[0]
    assert WordProblem.from_dict(json.loads(json.dumps(p.to_dict()))) == p
    assert set(p.to_dict()) == {"question", "answer", "steps", "template"}
    with pytest.raises(ValueError, match="answer"):
        WordProblem("q", -1, ("1 + 1 = 2", "2 + 1 = 3"), "t")
    with pytest.raises(ValueError, match="steps"):
        WordProblem("q", 2, ("1 + 1 = 2",), "t")
    with pytest.raises(ValueError, match="n must be"):
        generate(-1, seed=0)


def test_heldout_file_has_300_unique_well_formed_problems(heldout):
    assert len(heldout) == 300
    assert len({r["question"] for r in heldout}) == 300
    for record in heldout:
        assert set(record) == {"question", "answer", "steps", "template"}
        assert_well_formed(record["question"], record["answer"], record["steps"])
    counts = Counter(r["template"] for r in heldout)
    assert len(counts) >= 16 and max(counts.values()) - min(counts.values()) <= 1


def test_heldout_templates_and_wording_are_disjoint_from_training(heldout):
    held_templates = {r["template"] for r in heldout}
    assert all(t.startswith("h-") for t in held_templates)
    assert held_templates.isdisjoint(TEMPLATE_IDS)
    train = generate(2000, seed=0)
    train_questions = {p.question for p in train}
    train_grams = set().union(*(word_grams(p.question) for p in train))
    shared = [(r["question"], sorted(word_grams(r["question"]) & train_grams)[:1]) for r in heldout
              if r["question"] in train_questions or word_grams(r["question"]) & train_grams]
    assert shared == []


def test_heldout_generator_never_imports_the_training_code():
    tree = ast.parse((HELDOUT_DIR / "make_heldout.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.split(".")[0] in {"agent", "llm", "memory", "ui"} for name in imported)


def test_heldout_file_is_what_its_script_writes(heldout, make_problems):
    assert make_problems() == heldout
