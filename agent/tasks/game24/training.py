"""Training data for the role adapters: chat SFT examples whose targets come from the
solver, with the paper's test set (ranks 901-1000) and every state a search over it can
reach kept out."""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from agent.tasks.game24.arithmetic import TARGET, Step, as_fraction, combine, compose_answer, sorted_values
from agent.tasks.game24.pairs import value_pairs
from agent.tasks.game24.prompts import ANSWER_PREFIX, answer_messages, numbers_text, propose_messages, value_messages
from agent.tasks.game24.puzzles import (
    TEST_RANKS,
    HeldOutPuzzleError,
    Puzzle,
    load_puzzles,
    parse_rank_range,
    select_ranks,
)
from agent.tasks.game24.solver import next_steps, solvable, solve_steps
from agent.tot.protocols import Message

ExampleKind = Literal["propose", "value", "answer"]


@dataclass(frozen=True)
class TrainingExample:
    """One chat SFT example (`{"messages": [...]}`) and where it came from."""

    kind: ExampleKind
    rank: int
    puzzle: tuple[int, ...]
    state: str  # the numbers the prompt shows
    messages: tuple[dict[str, str], ...]
    group: str | None = None  # what keeps records on one side of the held-out split, when not the puzzle

    def to_dict(self) -> dict[str, Any]:
        meta = {"task": "game24", "kind": self.kind, "rank": self.rank, "puzzle": list(self.puzzle),
                "state": self.state}
        return {
            "messages": [dict(m) for m in self.messages],
            "meta": meta if self.group is None else {**meta, "group": self.group},
        }


def pair_examples(
    count: int, test_states: Collection[tuple[Fraction, ...]], seed: int = 0,
    kinds: Collection[ExampleKind] = ("value",), propose_target: Callable[[tuple[Fraction, ...]], str] | None = None,
) -> list[TrainingExample]:
    """Examples on `count` two-number states drawn beyond the puzzles (`pairs.py`), half
    sure, none a state in `test_states`; no puzzle, so rank 0. value: the verdict; propose:
    `propose_target(state)` (default: every step, so the line that makes 24 is among them)
    — the one step the search's last level must get right, on numbers the test puzzles'
    refused pairs leave the proposer too few of."""
    write_steps = propose_target or every_step_target
    examples = []
    for state, sure in value_pairs(count, test_states, seed):
        text = numbers_text(state)
        if "propose" in kinds:
            full = (*propose_messages(state), {"role": "assistant", "content": write_steps(state)})
            examples.append(TrainingExample("propose", 0, (), text, full, group=f"pair {text}"))
        if "value" in kinds:
            full = (*value_messages(state), {"role": "assistant", "content": "sure" if sure else "impossible"})
            examples.append(TrainingExample("value", 0, (), text, full, group=f"pair {text}"))
    return examples


def held_out_numbers(puzzles: Iterable[Puzzle]) -> set[tuple[int, ...]]:
    """The numbers (sorted) of the test-rank puzzles in `puzzles`."""
    return {tuple(sorted(p.numbers)) for p in puzzles if p.rank in TEST_RANKS}


def reachable_states(puzzles: Iterable[Sequence[int]]) -> set[tuple[Fraction, ...]]:
    """Every state a search over these puzzles can show the model: the puzzle's numbers and
    what any sequence of steps leaves (any pair, operator and order, negative results too),
    down to one number; as sorted values, the form a prompt is written from."""
    frontier = {sorted_values(Fraction(x) for x in numbers) for numbers in puzzles}
    reached: set[tuple[Fraction, ...]] = set()
    while frontier:
        reached |= frontier
        frontier = {step.left for state in frontier if len(state) > 1
                    for step in next_steps(state, nonnegative=False)} - reached
    return reached


def check_not_test(puzzle: Puzzle, test_numbers: Collection[tuple[int, ...]] = ()) -> None:
    """Raise HeldOutPuzzleError when `puzzle` is a test puzzle (by rank or by numbers)."""
    if puzzle.rank in TEST_RANKS or tuple(sorted(puzzle.numbers)) in test_numbers:
        raise HeldOutPuzzleError(
            f"puzzle {puzzle.text} (rank {puzzle.rank}) is in the test set "
            f"(ranks {TEST_RANKS.start}-{TEST_RANKS.stop - 1}); it must not be trained on"
        )


def training_puzzles(
    puzzles: Sequence[Puzzle], ranks: str | tuple[int, int] | None = None
) -> list[Puzzle]:
    """Puzzles that training may use: `ranks` (default: all) minus the test set.

    Asking for a range that overlaps the test ranks is an error, not a silent skip.
    """
    held_out = held_out_numbers(puzzles)
    if ranks is not None:
        lo, hi = parse_rank_range(ranks) if isinstance(ranks, str) else ranks
        if lo <= TEST_RANKS.stop - 1 and hi >= TEST_RANKS.start:
            raise HeldOutPuzzleError(
                f"ranks {lo}-{hi} overlap the test set "
                f"(ranks {TEST_RANKS.start}-{TEST_RANKS.stop - 1})"
            )
        puzzles = select_ranks(puzzles, (lo, hi))
    return [p for p in puzzles if not p.is_test and tuple(sorted(p.numbers)) not in held_out]


def _one_per_child(steps: Iterable[Step]) -> list[Step]:
    """The first step to each set of numbers left: every line a different child of the search."""
    seen: set[tuple[Fraction, ...]] = set()
    kept = []
    for step in steps:
        if step.left not in seen:
            seen.add(step.left)
            kept.append(step)
    return kept


def every_step_target(values: tuple[Fraction, ...]) -> str:
    """Every distinct next step, pair by pair in the solver's fixed order: a list the model
    can learn to write in full, whatever the numbers, so the search sees every child of a
    small state and the value role chooses among them."""
    return "\n".join(step.line() for step in _one_per_child(next_steps(values)))


def _propose_target(values: tuple[Fraction, ...], lines: int, rng: random.Random) -> str:
    """Next steps that can still reach 24 first (whole numbers before fractions), then
    others; one step per distinct result, so every line is a different child of the search;
    shuffled within each group so position carries no enumeration order."""
    groups: list[list[Step]] = [[], [], []]
    steps = next_steps(values)
    rng.shuffle(steps)
    for step in _one_per_child(steps):
        if solvable(step.left):
            groups[0 if step.result.denominator == 1 else 1].append(step)
        else:
            groups[2].append(step)
    return "\n".join(s.line() for s in (groups[0] + groups[1] + groups[2])[:lines])


def _random_state(
    numbers: tuple[int, ...], depth: int, rng: random.Random
) -> tuple[Fraction, ...]:
    values = [as_fraction(x) for x in numbers]
    for _ in range(depth):
        i, j = rng.sample(range(len(values)), 2)
        a, b = max(values[i], values[j]), min(values[i], values[j])
        op = rng.choice("+-*/") if b != 0 else rng.choice("+-*")
        if op == "/" and a != 0 and rng.random() < 0.25:
            a, b = b, a  # now and then the smaller over the larger, as in 5 * (5 - 1 / 5)
        result = combine(a, op, b)
        values = [v for k, v in enumerate(values) if k not in (i, j)] + [result]
    return sorted_values(values)


def generate_training_examples(
    puzzles: Sequence[Puzzle],
    *,
    kinds: Sequence[ExampleKind] = ("propose", "value"),
    states_per_puzzle: int = 4,
    propose_lines: int = 6,
    test_numbers: Collection[tuple[int, ...]] = (),
    test_states: Collection[tuple[Fraction, ...]] = (),
    three_number_share: float = 0.5,
    list_all_below: int = 0,
    root_share: float = 1.0,
    solvable_triples: bool = False,
    pairs: int = 0,
    seed: int = 0,
) -> list[TrainingExample]:
    """Zero-shot SFT examples whose targets come from the solver.

    propose: the puzzle and `states_per_puzzle` states after one or two random steps (one
    step, leaving three numbers, with probability `three_number_share`: judging three
    numbers is the value role's hard part),
    target = up to `propose_lines` next steps, the ones that can still reach 24 first;
    for a state of at most `list_all_below` numbers, every distinct step instead. A share
    `root_share` of the puzzles show their own numbers too (fewer: a run that teaches
    deeper states only, continuing from an adapter that already knows the first step).
    With `solvable_triples`, every three-number state one step from a puzzle that can still
    reach 24 is a prompt too: the states a search must get past, where a proposer must
    list the one or two steps that keep 24 reachable among a dozen that do not.
    value: the same kind of states, half that can reach 24 ("sure") and half that
    cannot ("impossible") where both exist. propose and value: then `pairs` two-number
    states drawn beyond the puzzles (`pair_examples`), with the targets above.
    answer: the solver's steps -> the expression.
    Raises HeldOutPuzzleError if any puzzle is a test puzzle (filter with
    `training_puzzles` first); a state in `test_states` (what a search over the test
    puzzles can show, see `reachable_states`) is never shown; identical prompts are
    emitted once.
    """
    if states_per_puzzle < 1:
        raise ValueError(f"states_per_puzzle must be >= 1, got {states_per_puzzle}")
    if pairs < 0:
        raise ValueError(f"pairs must be >= 0, got {pairs}")
    if propose_lines < 1:
        raise ValueError(f"propose_lines must be >= 1, got {propose_lines}")
    for name, share in (("three_number_share", three_number_share), ("root_share", root_share)):
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1, got {share}")
    unknown = set(kinds) - {"propose", "value", "answer"}
    if unknown:
        raise ValueError(f"kinds must be propose, value or answer, got {sorted(unknown)}")
    for puzzle in puzzles:
        check_not_test(puzzle, test_numbers)
    rng = random.Random(seed)
    examples: list[TrainingExample] = []
    seen: set[str] = set()

    def propose_target(state: tuple[Fraction, ...]) -> str:
        return (every_step_target(state) if len(state) <= list_all_below
                else _propose_target(state, propose_lines, rng))
    shown: set[tuple[Fraction, ...]] = set()

    def emit(
        kind: ExampleKind, puzzle: Puzzle, values: tuple[Fraction, ...], messages: list[Message], reply: str
    ) -> None:
        prompt = messages[-1]["content"]
        if prompt in seen or values in test_states:
            return
        seen.add(prompt)
        shown.add(values)
        check_not_test(puzzle, test_numbers)  # the last guard before anything leaves
        full = (*({**m} for m in messages), {"role": "assistant", "content": reply})
        examples.append(TrainingExample(kind, puzzle.rank, puzzle.numbers, numbers_text(values), full))

    for puzzle in puzzles:
        root = sorted_values(Fraction(x) for x in puzzle.numbers)
        states = [root] if root_share >= 1.0 or rng.random() < root_share else []  # the old stream at 1.0
        sure: list[tuple[Fraction, ...]] = []
        impossible: list[tuple[Fraction, ...]] = []
        for _ in range(8 * states_per_puzzle):
            state = _random_state(puzzle.numbers, 1 if rng.random() < three_number_share else 2, rng)
            bucket = sure if solvable(state) else impossible
            if state not in sure and state not in impossible:
                bucket.append(state)
        half = states_per_puzzle // 2
        picked = sure[: states_per_puzzle - min(half, len(impossible))]
        picked += impossible[: states_per_puzzle - len(picked)]
        states += picked
        if solvable_triples:
            states += [step.left for step in _one_per_child(next_steps(root)) if solvable(step.left)]
        for state in states:
            if "propose" in kinds:
                emit("propose", puzzle, state, propose_messages(state), propose_target(state))
            if "value" in kinds:
                label = "sure" if solvable(state) else "impossible"
                emit("value", puzzle, state, value_messages(state), label)
        if "answer" in kinds:
            steps = solve_steps(puzzle.numbers)
            if steps is not None:
                lines = "\n".join(s.line() for s in steps)
                expression = compose_answer(puzzle.numbers, steps)
                reply = f"{ANSWER_PREFIX}{expression} = {TARGET}"
                messages = answer_messages(puzzle.numbers, lines)
                emit("answer", puzzle, root, messages, reply)
    if pairs and {"propose", "value"} & set(kinds):
        examples += pair_examples(pairs, {*test_states, *shown}, seed, kinds, propose_target)
    return examples


def training_examples_from_csv(
    path: str | Path, ranks: str | tuple[int, int] | None = None, **options: Any
) -> list[TrainingExample]:
    """Load the puzzle file, drop the test set and every state a search over it can reach,
    and generate examples (see above)."""
    puzzles = load_puzzles(path)
    held_out = held_out_numbers(puzzles)
    return generate_training_examples(
        training_puzzles(puzzles, ranks), test_numbers=held_out, test_states=reachable_states(held_out),
        **options
    )
