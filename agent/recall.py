"""Which memory to use and how to open it: the user's documents and, with --remember,
past question/answer turns, searched together for grounding."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.home import KigiHome

if TYPE_CHECKING:
    from llm.registry import Progress
    from memory.store import Hit, MemoryStore

DOCUMENTS = "documents"
CONVERSATIONS = "conversations"


def memory_exists(home: KigiHome, url: str | None = None) -> bool:
    """Whether there is anything to search, without importing chromadb: a server's memory
    may hold anything; a local one once a collection was made in it, read from its SQLite
    catalogue directly. (A database alone is not enough: `kigi memory list` on an empty home
    leaves one, and opening Chroma and the query encoder for it cost ~1.4 s before every
    first token.) Unreadable or locked: assume there is, and let Chroma say."""
    if url is not None:
        return True
    path = home.memory / "chroma.sqlite3"
    if not path.exists():
        return False
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as catalogue:
            return catalogue.execute("SELECT 1 FROM collections LIMIT 1").fetchone() is not None
    except sqlite3.Error:
        return True


def open_memory(home: KigiHome, url: str | None = None, collection: str = DOCUMENTS,
                progress: Progress | None = None) -> MemoryStore:
    from memory.embed import KigiEmbeddingFunction, pull_embedding_model
    from memory.store import MemoryConfig, MemoryStore

    function = KigiEmbeddingFunction(pull_embedding_model(home.models, progress))
    config = MemoryConfig(collection=collection)
    if url:
        return MemoryStore(url=url, embedding_function=function, config=config)
    return MemoryStore(home.memory, embedding_function=function, config=config)


@dataclass
class CombinedRetriever:
    """Search several collections and keep the best hits overall."""

    stores: list[MemoryStore]

    def search(self, query: str, k: int = 5, min_relevance: float = 0.0) -> list[Hit]:
        hits = [hit for store in self.stores for hit in store.search(query, k=k, min_relevance=min_relevance)]
        return sorted(hits, key=lambda h: h.score, reverse=True)[:k]

    def get(self, ids: list[str]) -> list[Hit]:
        """Chunks by id, from whichever collection holds them."""
        return [hit for store in self.stores for hit in store.get(ids)]


def remember_turn(store: MemoryStore, conversation_id: str | None, question: str, answer: str) -> None:
    """Keep a question and its answer as a searchable memory of past conversations."""
    source = f"conversation:{conversation_id or 'unlogged'}"
    store.add_text(f"Q: {question}\nA: {answer}", source=f"{source}:{abs(hash(question)) % 10**8}", kind="text")
