"""`kigi train ...` and `kigi adapter ...`: parse, call the library, render.

cli.py registers the two Typer apps. Heavy imports (torch) stay inside the commands, so
importing this module is as cheap as importing cli.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ui.errors import err_console, user_errors
from ui.loading import home, load_engine_with_progress, read_log
from ui.options import (
    DEFAULT_MODEL,
    AlphaOption,
    BaseModelOption,
    CardJsonOption,
    CheckpointEveryOption,
    ClipOption,
    DropoutOption,
    ForceOption,
    GradAccumOption,
    LearningRateOption,
    MaxStepsOption,
    PairBatchOption,
    PairEpochsOption,
    PairEvalEveryOption,
    PairEvalFractionOption,
    PairSeqLenOption,
    PrefsDataOption,
    RankOption,
    ResumeOption,
    TargetsOption,
    ThreadsOption,
    TrainSeedOption,
    WarmupOption,
    WeightDecayOption,
)

train_app = typer.Typer(help="Train LoRA adapters on your data.", no_args_is_help=True)
adapter_app = typer.Typer(help="List, inspect and remove trained adapters.", no_args_is_help=True)


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


def _set_threads(threads: int) -> None:
    if threads < 0:
        raise ValueError(f"--threads must be >= 0, got {threads}")
    if threads:
        import torch

        torch.set_num_threads(threads)


def _claim(store: Any, adapter: str, resume: bool, force: bool) -> tuple[Path, Path]:
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


def _install(run: Any, target: Path, checkpoints: Path, model: str) -> None:
    import shutil

    if target.exists():
        shutil.rmtree(target)
    run.save(target, base_name=model)
    shutil.rmtree(checkpoints, ignore_errors=True)


@train_app.command("sft")
def train_sft(
    data: Annotated[Path, typer.Option("--data", help="Chat JSONL: one {\"messages\": [...]} per line.")],
    adapter: Annotated[str, typer.Option("--adapter", "-a", help="Name of the adapter to create.")],
    model: BaseModelOption = DEFAULT_MODEL,
    targets: TargetsOption = "q,v",
    rank: RankOption = 8,
    alpha: AlphaOption = 16.0,
    dropout: DropoutOption = 0.0,
    lr: LearningRateOption = 2e-4,
    weight_decay: WeightDecayOption = 0.0,
    warmup: WarmupOption = 10,
    epochs: Annotated[int, typer.Option(help="Passes over the data (ignored with --max-steps).")] = 1,
    max_steps: MaxStepsOption = None,
    batch: Annotated[int, typer.Option(help="Rows per micro-batch.")] = 8,
    grad_accum: GradAccumOption = 1,
    seq_len: Annotated[int, typer.Option(help="Tokens per row; longer examples are cut.")] = 256,
    pack: Annotated[bool, typer.Option(help="Pack several short examples into one row.")] = True,
    eval_fraction: Annotated[float, typer.Option(help="Share of the data held out for the eval loss.")] = 0.05,
    eval_every: Annotated[int, typer.Option(help="Steps between eval losses (0: start and end only).")] = 0,
    clip: ClipOption = 1.0,
    seed: Annotated[int, typer.Option(help="Seed for the split, shuffling and adapter init.")] = 0,
    checkpoint_every: CheckpointEveryOption = 50,
    resume: ResumeOption = False,
    force: ForceOption = False,
    threads: ThreadsOption = 0,
    as_json: CardJsonOption = False,
) -> None:
    """Fine-tune a LoRA adapter on chat data; the loss falls on assistant tokens only.

    Saved to KIGI_HOME/adapters/NAME in the PEFT layout, with its base model's fingerprint.

    A training card records the data hash, seed, steps, time and losses.

    Ctrl-C stops and saves a checkpoint; `--resume` continues from it.
    """

    with user_errors():
        from agent.adapters import AdapterStore, chat_render
        from llm.lora import LoRAConfig, adapters_of, parse_targets
        from llm.train.loop import TrainConfig
        from llm.train.sft import SFTConfig, SFTRun

        _set_threads(threads)
        console = err_console()
        target, checkpoints = _claim(AdapterStore.of(home()), adapter, resume, force)
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
        _install(run, target, checkpoints, model)
        summary = result.summary()
        eval_part = (f", eval loss {summary['initial_eval_loss']} → {summary['final_eval_loss']}"
                     if summary["final_eval_loss"] is not None else "")
        console.print(f"[green]✓[/] adapter {adapter}: {summary['steps']} steps in {summary['seconds']:.0f}s "
                      f"({summary['tokens_per_s']:.0f} tok/s), loss {summary['initial_loss']} → "
                      f"{summary['final_loss']}{eval_part} → {target}", highlight=False)
        if as_json:
            print(json.dumps(run.card()))


# -- preference training: reward models, DPO, PPO ------------------------------------------------
def _preference_data(data: Path | None) -> Any:
    """The JSONL file, or the decided pairs of the log (the same records `kigi prefs export` writes)."""
    if data is not None:
        return data

    with read_log() as log:
        records = log.preference_records()
    if not records:
        raise ValueError("your log holds no decided preference pairs yet: rate answers with `kigi rate` "
                         "(or pass --data FILE)")
    return records


def _fit_preferences(kind: str, console: Console, run: Any, adapter: str, target: Path, checkpoints: Path,
                     model: str, resume: bool, as_json: bool) -> None:
    """Train a prepared reward/DPO run with progress, save it, print the summary."""
    data = run.data
    console.print(f"{len(data.train)} training pairs, {len(data.held_out)} held out ({data.source}); "
                  f"{run.total_steps} steps", highlight=False)
    if data.identical:
        console.print(f"[yellow]{data.identical} pairs dropped: chosen and rejected are the same answer[/]")
    if not data.held_out:
        console.print("[yellow]no pairs held out (too few prompts): accuracy is not measured[/]")

    def describe(info: Any) -> str:
        metrics = info.eval_metrics
        return f"  acc {metrics['accuracy']:.3f}  margin {metrics['margin']:.3f}" if metrics else ""

    try:
        with train_progress(console, run.total_steps, describe_eval=describe) as on_step:
            result = run.fit(checkpoint_dir=checkpoints, resume=resume, on_step=on_step)
    except KeyboardInterrupt:
        console.print(f"[yellow]stopped; `kigi train {kind} ... --adapter {adapter} --resume` continues from "
                      "the last checkpoint[/]")
        raise
    _install(run, target, checkpoints, model)
    summary = result.summary()
    held = run.held_out()
    accuracy = (f", held-out accuracy {held['first']['accuracy']:.3f} → {held['last']['accuracy']:.3f} "
                f"(margin {held['last']['margin']:.3f})" if held and "accuracy" in held["last"] else "")
    what = "reward model" if kind == "reward" else "adapter"
    console.print(f"[green]✓[/] {what} {adapter}: {summary['steps']} steps in {summary['seconds']:.0f}s "
                  f"({summary['tokens_per_s']:.0f} tok/s), loss {summary['initial_loss']} → "
                  f"{summary['final_loss']}{accuracy} → {target}", highlight=False)
    if as_json:
        print(json.dumps(run.card()))


@train_app.command("reward")
def train_reward(
    adapter: Annotated[str, typer.Option("--adapter", "-a", help="Name of the reward model to create.")],
    data: PrefsDataOption = None,
    model: BaseModelOption = DEFAULT_MODEL,
    center: Annotated[float, typer.Option(help="Reward centring: weight of mean((r+ + r-)^2), keeping rewards "
                                               "near zero mean (e.g. 0.01).")] = 0.0,
    targets: TargetsOption = "q,v",
    rank: RankOption = 8,
    alpha: AlphaOption = 16.0,
    dropout: DropoutOption = 0.0,
    lr: LearningRateOption = 2e-4,
    weight_decay: WeightDecayOption = 0.0,
    warmup: WarmupOption = 10,
    epochs: PairEpochsOption = 1,
    max_steps: MaxStepsOption = None,
    batch: PairBatchOption = 8,
    grad_accum: GradAccumOption = 1,
    seq_len: PairSeqLenOption = 256,
    eval_fraction: PairEvalFractionOption = 0.1,
    eval_every: PairEvalEveryOption = 0,
    clip: ClipOption = 1.0,
    seed: TrainSeedOption = 0,
    checkpoint_every: CheckpointEveryOption = 50,
    resume: ResumeOption = False,
    force: ForceOption = False,
    threads: ThreadsOption = 0,
    as_json: CardJsonOption = False,
) -> None:
    """Train a reward model on preference pairs: the base + a LoRA adapter + a scalar head.

    The loss is Bradley–Terry, −log σ(r(chosen) − r(rejected)); accuracy on held-out prompts is reported.

    Saved to KIGI_HOME/adapters/NAME with its head (reward_head.safetensors) and a training card.

    Use it with `kigi train ppo --reward NAME`, or as a judge: reward:NAME.

    Ctrl-C stops and saves a checkpoint; `--resume` continues from it.
    """

    with user_errors():
        from agent.adapters import AdapterStore, chat_render
        from llm.lora import LoRAConfig, parse_targets
        from llm.train.loop import TrainConfig
        from llm.train.reward import RewardConfig, RewardRun

        _set_threads(threads)
        console = err_console()
        target, checkpoints = _claim(AdapterStore.of(home()), adapter, resume, force)
        lora = LoRAConfig(rank=rank, alpha=alpha, dropout=dropout, targets=parse_targets(targets))
        config = RewardConfig(batch_size=batch, seq_len=seq_len, eval_fraction=eval_fraction, center_coef=center)
        train = TrainConfig(lr=lr, weight_decay=weight_decay, warmup_steps=warmup, epochs=epochs,
                            max_steps=max_steps, grad_accum=grad_accum, clip_norm=clip or None, seed=seed,
                            eval_every=eval_every, checkpoint_every=checkpoint_every)
        source = _preference_data(data)
        engine = load_engine_with_progress(model, "fp32")
        run = RewardRun.prepare(engine.model, chat_render(engine.tokenizer), source, adapter, lora, config, train,
                                base_name=model)
        _fit_preferences("reward", console, run, adapter, target, checkpoints, model, resume, as_json)


@train_app.command("dpo")
def train_dpo(
    adapter: Annotated[str, typer.Option("--adapter", "-a", help="Name of the policy adapter to create.")],
    data: PrefsDataOption = None,
    model: BaseModelOption = DEFAULT_MODEL,
    beta: Annotated[float, typer.Option(help="DPO's β: how strongly the policy is held to the reference "
                                             "(higher: closer).")] = 0.1,
    targets: TargetsOption = "q,v",
    rank: RankOption = 8,
    alpha: AlphaOption = 16.0,
    dropout: DropoutOption = 0.0,
    lr: LearningRateOption = 1e-4,
    weight_decay: WeightDecayOption = 0.0,
    warmup: WarmupOption = 10,
    epochs: PairEpochsOption = 1,
    max_steps: MaxStepsOption = None,
    batch: PairBatchOption = 4,
    grad_accum: GradAccumOption = 1,
    seq_len: PairSeqLenOption = 256,
    eval_fraction: PairEvalFractionOption = 0.1,
    eval_every: PairEvalEveryOption = 0,
    clip: ClipOption = 1.0,
    seed: TrainSeedOption = 0,
    checkpoint_every: CheckpointEveryOption = 50,
    resume: ResumeOption = False,
    force: ForceOption = False,
    threads: ThreadsOption = 0,
    as_json: CardJsonOption = False,
) -> None:
    """Train a policy adapter with DPO on preference pairs (no reward model needed).

    The loss is −log σ(β[(log π(y⁺) − log πref(y⁺)) − (log π(y⁻) − log πref(y⁻))]); πref is the base, adapter off.

    Reports the implicit reward margin and the held-out accuracy (chosen answer gained more than the rejected one).

    Ctrl-C stops and saves a checkpoint; `--resume` continues from it.
    """

    with user_errors():
        from agent.adapters import AdapterStore, chat_render
        from llm.lora import LoRAConfig, parse_targets
        from llm.train.dpo import DPOConfig, DPORun
        from llm.train.loop import TrainConfig

        _set_threads(threads)
        console = err_console()
        target, checkpoints = _claim(AdapterStore.of(home()), adapter, resume, force)
        lora = LoRAConfig(rank=rank, alpha=alpha, dropout=dropout, targets=parse_targets(targets))
        config = DPOConfig(beta=beta, batch_size=batch, seq_len=seq_len, eval_fraction=eval_fraction)
        train = TrainConfig(lr=lr, weight_decay=weight_decay, warmup_steps=warmup, epochs=epochs,
                            max_steps=max_steps, grad_accum=grad_accum, clip_norm=clip or None, seed=seed,
                            eval_every=eval_every, checkpoint_every=checkpoint_every)
        source = _preference_data(data)
        engine = load_engine_with_progress(model, "fp32")
        run = DPORun.prepare(engine.model, chat_render(engine.tokenizer), source, adapter, lora, config, train,
                             base_name=model)
        _fit_preferences("dpo", console, run, adapter, target, checkpoints, model, resume, as_json)


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
            console.print(f"iteration {info.iteration}/{info.total}  score {info.score:.4f}  KL {info.kl:.3f}  "
                          f"length {info.response_tokens:.1f}  finished {info.finished:.2f}  loss {info.loss:.4f}  "
                          f"clip {info.clipfrac:.3f}  {info.rollout_s:.1f}s rollouts + {info.update_s:.1f}s updates",
                          highlight=False)

    with progress:
        yield on_iteration


@train_app.command("ppo")
def train_ppo(
    reward: Annotated[str, typer.Option("--reward", help="Reward model (trained with `kigi train reward`).")],
    prompts: Annotated[Path, typer.Option("--prompts", help="Prompts to sample answers to: a text file of one "
                                                            "question per line, or JSONL with \"prompt\" (messages "
                                                            "or a string), \"messages\" or \"question\".")],
    adapter: Annotated[str, typer.Option("--adapter", "-a", help="Name of the policy adapter to create.")],
    model: BaseModelOption = DEFAULT_MODEL,
    iterations: Annotated[int, typer.Option(help="Rollout-and-update rounds.")] = 20,
    batch_prompts: Annotated[int, typer.Option(help="Prompts per iteration.")] = 8,
    samples: Annotated[int, typer.Option(help="Answers sampled per prompt.")] = 2,
    max_new_tokens: Annotated[int, typer.Option(help="Longest answer sampled.")] = 64,
    temperature: Annotated[float, typer.Option(help="Sampling temperature of the rollouts.")] = 1.0,
    kl_coef: Annotated[float, typer.Option(help="β of the per-token KL penalty to the reference model.")] = 0.05,
    ppo_epochs: Annotated[int, typer.Option(help="Passes over each iteration's rollouts.")] = 4,
    minibatch: Annotated[int, typer.Option(help="Rollouts per optimizer step.")] = 8,
    clip_range: Annotated[float, typer.Option(help="PPO's ratio clipping ε (and the value clipping).")] = 0.2,
    vf_coef: Annotated[float, typer.Option(help="Weight of the value loss.")] = 0.1,
    gamma: Annotated[float, typer.Option(help="Discount γ.")] = 1.0,
    lam: Annotated[float, typer.Option(help="GAE λ.")] = 0.95,
    missing_eos_penalty: Annotated[float, typer.Option(help="Subtracted from the score of an answer cut at "
                                                            "--max-new-tokens.")] = 0.0,
    targets: TargetsOption = "q,v",
    rank: RankOption = 8,
    alpha: AlphaOption = 16.0,
    lr: LearningRateOption = 1e-4,
    warmup: WarmupOption = 0,
    clip: ClipOption = 1.0,
    seed: TrainSeedOption = 0,
    resume: ResumeOption = False,
    force: ForceOption = False,
    threads: ThreadsOption = 0,
    as_json: CardJsonOption = False,
) -> None:
    """Train a policy adapter with PPO against a reward model.

    Each iteration samples answers from the policy and scores them with the reward model.

    The reward is the score minus β·KL(policy‖reference) per token; the reference is the base, adapter off.

    A value head and GAE give the advantages; several clipped PPO steps follow.

    A checkpoint is saved after every iteration; `--resume` continues from it.
    """

    with user_errors():
        from agent.adapters import AdapterStore, chat_render
        from agent.pref_evals import load_reward_model
        from agent.prompts import ChatTemplate
        from llm.lora import LoRAConfig, parse_targets
        from llm.train.loop import TrainConfig
        from llm.train.ppo import PPOConfig, PPORun

        _set_threads(threads)
        console = err_console()
        store = AdapterStore.of(home())
        if reward == adapter:
            raise ValueError("--reward and --adapter must name different adapters")
        store.resolve(reward)  # a missing reward model is named before anything is loaded
        target, checkpoints = _claim(store, adapter, resume, force)
        lora = LoRAConfig(rank=rank, alpha=alpha, targets=parse_targets(targets))
        config = PPOConfig(iterations=iterations, prompts_per_iteration=batch_prompts, samples_per_prompt=samples,
                           max_new_tokens=max_new_tokens, temperature=temperature, kl_coef=kl_coef,
                           ppo_epochs=ppo_epochs, minibatch_size=minibatch, clip_range=clip_range,
                           value_clip=clip_range, vf_coef=vf_coef, gamma=gamma, lam=lam,
                           missing_eos_penalty=missing_eos_penalty)
        train = TrainConfig(lr=lr, warmup_steps=warmup, clip_norm=clip or None, seed=seed)
        engine = load_engine_with_progress(model, "fp32")
        judge = load_reward_model(engine, store, reward)
        template = ChatTemplate()
        run = PPORun.prepare(engine.model, chat_render(engine.tokenizer, template), prompts, adapter, judge, lora,
                             config, train, stop_token_ids=template.stop_tokens(engine.tokenizer), base_name=model,
                             reward_name=reward)
        console.print(f"{len(run.prompts)} prompts; {iterations} iterations of {config.rollouts_per_iteration} "
                      f"rollouts; {run.total_steps} optimizer steps; reward model {reward}", highlight=False)
        try:
            with ppo_progress(console, iterations) as on_iteration:
                result = run.fit(checkpoint_dir=checkpoints, resume=resume, on_iteration=on_iteration)
        except KeyboardInterrupt:
            console.print(f"[yellow]stopped; `kigi train ppo ... --adapter {adapter} --resume` continues from the "
                          "last finished iteration[/]")
            raise
        _install(run, target, checkpoints, model)
        summary = result.summary()
        first, last = summary["first"], summary["last"]
        moved = (f", score {first['score']:.3f} → {last['score']:.3f}, KL {first['kl']:.2f} → {last['kl']:.2f}, "
                 f"answer length {first['response_tokens']:.1f} → {last['response_tokens']:.1f} tokens"
                 if first and last else "")
        console.print(f"[green]✓[/] adapter {adapter}: {summary['iterations']} iterations ({summary['steps']} steps) "
                      f"in {summary['seconds']:.0f}s{moved} → {target}", highlight=False)
        if as_json:
            print(json.dumps(run.card()))


@adapter_app.command("list")
def adapter_list(as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False) -> None:
    """Trained adapters (yours in KIGI_HOME/adapters, and the ones shipped with kigi)."""

    with user_errors():
        from agent.adapters import AdapterStore

        adapters = AdapterStore.of(home()).list()
        if as_json:
            print(json.dumps([a.to_dict() for a in adapters]))
            return
        from rich.table import Table

        from llm.lora import targets_text

        table = Table()
        for column in ("name", "kind", "targets", "rank", "size", "steps", "loss", "source"):
            table.add_column(column, no_wrap=True)  # never cut a name: the other commands take it
        for a in adapters:
            result = (a.training or {}).get("result") or {}
            loss = result.get("final_eval_loss") or result.get("final_loss")
            table.add_row(a.name, (a.training or {}).get("kind", "-"),
                          targets_text(a.config.targets), str(a.config.rank), f"{a.size / 1e6:.1f} MB",
                          str(result.get("steps", "-")),
                          f"{loss:.4f}" if isinstance(loss, float) else "-", "bundled" if a.bundled else "user")
        Console().print(table)


@adapter_app.command("info")
def adapter_info(name: Annotated[str, typer.Argument(help="Adapter name.")]) -> None:
    """Config, base model and training card of an adapter, as JSON."""

    with user_errors():
        from agent.adapters import AdapterStore

        print(json.dumps(AdapterStore.of(home()).info(name).to_dict(), indent=2))


@adapter_app.command("remove")
def adapter_remove(name: Annotated[str, typer.Argument(help="Adapter name.")]) -> None:
    """Delete one of your adapters (shipped ones stay)."""

    with user_errors():
        from agent.adapters import AdapterStore

        path = AdapterStore.of(home()).remove(name)
        err_console().print(f"removed {name} ({path})", highlight=False)
