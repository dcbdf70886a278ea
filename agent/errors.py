"""Typed errors of the agent layer; the CLI prints them as one line."""


class AgentError(Exception):
    """Base class of every error the agent raises on purpose."""


class EmptyInputError(AgentError):
    """Neither a question nor any context was given."""
