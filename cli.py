"""kigi's command line: the Typer app assembled from the command modules in ui/.

Each command parses, calls the library and renders; it lives in `ui/<noun>_commands.py`.
Exit codes: 0 success, 1 a clear error (bad input, missing model, damaged file...),
2 a usage error, 130 interrupted (Ctrl-C). Answers go to stdout; everything else
(progress, diagnostics, decorations) goes to stderr. Heavy libraries (torch, chromadb)
are imported inside the commands so that `kigi --help` stays instant.
"""

from __future__ import annotations

import typer

from llm.openmp import spin_between_regions
from ui.adapter_commands import adapter_app
from ui.ask_commands import ask, chat
from ui.errors import err_console
from ui.eval_commands import eval_app
from ui.log_commands import logs, prefs_app, rate
from ui.memory_commands import memory_app
from ui.model_commands import model_app
from ui.prompt_commands import prompts_app
from ui.serve_command import serve
from ui.stats_command import stats
from ui.train_commands import train_app

app = typer.Typer(
    name="kigi",
    help="kigi (木々): a terminal chat agent that thinks in trees.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for command in (ask, chat, logs, rate, serve, stats):
    app.command()(command)
for name, group in (("model", model_app), ("train", train_app), ("adapter", adapter_app), ("prefs", prefs_app),
                    ("memory", memory_app), ("eval", eval_app), ("prompts", prompts_app)):
    app.add_typer(group, name=name)


def main() -> None:
    # OpenMP's workers spin, longer than its default (llm/openmp.py: before torch loads it);
    # each generation takes only the idle cores (llm/threads.py), which beat sleeping workers
    # on a quiet machine and a busy one alike.
    spin_between_regions()
    from ui.diagnostics import show_warnings_on

    show_warnings_on(err_console())  # the library warns (e.g. --compile fell back to eager): one line each
    app()


if __name__ == "__main__":
    main()
