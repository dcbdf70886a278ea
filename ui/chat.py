"""The interactive chat REPL: read a message, stream the answer, handle slash commands.

Ctrl-C stops the answer being written (the partial answer is kept and logged as
interrupted) and returns to the prompt; Ctrl-D or /exit leaves. Input history persists
across sessions in the user directory.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from agent.session import Session
from agent.tasks.step_check import StepCheck
from agent.tot import SearchConfig
from llm.errors import ContextOverflowError
from llm.remote import RemoteError
from llm.sampling import SamplingConfig
from ui.compare import ask_verdict, show_side_by_side
from ui.render import stream_answer

HELP = """\
[bold]Type a message[/] and press Enter. End a line with [bold]\\\\[/] to continue on the next line,
or paste a block between two lines of [bold]\"\"\"[/].

  /help               this help
  /system TEXT        set the system prompt (starts a new conversation)
  /new                start a new conversation
  /retry              sample another answer to the last question (kept as a candidate)
  /rate 1-5           score the last answer
  /good, /bad         mark the last answer
  /compare            the last question's two newest answers side by side (random A/B order); pick one
  /adapter NAME|off   answer with a LoRA adapter, or with the base model
  /tot on|off         think with a Tree-of-Thoughts search before answering (the tree is drawn live)
  /save [FILE]        save the conversation as Markdown
  /exit               leave (Ctrl-D works too)

Ctrl-C stops an answer that is being written."""


def setup_history(path: Path) -> Callable[[], None]:
    """Line editing and persistent history with readline, where the platform has it."""
    try:
        import readline
    except ImportError:  # pragma: no cover - platforms without readline
        return lambda: None
    try:
        readline.read_history_file(path)
    except OSError:
        pass
    readline.set_history_length(2000)

    def save() -> None:
        try:
            readline.write_history_file(path)
        except OSError:
            pass

    return save


@dataclass
class ChatREPL:
    console: Console
    session: Session
    sampling: SamplingConfig
    read: Callable[[str], str] = input
    rng: random.Random = field(default_factory=random.Random)
    switch_adapter: Callable[[str | None], None] | None = None
    after_answer: Callable[[str], None] | None = None  # sources and groundedness, given the question
    between_answers: Callable[[], None] | None = None  # the face's own upkeep (a decode step built meanwhile)
    tot: SearchConfig | None = None  # the search to run before each answer; None answers directly
    tot_config: SearchConfig | None = None  # what /tot on switches to
    tot_depth: int | None = None  # the search's depth asked for; None: by each question (`search_depth`)
    tot_roles: Callable[[], None] | None = None  # attaches the search's role adapter (at the first search)
    tot_check: StepCheck = "none"  # the calculator for the search's steps
    running: bool = True

    def read_message(self) -> str:
        """One message: a line, lines continued with a trailing backslash, or a \"\"\" block."""
        first = self.read("› ")
        if first.strip() == '"""':
            lines = []
            while (line := self.read("… ")).strip() != '"""':
                lines.append(line)
            return "\n".join(lines)
        lines = [first]
        while lines[-1].endswith("\\"):
            lines[-1] = lines[-1][:-1]
            lines.append(self.read("… "))
        return "\n".join(lines)

    def run(self) -> None:
        self.console.print(f"[bold green]kigi[/] chat · model [cyan]{self.session.model_name}[/] · "
                           "/help for commands, Ctrl-D to leave", highlight=False)
        while self.running:
            try:
                text = self.read_message().strip()
            except EOFError:
                self.console.print()
                return
            except KeyboardInterrupt:
                self.console.print()
                continue
            if not text:
                continue
            try:
                if text.startswith("/"):
                    self.command(text)
                    continue
                if self.tot is not None:
                    if self.answer_tot(text) and self.after_answer is not None:
                        self.after_answer(text)
                else:
                    self.answer(self.session.reply(text, sampling=self.sampling))
                    if self.after_answer is not None:
                        self.after_answer(text)
                if self.between_answers is not None:
                    self.between_answers()
            except ValueError as exc:
                self.console.print(f"[red]{exc}[/]")
            except ContextOverflowError as exc:  # a full conversation must not end the chat
                self.console.print(f"[red]{exc}[/] (/new starts a new conversation)", highlight=False)
            except RemoteError as exc:  # a remote model's hiccup must not end the chat either
                self.console.print(f"[red]{exc}[/]", highlight=False)

    def answer(self, pieces: Iterator[str]) -> None:
        try:
            stream_answer(self.console, pieces, markdown=True)
        except KeyboardInterrupt:
            self.console.print("[yellow]⏹ stopped (the partial answer is kept)[/]")
        self.status()

    def answer_tot(self, text: str) -> bool:
        """Search, then answer; False when Ctrl-C stopped the search."""
        from rich.markdown import Markdown

        from agent.tasks.open_question import search_depth
        from ui.tree import LiveTree

        if self.tot_roles is not None:
            self.tot_roles()
            self.tot_roles = None  # attached once, for every search after
        config = dataclasses.replace(self.tot, depth=search_depth(text, self.tot_depth))  # type: ignore[type-var]
        try:
            with LiveTree(self.console) as live:
                found = self.session.reply_tot(text, config=config, on_update=live.on_update,
                                               max_new_tokens=self.sampling.max_new_tokens, check=self.tot_check)
        except KeyboardInterrupt:
            self.console.print("[yellow]⏹ search stopped[/]")
            return False
        self.console.print(Markdown(found.answer))
        self.console.print(f"[dim]{len(found.search.nodes)} thoughts · {found.tokens} tokens · "
                           f"{found.seconds:.1f}s · {len(found.alternatives)} alternatives kept for /compare[/]")
        return True

    def status(self) -> None:
        result = self.session.last
        if result is None:
            return
        ttft = f"{result.ttft_s:.2f}s" if result.ttft_s is not None else "-"
        left_out = (f" · {self.session.left_out} earlier turns left out to fit the context window (/new starts afresh)"
                    if self.session.left_out else "")
        self.console.print(
            f"[dim]{result.completion_tokens} tokens · {result.tokens_per_s:.1f} tok/s · first token {ttft}"
            f" · {result.finish_reason}{left_out}[/]")

    # -- slash commands -------------------------------------------------------------------
    def command(self, line: str) -> None:
        name, _, arg = line.partition(" ")
        handlers: dict[str, Callable[[str], None]] = {
            "/help": lambda _: self.console.print(HELP),
            "/exit": self.exit,
            "/quit": self.exit,
            "/new": lambda _: self.new(),
            "/system": self.set_system,
            "/retry": lambda _: self.answer(self.session.retry(self.sampling)),
            "/rate": self.rate,
            "/good": lambda _: self.label("good"),
            "/bad": lambda _: self.label("bad"),
            "/compare": lambda _: self.compare(),
            "/save": self.save,
            "/adapter": self.adapter,
            "/tot": self.set_tot,
        }
        handler = handlers.get(name)
        if handler is None:
            self.console.print(f"[red]unknown command {name}[/] (try /help)")
            return
        handler(arg.strip())

    def exit(self, _: str = "") -> None:
        self.running = False

    def new(self) -> None:
        self.session.new_conversation()
        self.console.print("[dim]new conversation[/]")

    def set_system(self, text: str) -> None:
        if not text:
            self.console.print(f"system prompt: {self.session.system or '(the model default)'}")
            return
        self.session.system = text
        self.session.new_conversation()
        self.console.print("[dim]system prompt set; new conversation[/]")

    def rate(self, arg: str) -> None:
        if not arg.isdigit() or not 1 <= int(arg) <= 5:
            raise ValueError("usage: /rate 1-5")
        self.session.rate(score=int(arg))
        self.console.print(f"[green]rated {arg}/5[/]")

    def label(self, label: str) -> None:
        self.session.rate(label=label)
        self.console.print(f"[green]marked {label}[/]")

    def compare(self) -> None:
        candidates = self.session.candidates()
        if len(candidates) < 2:
            self.console.print("[dim]one answer so far; sampling another to compare…[/]")
            self.answer(self.session.retry(self.sampling))
            candidates = self.session.candidates()
        first, second = self.rng.sample(candidates[-2:], 2)  # the two newest, in random order
        show_side_by_side(self.console, first.content, second.content)
        outcome = ask_verdict(self.console, self.read)
        self.session.prefer(first.id, second.id, outcome)
        self.console.print(f"[green]recorded: {outcome.replace('_', ' ')}[/]")

    def adapter(self, arg: str) -> None:
        if not arg:
            self.console.print(f"adapter: {self.session.adapter or 'off (base model)'}")
            return
        if self.switch_adapter is None:
            raise ValueError("adapters cannot be switched here")
        name = None if arg == "off" else arg
        self.switch_adapter(name)
        self.console.print(f"[green]adapter: {name or 'off (base model)'}[/]")

    def set_tot(self, arg: str) -> None:
        if arg not in ("on", "off"):
            self.console.print(f"Tree-of-Thoughts: {'on' if self.tot else 'off'} (/tot on|off)")
            return
        from agent.tot import SearchConfig

        self.tot = (self.tot_config or SearchConfig(breadth=2, depth=2)) if arg == "on" else None
        self.console.print(f"[green]Tree-of-Thoughts {arg}[/]")

    def save(self, arg: str) -> None:
        path = Path(arg or f"kigi-{self.session.conversation_id or 'chat'}.md").expanduser()
        text = "\n".join(f"## {m.role}\n\n{m.content}\n" for m in self.session.conversation())
        path.write_text(text, encoding="utf-8")
        self.console.print(f"[green]saved {path}[/]")
