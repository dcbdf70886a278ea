"""The compiled decode step built where nobody waits for it (issue 21: "compiled in the
background the first time while the first answers decode eagerly, loaded in later
processes").

A run that decoded eagerly for want of a stored step (`CompiledOrEager.unbuilt`) starts,
once its answer is out, a detached and niced `kigi model compile` for that model state; the
next run loads the step in ~10 ms. Building takes the cores for ~1 minute, so it runs in a
process of its own that the user's next command outranks, one build at a time (a lock in the
store), never twice for a state the compiler failed on, and not at all with
KIGI_BACKGROUND_COMPILE=0 or --no-compile.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from llm.switches import switched_off
from ui.errors import err_console

if TYPE_CHECKING:
    from llm.compile import CompiledOrEager, StepState
    from llm.engine import Engine
    from llm.remote import RemoteEngine

BACKGROUND_ENV = "KIGI_BACKGROUND_COMPILE"
BUILD_LOCK = ".build.lock"  # held by the one build running
FAILED_MARK = "decode-{key}.failed"  # the compiler failed on this state: not tried again unasked
BUILD_LOG = "build.log"  # what the detached builds printed, appended
NICENESS = 10


def background_builds_allowed() -> bool:
    return not switched_off(BACKGROUND_ENV)


def build_later(engine: Engine | RemoteEngine) -> str | None:
    """Start a detached build of the first model state this run decoded eagerly with no step
    stored for it; say so on stderr. The key of the state whose build was started, if one was."""
    compiled: CompiledOrEager | None = getattr(engine, "compiled", None)
    if compiled is None or compiled.build or compiled.store is None or not background_builds_allowed():
        return None
    store = compiled.store
    if _building(store):
        return None
    for state, key in compiled.unbuilt():
        if (store / FAILED_MARK.format(key=key)).exists():
            continue
        _spawn(compile_command(engine.name, engine.precision, state, key), store)
        err_console().print("kigi: compiling the decode step in the background for later answers (once; "
                            f"{BACKGROUND_ENV}=0 turns this off)", highlight=False)
        return key
    return None


@dataclass
class BuiltMeanwhile:
    """A chat's decode step, built while the chat goes on; called after each answer. After
    an answer decoded eagerly for want of a stored step, the build starts in the background
    (as `build_later` does at a one-shot run's end); after the first answer that finds it
    stored, the step loads while the user types, and the answers after it decode compiled
    (~2× eager) in the same chat, not only in the next one."""

    engine: Engine | RemoteEngine
    key: str | None = None  # the state whose build this chat started
    done: bool = False

    def __call__(self) -> None:
        compiled: CompiledOrEager | None = getattr(self.engine, "compiled", None)
        if compiled is None or compiled.store is None or self.done:
            return
        if self.key is None:
            self.key = build_later(self.engine)
            return
        if (compiled.store / FAILED_MARK.format(key=self.key)).exists():
            self.done = True  # the compiler failed on it: this chat decodes eagerly
        elif compiled.has_stored(self.key):
            self.done = True
            compiled.look_again()
            compiled.prepare()
            err_console().print("kigi: the compiled decode step is ready; the next answers decode faster",
                                highlight=False)


@contextmanager
def compiled_step_kept(engine: Engine | RemoteEngine) -> Iterator[None]:
    """On the way out, build the compiled decode steps owed (the model states this run met
    with none stored: once per model, precision and adapter state), so later runs load them;
    the answer is already out. Ctrl-C stops the build. A run not asked to compile that
    decoded eagerly for want of a stored step starts its build in the background instead,
    once it ended well."""
    ended = False
    try:
        yield
        ended = True
    finally:
        compiled = getattr(engine, "compiled", None)
        if compiled is not None and compiled.pending:
            with err_console().status("storing the compiled decode step for later runs (once)"):
                compiled.wait()
        elif ended:
            build_later(engine)


def compile_command(model: str, precision: str, state: StepState, key: str) -> list[str]:
    """The `kigi model compile` that rebuilds `state` in another process and stores its step."""
    adapters = [arg for name in state.adapters for arg in ("--adapter", name)]
    return [sys.executable, "-m", "cli", "model", "compile", model, "--precision", precision, *adapters,
            "--active", state.active or "off", "--threads", str(state.threads), "--key", key, "--background"]


def _spawn(command: list[str], store: Path) -> None:
    store.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, BACKGROUND_ENV: "0"}
    with open(store / BUILD_LOG, "ab") as log:
        subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                         start_new_session=True)  # its own session: a Ctrl-C in this terminal is not its business


def _lock(store: Path):  # noqa: ANN202 - filelock's type, imported late
    from filelock import FileLock

    store.mkdir(parents=True, exist_ok=True)
    return FileLock(str(store / BUILD_LOCK), timeout=0)


def _building(store: Path) -> bool:
    """Whether another process holds the build lock now."""
    from filelock import Timeout

    try:
        with _lock(store):
            return False
    except Timeout:
        return True


def build_now(model: str, precision: str, adapters: list[str], active: str | None, threads: int | None,
              key: str | None = None, background: bool = False) -> str:
    """Load `model` with `adapters` attached and `active` on, compile its decode step at
    `threads` (by default at each count a run may pick: `thread_counts`) and store it (or
    find it stored). `key`: build only if the state recreated here is that one.
    `background`: niced, quiet when another build holds the lock, and a state that fails is
    marked so that no run starts it again. A line for each step, saying what happened."""
    from filelock import Timeout

    from llm.threads import torch_threads

    if background and hasattr(os, "nice"):
        os.nice(NICENESS)
    engine = _engine_in_state(model, precision, adapters, active)
    compiled = engine.compiled
    if compiled is None or compiled.store is None:
        raise ValueError(f"{model} has no cache folder to keep a compiled step in")
    lines = []
    counts = thread_counts(threads)
    for count in counts[:1] if key else counts:  # a key names one state, and so one count
        try:
            with _lock(compiled.store), torch_threads(count):
                found, seconds = _build(engine, compiled, key)
        except Timeout:
            if background:
                return "another build is running"
            raise ValueError(f"another `kigi model compile` is running on {model}: try again when it ends") from None
        except ValueError:
            if background and key is not None:
                (compiled.store / FAILED_MARK.format(key=key)).touch()
            raise
        size = compiled.stored.path.stat().st_size if compiled.stored is not None else 0
        lines.append(f"decode step {found} for {model} ({engine.precision}, adapter {active or 'off'}, "
                     f"{count} threads) stored: {size / 1e6:.0f} MB, {seconds:.0f} s")
    return "\n".join(lines)


def thread_counts(threads: int | None) -> list[int]:
    """`threads`, or the counts a run fitted to the idle cores picks most (llm/threads.py):
    all of torch's threads on a quiet machine, one fewer while another task runs. Each
    count is a stored step of its own; one not stored decodes eagerly."""
    import torch

    most = threads or torch.get_num_threads()
    return [most] if threads or most == 1 else [most, most - 1]


def _engine_in_state(model: str, precision: str, adapters: list[str], active: str | None) -> Engine:
    """The model loaded to compile, with `adapters` attached in order and `active` on."""
    from agent.adapters import AdapterStore
    from ui.loading import home, load_engine_with_progress

    engine = load_engine_with_progress(model, precision, compile=True)
    store = AdapterStore.of(home())
    for name in adapters:
        store.load_onto(engine, name)
    store.use(engine, active)
    return engine


def _build(engine: Engine, compiled: CompiledOrEager, key: str | None) -> tuple[str, float]:
    """The state's key and the seconds its step took to compile and load."""
    from llm.compile import step_key

    found = step_key(engine.model)
    if key is not None and found != key:
        raise ValueError(f"this model state is not the one asked for (key {found}, not {key}): "
                         "its weights or adapters changed since; nothing built")
    started = time.perf_counter()
    compiled.prepare()
    if not compiled.wait():
        raise ValueError("the decode step could not be compiled; kigi decodes eagerly")
    return found, time.perf_counter() - started
