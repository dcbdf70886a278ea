"""Ground truth as rater and judge: the rater's ordering on hand-made cases, the judge's
scores, and `truth:FILE` wired into `kigi eval prefs`' judge parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.grounding import ABSTENTION, Citation
from agent.pref_evals import parse_judge
from agent.rag_eval import RagQuestion
from agent.truth import TruthError, TruthJudge, correct_as_shown, rate, truth_reward, verdict
from memory.store import Hit

CAPITAL = RagQuestion("What is the capital of Quux?", ("Pellworth",))
NOTHING = RagQuestion("Who painted the moon?", ())
SOURCE = [Citation(1, Hit("q", "The capital of Quux is Pellworth, a port of 40,000 people.", "quux.md", 0, 0.9))]


@pytest.mark.parametrize(("a", "b", "question", "choice", "why"), [
    ("Pellworth [1].", "Lumeport [1].", CAPITAL, "a", "only A is correct"),
    ("It is Lumeport.", "Pellworth.", CAPITAL, "b", "only B is correct"),
    # both right: the one the source supports wins over a longer one with an invented number
    ("Pellworth, a port of 40,000 people [1].", "Pellworth, a port of 90,000 people [1].", CAPITAL, "a",
     "better grounded"),
    ("Pellworth [1].", "Pellworth is the capital of Quux [1].", CAPITAL, "a", "shorter"),
    ("Pellworth [1].", "Pellworth [1].", CAPITAL, "tie", "as long"),
    # nothing answers it: only the abstention is right, however long
    ("The moon was painted by Orrin Vale in 1802.", ABSTENTION, NOTHING, "b", "only B is correct"),
    # both wrong: an abstention claims nothing unsupported, a wrong answer does
    (ABSTENTION, "Lumeport, a port of 12 people [1].", CAPITAL, "a", "neither correct; A is better grounded"),
])
def test_the_rater_prefers_correct_then_grounded_then_shorter(a, b, question, choice, why):
    got, reason = rate(verdict(a, question, SOURCE), verdict(b, question, SOURCE))
    assert got == choice and why in reason
    flipped, _ = rate(verdict(b, question, SOURCE), verdict(a, question, SOURCE))
    assert flipped == {"a": "b", "b": "a", "tie": "tie"}[choice]  # the order shown changes nothing


def test_without_sources_grounding_is_neutral():
    assert verdict("Pellworth.", CAPITAL).grounded == 1.0
    assert rate(verdict("Pellworth is it.", CAPITAL), verdict("Pellworth.", CAPITAL)) == (
        "b", "both correct, equally grounded; B is shorter (16 vs 10 chars)")


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_truth_judge_scores_accuracy_and_refuses_unknown_prompts(tmp_path):
    path = write(tmp_path / "truth.jsonl", [{"question": CAPITAL.question, "answers": ["Pellworth"]},
                                            {"question": NOTHING.question, "answers": []}])
    judge = parse_judge(f"truth:{path}", engine=None, store=None)
    assert isinstance(judge, TruthJudge) and judge.name == "truth:truth.jsonl"
    ask = [{"role": "user", "content": CAPITAL.question}]
    assert judge(ask, "Pellworth [1]", "Lumeport") == (1.0, 0.0)
    assert judge([{"role": "user", "content": NOTHING.question}], "Orrin Vale", "I don't know.") == (0.0, 1.0)
    assert judge.prompts() == [ask, [{"role": "user", "content": NOTHING.question}]]
    with pytest.raises(TruthError, match="no expected answer"):
        judge([{"role": "user", "content": "Something else?"}], "a", "b")
    with pytest.raises(Exception, match="truth:FILE"):
        parse_judge("oracle:x", engine=None, store=None)


def test_the_truth_reward_puts_any_right_answer_above_every_wrong_one():
    """PPO's verifiable reward: read after the stop token is cut, by the prompt's own
    question; the length cost orders two right answers and never a right below a wrong."""
    render = lambda messages, _generation: [ord(c) for c in messages[-1]["content"]]  # noqa: E731
    decode = lambda ids: "".join(map(chr, ids))  # noqa: E731
    prompts = [[{"role": "user", "content": q.question}] for q in (CAPITAL, NOTHING)]
    stop = 0x10FFFF
    reward = truth_reward(prompts, [CAPITAL, NOTHING], render, decode, stop_ids=[stop])
    ids = [render(p, True) for p in prompts]
    encode = lambda text: [ord(c) for c in text]  # noqa: E731
    short, long_right, wrong = "Pellworth [1]", "Pellworth, a port of 40,000 people, is the capital [1]", "Lumeport"
    scores = reward([ids[0]] * 3 + [ids[1]] * 2,
                    [encode(short) + [stop], encode(long_right), encode(wrong),
                     encode(ABSTENTION) + [stop], encode("Orrin Vale")])
    assert scores[0] == pytest.approx(1 - 0.1 * len(short) / 400)
    assert scores[0] > scores[1] > 0.85 > 0 > scores[2]  # right and short > right and long > wrong
    assert scores[3] > 0.9 and scores[4] < 0  # nothing answers it: only the abstention is right
    with pytest.raises(TruthError, match="no expected answer"):
        reward([encode("Something else?")], [encode("a")])


def test_with_sources_the_reward_reads_the_answer_kigi_would_show():
    """Given the prompt's numbered sources, an answer is judged as `kigi ask` shows it: a right
    name cited from a source that does not hold it, or with a number no source states, is
    withheld and scores as the abstention; the same answer without sources is read as written."""
    render = lambda messages, _generation: [ord(c) for c in messages[-1]["content"]]  # noqa: E731
    decode = lambda ids: "".join(map(chr, ids))  # noqa: E731
    encode = lambda text: [ord(c) for c in text]  # noqa: E731
    other = Citation(2, Hit("o", "The capital of Brindle is Lumeport.", "brindle.md", 0, 0.8))
    sources = [*SOURCE, other]
    prompt = [{"role": "user", "content": CAPITAL.question}]
    checked = truth_reward([prompt], [CAPITAL], render, decode, sources=[sources])
    unchecked = truth_reward([prompt], [CAPITAL], render, decode)
    query = render(prompt, True)
    answers = ["Pellworth [1]", "Pellworth [2]", "Pellworth, a port of 90,000 people [1]"]
    shown = checked([query] * 3, [encode(a) for a in answers])
    assert shown[0] > 0.9 and shown[1] < 0 and shown[2] < 0
    assert all(score > 0.9 for score in unchecked([query] * 3, [encode(a) for a in answers]))
    assert correct_as_shown("Pellworth [2]", CAPITAL) and not correct_as_shown("Pellworth [2]", CAPITAL, sources)
