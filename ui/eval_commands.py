"""`kigi eval ...`: the benchmarks that measure kigi (grounding, Game of 24, preferences),
each recorded in the log's eval runs.

cli.py registers the app. Heavy imports stay inside the commands (`kigi --help` is instant).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from ui.benchmark_commands import (
    baseline_run,
    describe_change,
    engine_lm,
    eval_code,
    eval_mc,
    eval_tasks,
    print_summary,
)
from ui.errors import err_console, user_errors
from ui.loading import home, load_engine_with_progress, load_reader, sampling_config
from ui.options import (
    DEFAULT_MODEL,
    DEFAULT_READER,
    AdapterOption,
    CompareToOption,
    MaxTokensOption,
    ModelOption,
    PrecisionOption,
    ReaderOption,
    ResultsOption,
    WithholdOption,
)

if TYPE_CHECKING:

    from agent.rag_eval import RagResult



class Retrieval(StrEnum):
    hybrid = "hybrid"
    dense = "dense"


class Reading(StrEnum):
    each = "each"
    together = "together"


eval_app = typer.Typer(help="Benchmarks that measure kigi: grounding (rag), Game of 24, questions, preferences, "
                                 "MMLU-style (mc), HumanEval (code), open tasks.",
                       no_args_is_help=True)


for _name, _command in (("mc", eval_mc), ("code", eval_code), ("tasks", eval_tasks)):
    eval_app.command(_name)(_command)


@eval_app.command("rag")
def eval_rag(
    kb: Annotated[str, typer.Option("--kb", help="Folder (or file) of the knowledge base.")],
    questions: Annotated[str, typer.Option(
        "--questions", help='JSONL of {"question": ..., "answers": [...]}; [] marks an unanswerable one.')],
    distractors: Annotated[str | None, typer.Option(
        "--distractors", help="Folder of unrelated documents indexed beside the knowledge base.")] = None,
    model: ModelOption = DEFAULT_MODEL,
    reader: ReaderOption = DEFAULT_READER,
    withhold: WithholdOption = True,
    k: Annotated[int, typer.Option("-k", help="Chunks retrieved per question.")] = 4,
    retrieval: Annotated[Retrieval, typer.Option(
        help="hybrid: vectors and BM25 fused (what `kigi ask` uses); dense: vectors alone.")] = Retrieval.hybrid,
    focus: Annotated[str, typer.Option(
        help="Passages shown from each long source (what `kigi ask` shows: 3), or 'off' for whole chunks.")] = "3",
    passages: Annotated[str, typer.Option(
        help="Passages of all sources a question's reader sees, picked by the model's likelihood of the question "
             "(2 was tried), or 'off' to focus each source on its own (--focus: what `kigi ask` does).")] = "off",
    read: Annotated[Reading, typer.Option(
        help="together: all sources in one prompt (what `kigi ask` does); each: the reader reads each source "
             "alone and the best-ranked answer is kept.")] = Reading.together,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Per-question results JSONL.")] = None,
    details: Annotated[bool, typer.Option("--details", help="Print each question, its answer and sources.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    precision: PrecisionOption = "fp32",
    compare_to: CompareToOption = None,
) -> None:
    """Accuracy with the knowledge base in memory vs without, abstention on unanswerable
    questions, retrieval hit rate, groundedness. The memory is a temporary one: the user's
    is never touched."""
    with user_errors():
        baseline = baseline_run("rag", compare_to)
        from pathlib import Path

        from agent.focus import parse_focus
        from agent.grounding import GroundingConfig
        from agent.passage_pick import parse_passages
        from agent.rag_eval import read_questions, results_jsonl, run_rag_eval
        from memory.embed import KigiEmbeddingFunction, pull_embedding_model
        from memory.log import ConversationLog
        from ui.progress import stage_progress

        grounding = GroundingConfig(k=k, focus=parse_focus(focus), read_each=read is Reading.each,
                                    passages=parse_passages(passages), withhold_unsupported=withhold)
        if output and not Path(output).resolve().parent.is_dir():  # known before a run of minutes, not after
            raise ValueError(f"{output}: its folder does not exist")
        items = read_questions(Path(questions))
        from ui.ask_commands import open_engine

        engine = open_engine(model, precision, False, None, local=True)  # a registered remote model too
        reader_name = load_reader(engine, reader)
        function = KigiEmbeddingFunction(pull_embedding_model(home().models))
        with stage_progress(err_console()) as progress:
            results, summary = run_rag_eval(engine, function, Path(kb), items, grounding,
                                            distractors=Path(distractors) if distractors else None,
                                            reader=reader_name, lexical=retrieval is Retrieval.hybrid,
                                            progress=lambda done, total: progress("questions", done, total))
        if output:
            Path(output).write_text(results_jsonl(results), encoding="utf-8")
        params = {"kb": str(Path(kb).resolve()), "questions": str(Path(questions).resolve()), "model": model, "k": k,
                  "distractors": str(Path(distractors).resolve()) if distractors else None, "reader": reader_name,
                  "retrieval": retrieval.value, "focus": focus, "read": read.value,
                  "passages": passages, "withhold": withhold}
        summary["run_id"] = ConversationLog(home().db).record_eval_run("rag", params, summary)
        if as_json:
            print_summary("rag", summary, baseline)
            return
        console = Console(highlight=False)
        if details:
            show_rag_details(console, results)
        for key, value in summary.items():
            shown = "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)
            console.print(f"{key:>32}: {shown}")
        if baseline is not None:
            from memory.log.stats import compare_eval

            console.print(describe_change(compare_eval("rag", baseline, summary)))


def show_rag_details(console: Console, results: list[RagResult]) -> None:
    """One block per question: right or wrong, the answer with memory, the sources it saw."""
    from rich.markup import escape

    for r in results:
        mark = "[green]✓[/]" if r.correct_with else "[red]✗[/]"
        expected = escape(" | ".join(r.answers) if r.answers else "(unanswerable)")
        console.print(f"{mark} {escape(r.question)}  [dim]expected: {expected}[/]")
        console.print(f"   {' '.join(r.with_memory.split())}", markup=False)
        console.print(f"   [dim]{escape('; '.join(r.sources) or 'no sources')}[/]")


@eval_app.command("game24")
def eval_game24(
    method: Annotated[str, typer.Option(help="io | cot | cot-sc | tot")] = "tot",
    data: Annotated[str | None, typer.Option(help="game24.csv (default: ../shared/data/game24.csv).")] = None,
    ranks: Annotated[str, typer.Option("--range", help="Puzzle ranks, e.g. 901-1000 (the paper's test set).")]
    = "901-1000",
    breadth: Annotated[int, typer.Option(help="ToT: states kept per level (b).")] = 5,
    last_breadth: Annotated[int, typer.Option(
        help="ToT: states kept at the level before the last (with composed answers, the two-number states; "
             "25: all that b=5 reaches; set it to b for the paper's shape).")] = 25,
    root_breadth: Annotated[int | None, typer.Option(
        help="ToT: states kept among the root's children (default: --breadth); with several root lists "
             "the root has more children than b.")] = None,
    generate: Annotated[str, typer.Option(help="ToT thoughts: propose | sample.")] = "propose",
    evaluate: Annotated[str, typer.Option(help="ToT judging: value | sampled_value | vote.")] = "value",
    samples: Annotated[int, typer.Option(help="cot-sc: samples per puzzle.")] = 5,
    few_shot: Annotated[bool, typer.Option(help="Few-shot prompts (for the base model).")] = False,
    check: Annotated[str, typer.Option(help="ToT: a step with wrong arithmetic or numbers left: repair (the calculator "
                                            "rewrites them) | drop | none.")] = "repair",
    answer: Annotated[str, typer.Option(help="ToT: the final expression composed from the kept steps (compose, a "
                                             "calculator) or written by the model and judged (model).")] = "compose",
    left_guard: Annotated[bool | None, typer.Option(
        "--left-guard/--no-left-guard",
        help="ToT: constrained decoding holds each proposed step's (left: …) to as many numbers as the step "
             "leaves; the numbers stay the model's. Default: on with --check drop, off otherwise.")] = None,
    n_generate: Annotated[int, typer.Option(help="ToT: propose lists per state: the first greedy (the paper's one "
                                                 "call), the others sampled at temperature 1.")] = 1,
    n_generate_root: Annotated[int, typer.Option(help="ToT: propose lists for the puzzle's own numbers (the "
                                                       "first greedy, the others sampled).")] = 1,
    n_evaluate: Annotated[int, typer.Option(help="ToT: value samples per state (the paper: 3).")] = 1,
    budget: Annotated[int | None, typer.Option(help="ToT: most tokens per puzzle.")] = None,
    max_tokens: Annotated[int | None, typer.Option(help="Tokens per reply (io 64, cot and cot-sc 256) or per ToT "
                                                        "propose call (128; a proposer listing every step "
                                                        "needs ~384).")] = None,
    propose_adapter: Annotated[str | None, typer.Option(help="Adapter for proposing thoughts.")] = None,
    propose_root_adapter: Annotated[str | None, typer.Option(
        help="ToT: adapter for the puzzle's own numbers, where it differs from --propose-adapter (one that "
             "ranks first steps, above one that lists every step).")] = None,
    value_adapter: Annotated[str | None, typer.Option(help="Adapter for judging states.")] = None,
    adapter: AdapterOption = None,
    workers: Annotated[int, typer.Option(help="Worker processes (each loads the model).")] = 1,
    output: ResultsOption = None,
    model: ModelOption = DEFAULT_MODEL,
    precision: PrecisionOption = "fp32",
    compare_to: CompareToOption = None,
) -> None:
    """Game of 24 success rate, tokens and seconds per puzzle; resumable per-puzzle JSONL."""
    with user_errors():
        baseline = baseline_run("game24", compare_to)
        from pathlib import Path

        from agent.evals import Game24EvalConfig, results_name, run_game24_eval
        from agent.tasks.game24 import default_data_path
        from memory.log import ConversationLog
        from ui.progress import stage_progress

        roles = {k: v for k, v in {"propose": propose_adapter or adapter, "propose-root": propose_root_adapter,
                                   "value": value_adapter or adapter, "answer": adapter}.items() if v}
        from agent.remote_models import remote_models

        remote = remote_models(home()).get(model)
        if remote is not None and left_guard is None:
            left_guard = False  # a served model's decoder is not ours to constrain
        config = Game24EvalConfig(method=method, ranks=ranks, model=model, precision=precision,  # type: ignore[arg-type]
                                  few_shot=few_shot, samples=samples, breadth=breadth, generate=generate,  # type: ignore[arg-type]
                                  last_breadth=last_breadth, root_breadth=root_breadth,
                                  evaluate=evaluate, check=check, budget_tokens=budget, workers=workers,  # type: ignore[arg-type]
                                  answer=answer, n_generate=n_generate, n_generate_root=n_generate_root,  # type: ignore[arg-type]
                                  n_evaluate=n_evaluate, left_guard=left_guard,
                                  max_tokens=max_tokens,
                                  adapters=roles or None)
        results = Path(output) if output else home().root / "evals" / results_name(config)
        lm = bound = None
        if remote is not None:  # served elsewhere: its chat completions
            if roles or workers != 1 or left_guard:
                raise ValueError(f"{model} is served remotely: adapters, --workers and --left-guard need a local model")
            from agent.remote_lm import RemoteLM

            lm = RemoteLM(remote.engine())
        elif roles and workers == 1:  # with workers, each process loads the model and its adapters
            from agent.adapters import AdapterStore, RoleAdapters
            from agent.lm import EngineLM

            engine = load_engine_with_progress(model, precision)
            switch = RoleAdapters(engine, AdapterStore.of(home()), roles)
            lm = EngineLM(engine)
            bound = {role: lm.bind(name, switch.switcher(role)) for role, name in roles.items()}
        with stage_progress(err_console()) as progress:
            summary = run_game24_eval(config, Path(data) if data else default_data_path(), results, lm=lm,
                                      roles=bound, home=home().root, log=ConversationLog(home().db),
                                      progress=lambda done, total, _: progress("puzzles", done, total))
        print_summary("game24", summary.to_dict(), baseline)


@eval_app.command("questions")
def eval_questions(
    data: Annotated[str, typer.Option(help="JSONL of {\"question\": ..., \"answer\": N} (e.g. "
                                           "evals/questions/heldout.jsonl).")],
    method: Annotated[str, typer.Option(help="direct | cot | cot-sc | tot")] = "direct",
    ranks: Annotated[str, typer.Option("--range", help="Lines of the file, e.g. 1-300.")] = "1-300",
    samples: Annotated[int, typer.Option(help="cot-sc: sampled chains per question.")] = 5,
    breadth: Annotated[int, typer.Option(help="tot: states kept per level.")] = 2,
    depth: Annotated[int, typer.Option(help="tot: most steps per path.")] = 3,
    n_generate: Annotated[int, typer.Option(help="tot: thoughts sampled per state.")] = 3,
    check: Annotated[str, typer.Option(help="tot: wrong arithmetic in a step: none | drop | repair "
                                            "(a calculator: report it as its own row).")] = "none",
    max_tokens: Annotated[int | None, typer.Option(help="Per reply (default: direct 32, cot 256, tot 128).")]
    = None,
    adapter: AdapterOption = None,
    output: ResultsOption = None,
    model: ModelOption = DEFAULT_MODEL,
    precision: PrecisionOption = "fp32",
    compare_to: CompareToOption = None,
) -> None:
    """Accuracy on multi-step questions with exact answers, tokens and seconds per question;
    for tot, the share of thoughts that talk about reasoning instead of doing it."""
    with user_errors():
        baseline = baseline_run("questions", compare_to)
        from pathlib import Path

        from agent.evals.questions import QuestionsEvalConfig, load_questions, run_questions_eval
        from memory.log import ConversationLog
        from ui.progress import stage_progress

        config = QuestionsEvalConfig(method=method, ranks=ranks, model=model, precision=precision,  # type: ignore[arg-type]
                                     max_tokens=max_tokens, samples=samples, breadth=breadth, depth=depth,
                                     n_generate=n_generate, adapter=adapter, check=check)  # type: ignore[arg-type]
        load_questions(Path(data))  # a bad file is refused before the model loads
        name = (f"questions-{method}-{Path(data).stem}-{adapter or 'base'}-{check}-{Path(model).name}-"
                f"{precision}.jsonl")
        results = Path(output) if output else home().root / "evals" / name
        lm = engine_lm(model, precision, adapter)
        with stage_progress(err_console()) as progress:
            summary, meta_rate = run_questions_eval(config, Path(data), results, lm=lm,
                                                    log=ConversationLog(home().db),
                                                    progress=lambda done, total: progress("questions", done, total))
        print_summary("questions", {**summary.to_dict(), "meta_talk_rate": meta_rate}, baseline)


@eval_app.command("prefs")
def eval_prefs(
    adapter: Annotated[str | None, typer.Option("--adapter", help="Adapter A ('base' for none).")] = None,
    vs: Annotated[str | None, typer.Option("--vs", help="Adapter B ('base' for none).")] = None,
    judge: Annotated[str | None, typer.Option(
        "--judge", help="reward:NAME (a trained reward model) or truth:FILE (questions with accepted answers, "
                        "as for `kigi eval rag`: judged by ground truth).")] = None,
    prompts: Annotated[str | None, typer.Option("--prompts", help="Prompts file (text lines or JSONL).")] = None,
    pairs: Annotated[str | None, typer.Option("--pairs", help="Preference JSONL: score the judge.")] = None,
    max_tokens: MaxTokensOption = 128,
    seed: Annotated[int, typer.Option(help="Seed for answer order and sampling.")] = 0,
    model: ModelOption = DEFAULT_MODEL,
    precision: PrecisionOption = "fp32",
    compare_to: CompareToOption = None,
) -> None:
    """Win rate of adapter A against B judged by a reward model or by ground truth (positions
    randomised; with truth:FILE the mean scores are each side's accuracy and the prompts are
    the file's questions unless --prompts is given), or, with --pairs, how often the reward
    model agrees with recorded preferences."""
    with user_errors():
        baseline = baseline_run("prefs", compare_to)
        from pathlib import Path

        from agent.adapters import AdapterStore
        from agent.pref_evals import load_reward_model, parse_judge, read_eval_prompts, reward_accuracy, win_rate
        from llm.train.data import read_jsonl
        from memory.log import ConversationLog

        if not judge:
            raise ValueError("--judge reward:NAME or truth:FILE is required")
        engine = load_engine_with_progress(model, precision)
        store = AdapterStore.of(home())
        if pairs:
            if not judge.startswith("reward:"):
                raise ValueError("--pairs measures a reward model: use --judge reward:NAME")
            name = judge.removeprefix("reward:")
            summary = reward_accuracy(load_reward_model(engine, store, name), read_jsonl(Path(pairs))).to_dict()
            params = {"judge": judge, "pairs": str(Path(pairs).resolve())}
        else:
            chosen_judge = parse_judge(judge, engine, store)
            if not prompts and not hasattr(chosen_judge, "prompts"):
                raise ValueError("give --prompts FILE (or --pairs FILE to measure the judge)")
            side = {None: None, "base": None}
            asked = read_eval_prompts(Path(prompts)) if prompts else chosen_judge.prompts()
            result = win_rate(engine, store, side.get(adapter, adapter), side.get(vs, vs), asked, chosen_judge,
                              sampling=sampling_config(0.0, 1.0, 0, max_tokens, seed), seed=seed)
            summary = result.summary()
            params = {"adapter": adapter, "vs": vs, "judge": judge,
                      "prompts": str(Path(prompts).resolve()) if prompts else None}
        summary["run_id"] = ConversationLog(home().db).record_eval_run("prefs", params, summary)
        print_summary("prefs", summary, baseline)
