"""`kigi train ...`: LoRA adapters fine-tuned on chat data (SFT), reward models, and
policies trained on preferences (DPO, PPO); each saved with its training card.

cli.py registers the app. torch is imported inside the commands (`kigi --help` is instant).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer

from ui.errors import err_console, user_errors
from ui.loading import home, load_engine_with_progress
from ui.options import (
    DEFAULT_MODEL,
    AlphaOption,
    AnchorCoefOption,
    AnchorMaxTokensOption,
    AnchorsApartOption,
    AnchorsOption,
    BaseModelOption,
    CardJsonOption,
    CheckpointEveryOption,
    ClipOption,
    DropoutOption,
    ForceOption,
    GradAccumOption,
    InitOption,
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
from ui.train_data_commands import (
    train_game24_data,
    train_questions_data,
    train_reading_data,
    train_reading_prefs,
)
from ui.training import (
    anchor_settings,
    claim_adapter,
    fit_and_install,
    fit_preferences,
    install_adapter,
    ppo_progress,
    preference_data,
    set_threads,
    truth_questions,
)

train_app = typer.Typer(help="Train LoRA adapters on your data.", no_args_is_help=True)
for _name, _command in (("reading-data", train_reading_data), ("reading-prefs", train_reading_prefs),
                        ("questions-data", train_questions_data), ("game24-data", train_game24_data)):
    train_app.command(_name)(_command)


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
    init: InitOption = None,
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

        set_threads(threads)
        console = err_console()
        store = AdapterStore.of(home())
        init_dir = store.resolve(init)[1] if init else None
        target, checkpoints = claim_adapter(store, adapter, resume, force)
        lora = LoRAConfig(rank=rank, alpha=alpha, dropout=dropout, targets=parse_targets(targets))
        sft = SFTConfig(batch_size=batch, seq_len=seq_len, packed=pack, eval_fraction=eval_fraction)
        train = TrainConfig(lr=lr, weight_decay=weight_decay, warmup_steps=warmup, epochs=epochs,
                            max_steps=max_steps, grad_accum=grad_accum, clip_norm=clip or None, seed=seed,
                            eval_every=eval_every, checkpoint_every=checkpoint_every)
        engine = load_engine_with_progress(model, "fp32")
        run = SFTRun.prepare(engine.model, chat_render(engine.tokenizer), data, adapter, lora, sft, train,
                             base_name=model, init=init_dir)
        stats = run.train_stats
        trainable = adapters_of(run.model).num_parameters(adapter)
        console.print(f"{stats.examples} examples ({stats.tokens} tokens, {stats.targets} targets) in "
                      f"{len(run.batches.rows)} rows; {len(run.eval_batches)} eval batches; {run.total_steps} "
                      f"steps; {trainable:,} trainable parameters", highlight=False)
        if stats.truncated or stats.dropped:
            console.print(f"[yellow]{stats.truncated} examples cut at {seq_len} tokens, {stats.dropped} "
                          "dropped (no assistant tokens left)[/]")
        summary = fit_and_install("sft", console, run, adapter, target, checkpoints, model, resume)
        eval_part = (f", eval loss {summary['initial_eval_loss']} → {summary['final_eval_loss']}"
                     if summary["final_eval_loss"] is not None else "")
        console.print(f"[green]✓[/] adapter {adapter}: {summary['steps']} steps in {summary['seconds']:.0f}s "
                      f"({summary['tokens_per_s']:.0f} tok/s), loss {summary['initial_loss']} → "
                      f"{summary['final_loss']}{eval_part} → {target}", highlight=False)
        if as_json:
            print(json.dumps(run.card()))


@train_app.command("reward")
def train_reward(
    adapter: Annotated[str, typer.Option("--adapter", "-a", help="Name of the reward model to create.")],
    data: PrefsDataOption = None,
    model: BaseModelOption = DEFAULT_MODEL,
    center: Annotated[float, typer.Option(help="Reward centring: weight of mean((r+ + r-)^2), keeping rewards "
                                               "near zero mean (e.g. 0.01).")] = 0.0,
    pool: Annotated[Literal["last", "sum"], typer.Option(
        help="Where the head reads an answer: its last token, or every token summed (length counts).")] = "last",
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
    init: InitOption = None,
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

        set_threads(threads)
        console = err_console()
        store = AdapterStore.of(home())
        init_dir = store.resolve(init)[1] if init else None
        target, checkpoints = claim_adapter(store, adapter, resume, force)
        lora = LoRAConfig(rank=rank, alpha=alpha, dropout=dropout, targets=parse_targets(targets))
        config = RewardConfig(batch_size=batch, seq_len=seq_len, eval_fraction=eval_fraction, center_coef=center,
                              pool=pool)
        train = TrainConfig(lr=lr, weight_decay=weight_decay, warmup_steps=warmup, epochs=epochs,
                            max_steps=max_steps, grad_accum=grad_accum, clip_norm=clip or None, seed=seed,
                            eval_every=eval_every, checkpoint_every=checkpoint_every)
        source = preference_data(data)
        engine = load_engine_with_progress(model, "fp32")
        run = RewardRun.prepare(engine.model, chat_render(engine.tokenizer), source, adapter, lora, config, train,
                                base_name=model, init=init_dir)
        fit_preferences("reward", console, run, adapter, target, checkpoints, model, resume, as_json)


@train_app.command("dpo")
def train_dpo(
    adapter: Annotated[str, typer.Option("--adapter", "-a", help="Name of the policy adapter to create.")],
    data: PrefsDataOption = None,
    model: BaseModelOption = DEFAULT_MODEL,
    beta: Annotated[float, typer.Option(help="DPO's β: how strongly the policy is held to the reference "
                                             "(higher: closer).")] = 0.1,
    max_kl: Annotated[float | None, typer.Option(
        help="Stop when KL to the reference passes this many nats per answer, keeping the last weights "
             "within it.")] = None,
    kl_every: Annotated[int, typer.Option(
        help="Steps between KL measurements (24 prompts, answers of ≤96 tokens).")] = 10,
    anchors: AnchorsOption = None,
    anchor_coef: AnchorCoefOption = 1.0,
    anchors_apart: AnchorsApartOption = False,
    anchor_max_tokens: AnchorMaxTokensOption = 128,
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

    Reports the implicit reward margin and the held-out accuracy (chosen answer gained more than the rejected one),
    and the policy's KL to the reference on its own sampled answers; `--max-kl` bounds it.

    With --anchors the base first answers those prompts, and the policy is held to its answers
    by a language-model loss: answers DPO is not shown stay as they were.

    Ctrl-C stops and saves a checkpoint; `--resume` continues from it.
    """
    with user_errors():
        from agent.adapters import AdapterStore, chat_render
        from agent.prompts import ChatTemplate
        from llm.lora import LoRAConfig, parse_targets
        from llm.train.dpo import DPOConfig, DPORun
        from llm.train.drift import DriftConfig
        from llm.train.loop import TrainConfig

        set_threads(threads)
        console = err_console()
        anchor, anchor_prompts = anchor_settings(anchors, anchor_coef, anchors_apart, anchor_max_tokens)
        target, checkpoints = claim_adapter(AdapterStore.of(home()), adapter, resume, force)
        lora = LoRAConfig(rank=rank, alpha=alpha, dropout=dropout, targets=parse_targets(targets))
        config = DPOConfig(beta=beta, batch_size=batch, seq_len=seq_len, eval_fraction=eval_fraction, anchor=anchor)
        train = TrainConfig(lr=lr, weight_decay=weight_decay, warmup_steps=warmup, epochs=epochs,
                            max_steps=max_steps, grad_accum=grad_accum, clip_norm=clip or None, seed=seed,
                            eval_every=eval_every, checkpoint_every=checkpoint_every)
        source = preference_data(data)
        engine = load_engine_with_progress(model, "fp32")
        drift = DriftConfig(max_kl=max_kl, every=kl_every, seed=seed)
        run = DPORun.prepare(engine.model, chat_render(engine.tokenizer), source, adapter, lora, config, train,
                             base_name=model, drift=drift, stop_token_ids=ChatTemplate().stop_tokens(engine.tokenizer),
                             anchor_prompts=anchor_prompts, resume_from=checkpoints if resume else None)
        fit_preferences("dpo", console, run, adapter, target, checkpoints, model, resume, as_json)


@train_app.command("ppo")
def train_ppo(
    reward: Annotated[str, typer.Option("--reward", help="Reward model (trained with `kigi train reward`), or "
                                                          "truth:FILE: questions with accepted answers (as for `kigi "
                                                          "eval rag`), the prompts' own questions: 1 for a correct "
                                                          "answer, less a little for its length.")],
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
    anchors: AnchorsOption = None,
    anchor_coef: AnchorCoefOption = 1.0,
    anchors_apart: AnchorsApartOption = False,
    anchor_max_tokens: AnchorMaxTokensOption = 128,
    targets: TargetsOption = "q,v",
    rank: RankOption = 8,
    alpha: AlphaOption = 16.0,
    lr: LearningRateOption = 1e-4,
    warmup: WarmupOption = 0,
    clip: ClipOption = 1.0,
    seed: TrainSeedOption = 0,
    init: InitOption = None,
    resume: ResumeOption = False,
    force: ForceOption = False,
    threads: ThreadsOption = 0,
    as_json: CardJsonOption = False,
) -> None:
    """Train a policy adapter with PPO against a reward model, or against the truth.

    Each iteration samples answers from the policy and scores them with the reward model
    (with truth:FILE, by the accepted answers: a verifiable reward).

    The reward is the score minus β·KL(policy‖reference) per token; the reference is the base, adapter off,
    or with --init the adapter the policy starts from (it improves that adapter, e.g. the reader).

    A value head and GAE give the advantages; several clipped PPO steps follow.

    With --anchors the reference first answers those prompts, and the policy is held to its
    answers by a language-model loss: answers PPO never sees stay as they were.

    A checkpoint is saved after every iteration; `--resume` continues from it.
    """
    with user_errors():
        from agent.adapters import AdapterStore, chat_render
        from agent.pref_evals import load_reward_model
        from agent.prompts import ChatTemplate
        from agent.truth import truth_reward
        from llm.lora import LoRAConfig, parse_targets
        from llm.train.loop import TrainConfig
        from llm.train.ppo import PPOConfig, PPORun

        set_threads(threads)
        console = err_console()
        store = AdapterStore.of(home())
        truth = truth_questions(reward, prompts)  # a bad truth file or prompt is named before the model loads
        anchor, anchor_prompts = anchor_settings(anchors, anchor_coef, anchors_apart, anchor_max_tokens)  # and these
        if truth is None:
            if reward == adapter:
                raise ValueError("--reward and --adapter must name different adapters")
            store.resolve(reward)  # a missing reward model is named before anything is loaded
        init_dir = store.resolve(init)[1] if init else None  # the reference too: the KL keeps the policy near it
        target, checkpoints = claim_adapter(store, adapter, resume, force)
        lora = LoRAConfig(rank=rank, alpha=alpha, targets=parse_targets(targets))
        config = PPOConfig(iterations=iterations, prompts_per_iteration=batch_prompts, samples_per_prompt=samples,
                           max_new_tokens=max_new_tokens, temperature=temperature, kl_coef=kl_coef,
                           ppo_epochs=ppo_epochs, minibatch_size=minibatch, clip_range=clip_range,
                           value_clip=clip_range, vf_coef=vf_coef, gamma=gamma, lam=lam,
                           missing_eos_penalty=missing_eos_penalty, anchor=anchor)
        train = TrainConfig(lr=lr, warmup_steps=warmup, clip_norm=clip or None, seed=seed)
        engine = load_engine_with_progress(model, "fp32")
        template = ChatTemplate()
        render, stops = chat_render(engine.tokenizer, template), template.stop_tokens(engine.tokenizer)
        judge = (load_reward_model(engine, store, reward) if truth is None
                 else truth_reward(*truth, render, engine.tokenizer.decode, stops))
        run = PPORun.prepare(engine.model, render, prompts, adapter, judge, lora,
                             config, train, stop_token_ids=stops, base_name=model, reward_name=reward,
                             init=init_dir, anchor_prompts=anchor_prompts, resume_from=checkpoints if resume else None)
        kept = f"; {len(run.anchors)} anchors ({run.anchors_dropped} looped)" if run.anchors else ""
        console.print(f"{len(run.prompts)} prompts{kept}; {iterations} iterations of {config.rollouts_per_iteration} "
                      f"rollouts; {run.total_steps} optimizer steps; reward {reward}", highlight=False)
        try:
            with ppo_progress(console, iterations) as on_iteration:
                result = run.fit(checkpoint_dir=checkpoints, resume=resume, on_iteration=on_iteration)
        except KeyboardInterrupt:
            console.print(f"[yellow]stopped; `kigi train ppo ... --adapter {adapter} --resume` continues from the "
                          "last finished iteration[/]")
            raise
        install_adapter(run, target, checkpoints, model)
        summary = result.summary()
        first, last = summary["first"], summary["last"]
        moved = (f", score {first['score']:.3f} → {last['score']:.3f}, KL {first['kl']:.2f} → {last['kl']:.2f}, "
                 f"answer length {first['response_tokens']:.1f} → {last['response_tokens']:.1f} tokens"
                 if first and last else "")
        console.print(f"[green]✓[/] adapter {adapter}: {summary['iterations']} iterations ({summary['steps']} steps) "
                      f"in {summary['seconds']:.0f}s{moved} → {target}", highlight=False)
        if as_json:
            print(json.dumps(run.card()))

