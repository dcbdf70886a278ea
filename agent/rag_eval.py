"""`kigi eval rag`: does grounding in a knowledge base make answers right?

The knowledge base (and, with `distractors`, a pile of unrelated documents that retrieval
must see past) is indexed into a fresh temporary memory, never the user's. Each question
is answered greedily twice: with that memory and without it.

Questions are JSONL: `{"question": ..., "answers": ["3,412", "3412"]}` (or one
`"answer"`); `"answers": []` marks a question the knowledge base does not answer. An
answer is right when one accepted answer occurs in it on word boundaries, after both are
normalised (case, punctuation, thousands separators, citation marks), so `eel` does not
match `steel`; an unanswerable question is answered right only by an abstention ("The
sources do not say."). Also measured: retrieval hit@k (a retrieved chunk holds an accepted
answer) and the groundedness of answers that state something (abstentions are not counted).
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from agent.errors import AgentError
from agent.grounding import GroundingConfig, check_groundedness, is_abstention, retrieve
from agent.session import Session
from llm.engine import Engine
from llm.sampling import SamplingConfig
from memory.store import MemoryConfig, MemoryStore, Retriever

_CITATIONS = re.compile(r"\[\d+\]")
_THOUSANDS = re.compile(r"(?<=\d)[,\u202f](?=\d{3}\b)")
_TIME = re.compile(r"(?<=\d):(?=\d\d)")  # 8:30 and 8.30 are one time
# Separators: all but letters and digits, except a decimal point or comma between digits and
# the marks of C++, C# and 37% (a `#` or `+` after a word, a `%` after a digit): `#1187` is 1187.
_NOT_WORD = re.compile(r"(?:(?<!\d)[.,]|[.,](?!\d)|(?<![\w+#])[+#]|(?<!\d)%|[^\w.,+#%])+")


@dataclass(frozen=True)
class RagQuestion:
    question: str
    answers: tuple[str, ...]  # accepted answers; none: the knowledge base does not answer it

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


@dataclass
class RagResult:
    question: str
    answers: list[str]
    with_memory: str
    without_memory: str
    correct_with: bool
    correct_without: bool
    abstained_with: bool
    retrieval_hit: bool | None  # None for an unanswerable question
    groundedness: float | None  # None when the answer states nothing to check
    sources: list[str]  # the retrieved chunks, as `[n] source:line`


def read_questions(path: Path) -> list[RagQuestion]:
    """The questions file; a bad line is refused with its number."""
    questions = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AgentError(f"{path}: cannot read the questions ({exc})") from None
    for number, line in enumerate(lines, 1):
        if line.strip():
            questions.append(_question(line, f"{path}:{number}"))
    if not questions:
        raise AgentError(f"{path}: no questions")
    return questions


def _question(line: str, where: str) -> RagQuestion:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise AgentError(f"{where}: not JSON ({exc.msg})") from None
    if not isinstance(record, dict) or not isinstance(record.get("question"), str) or not record["question"].strip():
        raise AgentError(f'{where}: expected {{"question": "...", "answers": [...]}} with a non-empty question')
    answers = record.get("answers", [record["answer"]] if "answer" in record else None)
    if not isinstance(answers, list) or not all(isinstance(a, str | int | float) for a in answers):
        raise AgentError(f'{where}: "answers" must be a list of strings ([] for an unanswerable question)')
    accepted = tuple(str(a) for a in answers if normalise(str(a)))
    if len(accepted) != len(answers):
        raise AgentError(f"{where}: an accepted answer is empty")
    return RagQuestion(record["question"], accepted)


def normalise(text: str) -> str:
    """Lower case, citation marks and punctuation gone (a decimal point, `+`, `#` and `%`
    kept; `8:30` read as `8.30`), thousands separators dropped, single spaces: what answers
    are compared in."""
    text = _TIME.sub(".", _THOUSANDS.sub("", _CITATIONS.sub(" ", text.casefold())))
    return " ".join(_NOT_WORD.sub(" ", text).split())


def matches(text: str, answers: Sequence[str]) -> bool:
    """Whether one of `answers` occurs in `text` as whole words (after `normalise`)."""
    haystack = f" {normalise(text)} "
    return any(f" {normalise(answer)} " in haystack for answer in answers)


def is_correct(text: str, question: RagQuestion) -> bool:
    return matches(text, question.answers) if question.answerable else is_abstention(text)


def answer(session: Session, question: str, sampling: SamplingConfig) -> str:
    session.new_conversation()
    for _ in session.reply(question, sampling=sampling):
        pass
    return session.last.text if session.last else ""


def build_memory(store: MemoryStore, kb: Path, distractors: Path | None) -> None:
    """Index the knowledge base and the distractors; a folder without text is refused."""
    for folder in (kb, distractors):
        if folder is None:
            continue
        if not folder.exists():
            raise AgentError(f"{folder}: no such file or folder")
        if store.add(folder).chunks == 0:
            raise AgentError(f"{folder}: no text to index")


def retrieval_hits(retriever: Retriever, questions: Sequence[RagQuestion],
                   grounding: GroundingConfig) -> list[bool]:
    """For each answerable question, whether a chunk the prompt would carry holds an answer."""
    return [any(matches(c.hit.text, q.answers) for c in retrieve(retriever, q.question, grounding))
            for q in questions if q.answerable]


def run_rag_eval(engine: Engine, embedding_function, kb: Path, questions: list[RagQuestion],
                 grounding: GroundingConfig | None = None, max_tokens: int = 64, *,
                 distractors: Path | None = None, reader: str | None = None, baseline: bool = True,
                 lexical: bool = True,
                 progress: Callable[[int, int], None] | None = None) -> tuple[list[RagResult], dict]:
    """Index `kb` (and `distractors`) into a temporary memory, then answer every question with
    it and (unless `baseline` is False) without it; `reader` is the adapter (already on the
    engine) that answers from sources; `lexical` False retrieves by the vectors alone."""
    grounding = grounding or GroundingConfig()
    sampling = SamplingConfig(max_new_tokens=max_tokens, seed=0)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kigi-rag-") as tmp:
        store = MemoryStore(Path(tmp), embedding_function=embedding_function, config=MemoryConfig(lexical=lexical))
        try:
            build_memory(store, Path(kb), Path(distractors) if distractors else None)
            grounded = Session(engine, retriever=store, grounding=grounding, reader=reader)
            plain = Session(engine) if baseline else None
            results = []
            for i, q in enumerate(questions):
                results.append(_judge(q, grounded, plain, sampling, grounding))
                if progress:
                    progress(i + 1, len(questions))
        finally:
            store.close()
    summary = summarize(results, grounding.k, baseline)
    summary["seconds"] = round(time.perf_counter() - start, 1)
    return results, summary


def _judge(q: RagQuestion, grounded: Session, plain: Session | None, sampling: SamplingConfig,
           grounding: GroundingConfig) -> RagResult:
    with_memory = answer(grounded, q.question, sampling)
    citations = grounded.last.citations if grounded.last else []
    without = answer(plain, q.question, sampling) if plain is not None else ""
    report = check_groundedness(with_memory, citations, grounding)
    return RagResult(
        q.question, list(q.answers), with_memory, without,
        correct_with=is_correct(with_memory, q), correct_without=plain is not None and is_correct(without, q),
        abstained_with=is_abstention(with_memory),
        retrieval_hit=any(matches(c.hit.text, q.answers) for c in citations) if q.answerable else None,
        groundedness=report.rate if report.checked else None,
        sources=[c.label for c in citations])


def _share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def summarize(results: Sequence[RagResult], k: int, baseline: bool = True) -> dict:
    """Accuracy over all questions, then its parts: answerable questions answered right or
    wrong, unanswerable ones abstained on; retrieval and groundedness."""
    answerable = [r for r in results if r.answers]
    unanswerable = [r for r in results if not r.answers]
    grounded = [r.groundedness for r in results if r.groundedness is not None]
    return {
        "questions": len(results),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "accuracy_with_memory": _share([r.correct_with for r in results]),
        "accuracy_without_memory": _share([r.correct_without for r in results]) if baseline else None,
        "answerable_accuracy_with_memory": _share([r.correct_with for r in answerable]),
        "wrong_answer_rate": _share([not r.correct_with and not r.abstained_with for r in answerable]),
        "false_abstention_rate": _share([r.abstained_with for r in answerable]),
        "correct_abstention_rate": _share([r.correct_with for r in unanswerable]),
        f"retrieval_hit_rate_at_{k}": _share([bool(r.retrieval_hit) for r in answerable]),
        "groundedness_rate": sum(grounded) / len(grounded) if grounded else None,
    }


def results_jsonl(results: list[RagResult]) -> str:
    return "".join(json.dumps(asdict(r)) + "\n" for r in results)
