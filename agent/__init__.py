"""The agent: sessions, prompts, Tree-of-Thoughts search, tasks and evals."""
