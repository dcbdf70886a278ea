"""`kigi eval rag`: answers matched on word boundaries against accepted-answer lists,
abstention scored on unanswerable questions, exact fractions on a tiny KB with a scripted
engine, and bad input named by its line."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from agent.errors import AgentError
from agent.grounding import GroundingConfig
from agent.rag_eval import RagQuestion, build_memory, is_correct, matches, normalise, read_questions, run_rag_eval
from llm.sampling import Completion, SamplingConfig
from llm.tokenizer import Tokenizer
from memory.store import MemoryStore
from tests.test_injection import FakeStream
from tests.test_store import HashEmbedding
from tests.tiny import train_bpe_tokenizer


@pytest.fixture(scope="module")
def chat_tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Tokenizer:
    path = tmp_path_factory.mktemp("tok") / "tokenizer.json"
    train_bpe_tokenizer().save(str(path))
    return Tokenizer.from_hf_tokenizer_json(path)


def test_matching_is_on_word_boundaries_after_normalising() -> None:
    assert not matches("The beams are steel.", ["eel"]) and matches("An eel, then.", ["eel"])
    assert matches("About 3412 people live there.", ["3,412"]) and matches("It has 3,412 [2].", ["3412"])
    assert matches("THE SECRET WORD IS PLUM!", ["plum"]) and not matches("plumber", ["plum"])
    assert matches("Opened on March 3, 2019 [1]", ["march 3 2019"]) and matches("19.5 hours", ["19.5"])
    assert not matches("See source [4].", ["4"])  # a citation mark is not an answer
    assert matches("It costs $1,200.", ["1200"]) and normalise("It's  “Lumeport”.") == "it s lumeport"
    assert matches("Written in C++ [1]", ["C++"]) and not matches("Plan C.", ["C++"])
    assert not matches("It took 37 minutes.", ["37%"]) and matches("Humidity: 37%.", ["37%"])
    assert matches("Doors open at 8:30pm.", ["8.30pm"])


def test_accepted_answers_and_abstention_scoring() -> None:
    either = RagQuestion("How many?", ("3,412", "three thousand four hundred twelve"))
    assert is_correct("three thousand four hundred twelve", either) and is_correct("3412 [1]", either)
    unanswerable = RagQuestion("Who?", ())
    assert is_correct("The sources do not say.", unanswerable) and is_correct("I don't know.", unanswerable)
    assert not is_correct("Ada Brenner [1]", unanswerable) and not is_correct("", unanswerable)
    assert not is_correct("The sources do not say.", either)


def test_questions_file_formats_and_errors_name_the_line(tmp_path: Path) -> None:
    good = tmp_path / "q.jsonl"
    good.write_text('{"question": "A?", "answer": "x"}\n\n{"question": "B?", "answers": ["y", 1200]}\n'
                    '{"question": "C?", "answers": []}\n', encoding="utf-8")
    assert read_questions(good) == [RagQuestion("A?", ("x",)), RagQuestion("B?", ("y", "1200")),
                                    RagQuestion("C?", ())]
    for line, problem in (('{"question": "A?", "answer": "x"}\n{"answers": ["x"]}', "q.jsonl:2: expected"),
                          ('{"question": "A?", "answers": "x"}', "q.jsonl:1: \"answers\" must be a list"),
                          ('{"question": "A?"}', "q.jsonl:1: \"answers\" must be a list"),
                          ('{"question": "A?", "answers": ["..."]}', "q.jsonl:1: an accepted answer is empty"),
                          ('{"question": "A?", "answer": "x"}\n{oops', "q.jsonl:2: not JSON"),
                          ("", "no questions")):
        bad = tmp_path / "q.jsonl"
        bad.write_text(line, encoding="utf-8")
        with pytest.raises(AgentError, match=re.escape(problem)):
            read_questions(bad)


KB = {"door.md": "# The door\n\nThe front door of Quill House is painted teal.",
      "town.md": "# Lumeport\n\nLumeport has 3,412 residents. Its bridges are made of steel."}
DISTRACTORS = {"other.txt": "Ferncliff has a red door and 900 residents."}
# question -> (answer with the sources, answer without them)
SCRIPT = {"What colour is the door of Quill House?": ("Teal.", "Red."),
          "How many people live in Lumeport?": ("3412 people.", "I do not know."),
          "What animal lives under the bridges?": ("Steel.", "A troll."),
          "Who painted the door?": ("The sources do not say.", "Ada Brenner."),
          "What is the mayor's name?": ("Plum.", "I don't know.")}
ANSWERS = {"What colour is the door of Quill House?": ["teal"], "How many people live in Lumeport?": ["3,412"],
           "What animal lives under the bridges?": ["eel"]}


class ScriptedEngine:
    """Answers each question from SCRIPT, by whether the prompt carries sources."""

    context_window = 100_000

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer

    def stream(self, prompt_ids: list[int], sampling: SamplingConfig) -> FakeStream:
        prompt = self.tokenizer.decode(prompt_ids)
        question = next(q for q in SCRIPT if q in prompt)
        stream = FakeStream("")
        stream.completion = Completion([1, 2], SCRIPT[question]["Sources:" not in prompt], "stop")
        return stream


def write_folder(root: Path, files: dict[str, str]) -> Path:
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("lexical", [True, False])
def test_a_tiny_kb_scores_exactly_the_expected_fractions(tmp_path: Path, chat_tokenizer: Tokenizer,
                                                          monkeypatch: pytest.MonkeyPatch, lexical: bool) -> None:
    kb = write_folder(tmp_path / "kb", KB)
    distractors = write_folder(tmp_path / "distractors", DISTRACTORS)
    questions = [RagQuestion(q, tuple(ANSWERS.get(q, ()))) for q in SCRIPT]
    monkeypatch.setattr(tempfile, "tempdir", str(write_folder(tmp_path / "tmp", {})))
    results, summary = run_rag_eval(ScriptedEngine(chat_tokenizer), HashEmbedding(), kb, questions,  # type: ignore[arg-type]
                                    GroundingConfig(k=4, min_relevance=-1.0), distractors=distractors,
                                    lexical=lexical)
    assert not any((tmp_path / "tmp").iterdir())  # the eval's memory is gone
    assert [r.correct_with for r in results] == [True, True, False, True, False]
    assert [r.correct_without for r in results] == [False, False, False, False, True]
    assert summary["questions"] == 5 and (summary["answerable"], summary["unanswerable"]) == (3, 2)
    assert summary["accuracy_with_memory"] == pytest.approx(3 / 5)
    assert summary["accuracy_without_memory"] == pytest.approx(1 / 5)
    assert summary["answerable_accuracy_with_memory"] == pytest.approx(2 / 3)
    assert summary["wrong_answer_rate"] == pytest.approx(1 / 3) and summary["false_abstention_rate"] == 0
    assert summary["correct_abstention_rate"] == pytest.approx(1 / 2)
    # every chunk is retrieved (3 of them: two KB files and the distractor); "eel" is in none
    assert summary["retrieval_hit_rate_at_4"] == pytest.approx(2 / 3)
    assert all(len(r.sources) == 3 for r in results)
    assert any("other.txt" in s for s in results[0].sources)
    assert results[3].groundedness is None  # an abstention states nothing to check
    assert results[0].groundedness == 1.0 and results[4].groundedness == 0.0


def test_a_folder_without_text_or_missing_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "blank.md").write_text("   \n", encoding="utf-8")
    with MemoryStore(tmp_path / "memory", embedding_function=HashEmbedding()) as store:
        with pytest.raises(AgentError, match="empty: no text to index"):
            build_memory(store, empty, None)
        with pytest.raises(AgentError, match="nowhere: no such file or folder"):
            build_memory(store, tmp_path / "nowhere", None)
