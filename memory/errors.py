"""Typed errors of the memory layer; the CLI prints them as one line."""


class MemoryStoreError(Exception):
    """Base class of every error the memory layer raises on purpose."""


class LogError(MemoryStoreError):
    """The SQLite log cannot be opened, read or written."""
