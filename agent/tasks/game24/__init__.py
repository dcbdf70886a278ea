"""Game of 24: exact arithmetic, solver, verifier, puzzle file, prompts, the ToT task and
training data, one module each.

Four numbers, + - * / and parentheses, each number used exactly once, to make 24. The
puzzle list (`game24.csv`, columns `Rank,Puzzles,...`) is read by path and never copied
into the repository; ranks 901-1000 are the paper's test set, kept out of training data.

This package's names are re-exported here for callers; its own modules import each
other by full path. The task (`task.py`) never imports the solver: a search cannot cheat.
"""

from agent.tasks.game24.arithmetic import OPS, TARGET, Step, compose_answer, fmt
from agent.tasks.game24.prompts import (
    PROMPTS,
    answer_messages,
    cot_messages,
    few_shot_examples,
    io_messages,
    judge_messages,
    propose_messages,
    sample_messages,
    value_messages,
    vote_messages,
)
from agent.tasks.game24.puzzles import (
    TEST_RANKS,
    Game24Error,
    HeldOutPuzzleError,
    Puzzle,
    default_data_path,
    load_puzzles,
    parse_rank_range,
    select_ranks,
)
from agent.tasks.game24.replies import extract_answer, majority_answer, parse_step
from agent.tasks.game24.solver import next_steps, solvable, solve, solve_steps
from agent.tasks.game24.task import AnswerMode, Check, Game24Task
from agent.tasks.game24.training import (
    ExampleKind,
    TrainingExample,
    check_not_test,
    generate_training_examples,
    held_out_numbers,
    reachable_states,
    training_examples_from_csv,
    training_puzzles,
)
from agent.tasks.game24.verifier import ExpressionError, Verdict, evaluate_expression, parse_expression, verify

__all__ = [
    "OPS", "PROMPTS", "TARGET", "TEST_RANKS", "AnswerMode", "Check", "ExampleKind", "ExpressionError",
    "Game24Error", "Game24Task", "HeldOutPuzzleError", "Puzzle", "Step", "TrainingExample", "Verdict",
    "answer_messages", "check_not_test", "compose_answer", "cot_messages", "default_data_path",
    "evaluate_expression", "extract_answer", "few_shot_examples", "fmt", "generate_training_examples",
    "held_out_numbers", "io_messages", "judge_messages", "load_puzzles", "majority_answer", "next_steps",
    "reachable_states",
    "parse_expression", "parse_rank_range", "parse_step", "propose_messages", "sample_messages",
    "select_ranks", "solvable", "solve", "solve_steps", "training_examples_from_csv", "training_puzzles",
    "value_messages", "verify", "vote_messages",
]
