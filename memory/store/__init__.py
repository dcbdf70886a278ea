"""The Chroma memory of the user's documents: add, search, list, forget, stats.

A `MemoryStore` lives in a directory (Chroma's `PersistentClient`) or on a Chroma server
(`HttpClient`, for a memory shared by a team); a local one also keeps a BM25 word index
of its chunks, derived from Chroma, and searches by both. Files are chunked along their structure
(`memory.chunking`), embedded by the collection's embedding function and upserted with
their source, position, line, section, content hash, file hash and time added.

    records.py       MemoryConfig, Hit, Retriever, AddReport and the listings
    scanning.py      which files, of which kind; hash and check each before anything is stored
    session.py       ChromaSession: where the collection lives, locked reading()/writing()
    ingest.py        chunk, embed outside the lock, write inside, undo a failed add
    lexical.py       the BM25 word index beside a local collection, fused with the vectors
    memory_store.py  MemoryStore: the operations, on a session
"""

from memory.errors import MemoryBusyError, MemoryCorruptError, MemoryStoreError, MemoryUnavailableError
from memory.store.ingest import chunk_id, content_hash
from memory.store.memory_store import MemoryStore
from memory.store.records import (
    AddReport,
    FileOutcome,
    Hit,
    MemoryConfig,
    MemoryStats,
    Progress,
    Retriever,
    SourceInfo,
    Status,
)
from memory.store.session import ChromaSession

__all__ = [
    "AddReport",
    "ChromaSession",
    "FileOutcome",
    "Hit",
    "MemoryBusyError",
    "MemoryConfig",
    "MemoryCorruptError",
    "MemoryStats",
    "MemoryStore",
    "MemoryStoreError",
    "MemoryUnavailableError",
    "Progress",
    "Retriever",
    "SourceInfo",
    "Status",
    "chunk_id",
    "content_hash",
]
