"""Soak: a long scripted `kigi chat` in a pseudo-terminal, watched for leaks.

    python benchmarks/soak.py                          # 500 turns on a tiny model built here
    python benchmarks/soak.py --turns 40 --json        # the short run tests/test_soak.py makes
    python benchmarks/soak.py --model smollm2-135m-instruct --models-dir ~/.local/share/kigi/models

A fresh KIGI_HOME with memory (two small documents, `kigi memory add`) and logging on;
the chat is driven through pexpect, a new conversation every `--new-every` turns (a
conversation that outgrows the context window is its own test). Printed: turns answered,
RSS of the chat process after warm-up and at the end (and its growth), open file
descriptors (/proc/PID/fd) at start, after warm-up and at the end, rows in the log,
seconds, and the load average. Figures only, never pass/fail. Linux (reads /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import _root  # noqa: F401  (the repository root on sys.path)

ROOT = _root.ROOT
TINY = "tiny"
CHROMA_DB = "chroma.sqlite3"
DOCUMENTS = {
    "pell.md": "# Pell\n\nThe lighthouse of Pell is painted green and was built in 1871 by Ada Voss. "
               "Its lamp burns seal oil and can be seen from forty kilometres away on a clear night.\n",
    "orrin.md": "# Orrin\n\nOrrin is a fishing village of 312 people. Its harbour freezes every February, "
                "and the villagers then cut holes in the ice to catch silver cod.\n",
}
QUESTIONS = [
    "What colour is the lighthouse of Pell?",
    "Who built the lighthouse?",
    "How many people live in Orrin?",
    "When does the harbour freeze?",
    "Tell me a short joke.",
    "What fish do the villagers catch?",
    "What does the lamp burn?",
    "Say hello in French.",
]


@dataclass
class SoakResult:
    model: str
    turns: int  # asked
    answered: int  # the status line came back
    overflows: int  # refused: the conversation outgrew the context window
    conversations: int  # started in the chat (one per --new-every turns)
    seconds: float
    turn_ms_median: float
    rss_start_mb: float  # the chat ready, before the first turn
    rss_warm_mb: float  # after the warm-up turns
    rss_end_mb: float
    rss_max_mb: float
    rss_growth_pct: float  # end against warm-up
    fds_start: int
    fds_warm: int
    fds_end: int
    fds_max: int
    fds_opened: list[str]  # what the descriptors open at the end but not after warm-up point at
    fds_chroma_end: int  # of them, Chroma's SQLite connections (its pool opens them on demand, up to its bound)
    logged_user: int
    logged_assistant: int
    logged_generations: int
    grounded_generations: int  # generations with retrieved chunk ids
    exit_status: int | None
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    samples: list[tuple[int, float, int]] = field(default_factory=list)  # (turn, RSS MB, fds)
    error: str | None = None  # why the chat stopped early, if it did


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def fd_targets(pid: int) -> dict[str, str]:
    """What each open descriptor points at, so a leak can be named and not only counted."""
    targets = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            targets[fd] = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:  # closed while we looked
            continue
    return targets


def kigi(home: Path, *args: str, timeout: float = 600) -> None:
    env = {**os.environ, "KIGI_HOME": str(home), "COLUMNS": "200"}
    result = subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, env=env, timeout=timeout,
                            cwd=ROOT, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError(f"kigi {' '.join(args)} failed: {result.stderr.decode()[-500:]}")


def prepare_home(home: Path, model: str, models_dir: Path | None, max_positions: int) -> None:
    """Register the model (a tiny one is built here) and fill the memory."""
    if models_dir is not None:
        if model == TINY:
            raise ValueError("--models-dir is for a real model: the tiny one would be registered there")
        home.mkdir(parents=True, exist_ok=True)
        (home / "models").symlink_to(models_dir.expanduser().resolve(), target_is_directory=True)
    if model == TINY:
        from tests.tiny import save_tiny_chat_model

        directory = save_tiny_chat_model(home.parent / "tiny-model", max_positions=max_positions)
        kigi(home, "model", "add", str(directory), "--name", TINY)
    docs = home.parent / "docs"
    docs.mkdir(exist_ok=True)
    for name, text in DOCUMENTS.items():
        (docs / name).write_text(text, encoding="utf-8")
    kigi(home, "memory", "add", str(docs))


def count_rows(db: Path) -> tuple[int, int, int, int]:
    with sqlite3.connect(db) as con:
        user, assistant = (con.execute("SELECT count(*) FROM messages WHERE role = ?", (role,)).fetchone()[0]
                           for role in ("user", "assistant"))
        generations = con.execute("SELECT count(*) FROM generations").fetchone()[0]
        grounded = con.execute("SELECT count(*) FROM generations WHERE chunk_ids != '[]'").fetchone()[0]
    return user, assistant, generations, grounded


def soak(home: Path, model: str, turns: int, warmup: int, new_every: int, max_tokens: int,
         sample_every: int, turn_timeout: float) -> SoakResult:
    """Drive `kigi chat` for `turns` turns; measure the process as it goes."""
    import pexpect

    env = {**os.environ, "KIGI_HOME": str(home), "COLUMNS": "200", "LINES": "50", "TERM": "xterm"}
    load_before = os.getloadavg()
    child = pexpect.spawn(sys.executable, ["-m", "cli", "chat", "-m", model, "--max-tokens", str(max_tokens)],
                          env=env, cwd=str(ROOT), encoding="utf-8", timeout=turn_timeout, dimensions=(50, 200))
    try:
        child.expect("Ctrl-D to leave", timeout=600)
        child.expect("› ")
    except (pexpect.TIMEOUT, pexpect.EOF):
        child.close(force=True)
        raise RuntimeError(f"the chat did not start: {str(child.before)[-500:]}") from None
    pid = child.pid
    rss_start, fds_start = rss_mb(pid), open_fds(pid)
    rss_warm, fds_warm = rss_start, fds_start
    targets_warm = targets_end = fd_targets(pid)
    samples: list[tuple[int, float, int]] = [(0, rss_start, fds_start)]
    times: list[float] = []
    error: str | None = None
    answered, overflows, conversations = 0, 0, 1
    start = time.perf_counter()
    try:
        for turn in range(1, turns + 1):
            if new_every and turn > 1 and (turn - 1) % new_every == 0:
                child.sendline("/new")
                child.expect("new conversation")
                child.expect("› ")
                conversations += 1
            began = time.perf_counter()
            child.sendline(f"{QUESTIONS[(turn - 1) % len(QUESTIONS)]} (turn {turn})")
            outcome = child.expect(["tok/s", "context window", pexpect.EOF])
            if outcome == 2:
                error = f"the chat ended at turn {turn}: {child.before[-400:].strip()}"
                break
            child.expect("› ")
            if outcome == 0:
                times.append(time.perf_counter() - began)
                answered += 1
            else:  # refused: the conversation is full (the chat says so and goes on)
                overflows += 1
            if turn == warmup:
                rss_warm, fds_warm = rss_mb(pid), open_fds(pid)
                targets_warm = fd_targets(pid)
            if turn % sample_every == 0 or turn == turns:
                samples.append((turn, rss_mb(pid), open_fds(pid)))
        seconds = time.perf_counter() - start
        rss_end, fds_end = (rss_mb(pid), open_fds(pid)) if child.isalive() else samples[-1][1:]
        if child.isalive():
            targets_end = fd_targets(pid)
            child.sendline("/exit")
            child.expect(pexpect.EOF)
    except (pexpect.TIMEOUT, pexpect.EOF):
        error = f"no answer within {turn_timeout:.0f}s at turn {answered + 1}: {str(child.before)[-400:].strip()}"
        seconds = time.perf_counter() - start
        rss_end, fds_end = samples[-1][1:]
    finally:
        child.close(force=True)
    user, assistant, generations, grounded = count_rows(home / "kigi.db")
    return SoakResult(
        model=model, turns=turns, answered=answered, overflows=overflows, conversations=conversations,
        seconds=round(seconds, 1),
        turn_ms_median=round(statistics.median(times) * 1000, 1) if times else 0.0,
        rss_start_mb=round(rss_start, 1), rss_warm_mb=round(rss_warm, 1), rss_end_mb=round(rss_end, 1),
        rss_max_mb=round(max(rss_end, *(s[1] for s in samples)), 1),
        rss_growth_pct=round(100 * (rss_end - rss_warm) / rss_warm, 2),
        fds_start=fds_start, fds_warm=fds_warm, fds_end=fds_end, fds_max=max(fds_end, *(s[2] for s in samples)),
        fds_opened=sorted(target for fd, target in targets_end.items() if targets_warm.get(fd) != target),
        fds_chroma_end=sum(Path(target).name == CHROMA_DB for target in targets_end.values()),
        logged_user=user, logged_assistant=assistant, logged_generations=generations, grounded_generations=grounded,
        exit_status=child.exitstatus, load_before=load_before, load_after=os.getloadavg(),
        samples=[(t, round(r, 1), f) for t, r, f in samples], error=error)


def report(result: SoakResult) -> str:
    lines = [
        f"model {result.model}: {result.answered}/{result.turns} turns answered in {result.seconds:.1f}s "
        f"(median {result.turn_ms_median:.0f} ms a turn), {result.conversations} conversations, "
        f"{result.overflows} refused for a full context window",
        f"RSS: {result.rss_start_mb:.1f} MB at start, {result.rss_warm_mb:.1f} MB after warm-up, "
        f"{result.rss_end_mb:.1f} MB at the end (max {result.rss_max_mb:.1f}): {result.rss_growth_pct:+.2f}%",
        f"open fds: {result.fds_start} at start, {result.fds_warm} after warm-up, {result.fds_end} at the end "
        f"(max {result.fds_max}; {result.fds_chroma_end} on Chroma's database at the end)"
        + (f"; opened since warm-up: {', '.join(result.fds_opened)}" if result.fds_opened else ""),
        f"logged: {result.logged_user} user and {result.logged_assistant} assistant messages, "
        f"{result.logged_generations} generations ({result.grounded_generations} with sources)",
        f"chat exit status {result.exit_status}; load average {result.load_before[0]:.2f} before, "
        f"{result.load_after[0]:.2f} after ({os.cpu_count()} CPUs)",
        "samples (turn: RSS MB, fds): " + ", ".join(f"{t}: {r:.1f}, {f}" for t, r, f in result.samples),
    ]
    if result.error:
        lines.append(f"stopped early: {result.error}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=500)
    parser.add_argument("--model", default=TINY, help="'tiny' (built here) or a model name kigi knows")
    parser.add_argument("--models-dir", type=Path, help="reuse this models directory (a pulled model, the "
                        "embedding model) instead of a fresh one; it is linked, not copied")
    parser.add_argument("--warmup", type=int, help="turns before the RSS baseline (default: a tenth, at least 5)")
    parser.add_argument("--new-every", type=int, default=10, help="start a new conversation every N turns (0: never)")
    parser.add_argument("--max-tokens", type=int, default=16)
    parser.add_argument("--max-positions", type=int, default=4096, help="the tiny model's context window")
    parser.add_argument("--sample-every", type=int, help="turns between RSS/fd samples (default: a tenth)")
    parser.add_argument("--turn-timeout", type=float, default=120.0)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    if not Path("/proc/self/fd").is_dir():
        sys.exit("soak needs Linux's /proc")
    warmup = args.warmup or max(5, args.turns // 10)
    sample_every = args.sample_every or max(1, args.turns // 10)

    root = Path(tempfile.mkdtemp(prefix="kigi-soak-"))
    try:
        home = root / "home"
        prepare_home(home, args.model, args.models_dir, args.max_positions)
        result = soak(home, args.model, args.turns, min(warmup, args.turns), args.new_every, args.max_tokens,
                      sample_every, args.turn_timeout)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(asdict(result)) if args.json else report(result))


if __name__ == "__main__":
    main()
