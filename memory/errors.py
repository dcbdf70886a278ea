"""Typed errors of the memory layer; the CLI prints them as one line."""


class MemoryStoreError(Exception):
    """Base class of every error the memory layer raises on purpose."""


class LogError(MemoryStoreError):
    """The SQLite log cannot be opened, read or written."""


class MemoryCorruptError(MemoryStoreError):
    """The memory directory cannot be read as a Chroma database; it is left untouched."""


class MemoryUnavailableError(MemoryStoreError):
    """The memory location is not usable (not a directory, server unreachable)."""


class MemoryBusyError(MemoryStoreError):
    """Another process held the memory's write lock for too long."""
