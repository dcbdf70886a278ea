"""Speed, memory and quality of our core at each precision, against `transformers` and
llama.cpp (`llama-cpp-python`, the optional `bench` extra), in one process and one run.

    python benchmarks/decode.py [--tokens 64] [--prompt-tokens 256] [--repeats 3]
                                [--precisions fp32,bf16,int8,int4,int4+compile] [--skip-transformers]
                                [--skip-llama-cpp] [--skip-ask]

Prints, per engine: prefill and decode tokens/s at batch 1 (greedy, the best of
--repeats runs: the CPU is shared and timings are noisy), the total tokens/s of 5 samples
of one prompt decoded as a batch against 1 sample alone (Tree-of-Thoughts' pattern),
resident memory; per precision: perplexity on a fixed text and greedy agreement with fp32
on fixed chat prompts; the prefill saved by the prefix cache; the time to first token of
`kigi ask` on a warm model cache. Never pass/fail. The default model is pulled into
KIGI_HOME if needed.
"""

from __future__ import annotations

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import _root  # noqa: E402, F401  (the repository root on sys.path)

from llm.openmp import spin_between_regions  # noqa: E402

spin_between_regions()  # as the CLI sets it, before torch loads OpenMP: kigi's rows run as `kigi` would
import torch  # noqa: E402

from agent.home import KigiHome  # noqa: E402
from agent.models import ensure_model, load_engine, model_registry  # noqa: E402
from agent.precision import QUALITY_PROMPTS  # noqa: E402
from agent.prompts import ChatTemplate, Message  # noqa: E402
from benchmarks.isolated import busy, load_average, run_isolated  # noqa: E402
from llm.generate import generate_ids  # noqa: E402
from llm.registry import DEFAULT_MODEL  # noqa: E402
from llm.sampling import SamplingConfig  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROMPT_TEXT = ("Trees grow slowly, ring by ring, and a forest is a conversation between them that lasts "
               "for centuries. ") * 60
# Perplexity text: written for this benchmark (no data set is shipped); tests/test_quant.py and the
# default-precision choice (agent/precision.py) read it too.
PPL_TEXT = (ROOT / "llm" / "quality_text.txt").read_text(encoding="utf-8")
CHAT_PROMPTS = list(QUALITY_PROMPTS[:6])  # the first six of the default precision's 40 (precision_agreement.py: all)
ASK_QUESTION = "What is the capital of France?"
LONG_QUESTION = "Write a long story about a lighthouse keeper and a storm."
ASK_RUNS = 3  # `kigi ask` runs per as-a-user figure (the median is kept)


@dataclass
class Row:
    name: str
    prefill: float = float("nan")  # tokens/s
    decode: float = float("nan")  # tokens/s, batch 1
    sample1: float = float("nan")  # tokens/s, one sampled row
    sample5: float = float("nan")  # tokens/s, five sampled rows in one batch (total)
    rss_mb: float = float("nan")  # resident memory added by loading and running
    weights_mb: float = float("nan")
    load_s: float = float("nan")
    ppl: float = float("nan")
    top1: float = float("nan")  # teacher-forced top-1 agreement with fp32
    greedy_same: str = ""  # prompts whose greedy answer equals fp32's
    greedy_prefix: float = float("nan")  # mean fraction of fp32's answer reproduced before diverging
    load_before: float = float("nan")  # 1-minute load average when the row started
    load_after: float = float("nan")
    notes: list[str] = field(default_factory=list)


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def weights_mb(model: torch.nn.Module) -> float:
    storages = {}
    for tensor in [*model.parameters(), *model.buffers()]:
        storage = tensor.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
    return sum(storages.values()) / 2**20


def best_of(repeats: int, run):  # -> the run with the highest first value
    return max((run() for _ in range(repeats)), key=lambda result: result[0])


def time_decode(engine, prompt: list[int], config: SamplingConfig, n: int) -> tuple[float, float]:
    """(decode tokens/s over all rows, prefill tokens/s), from a cold cache."""
    engine.model.clear_cache()  # no prefix reuse between timed runs
    start = time.perf_counter()
    steps = generate_ids(engine.model, prompt, config, n=n, compiled=engine.compiled)
    next(steps)
    prefill = time.perf_counter() - start
    count, start = 0, time.perf_counter()
    for _ in steps:
        count += 1
    return count * n / (time.perf_counter() - start), len(prompt) / prefill


def perplexity(model, ids: list[int]) -> tuple[float, torch.Tensor]:
    with torch.inference_mode():
        logits = model(torch.tensor([ids]))[0].float()
    nll = torch.nn.functional.cross_entropy(logits[:-1], torch.tensor(ids[1:]))
    return float(nll.exp()), logits


def greedy_answers(engine, prompts: list[list[int]], stops: tuple[int, ...], tokens: int) -> list[list[int]]:
    config = SamplingConfig(max_new_tokens=tokens, stop_token_ids=stops)
    answers = []
    for prompt in prompts:
        engine.model.clear_cache()
        answers.append([step[0] for step in generate_ids(engine.model, prompt, config, compiled=engine.compiled)])
    return answers


def agreement(answers: list[list[int]], reference: list[list[int]]) -> tuple[str, float]:
    same = sum(a == r for a, r in zip(answers, reference, strict=True))
    prefixes = []
    for a, r in zip(answers, reference, strict=True):
        k = 0
        while k < min(len(a), len(r)) and a[k] == r[k]:
            k += 1
        prefixes.append(k / max(len(r), 1))
    return f"{same}/{len(reference)}", sum(prefixes) / len(prefixes)


def prefix_cache_saving(model, prompt: list[int]) -> str:
    """Prefill of a follow-up that extends an answered prompt: recomputed vs reused."""
    follow_up = prompt + prompt[:16]
    model.clear_cache()
    start = time.perf_counter()
    next(generate_ids(model, follow_up, SamplingConfig(max_new_tokens=1)))
    cold = time.perf_counter() - start
    model.clear_cache()
    next(generate_ids(model, prompt, SamplingConfig(max_new_tokens=1)))
    start = time.perf_counter()
    next(generate_ids(model, follow_up, SamplingConfig(max_new_tokens=1)))
    warm = time.perf_counter() - start
    return f"follow-up prefill {cold * 1000:.0f} ms cold, {warm * 1000:.0f} ms with the prefix cached"


def split_spec(spec: str) -> tuple[str, bool | None]:
    """'int4+compile' -> ('int4', True), 'int4+eager' -> ('int4', False), 'int4' -> ('int4',
    None): a precision, and whether to compile the decode step (None: kigi's default, a step
    stored by an earlier --compile run if there is one)."""
    precision, _, option = spec.partition("+")
    return precision, {"compile": True, "eager": False}.get(option)


def bench_ours(home: KigiHome, spec: str, args, reference) -> tuple[Row, torch.Tensor, list, object]:
    """Our core at one precision, `int4+compile` for the compiled decode step: (row,
    perplexity logits, greedy chat answers, tokenizer)."""
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    precision, compile = split_spec(spec)
    engine = load_engine(home, DEFAULT_MODEL, precision, compile=bool(compile))  # type: ignore[arg-type]
    row = Row(f"kigi {spec}", load_s=time.perf_counter() - start)
    model, tok = engine.model, engine.tokenizer
    prompt = tok.encode(PROMPT_TEXT)[: args.prompt_tokens]
    start = time.perf_counter()
    engine.warm_up()
    if compile:
        row.notes.append(f"compiled the decode step in {time.perf_counter() - start:.1f} s")
    greedy = SamplingConfig(max_new_tokens=args.tokens)
    row.decode, row.prefill = best_of(args.repeats, lambda: time_decode(engine, prompt, greedy, 1))
    sampled = SamplingConfig(max_new_tokens=args.tokens, temperature=0.7, seed=0)
    row.sample1 = best_of(args.repeats, lambda: time_decode(engine, prompt, sampled, 1))[0]
    row.sample5 = best_of(args.repeats, lambda: time_decode(engine, prompt, sampled, 5))[0]
    row.notes.append(prefix_cache_saving(model, prompt))
    row.ppl, logits = perplexity(model, tok.encode(PPL_TEXT))
    template = ChatTemplate()
    prompts = [template.render_ids(tok, [Message("user", q)]) for q in CHAT_PROMPTS]
    answers = greedy_answers(engine, prompts, template.stop_tokens(tok), args.answer_tokens)
    if reference is not None:
        ref_logits, ref_answers = reference
        row.top1 = float((logits.argmax(-1) == ref_logits.argmax(-1)).float().mean())
        row.greedy_same, row.greedy_prefix = agreement(answers, ref_answers)
    row.weights_mb = weights_mb(model)
    row.rss_mb = rss_mb() - before
    return row, logits, answers, tok


def bench_transformers(path: Path, prompt: list[int], args) -> Row:
    from transformers import AutoModelForCausalLM

    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    hf = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32).eval()
    row = Row("transformers fp32", load_s=time.perf_counter() - start)
    ids = torch.tensor([prompt])

    def run() -> tuple[float, float]:
        with torch.no_grad():
            start = time.perf_counter()
            out = hf(ids, use_cache=True)
            prefill = time.perf_counter() - start
            past, token = out.past_key_values, out.logits[:, -1:].argmax(-1)
            start = time.perf_counter()
            for _ in range(args.tokens - 1):
                out = hf(token, past_key_values=past, use_cache=True)
                past, token = out.past_key_values, out.logits[:, -1:].argmax(-1)
            return (args.tokens - 1) / (time.perf_counter() - start), len(prompt) / prefill

    with torch.no_grad():
        hf(ids[:, :8])
    row.decode, row.prefill = best_of(args.repeats, run)
    row.rss_mb = rss_mb() - before
    row.weights_mb = sum(p.numel() * p.element_size() for p in hf.parameters()) / 2**20
    return row


def bench_llama_cpp(path: Path, prompt: list[int], chat_prompts: list[list[int]], stops, reference, args,
                    extra_buffers: bool = True) -> Row:
    """llama.cpp's row; run in a child process (`llama_cpp_row`). `extra_buffers` False turns
    off llama.cpp's repacked weight buffers, which segfault on some AMX CPUs."""
    import llama_cpp
    from llama_cpp import Llama

    if not extra_buffers:
        defaults = llama_cpp.llama_model_default_params

        def without_extra_buffers():  # Llama() reads the module's defaults, then its own arguments
            params = defaults()
            if hasattr(type(params), "use_extra_bufts"):
                params.use_extra_bufts = False
            return params

        llama_cpp.llama_model_default_params = without_extra_buffers
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    llm = Llama(model_path=str(path), n_ctx=2048, n_threads=torch.get_num_threads(), n_batch=512,
                verbose=False)
    row = Row("llama.cpp (Q4_1 GGUF)", load_s=time.perf_counter() - start)

    def run() -> tuple[float, float]:
        llm.reset()
        start = time.perf_counter()
        steps = llm.generate(prompt, top_k=1, temp=0.0, reset=True)
        next(steps)
        prefill = time.perf_counter() - start
        count, start = 0, time.perf_counter()
        for _ in steps:
            count += 1
            if count == args.tokens - 1:
                break
        return count / (time.perf_counter() - start), len(prompt) / prefill

    row.decode, row.prefill = best_of(args.repeats, run)
    answers = []
    for ids in chat_prompts:
        llm.reset()
        answer: list[int] = []
        for token in llm.generate(ids, top_k=1, temp=0.0, reset=True):
            answer.append(token)
            if token in stops or len(answer) == args.answer_tokens:
                break
        answers.append(answer)
    if reference is not None:
        row.greedy_same, row.greedy_prefix = agreement(answers, reference[1])
    row.rss_mb = rss_mb() - before
    return row


def llama_cpp_row(path: Path, prompt: list[int], chat_prompts: list[list[int]], stops, reference, args) -> Row | None:
    """llama.cpp in a child process: a crash is a failed row, not a lost run; after a crash
    it is tried once more with extra buffer types off. None when it is not installed."""
    first = run_isolated(bench_llama_cpp, path, prompt, chat_prompts, stops, reference, args)
    if first.ok:
        return first.value
    if first.failure.startswith(("ModuleNotFoundError", "ImportError")):
        return None
    retry = run_isolated(bench_llama_cpp, path, prompt, chat_prompts, stops, reference, args, False)
    if retry.ok:
        retry.value.notes.append(f"extra buffer types off (with them: {first.failure})")
        return retry.value
    return Row("llama.cpp (Q4_1 GGUF)", notes=[f"failed: {first.failure}; without extra buffer types: {retry.failure}"])


def ask_flags(spec: str) -> str:
    """The command line a row's environment stands for: 'int4+eager' -> '--precision int4 --no-compile'."""
    precision, compile = split_spec(spec)
    return f"--precision {precision}" + {True: " --compile", False: " --no-compile", None: ""}[compile]


def ask_env(home: KigiHome, spec: str) -> dict[str, str]:
    """The environment a `kigi ask` child runs with: this home, the row's precision and compile."""
    precision, compile = split_spec(spec)
    env = {**os.environ, "KIGI_HOME": str(home.root), "KIGI_PRECISION": precision}
    env.pop("KIGI_COMPILE", None)
    if compile is not None:
        env["KIGI_COMPILE"] = "1" if compile else "0"
    return env


def ask_decode_rate(home: KigiHome, spec: str, tokens: int = 128) -> float:
    """Decode tokens/s as a user gets it: `kigi ask --json`'s tokens after the first over
    the seconds after the first token (sampling, stop checks, streaming and logging included)."""
    env = ask_env(home, spec)
    command = [sys.executable, "-m", "cli", "ask", LONG_QUESTION, "--json", "--no-memory", "--max-tokens", str(tokens)]
    done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=ROOT, env=env)
    if done.returncode != 0:
        return float("nan")
    answer = json.loads(done.stdout)
    decode_s = answer["seconds"] - (answer["ttft_s"] or 0.0)
    tokens_after_first = answer["completion_tokens"] - 1
    return tokens_after_first / decode_s if tokens_after_first > 0 and decode_s > 0 else float("nan")


def time_to_first_token(home: KigiHome, spec: str, *extra: str) -> tuple[float, float]:
    """Seconds from starting `kigi ask` to its first byte of answer, and to its exit."""
    env = ask_env(home, spec)
    command = [sys.executable, "-m", "cli", "ask", ASK_QUESTION, "--no-log", *extra]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL, cwd=ROOT, env=env)
    assert process.stdout is not None
    first = process.stdout.read(1)
    ttft = time.perf_counter() - start
    process.stdout.read()
    process.wait()
    return (ttft if first else float("nan")), time.perf_counter() - start


def memory_label(home: KigiHome) -> str:
    """What a "with memory" row searched: the first token waits on a search (Chroma's import,
    the query encoder, ~1 s) only where the memory holds something."""
    from agent.recall import memory_exists

    return "(with memory)" if memory_exists(home) else "(with memory: nothing to search)"


def fmt(value: float, digits: int = 1) -> str:
    return "-" if value != value else f"{value:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=64, help="tokens to decode per timed run")
    parser.add_argument("--prompt-tokens", type=int, default=256, help="prompt length for prefill")
    parser.add_argument("--answer-tokens", type=int, default=48, help="greedy answer length for agreement")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per figure (the best is kept)")
    parser.add_argument("--precisions", default="fp32,bf16,int8,int4,int4+compile",
                        help="precisions to run; `+compile` adds the compiled decode step")
    parser.add_argument("--ask-precisions", default="int4+eager,int4,int4+compile,fp32",
                        help="precisions whose `kigi ask` TTFT and decode are timed: `+compile` asks to compile, "
                             "`+eager` not to, bare: the default (a step stored by an earlier --compile run)")
    parser.add_argument("--skip-transformers", action="store_true")
    parser.add_argument("--skip-llama-cpp", action="store_true")
    parser.add_argument("--skip-ask", action="store_true")
    args = parser.parse_args()
    home = KigiHome.resolve().ensure()
    path = ensure_model(home, DEFAULT_MODEL)
    precisions = [p.strip() for p in args.precisions.split(",") if p.strip()]
    if "fp32" in precisions:  # the reference comes first
        precisions.remove("fp32")
        precisions.insert(0, "fp32")
    print(f"model: {DEFAULT_MODEL} ({model_registry(home).resolve(DEFAULT_MODEL).source}); "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU capability "
          f"{torch.backends.cpu.get_cpu_capability()}, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, "
          f"GOMP_SPINCOUNT={os.environ.get('GOMP_SPINCOUNT')}; "
          f"prompt {args.prompt_tokens} tokens, decode {args.tokens}, best of {args.repeats}", flush=True)

    rows: list[Row] = []
    reference = None
    chat_prompts: list[list[int]] = []
    stops: tuple[int, ...] = ()
    prompt: list[int] = []
    for precision in precisions:
        before = load_average()
        row, logits, answers, tok = bench_ours(home, precision, args, reference)
        row.load_before, row.load_after = before, load_average()
        if reference is None and precision == "fp32":
            reference = (logits, answers)
        template = ChatTemplate()
        chat_prompts = [template.render_ids(tok, [Message("user", q)]) for q in CHAT_PROMPTS]
        stops = template.stop_tokens(tok)
        prompt = tok.encode(PROMPT_TEXT)[: args.prompt_tokens]
        rows.append(row)
        print(f"  {row.name}: decode {fmt(row.decode)} tok/s, prefill {fmt(row.prefill)} tok/s, "
              f"batch-5 {fmt(row.sample5)} vs batch-1 {fmt(row.sample1)} tok/s; {'; '.join(row.notes)}", flush=True)
    if not args.skip_transformers:
        before = load_average()
        try:
            rows.append(bench_transformers(path, prompt, args))
            rows[-1].load_before, rows[-1].load_after = before, load_average()
        except ImportError as exc:
            print(f"  transformers: not installed ({exc})")
    llama = None
    if not args.skip_llama_cpp:
        before = load_average()
        llama = llama_cpp_row(path, prompt, chat_prompts, set(stops), reference, args)
        if llama is None:
            print("  llama.cpp: not installed (pip install 'kigi[bench]' for llama-cpp-python)")
        else:
            llama.load_before, llama.load_after = before, load_average()
            rows.append(llama)
            if llama.decode != llama.decode:  # failed: no ratio against it
                print(f"  llama.cpp: {'; '.join(llama.notes)}")
                llama = None

    ref_ppl = rows[0].ppl if rows and rows[0].name == "kigi fp32" else float("nan")
    print()
    print(f"{'engine':<24}{'prefill':>9}{'decode':>8}{'x llama':>8}{'samp 1':>8}{'samp 5':>8}{'5/1':>6}"
          f"{'load s':>8}{'weights':>9}{'RSS +MB':>9}{'ppl':>8}{'Δppl %':>8}{'top-1':>7}{'greedy':>8}{'prefix':>8}"
          f"{'loadavg':>12}")
    for row in rows:
        ratio = row.decode / llama.decode if llama else float("nan")
        scale = row.sample5 / row.sample1 if row.sample1 == row.sample1 else float("nan")
        delta = (row.ppl / ref_ppl - 1) * 100 if row.ppl == row.ppl else float("nan")
        print(f"{row.name:<24}{fmt(row.prefill, 0):>9}{fmt(row.decode):>8}{fmt(ratio, 2):>8}{fmt(row.sample1):>8}"
              f"{fmt(row.sample5):>8}{fmt(scale, 2):>6}{fmt(row.load_s, 2):>8}{fmt(row.weights_mb, 0):>9}"
              f"{fmt(row.rss_mb, 0):>9}{fmt(row.ppl, 2):>8}{fmt(delta, 2):>8}{fmt(row.top1, 3):>7}"
              f"{row.greedy_same or '-':>8}{fmt(row.greedy_prefix, 2):>8}"
              f"{fmt(row.load_before, 1) + '→' + fmt(row.load_after, 1):>12}"
              f"{'  BUSY' if busy(row.load_before) else ''}")
    print("tokens/s; 'samp 1'/'samp 5': total tokens/s of 1 or 5 sampled rows (T=0.7) of one prompt; "
          "'top-1': teacher-forced agreement with fp32 on the perplexity text; 'greedy': chat answers "
          "identical to fp32's; 'prefix': mean share of fp32's answer reproduced before the first difference; "
          "'loadavg': the 1-minute load average before and after the row.")
    for row in rows:
        if row.notes and row.decode != row.decode:
            print(f"{row.name}: {'; '.join(row.notes)}")
    if any(busy(row.load_before) for row in rows):
        print(f"WARNING: the machine was busy (load above its {os.cpu_count()} cores) when a row marked BUSY "
              "started: its figures, and ratios against it, are not comparable; rerun on a quiet machine.")

    if not args.skip_ask:
        print()
        for precision in [p.strip() for p in args.ask_precisions.split(",") if p.strip()]:
            time_to_first_token(home, precision, "--no-memory")  # fills the quantized-weights cache
            for extra in (("--no-memory",), ()):
                ttft, total = min((time_to_first_token(home, precision, *extra) for _ in range(2)),
                                  key=lambda t: t[0])
                label = " ".join(extra) or memory_label(home)
                print(f"kigi ask {ask_flags(precision)} {label}: first token after {fmt(ttft, 2)} s, "
                      f"done after {fmt(total, 2)} s (warm model cache)", flush=True)
            rates = [ask_decode_rate(home, precision) for _ in range(ASK_RUNS)]
            rate = statistics.median(rates)  # one 128-token answer is ~1 s: single runs of one state differ by 20%
            against = f" = {rate / llama.decode:.2f}x llama.cpp" if llama else ""
            print(f"kigi ask {ask_flags(precision)} --json --max-tokens 128: decodes "
                  f"{fmt(rate)} tok/s after its first token, as a user gets it{against} "
                  f"(median of {' / '.join(fmt(r) for r in rates)})", flush=True)


if __name__ == "__main__":
    main()
