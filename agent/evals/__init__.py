"""Benchmarks run by `kigi eval`. Game of 24 by four methods: io, cot, cot-sc and tot.

    summary = run_game24_eval(Game24EvalConfig(method="tot", breadth=5), data, "results/tot-b5.jsonl")

Results are JSONL, one line per puzzle, appended and flushed as each puzzle finishes, so a
killed run loses at most the puzzle in flight; the first line is a header holding the
parameters. A rerun with the same parameters skips the puzzles already in the file (the
rank range may grow); a rerun with other parameters is refused. `workers` > 1 runs the
puzzles in that many processes, each loading its own engine.

One job per module: config (what a run is), solve (one puzzle), results (the file and
its summary), run (the loop and its workers). Names are re-exported here for callers.
"""

from agent.evals.config import EVAL_NAME, METHODS, ROLES, Game24EvalConfig, Method, results_name
from agent.evals.results import EvalError, EvalSummary, PuzzleResult, read_results, summarize
from agent.evals.run import ModelSpec, Progress, run_game24_eval
from agent.evals.solve import solve_puzzle, tree_summary

__all__ = [
    "EVAL_NAME", "METHODS", "ROLES", "EvalError", "EvalSummary", "Game24EvalConfig", "Method", "ModelSpec",
    "Progress", "PuzzleResult", "read_results", "results_name", "run_game24_eval", "solve_puzzle", "summarize",
    "tree_summary",
]
