"""`kigi train reading-data | reading-prefs | questions-data | game24-data`: the generated
data the adapters are trained on (chat JSONL for `kigi train sft`, preference JSONL for
`kigi train reward`/`dpo`); `train_commands.py` registers them on `kigi train`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from ui.errors import err_console, user_errors


def train_reading_data(
    output: Annotated[Path, typer.Option("--output", "-o", help="Chat JSONL to write (for `kigi train sft`).")],
    examples: Annotated[int, typer.Option(help="Questions to generate.")] = 1600,
    seed: Annotated[int, typer.Option(help="Seed: the same seed writes the same file.")] = 0,
    long_share: Annotated[float, typer.Option(
        "--long-share", help="Share of questions about long notes (diaries, minutes, threads) read through "
                             "memory's chunks and focused passages.")] = 0.0,
    stdin_share: Annotated[float, typer.Option(
        "--stdin-share", help="Share of prompts whose one source is piped-in text.")] = 0.12,
    everyday_share: Annotated[float, typer.Option(
        "--everyday-share", help="Share of the piped sources written as everyday text: a CSV, a command's "
                                 "columns, a settings file, a chat log, a note that corrects itself.")] = 0.0,
    scene_share: Annotated[float, typer.Option(
        "--scene-share", help="Share of questions about documents people write (minutes, email threads, "
                              "release notes, manuals, diaries), asked in a user's words.")] = 0.0,
    unanswerable_share: Annotated[float | None, typer.Option(
        "--unanswerable-share", help="Share of questions the sources do not answer (target: the abstention); "
                                     "default: ReadingConfig's, 0.17.")] = None,
) -> None:
    """Generate reading-comprehension data for the grounded-reader adapter: invented
    documents in many styles, distractor sources, short answers with their citation and
    abstentions, in the exact prompt `kigi ask` builds from memory."""
    with user_errors():
        from agent.reading.training import ReadingConfig, reading_examples

        shares = {} if unanswerable_share is None else {"unanswerable": unanswerable_share}
        config = ReadingConfig(examples=examples, seed=seed, long=long_share, stdin=stdin_share,
                               everyday=everyday_share, scenes=scene_share, **shares)
        records = (e.to_dict() for e in reading_examples(config))
        _write_examples(output, records, examples)


def train_reading_prefs(
    output: Annotated[Path, typer.Option("--output", "-o", help="Preference JSONL to write (for `kigi train "
                                                                 "reward` / `dpo`).")],
    prompts: Annotated[int, typer.Option(help="Reading questions to generate.")] = 600,
    pairs: Annotated[int, typer.Option("--pairs", help="Pairs per question.")] = 3,
    right_vs_wrong: Annotated[float, typer.Option(
        "--right-vs-wrong", help="Share of a question's pairs that set a right answer against a wrong one "
                                 "(where it has both).")] = 0.7,
    seed: Annotated[int, typer.Option(help="Seed: the same seed writes the same file.")] = 0,
) -> None:
    """Generate preference pairs with ground truth for a reward model: reading questions
    with their sources piped in as `kigi ask` pipes them, answers right, wrong, made up or
    abstaining, each pair judged by the truth rater (correct, then grounded, then shorter)."""
    with user_errors():
        from agent.reading.preferences import ReadingPrefsConfig, reading_pairs

        config = ReadingPrefsConfig(prompts=prompts, seed=seed, pairs_per_prompt=pairs, right_vs_wrong=right_vs_wrong)
        _write_examples(output, reading_pairs(config), prompts * pairs, "pairs")


def train_questions_data(
    output: Annotated[Path, typer.Option("--output", "-o", help="Chat JSONL to write (for `kigi train sft`).")],
    problems: Annotated[int, typer.Option(help="Word problems to generate (each gives several examples).")] = 600,
    seed: Annotated[int, typer.Option(help="Seed: the same seed writes the same file.")] = 0,
) -> None:
    """Generate ToT role data for ordinary questions from generated word problems: the
    search's own step, value and answer prompts, with a solver's concrete computations
    as the steps (never sentences about reasoning)."""
    with user_errors():
        from agent.tasks.word_problems.training import RoleDataConfig, role_data

        config = RoleDataConfig(problems=problems, seed=seed)
        _write_examples(output, role_data(config), problems * (config.values + 5))


def train_game24_data(
    output: Annotated[Path, typer.Option("--output", "-o", help="Chat JSONL to write (for `kigi train sft`).")],
    role: Annotated[str, typer.Option(help="propose, value or answer.")] = "value",
    puzzles: Annotated[Path | None, typer.Option(help="Puzzle CSV (default: ../shared/data/game24.csv).")] = None,
    states: Annotated[int, typer.Option(help="States per training puzzle beside its own numbers.")] = 4,
    three_number_share: Annotated[float, typer.Option(help="Share of those states with three numbers left.")] = 0.5,
    propose_lines: Annotated[int, typer.Option(help="Steps in a propose target.")] = 5,
    list_all_below: Annotated[int, typer.Option(
        help="A state of at most this many numbers gets every distinct step as its propose target "
             "(0: none; 3: three- and two-number states).")] = 0,
    root_share: Annotated[float, typer.Option(help="Share of the puzzles whose own numbers are a prompt too.")] = 1.0,
    solvable_triples: Annotated[bool, typer.Option(
        help="Also every three-number state one step from a training puzzle that can still make 24 "
             "(the states a search must get past).")] = False,
    pairs: Annotated[int, typer.Option(
        help="Value and propose roles: this many two-number states drawn beyond the puzzles, half that "
             "make 24 (the puzzles' own pairs that make 24 are nearly all refused as test states).")] = 0,
    seed: Annotated[int, typer.Option(help="Seed: the same seed writes the same file.")] = 0,
) -> None:
    """Generate Game of 24 role data from the training puzzles, with the solver's targets.
    The test puzzles (ranks 901-1000) and every state a search over them can reach are
    refused, so nothing a test search shows the model was trained on."""
    with user_errors():
        from agent.tasks.game24 import default_data_path, training_examples_from_csv

        if role not in ("propose", "value", "answer"):
            raise ValueError(f"--role must be propose, value or answer, got {role!r}")
        examples = training_examples_from_csv(puzzles or default_data_path(), kinds=(role,), seed=seed,
                                              states_per_puzzle=states, propose_lines=propose_lines,
                                              three_number_share=three_number_share,
                                              list_all_below=list_all_below, root_share=root_share,
                                              solvable_triples=solvable_triples, pairs=pairs)
        _write_examples(output, (e.to_dict() for e in examples), len(examples))


def _write_examples(output: Path, records: Iterable[dict], expected: int, what: str = "examples") -> None:
    """Write records as JSONL with a progress bar (`expected`: about how many)."""
    from ui.progress import stage_progress

    written = 0
    with output.open("w", encoding="utf-8") as fp, stage_progress(err_console()) as progress:
        for written, record in enumerate(records, 1):
            fp.write(json.dumps(record) + "\n")
            progress(what, written, max(expected, written))
        progress(what, written, written)
    err_console().print(f"{written} {what} written to {output}")
