"""What the `kigi train ...` commands share: progress displays of a run, claiming an
adapter's name before training and installing it after, preference pairs from the log, and
fitting a reward or DPO run. torch stays inside the calls (`kigi --help` is instant)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from ui.loading import read_log

if TYPE_CHECKING:
    from agent.adapters import AdapterStore
    from llm.train.anchor import AnchorConfig


@contextmanager
def train_progress(console: Console, total_steps: int, every: int = 0,
                   describe_eval: Callable[[Any], str] | None = None) -> Iterator[Callable[[Any], None]]:
    """A step callback: a live bar (loss, tokens/s, ETA) on a terminal, else a plain line
    every `every` steps (default: 20 lines per run) and at each evaluation (`describe_eval`
    adds to that line, e.g. the held-out accuracy)."""
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
            if describe_eval is not None:
                line += describe_eval(info)
        if info.eval_loss is not None and console.is_terminal:
            progress.console.print(line, highlight=False)
        elif not console.is_terminal and (info.step % every == 0 or info.eval_loss is not None
                                          or info.step == info.total_steps):
            console.print(line, highlight=False)

    with progress:
        yield on_step


@contextmanager
def ppo_progress(console: Console, total: int) -> Iterator[Callable[[Any], None]]:
    """An iteration callback: a live bar (score, KL, answer length) on a terminal, else a line each."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("[bold]ppo[/]"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("score {task.fields[score]}"), TextColumn("KL {task.fields[kl]}"),
                        TextColumn("len {task.fields[length]}"), TimeElapsedColumn(), console=console,
                        disable=not console.is_terminal)
    task = progress.add_task("ppo", total=total, score="-", kl="-", length="-")

    def on_iteration(info: Any) -> None:
        progress.update(task, completed=info.iteration, score=f"{info.score:.3f}", kl=f"{info.kl:.2f}",
                        length=f"{info.response_tokens:.1f}")
        if not console.is_terminal:
            anchors = f"anchor NLL {info.anchor_nll:.3f}  " if info.anchor_nll else ""
            console.print(f"iteration {info.iteration}/{info.total}  score {info.score:.4f}  KL {info.kl:.3f}  "
                          f"length {info.response_tokens:.1f}  finished {info.finished:.2f}  loss {info.loss:.4f}  "
                          f"clip {info.clipfrac:.3f}  {anchors}{info.rollout_s:.1f}s rollouts + "
                          f"{info.update_s:.1f}s updates", highlight=False)

    with progress:
        yield on_iteration


def set_threads(threads: int) -> None:
    """--threads: 0 leaves torch's default (one per core), which a busy machine can make slower."""
    if threads < 0:
        raise ValueError(f"--threads must be >= 0, got {threads}")
    if threads:
        import torch

        torch.set_num_threads(threads)


def claim_adapter(store: AdapterStore, adapter: str, resume: bool, force: bool) -> tuple[Path, Path]:
    """(where the adapter goes, its checkpoint dir), refusing to overwrite without --force."""
    import shutil

    target, checkpoints = store.path_for(adapter), store.checkpoint_dir(adapter)
    if target.exists() and not force:
        raise ValueError(f"adapter {adapter!r} already exists ({target}); use --force to replace it")
    if checkpoints.exists() and not (resume or force):
        raise ValueError(f"an unfinished run of {adapter!r} has a checkpoint; use --resume to continue it "
                         "or --force to start afresh")
    if force and not resume:
        shutil.rmtree(checkpoints, ignore_errors=True)
    return target, checkpoints


def install_adapter(run: Any, target: Path, checkpoints: Path, model: str) -> None:
    """Save the finished run as the adapter (replacing one of that name); its checkpoints are spent."""
    import shutil

    if target.exists():
        shutil.rmtree(target)
    run.save(target, base_name=model)
    shutil.rmtree(checkpoints, ignore_errors=True)


def fit_and_install(kind: str, console: Console, run: Any, adapter: str, target: Path, checkpoints: Path,
                    model: str, resume: bool, describe_eval: Callable[[Any], str] | None = None) -> dict[str, Any]:
    """Train a prepared run with progress (Ctrl-C leaves a checkpoint and says how to resume),
    install the adapter, return the run's summary."""
    try:
        with train_progress(console, run.total_steps, describe_eval=describe_eval) as on_step:
            result = run.fit(checkpoint_dir=checkpoints, resume=resume, on_step=on_step)
    except KeyboardInterrupt:
        console.print(f"[yellow]stopped; `kigi train {kind} ... --adapter {adapter} --resume` continues from "
                      "the last checkpoint[/]")
        raise
    install_adapter(run, target, checkpoints, model)
    return result.summary()


def preference_data(data: Path | None) -> Any:
    """The JSONL file, or the decided pairs of the log (the same records `kigi prefs export` writes)."""
    if data is not None:
        return data
    with read_log() as log:
        records = log.preference_records()
    if not records:
        raise ValueError("your log holds no decided preference pairs yet: rate answers with `kigi rate` "
                         "(or pass --data FILE)")
    return records


def fit_preferences(kind: str, console: Console, run: Any, adapter: str, target: Path, checkpoints: Path,
                    model: str, resume: bool, as_json: bool) -> None:
    """Train a prepared reward/DPO run with progress, save it, print the summary."""
    data = run.data
    anchors = getattr(run, "anchors", None)
    kept = f"; {len(anchors)} anchors ({run.anchors_dropped} looped)" if anchors else ""
    console.print(f"{len(data.train)} training pairs, {len(data.held_out)} held out ({data.source}); "
                  f"{run.total_steps} steps{kept}", highlight=False)
    if data.identical:
        console.print(f"[yellow]{data.identical} pairs dropped: chosen and rejected are the same answer[/]")
    if not data.held_out:
        console.print("[yellow]no pairs held out (too few prompts): accuracy is not measured[/]")

    def describe(info: Any) -> str:
        metrics = info.eval_metrics
        shown = f"  acc {metrics['accuracy']:.3f}  margin {metrics['margin']:.3f}" if metrics else ""
        return shown + "".join(f"  {label} {info.metrics[key]:.2f}" for key, label in (
            ("kl", "KL"), ("anchor_nll", "anchor NLL")) if key in info.metrics)

    summary = fit_and_install(kind, console, run, adapter, target, checkpoints, model, resume, describe)
    held = run.held_out()
    accuracy = (f", held-out accuracy {held['first']['accuracy']:.3f} → {held['last']['accuracy']:.3f} "
                f"(margin {held['last']['margin']:.3f})" if held and "accuracy" in held["last"] else "")
    if run.result is not None and run.result.stopped:
        console.print(f"[yellow]stopped early: {run.result.stopped}[/]", highlight=False)
    what = "reward model" if kind == "reward" else "adapter"
    console.print(f"[green]✓[/] {what} {adapter}: {summary['steps']} steps in {summary['seconds']:.0f}s "
                  f"({summary['tokens_per_s']:.0f} tok/s), loss {summary['initial_loss']} → "
                  f"{summary['final_loss']}{accuracy} → {target}", highlight=False)
    if as_json:
        print(json.dumps(run.card()))


def truth_questions(reward: str, prompts: Path) -> tuple[list, list] | None:
    """For `--reward truth:FILE`: the prompts and, for each, its question in FILE (matched on
    the last user turn, as `kigi eval prefs --judge truth:FILE` matches); None for a reward model."""
    from agent.truth import TruthJudge, truth_file
    from llm.train.rollouts import read_prompts

    if (file := truth_file(reward)) is None:
        return None
    judge = TruthJudge.from_file(file)
    messages = read_prompts(prompts)
    return messages, [judge.question_of(prompt) for prompt in messages]


def anchor_settings(anchors: Path | None, coef: float, apart: bool, max_tokens: int,
                    ) -> tuple[AnchorConfig, list[dict[str, Any]] | None]:
    """`--anchors` and its settings: the config and the prompts (None without), a bad file
    named before the model loads."""
    from llm.train.anchor import AnchorConfig
    from llm.train.rollouts import read_prompts

    prompts = None if anchors is None else [{"prompt": m} for m in read_prompts(anchors)]
    return AnchorConfig(coef=coef, max_tokens=max_tokens, apart=apart), prompts
