"""Arithmetic word problems with exact integer answers and solver-written steps: training
data for the role adapters. The held-out set lives in `evals/questions` and is written by
other code, never by this package."""

from agent.tasks.word_problems.generator import TEMPLATE_IDS, TEMPLATES, WordProblem, generate

__all__ = ["TEMPLATES", "TEMPLATE_IDS", "WordProblem", "generate"]
