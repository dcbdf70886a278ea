"""Tree-of-Thoughts search, independent of any task (Yao et al. 2023).

A `Task` renders states into prompts and parses the model's thoughts into child states;
a `ThoughtGenerator` proposes or samples children; a `StateEvaluator` scores states;
`bfs` and `dfs` search under a `SearchConfig` and return the whole `SearchTree`.

One job per module: protocols (the model and the task), budget, thoughts, evaluate,
config, tree, run (the steps a search is built from) and search (bfs and dfs alone).
The names are re-exported here for callers; the modules import each other by full path.
"""

from agent.tot.budget import BudgetExhausted, Meter, PartialScores
from agent.tot.config import SearchConfig
from agent.tot.evaluate import VALUE_LABELS, EvaluateMode, Scorer, StateEvaluator
from agent.tot.protocols import (
    BatchingLanguageModel,
    Completion,
    LanguageModel,
    Message,
    Render,
    Task,
    plain_render,
)
from agent.tot.search import bfs, dfs, search
from agent.tot.thoughts import GenerateMode, ThoughtGenerator
from agent.tot.tree import Node, OnUpdate, SearchTree, Status

__all__ = [
    "VALUE_LABELS", "BatchingLanguageModel", "BudgetExhausted", "Completion", "EvaluateMode", "GenerateMode",
    "LanguageModel", "Message", "Meter", "Node", "OnUpdate", "PartialScores", "Render", "Scorer",
    "SearchConfig", "SearchTree", "StateEvaluator", "Status", "Task", "ThoughtGenerator",
    "bfs", "dfs", "plain_render", "search",
]
