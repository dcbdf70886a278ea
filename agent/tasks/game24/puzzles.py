"""The puzzle file (`game24.csv`, columns `Rank,Puzzles,...`), read by path and never
copied into the repository, and rank ranges over it."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from agent.errors import AgentError

# The Tree-of-Thoughts paper's test set: ranks 901-1000 of game24.csv. Never train on it.
TEST_RANKS = range(901, 1001)


class Game24Error(AgentError):
    """A puzzle file, rank range or puzzle that cannot be used."""


class HeldOutPuzzleError(Game24Error):
    """A test-set puzzle reached code that makes training data."""


@dataclass(frozen=True)
class Puzzle:
    rank: int
    numbers: tuple[int, ...]

    @property
    def text(self) -> str:
        return " ".join(str(x) for x in self.numbers)

    @property
    def is_test(self) -> bool:
        return self.rank in TEST_RANKS


def default_data_path() -> Path:
    """`../shared/data/game24.csv`, beside the repository root."""
    return Path(__file__).resolve().parents[3].parent / "shared" / "data" / "game24.csv"


def load_puzzles(path: str | Path) -> list[Puzzle]:
    """All puzzles of a game24.csv file (columns `Rank`, `Puzzles`), in file order."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = {"Rank", "Puzzles"} - set(reader.fieldnames or ())
            if missing:
                raise Game24Error(f"{path}: missing column(s) {', '.join(sorted(missing))}")
            puzzles = []
            for line, row in enumerate(reader, start=2):
                try:
                    numbers = tuple(int(x) for x in row["Puzzles"].split())
                    puzzles.append(Puzzle(int(row["Rank"]), numbers))
                except (ValueError, AttributeError) as exc:
                    raise Game24Error(f"{path}:{line}: bad row {row!r}") from exc
                if len(numbers) != 4:
                    raise Game24Error(
                        f"{path}:{line}: expected 4 numbers, got {row['Puzzles']!r}"
                    )
    except FileNotFoundError:
        raise Game24Error(f"no puzzle file at {path}") from None
    return puzzles


def parse_rank_range(text: str) -> tuple[int, int]:
    """`901-1000` -> (901, 1000), inclusive; `5` -> (5, 5)."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", text)
    if not match:
        raise Game24Error(f"range must look like 901-1000, got {text!r}")
    lo = int(match.group(1))
    hi = int(match.group(2) or lo)
    if lo < 1 or hi < lo:
        raise Game24Error(f"range must be 1 <= first <= last, got {text!r}")
    return lo, hi


def select_ranks(puzzles: Iterable[Puzzle], ranks: str | tuple[int, int]) -> list[Puzzle]:
    lo, hi = parse_rank_range(ranks) if isinstance(ranks, str) else ranks
    return [p for p in puzzles if lo <= p.rank <= hi]
