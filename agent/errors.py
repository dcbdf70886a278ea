"""Typed errors of the agent layer; the CLI prints them as one line."""


class AgentError(Exception):
    """Base class of every error the agent raises on purpose."""


class EmptyInputError(AgentError):
    """Neither a question nor any context was given."""


class InputTooLargeError(AgentError):
    """Piped input larger than the model's context window could ever hold."""


class HomeError(AgentError):
    """The user directory (KIGI_HOME) cannot be created or written: the message names the path."""
