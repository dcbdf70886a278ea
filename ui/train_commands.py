"""`kigi train ...` and `kigi adapter ...`: parse, call the library, render.

cli.py registers the two Typer apps. Heavy imports (torch) stay inside the commands, and
`user_errors`, `home`, `err_console` come from cli lazily, so importing this module is as
cheap as importing cli.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

train_app = typer.Typer(help="Train LoRA adapters on your data.", no_args_is_help=True)
adapter_app = typer.Typer(help="List, inspect and remove trained adapters.", no_args_is_help=True)

DEFAULT_MODEL = "smollm2-135m-instruct"


@contextmanager
def train_progress(console: Console, total_steps: int, every: int = 0) -> Iterator[Callable[[Any], None]]:
    """A step callback: a live bar (loss, tokens/s, ETA) on a terminal, else a plain line
    every `every` steps (default: 20 lines per run) and at each evaluation."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    every = every or max(1, total_steps // 20)
    progress = Progress(TextColumn("[bold]training[/]"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("loss {task.fields[loss]}"), TextColumn("{task.fields[speed]} tok/s"),
                        TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False,
                        disable=not console.is_terminal)
    task = progress.add_task("train", total=total_steps, loss="-", speed="-")

    def on_step(info: Any) -> None:
        progress.update(task, completed=info.step, loss=f"{info.loss:.4f}", speed=f"{info.tokens_per_s:.0f}")
        line = (f"step {info.step}/{info.total_steps}  loss {info.loss:.4f}  lr {info.lr:.2e}  "
                f"{info.tokens_per_s:.0f} tok/s")
        if info.eval_loss is not None:
            line += f"  eval loss {info.eval_loss:.4f}"
        if info.eval_loss is not None and console.is_terminal:
            progress.console.print(line, highlight=False)
        elif not console.is_terminal and (info.step % every == 0 or info.eval_loss is not None
                                          or info.step == info.total_steps):
            console.print(line, highlight=False)

    with progress:
        yield on_step


@train_app.command("sft")
def train_sft(
    data: Annotated[Path, typer.Option("--data", help="Chat JSONL: one {\"messages\": [...]} per line.")],
    adapter: Annotated[str, typer.Option("--adapter", "-a", help="Name of the adapter to create.")],
    model: Annotated[str, typer.Option("--model", "-m", help="Base model (see `kigi model list`).",
                                       envvar="KIGI_MODEL")] = DEFAULT_MODEL,
    targets: Annotated[str, typer.Option(help="Layers to adapt: q,k,v,o,gate,up,down, or attn, mlp, all.")] = "q,v",
    rank: Annotated[int, typer.Option(help="LoRA rank.")] = 8,
    alpha: Annotated[float, typer.Option(help="LoRA alpha (the update is scaled by alpha/rank).")] = 16.0,
    dropout: Annotated[float, typer.Option(help="Dropout on the adapter's input.")] = 0.0,
    lr: Annotated[float, typer.Option(help="Peak learning rate (AdamW).")] = 2e-4,
    weight_decay: Annotated[float, typer.Option(help="AdamW weight decay.")] = 0.0,
    warmup: Annotated[int, typer.Option(help="Warmup steps before the cosine decay.")] = 10,
    epochs: Annotated[int, typer.Option(help="Passes over the data (ignored with --max-steps).")] = 1,
    max_steps: Annotated[int | None, typer.Option(help="Optimizer steps to train (overrides --epochs).")] = None,
    batch: Annotated[int, typer.Option(help="Rows per micro-batch.")] = 8,
    grad_accum: Annotated[int, typer.Option(help="Micro-batches per optimizer step.")] = 1,
    seq_len: Annotated[int, typer.Option(help="Tokens per row; longer examples are cut.")] = 256,
    pack: Annotated[bool, typer.Option(help="Pack several short examples into one row.")] = True,
    eval_fraction: Annotated[float, typer.Option(help="Share of the data held out for the eval loss.")] = 0.05,
    eval_every: Annotated[int, typer.Option(help="Steps between eval losses (0: start and end only).")] = 0,
    clip: Annotated[float, typer.Option(help="Gradient-norm clipping (0: off).")] = 1.0,
    seed: Annotated[int, typer.Option(help="Seed for the split, shuffling and adapter init.")] = 0,
    checkpoint_every: Annotated[int, typer.Option(help="Steps between checkpoints (for --resume).")] = 50,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted run of this adapter.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an adapter (or unfinished run) of this name.")]
    = False,
    threads: Annotated[int, typer.Option(help="CPU threads for torch (0: its default; 1 is faster on a busy "
                                               "machine).", envvar="KIGI_THREADS")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the training card as JSON on stdout.")] = False,
) -> None:
    """Fine-tune a LoRA adapter on chat data; the loss falls on assistant tokens only.

    Saved to KIGI_HOME/adapters/NAME in the PEFT layout, with its base model's fingerprint.

    A training card records the data hash, seed, steps, time and losses.

    Ctrl-C stops and saves a checkpoint; `--resume` continues from it.
    """
    from cli import err_console, home, user_errors

    with user_errors():
        import shutil

        from agent.adapters import AdapterStore, chat_render
        from cli import load_engine_with_progress
        from llm.lora import LoRAConfig, adapters_of, parse_targets
        from llm.train.loop import TrainConfig
        from llm.train.sft import SFTConfig, SFTRun

        if threads < 0:
            raise ValueError(f"--threads must be >= 0, got {threads}")
        if threads:
            import torch

            torch.set_num_threads(threads)
        console = err_console()
        store = AdapterStore.of(home())
        target, checkpoints = store.path_for(adapter), store.checkpoint_dir(adapter)
        if target.exists() and not force:
            raise ValueError(f"adapter {adapter!r} already exists ({target}); use --force to replace it")
        if checkpoints.exists() and not (resume or force):
            raise ValueError(f"an unfinished run of {adapter!r} has a checkpoint; use --resume to continue it "
                             "or --force to start afresh")
        if force and not resume:
            shutil.rmtree(checkpoints, ignore_errors=True)
        lora = LoRAConfig(rank=rank, alpha=alpha, dropout=dropout, targets=parse_targets(targets))
        sft = SFTConfig(batch_size=batch, seq_len=seq_len, packed=pack, eval_fraction=eval_fraction)
        train = TrainConfig(lr=lr, weight_decay=weight_decay, warmup_steps=warmup, epochs=epochs,
                            max_steps=max_steps, grad_accum=grad_accum, clip_norm=clip or None, seed=seed,
                            eval_every=eval_every, checkpoint_every=checkpoint_every)
        engine = load_engine_with_progress(model, "fp32")
        run = SFTRun.prepare(engine.model, chat_render(engine.tokenizer), data, adapter, lora, sft, train,
                             base_name=model)
        stats = run.train_stats
        trainable = adapters_of(run.model).num_parameters(adapter)
        console.print(f"{stats.examples} examples ({stats.tokens} tokens, {stats.targets} targets) in "
                      f"{len(run.batches.rows)} rows; {len(run.eval_batches)} eval batches; {run.total_steps} "
                      f"steps; {trainable:,} trainable parameters", highlight=False)
        if stats.truncated or stats.dropped:
            console.print(f"[yellow]{stats.truncated} examples cut at {seq_len} tokens, {stats.dropped} "
                          "dropped (no assistant tokens left)[/]")
        try:
            with train_progress(console, run.total_steps) as on_step:
                result = run.fit(checkpoint_dir=checkpoints, resume=resume, on_step=on_step)
        except KeyboardInterrupt:
            console.print(f"[yellow]stopped; `kigi train sft ... --adapter {adapter} --resume` continues from "
                          "the last checkpoint[/]")
            raise
        if target.exists():
            shutil.rmtree(target)
        run.save(target, base_name=model)
        shutil.rmtree(checkpoints, ignore_errors=True)
        summary = result.summary()
        eval_part = (f", eval loss {summary['initial_eval_loss']} → {summary['final_eval_loss']}"
                     if summary["final_eval_loss"] is not None else "")
        console.print(f"[green]✓[/] adapter {adapter}: {summary['steps']} steps in {summary['seconds']:.0f}s "
                      f"({summary['tokens_per_s']:.0f} tok/s), loss {summary['initial_loss']} → "
                      f"{summary['final_loss']}{eval_part} → {target}", highlight=False)
        if as_json:
            print(json.dumps(run.card()))


@adapter_app.command("list")
def adapter_list(as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False) -> None:
    """Trained adapters (yours in KIGI_HOME/adapters, and the ones shipped with kigi)."""
    from cli import home, user_errors

    with user_errors():
        from agent.adapters import AdapterStore

        adapters = AdapterStore.of(home()).list()
        if as_json:
            print(json.dumps([a.to_dict() for a in adapters]))
            return
        from rich.table import Table

        table = Table("name", "base", "targets", "rank", "size", "steps", "loss", "source")
        for a in adapters:
            result = (a.training or {}).get("result") or {}
            loss = result.get("final_eval_loss") or result.get("final_loss")
            table.add_row(a.name, a.base_name or "-", ",".join(a.config.targets), str(a.config.rank),
                          f"{a.size / 1e6:.1f} MB", str(result.get("steps", "-")),
                          f"{loss:.4f}" if isinstance(loss, float) else "-", "bundled" if a.bundled else "user")
        Console().print(table)


@adapter_app.command("info")
def adapter_info(name: Annotated[str, typer.Argument(help="Adapter name.")]) -> None:
    """Config, base model and training card of an adapter, as JSON."""
    from cli import home, user_errors

    with user_errors():
        from agent.adapters import AdapterStore

        print(json.dumps(AdapterStore.of(home()).info(name).to_dict(), indent=2))


@adapter_app.command("remove")
def adapter_remove(name: Annotated[str, typer.Argument(help="Adapter name.")]) -> None:
    """Delete one of your adapters (shipped ones stay)."""
    from cli import err_console, home, user_errors

    with user_errors():
        from agent.adapters import AdapterStore

        path = AdapterStore.of(home()).remove(name)
        err_console().print(f"removed {name} ({path})", highlight=False)
