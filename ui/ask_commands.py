"""`kigi ask` and `kigi chat`: one answer on stdout, or the chat REPL; both grounded in the
memory, logged, optionally through an adapter or a Tree-of-Thoughts search.

cli.py registers the two commands. Heavy imports stay inside them (`kigi --help` is instant).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from llm.loops import ANSWER_LOOP_STOP
from ui.errors import err_console, user_errors
from ui.loading import home, load_engine_with_progress, load_tot_roles, open_log, sampling_config
from ui.options import (
    DEFAULT_CHECK,
    DEFAULT_MODEL,
    DEFAULT_READER,
    DEFAULT_ROLES,
    AdapterOption,
    BreadthOption,
    BudgetOption,
    ChromaUrlOption,
    CidOption,
    CompileOption,
    ContinueOption,
    CopyOption,
    DepthOption,
    LoopStopOption,
    MaxTokensOption,
    ModelOption,
    NoLogOption,
    NoMemoryOption,
    NoServerOption,
    PrecisionOption,
    ReaderOption,
    RememberOption,
    SeedOption,
    SystemOption,
    TemperatureOption,
    TopicCheckOption,
    TopKOption,
    TopPOption,
    TotCheckOption,
    TotOption,
    TotRolesOption,
    WithholdOption,
)
from ui.sources import after_answer, attach_memory, attach_reader, show_sources
from ui.step_builds import BuiltMeanwhile, compiled_step_kept

if TYPE_CHECKING:
    from agent.session import Session
    from agent.tasks.step_check import StepCheck
    from agent.tot import SearchConfig
    from agent.turns import TurnResult
    from llm.engine import Engine
    from llm.remote import RemoteEngine
    from memory.store import MemoryStore


def read_piped_stdin(model: str, local: bool = False) -> str | None:
    """Piped stdin as text, or None when stdin is a terminal or absent. More than the model's
    context window could hold is refused before it is decoded (memory stays bounded)."""
    if sys.stdin is None or sys.stdin.closed or sys.stdin.isatty():
        return None
    from agent.inputs import decode_stdin, input_byte_limit, read_capped

    limit = input_byte_limit(input_window(model, local))
    try:
        data = read_capped(sys.stdin.buffer, limit)
    except (OSError, ValueError):
        return None
    return decode_stdin(data)


def input_window(model: str, local: bool) -> int:
    """The context window that piped input is sized for, known before any weights load: a
    registered remote model's, a running `kigi serve`'s (unless `local`), or the local
    model's header (pulled on first use)."""
    from agent.remote_models import remote_models, resident_server

    if (remote := remote_models(home()).get(model)) is not None:
        return remote.context_window
    if not local and (resident := resident_server(model, "auto", None)) is not None:
        return resident.context_window
    from agent.models import context_window  # imports torch: only for a model loaded here
    from ui.progress import byte_progress

    with byte_progress(err_console()) as progress:  # the first use of a model pulls it
        return context_window(home(), model, progress)


def open_engine(model: str, precision: str, compile: bool | None, adapter: str | None,
                local: bool) -> Engine | RemoteEngine:
    """The model to answer with: a registered remote model; else a running `kigi serve` that
    serves it as a load here would (unless `local`: --no-server, or a feature that needs the
    weights here); else the model loaded here, with its adapter."""
    from agent.remote_models import remote_models, resident_server

    registered = remote_models(home()).get(model)
    if registered is not None:
        if adapter or compile:
            raise ValueError(f"{model} is served remotely: adapters and --compile need a local model")
        return registered.engine()
    if not local and (resident := resident_server(model, precision, adapter)) is not None:
        return resident
    engine = load_engine_with_progress(model, precision, compile)
    if adapter:
        from agent.adapters import AdapterStore

        AdapterStore.of(home()).use(engine, adapter)
    return engine


def open_session(model: str, precision: str, compile: bool | None, adapter: str | None, system: str | None,
                 no_log: bool, continue_last: bool = False, cid: str | None = None, local: bool = False) -> Session:
    """The engine (`open_engine`) and a session on it: fresh, or a logged conversation resumed
    (-c for the latest, --cid for one)."""
    from agent.session import Session

    log = open_log(no_log)
    engine = open_engine(model, precision, compile, adapter, local)
    if (continue_last or cid) and log is None:
        raise ValueError("--continue and --cid need the log (drop --no-log)")
    if cid or continue_last:
        conversation_id = log.resolve_conversation_id(cid) if cid else log.last_conversation_id()
        if conversation_id is None:
            raise ValueError("there is no conversation to continue yet")
        session = Session.resume(engine, log, conversation_id, model)
        if system:
            session.system = system
    else:
        session = Session(engine, model, system=system, log=log)
    session.adapter = adapter
    return session


def search_config(breadth: int, depth: int | None, budget: int, seed: int | None,
                  question: str = "") -> SearchConfig | None:
    """The search `--tot` runs (its depth by the question where none is given:
    `search_depth`); None for a budget of 0 tokens, which answers directly."""
    from agent.tasks.open_question import search_depth
    from agent.tot import SearchConfig

    if budget < 0:
        raise ValueError(f"--budget must be 0 (answer directly) or more tokens, got {budget}")
    depth = search_depth(question, depth)
    return SearchConfig(breadth=breadth, depth=depth, max_tokens=budget, seed=seed) if budget else None


def tot_check_option(check: str) -> StepCheck:
    """`--tot-check`, refused before any model loads when it names no calculator mode."""
    from agent.tasks.step_check import STEP_CHECKS

    if check not in STEP_CHECKS:
        raise ValueError(f"--tot-check must be one of {', '.join(STEP_CHECKS)}, got {check!r}")
    return check  # type: ignore[return-value]


def attach_tot_roles(session: Session, roles: str) -> None:
    """The adapter that writes the ToT search's steps on questions with quantities (`--tot-roles`)."""
    session.tot_roles = load_tot_roles(session.engine, roles)


def tot_or_direct(tot: bool, config: SearchConfig | None) -> SearchConfig | None:
    """The search to run before an answer, saying so on stderr when the budget leaves none."""
    if tot and config is None:
        err_console().print("[yellow]ToT budget is 0 tokens: answering directly, without a search[/]")
    return config if tot else None


def turn_json(result: TurnResult, model: str, conversation_id: str | None) -> dict[str, Any]:
    return {
        "answer": result.text,
        "model": model,
        "conversation_id": conversation_id,
        "message_id": result.message_id,
        "finish_reason": result.finish_reason,
        "prompt_tokens": result.prompt_tokens,
        "completion_tokens": result.completion_tokens,
        "ttft_s": round(result.ttft_s, 4) if result.ttft_s is not None else None,
        "seconds": round(result.seconds, 4),
        "seed": result.sampling.seed,
        "prompt_version": result.prompt_version,
    }


def tot_value_scorer(session: Session, value: str) -> Any:
    """`--value reward:NAME`: the reward model NAME scores ToT states."""
    if not value.startswith("reward:") or value == "reward:":
        raise ValueError(f"--value must be reward:NAME (a reward model), got {value!r}")
    session.require_local("reward models")
    from agent.adapters import AdapterStore
    from agent.pref_evals import load_reward_model
    from agent.tasks.open_question import reward_scorer

    judge = load_reward_model(session.engine, AdapterStore.of(home()), value.removeprefix("reward:"), session.template)
    return reward_scorer(lambda answers, prompt: judge.score(answers, prompt))


def answer_best_of(session: Session, query: Any, sampling: Any, n: int, reward: str,
                   remember_store: MemoryStore | None, model: str, as_json: bool) -> None:
    """`kigi ask --best-of N --reward NAME`: the answer the reward model ranks first; with
    --json, every sampled answer and its score too."""
    session.require_local("best-of answers")
    from agent.adapters import AdapterStore
    from agent.pref_evals import load_reward_model

    judge = load_reward_model(session.engine, AdapterStore.of(home()), reward, session.template)
    found = session.reply_best_of(query.question, query.context, sampling, n,
                                  lambda prompt, answers: judge.score(answers, prompt))
    info = after_answer(session, query.question, remember_store)
    if as_json:
        info.pop("_render", None)
        ranked = [{"text": a, "score": round(s, 4)} for a, s in zip(found.answers, found.scores, strict=True)]
        print(json.dumps({**turn_json(session.last, model, session.conversation_id), **info, "best_of": ranked,
                          "kept": found.best, "reward": reward}))
        return
    Console(soft_wrap=True).print(session.last.text, markup=False, highlight=False)  # type: ignore[union-attr]
    show_sources(Console(soft_wrap=True) if sys.stdout.isatty() else err_console(), info)


def ask(
    question: Annotated[str | None, typer.Argument(help="The question. Piped stdin becomes its context.")] = None,
    model: ModelOption = DEFAULT_MODEL,
    system: SystemOption = None,
    temperature: TemperatureOption = 0.0,
    top_p: TopPOption = 1.0,
    top_k: TopKOption = 0,
    max_tokens: MaxTokensOption = 512,
    loop_stop: LoopStopOption = ANSWER_LOOP_STOP,
    seed: SeedOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")] = False,
    continue_last: ContinueOption = False,
    cid: CidOption = None,
    adapter: AdapterOption = None,
    reader: ReaderOption = DEFAULT_READER,
    withhold: WithholdOption = True,
    copy: CopyOption = False,
    topic_check: TopicCheckOption = False,
    tot: TotOption = False,
    tot_roles: TotRolesOption = DEFAULT_ROLES,
    tot_check: TotCheckOption = DEFAULT_CHECK,
    breadth: BreadthOption = 2,
    depth: DepthOption = None,
    budget: BudgetOption = 2000,
    value: Annotated[str | None, typer.Option(
        "--value", help="ToT: value states with reward:NAME (a reward model) instead of the model itself.")] = None,
    best_of: Annotated[int, typer.Option(
        "--best-of", help="Sample N answers and keep the one --reward scores highest (0: off).")] = 0,
    reward: Annotated[str | None, typer.Option(
        "--reward", help="Reward model that ranks --best-of answers (see `kigi train reward`).")] = None,
    no_memory: NoMemoryOption = False,
    remember: RememberOption = False,
    chroma_url: ChromaUrlOption = None,
    no_log: NoLogOption = False,
    precision: PrecisionOption = "auto",
    compile: CompileOption = None,
    no_server: NoServerOption = False,
) -> None:
    """Answer one question. `echo CONTEXT | kigi ask "QUESTION"` uses stdin as context.

    stdout carries the answer alone (plain text unless it is a terminal; one JSON object
    with --json). Exit codes: 0 answered, 1 error, 2 usage error, 130 interrupted.
    """
    with user_errors():
        from agent.inputs import make_query
        from ui.render import stream_answer

        config = tot_or_direct(tot, search_config(breadth, depth, budget, seed))
        tot = config is not None
        check = tot_check_option(tot_check)
        if best_of and (tot or not reward):
            raise ValueError("--best-of needs --reward NAME, and does not combine with --tot")
        local = no_server or tot or bool(best_of)  # --tot and --best-of need the weights here
        query = make_query(question, read_piped_stdin(model, local))
        if tot:  # its depth by the question, now that it is known (stdin may hold it)
            config = search_config(breadth, depth, budget, seed, query.question)
        sampling = sampling_config(temperature, top_p, top_k, max_tokens, seed, loop_stop)
        session = open_session(model, precision, compile, adapter, system, no_log, continue_last, cid, local)
        with compiled_step_kept(session.engine):
            remember_store = attach_memory(session, no_memory, remember, chroma_url)
            if session.retriever is not None or query.context:
                attach_reader(session, reader, withhold, copy, topic_check)
            session.fold_answer = not (tot or best_of)  # one answer, by one adapter, and no switch after
            if tot:
                from ui.tree import LiveTree

                scorer = tot_value_scorer(session, value) if value else None
                attach_tot_roles(session, tot_roles)
                with LiveTree(err_console()) as live:
                    found = session.reply_tot(query.question, query.context, config, live.on_update, max_tokens,
                                              scorer=scorer, check=check)
                info = after_answer(session, query.question, remember_store)
                if as_json:
                    info.pop("_render", None)
                    print(json.dumps({**turn_json(session.last, model, session.conversation_id), **info,
                                      "alternatives": found.alternatives, "tree": found.tree}))
                else:
                    Console(soft_wrap=True).print(found.answer, markup=False, highlight=False)
                    show_sources(Console(soft_wrap=True) if sys.stdout.isatty() else err_console(), info)
                return
            if best_of:
                answer_best_of(session, query, sampling, best_of, reward, remember_store, model, as_json)
                return
            stream = session.reply(query.question, query.context, sampling)
            if session.left_out:
                err_console().print(f"[dim]{session.left_out} earlier turns of the conversation left out to fit the "
                                    "context window[/]")
            if as_json:
                for _ in stream:
                    pass
            else:
                try:
                    stream_answer(Console(soft_wrap=True), stream, markdown=sys.stdout.isatty())
                except BrokenPipeError:
                    sys.stdout = None  # type: ignore[assignment]  # the reader left; nothing more to write
                    return
            info = after_answer(session, query.question, remember_store)
            result = session.last
            if result is not None and as_json:
                info.pop("_render", None)
                print(json.dumps({**turn_json(result, model, session.conversation_id), **info}))
            else:
                # On a terminal the sources follow the answer; on a pipe stdout stays the answer alone.
                show_sources(Console(soft_wrap=True) if sys.stdout.isatty() else err_console(), info)


def chat(
    model: ModelOption = DEFAULT_MODEL,
    system: SystemOption = None,
    temperature: TemperatureOption = 0.0,
    top_p: TopPOption = 1.0,
    top_k: TopKOption = 0,
    max_tokens: MaxTokensOption = 512,
    loop_stop: LoopStopOption = ANSWER_LOOP_STOP,
    seed: SeedOption = None,
    continue_last: ContinueOption = False,
    cid: CidOption = None,
    adapter: AdapterOption = None,
    reader: ReaderOption = DEFAULT_READER,
    withhold: WithholdOption = True,
    copy: CopyOption = False,
    topic_check: TopicCheckOption = False,
    tot: TotOption = False,
    tot_roles: TotRolesOption = DEFAULT_ROLES,
    tot_check: TotCheckOption = DEFAULT_CHECK,
    breadth: BreadthOption = 2,
    depth: DepthOption = None,
    budget: BudgetOption = 2000,
    no_memory: NoMemoryOption = False,
    remember: RememberOption = False,
    chroma_url: ChromaUrlOption = None,
    no_log: NoLogOption = False,
    precision: PrecisionOption = "auto",
    compile: CompileOption = None,
    no_server: NoServerOption = False,
) -> None:
    """Talk with kigi in the terminal. /help inside lists the commands."""
    with user_errors():
        from ui.chat import ChatREPL, setup_history

        sampling = sampling_config(temperature, top_p, top_k, max_tokens, seed, loop_stop)
        config = search_config(breadth, depth, budget, seed)
        tot = tot_or_direct(tot, config) is not None
        check = tot_check_option(tot_check)
        session = open_session(model, precision, compile, adapter, system, no_log, continue_last, cid,
                               local=no_server or tot)
        remember_store = attach_memory(session, no_memory, remember, chroma_url)
        if session.retriever is not None:
            attach_reader(session, reader, withhold, copy, topic_check)
        save_history = setup_history(home().root / "history")
        if (compiled := getattr(session.engine, "compiled", None)) is not None:
            compiled.prepare()  # a stored step loads while the user types the first question

        def switch_adapter(name: str | None) -> None:
            from agent.adapters import AdapterStore

            session.require_local("adapters switched in the chat")
            AdapterStore.of(home()).use(session.engine, name)
            session.adapter = name

        try:
            console = Console(highlight=False)
            with compiled_step_kept(session.engine):
                ChatREPL(console, session, sampling, switch_adapter=switch_adapter,
                         tot=config if tot else None, tot_config=config, tot_depth=depth,
                         tot_roles=lambda: attach_tot_roles(session, tot_roles), tot_check=check,
                         after_answer=lambda q: show_sources(console, after_answer(session, q, remember_store)),
                         between_answers=BuiltMeanwhile(session.engine)).run()
        finally:
            save_history()
