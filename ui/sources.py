"""Memory and sources around one answer of `kigi ask` or `kigi chat`: the memory attached,
the reader that reads what it finds, and after the answer its sources, the groundedness
check and any answer withheld, shown beside the answer (never on piped stdout)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console

from ui.loading import home, load_reader

if TYPE_CHECKING:
    from agent.session import Session
    from memory.store import MemoryStore


def attach_memory(session: Session, no_memory: bool, remember: bool, chroma_url: str | None) -> MemoryStore | None:
    """Ground the session in the memory when there is one; return the store for --remember."""
    from agent.recall import CONVERSATIONS, DOCUMENTS, CombinedRetriever, memory_exists, open_memory

    if no_memory or not (memory_exists(home(), chroma_url) or remember):
        return None
    names = [DOCUMENTS, CONVERSATIONS] if remember or chroma_url is None else [DOCUMENTS]
    stores = [open_memory(home(), chroma_url, name) for name in names]
    session.retriever = CombinedRetriever(stores)
    return stores[-1] if remember else None


def attach_reader(session: Session, reader: str, withhold: bool, copy: bool = False,
                  topic_check: bool = False) -> None:
    """The adapter that reads sources (memory, piped stdin), whether an answer its cited
    sources do not support is withheld, whether its words are held to theirs, and whether
    memory's sources are used only when about the question."""
    from agent.grounding import AboutConfig, GroundingConfig

    session.reader = load_reader(session.engine, reader)
    session.grounding = GroundingConfig(withhold_unsupported=withhold, copy_answers=copy,
                                        about=AboutConfig() if topic_check else None)


def after_answer(session: Session, question: str, remember_store: MemoryStore | None) -> dict[str, Any]:
    """Sources and the groundedness check of the last answer; remember the turn if asked."""
    from agent.grounding import check_groundedness, render_sources

    result = session.last
    info: dict[str, Any] = {}
    if result is None:
        return info
    if result.citations:
        report = check_groundedness(result.text, result.citations)
        info = {"sources": [{"number": c.number, "source": c.hit.source, "line": c.hit.line, "id": c.hit.id,
                             "score": round(c.hit.score, 4)} for c in result.citations],
                "groundedness": round(report.rate, 3),
                "unsupported": [s.sentence for s in report.unsupported],
                "_render": render_sources(result.citations)}
        if result.withheld is not None:
            info["withheld"] = result.withheld
    if remember_store is not None and result.finish_reason != "interrupted":
        from agent.recall import remember_turn

        remember_turn(remember_store, session.conversation_id, question, result.text)
    return info


def show_sources(console: Console, info: dict[str, Any]) -> None:
    if not info.get("sources"):
        return
    console.print("[dim]Sources:[/]")
    console.print(info["_render"], style="dim", markup=False, highlight=False)
    for sentence in info["unsupported"]:
        console.print(f"[yellow]⚠ not supported by the sources:[/] {sentence}", highlight=False)
    if "withheld" in info:
        show_withheld(console, info["withheld"])


def show_withheld(console: Console, answer: str) -> None:
    """The answer an abstention replaced, shown beside it (after a turn, and in `kigi logs`)."""
    console.print(f"[yellow]⚠ withheld, as its sources do not support it:[/] {answer}", highlight=False)
