"""The options that several commands share, declared once (fastapi-cli style): same flag,
same help, same environment variable wherever they appear."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent.reading import DEFAULT_READER as DEFAULT_READER  # re-exported for the commands
from agent.tasks.open_question import DEFAULT_ROLES as DEFAULT_ROLES

DEFAULT_MODEL = "smollm2-135m-instruct"  # llm.registry.DEFAULT_MODEL, without importing torch
DEFAULT_CHECK = "repair"  # ToT: the calculator's repairs (README, "ToT for ordinary questions")

# -- model and answers ------------------------------------------------------------------------
ModelOption = Annotated[str, typer.Option("--model", "-m", help="Model name (see `kigi model list`).",
                                          envvar="KIGI_MODEL")]
PrecisionOption = Annotated[str, typer.Option(help="Weights: fp32 (exact), bf16, int8, int4 (fastest), or auto "
                                                   "(the model's measured default: see `kigi model info`).",
                                              envvar="KIGI_PRECISION")]
AdapterOption = Annotated[str | None, typer.Option("--adapter", "-a", help="LoRA adapter to answer with.",
                                                   envvar="KIGI_ADAPTER")]
ReaderOption = Annotated[str, typer.Option(
    "--reader", help="Adapter that answers from sources (memory, piped stdin); off: the model as it is.")]
WithholdOption = Annotated[bool, typer.Option(
    "--withhold/--no-withhold", help="Show the reader's answer only when the sources it cites support it; else "
                                     "the abstention, with the withheld answer beside the sources.")]
CopyOption = Annotated[bool, typer.Option(
    "--copy/--no-copy", help="Hold the reader's answer to words copied from its sources (a local model; not the "
                             "default: even on the development sets, docs/evals.md).")]
TopicCheckOption = Annotated[bool, typer.Option(
    "--topic-check/--no-topic-check", envvar="KIGI_TOPIC_CHECK",
    help="Use memory's sources only when the model finds them about the question, so an everyday question asked "
         "beside a memory is answered without them (a local model; ~0.9 s more a question with sources; not "
         "the default: docs/evals.md).")]
TotRolesOption = Annotated[str, typer.Option(
    "--tot-roles", help="ToT: adapter that writes and values the search's steps; off: the answering model.")]
TotCheckOption = Annotated[str, typer.Option(
    "--tot-check", help="ToT: a calculator for steps with arithmetic: none, drop (wrong ones) or repair (their "
                        "results); both drop steps computing with numbers from nowhere.")]
MaxTokensOption = Annotated[int, typer.Option(help="Most tokens to generate per answer.")]
LoopStopOption = Annotated[int, typer.Option(
    "--loop-stop", help="End an answer that says one stretch 3 times in a row once the repeats fill this many "
                        "tokens (0: never).")]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON output.")]
ChromaUrlOption = Annotated[str | None, typer.Option("--chroma-url", help="Use a Chroma server instead of the "
                                                     "local memory.", envvar="KIGI_CHROMA_URL")]

# -- ask and chat -----------------------------------------------------------------------------
SystemOption = Annotated[str | None, typer.Option("--system", "-s", help="System prompt.")]
TemperatureOption = Annotated[float, typer.Option(help="Sampling temperature; 0 decodes greedily.")]
TopPOption = Annotated[float, typer.Option(help="Nucleus sampling threshold.")]
TopKOption = Annotated[int, typer.Option(help="Sample from the k likeliest tokens (0: all).")]
SeedOption = Annotated[int | None, typer.Option(help="Seed for sampling (chosen and logged when absent).")]
NoLogOption = Annotated[bool, typer.Option("--no-log", help="Do not record this in the log.")]
CompileOption = Annotated[bool | None, typer.Option(
    "--compile/--no-compile", envvar="KIGI_COMPILE", show_default="stored steps; a missing one built in the background",
    help="Decode with the compiled step: compiled once per model, precision and adapter state "
         "(~40 s, when the run ends: answers decode eagerly until then), kept on disk, loaded by "
         "later runs in ~10 ms. Without either flag a stored step is used, and a missing one is built "
         "by a background process after the answer (KIGI_BACKGROUND_COMPILE=0: never).")]
ContinueOption = Annotated[bool, typer.Option("--continue", "-c", help="Continue the latest conversation.")]
CidOption = Annotated[str | None, typer.Option("--cid", help="Continue the conversation with this id (or prefix).")]
NoMemoryOption = Annotated[bool, typer.Option("--no-memory", help="Answer without searching the memory.")]
RememberOption = Annotated[bool, typer.Option("--remember", help="Keep this question and answer in memory.")]
ResultsOption = Annotated[str | None, typer.Option("--output", "-o", help="Results JSONL (resumable).")]
CompareToOption = Annotated[str | None, typer.Option(
    "--compare-to", help="An earlier run's id (or prefix): print the change with its standard error.")]
NoServerOption = Annotated[bool, typer.Option(
    "--no-server", help="Load the model here even when a `kigi serve` for it is running.")]
TotOption = Annotated[bool, typer.Option("--tot", help="Think with a Tree-of-Thoughts search before answering.")]
BreadthOption = Annotated[int, typer.Option(help="ToT: states kept per level.")]
DepthOption = Annotated[int | None, typer.Option(
    help="ToT: most reasoning steps (default: 5 on a question with quantities, 2 on others).")]
BudgetOption = Annotated[int, typer.Option(help="ToT: most tokens the search may generate (0: answer directly).")]

# -- training ---------------------------------------------------------------------------------
BaseModelOption = Annotated[str, typer.Option("--model", "-m", help="Base model (see `kigi model list`).",
                                              envvar="KIGI_MODEL")]
PrefsDataOption = Annotated[Path | None, typer.Option(
    "--data", help="Preference JSONL ({\"prompt\", \"chosen\", \"rejected\"}, as `kigi prefs export` writes); "
                   "default: the decided pairs in your log.")]
TargetsOption = Annotated[str, typer.Option(help="Layers to adapt: q,k,v,o,gate,up,down, or attn, mlp, all.")]
RankOption = Annotated[int, typer.Option(help="LoRA rank.")]
AlphaOption = Annotated[float, typer.Option(help="LoRA alpha (the update is scaled by alpha/rank).")]
DropoutOption = Annotated[float, typer.Option(help="Dropout on the adapter's input.")]
LearningRateOption = Annotated[float, typer.Option(help="Peak learning rate (AdamW).")]
WeightDecayOption = Annotated[float, typer.Option(help="AdamW weight decay.")]
WarmupOption = Annotated[int, typer.Option(help="Warmup steps before the cosine decay.")]
PairEpochsOption = Annotated[int, typer.Option(help="Passes over the pairs (ignored with --max-steps).")]
MaxStepsOption = Annotated[int | None, typer.Option(help="Optimizer steps to train (overrides --epochs).")]
PairBatchOption = Annotated[int, typer.Option("--batch", help="Pairs per micro-batch.")]
GradAccumOption = Annotated[int, typer.Option(help="Micro-batches per optimizer step.")]
PairSeqLenOption = Annotated[int, typer.Option(help="Tokens per row (prompt + answer); longer answers are cut, a "
                                                    "prompt that leaves no room for an answer is refused.")]
PairEvalFractionOption = Annotated[float, typer.Option(help="Share of the prompts held out for accuracy.")]
PairEvalEveryOption = Annotated[int, typer.Option(help="Steps between held-out evaluations (0: start and end "
                                                       "only).")]
ClipOption = Annotated[float, typer.Option(help="Gradient-norm clipping (0: off).")]
TrainSeedOption = Annotated[int, typer.Option(help="Seed for the split, shuffling, sampling and initialisation.")]
InitOption = Annotated[str | None, typer.Option(
    "--init", help="Start from this adapter's weights (its rank and targets) instead of a fresh one.")]
CheckpointEveryOption = Annotated[int, typer.Option(help="Steps between checkpoints (for --resume).")]
ResumeOption = Annotated[bool, typer.Option("--resume", help="Continue an interrupted run of this adapter.")]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace an adapter (or unfinished run) of this name.")]
ThreadsOption = Annotated[int, typer.Option(help="CPU threads for torch (0: its default; 1 is faster on a busy "
                                                 "machine).", envvar="KIGI_THREADS")]
CardJsonOption = Annotated[bool, typer.Option("--json", help="Print the training card as JSON on stdout.")]
AnchorsOption = Annotated[Path | None, typer.Option(
    "--anchors", help="Prompts (a text file of one question per line, or JSONL), e.g. everyday questions, whose "
                      "answers by the reference the policy keeps: a language-model loss (PPO-ptx); looping answers "
                      "are dropped.")]
AnchorCoefOption = Annotated[float, typer.Option(help="Weight of the --anchors answers' language-model loss "
                                                      "(--anchors-apart: the most their gradient is, × the run's).")]
AnchorsApartOption = Annotated[bool, typer.Option(help="Add the anchors' gradient after the run's is clipped, never "
                                                       "more than --anchor-coef × its norm.")]
AnchorMaxTokensOption = Annotated[int, typer.Option(help="The --anchors answers are cut at this length.")]
