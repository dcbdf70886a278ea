"""`kigi eval rag`: does grounding in a knowledge base make answers right?

Each question is answered twice, greedily, with the knowledge base in memory and without
it. An answer counts as correct when it contains the expected string (case-insensitive).
Also measured: retrieval hit rate@k (a retrieved chunk contains the expected string) and
the groundedness rate of the grounded answers.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from agent.errors import AgentError
from agent.grounding import GroundingConfig, check_groundedness
from agent.session import Session
from llm.engine import Engine
from llm.generate import SamplingConfig
from memory.store import MemoryStore


@dataclass(frozen=True)
class RagQuestion:
    question: str
    answer: str


@dataclass
class RagResult:
    question: str
    expected: str
    with_memory: str
    without_memory: str
    correct_with: bool
    correct_without: bool
    retrieval_hit: bool
    groundedness: float


def read_questions(path: Path) -> list[RagQuestion]:
    questions = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            questions.append(RagQuestion(str(record["question"]), str(record["answer"])))
        except (json.JSONDecodeError, KeyError, TypeError):
            raise AgentError(f"{path}:{number}: expected {{\"question\": ..., \"answer\": ...}}") from None
    if not questions:
        raise AgentError(f"{path}: no questions")
    return questions


def contains(text: str, expected: str) -> bool:
    return expected.casefold() in text.casefold()


def answer(session: Session, question: str, sampling: SamplingConfig) -> str:
    session.new_conversation()
    for _ in session.reply(question, sampling=sampling):
        pass
    return session.last.text if session.last else ""


def run_rag_eval(engine: Engine, embedding_function, kb: Path, questions: list[RagQuestion],
                 grounding: GroundingConfig | None = None, max_tokens: int = 96,
                 progress: Callable[[int, int], None] | None = None) -> tuple[list[RagResult], dict]:
    """Index `kb` into a fresh temporary memory, then answer every question both ways."""
    grounding = grounding or GroundingConfig()
    sampling = SamplingConfig(max_new_tokens=max_tokens, seed=0)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kigi-rag-") as tmp:
        store = MemoryStore(Path(tmp), embedding_function=embedding_function)
        report = store.add(kb)
        if report.chunks == 0 and not report.unchanged:
            raise AgentError(f"{kb}: no text to index")
        grounded = Session(engine, retriever=store, grounding=grounding)
        plain = Session(engine)
        results = []
        for i, q in enumerate(questions):
            with_memory = answer(grounded, q.question, sampling)
            citations = grounded.last.citations if grounded.last else []
            without = answer(plain, q.question, sampling)
            results.append(RagResult(
                q.question, q.answer, with_memory, without,
                correct_with=contains(with_memory, q.answer), correct_without=contains(without, q.answer),
                retrieval_hit=any(contains(c.hit.text, q.answer) for c in citations),
                groundedness=check_groundedness(with_memory, citations, grounding).rate))
            if progress:
                progress(i + 1, len(questions))
        store.close()
    n = len(results)
    summary = {
        "questions": n,
        "accuracy_with_memory": sum(r.correct_with for r in results) / n,
        "accuracy_without_memory": sum(r.correct_without for r in results) / n,
        f"retrieval_hit_rate_at_{grounding.k}": sum(r.retrieval_hit for r in results) / n,
        "groundedness_rate": sum(r.groundedness for r in results) / n,
        "seconds": round(time.perf_counter() - start, 1),
    }
    return results, summary


def results_jsonl(results: list[RagResult]) -> str:
    return "".join(json.dumps(asdict(r)) + "\n" for r in results)
