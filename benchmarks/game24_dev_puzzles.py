"""Development puzzles for choosing Game of 24 search settings without the test set.

    python benchmarks/game24_dev_puzzles.py [--count 40] [--seed 11] > game24-dev.csv
    kigi eval game24 --data game24-dev.csv --range 1-40 ...

game24.csv holds every solvable set of four numbers from 1 to 13, so every such set is a
training or a test puzzle. These are solvable sets from 1 to 20 with at least one number
above 13: none is in the csv (nor, by their numbers, in the test set), and the adapters
never saw them as puzzles. Larger numbers make them a different mix than ranks 901-1000,
so a figure here ranks settings; it is not the test figure. Written in game24.csv's format
(`Rank,Puzzles`), in the order drawn.
"""

from __future__ import annotations

import argparse
import random
import sys
from fractions import Fraction

import _root  # noqa: F401  (the repository root on sys.path)

from agent.tasks.game24 import solvable  # noqa: E402

HIGHEST = 20
ABOVE = 13  # the csv's highest number


def dev_puzzles(count: int, seed: int) -> list[tuple[int, ...]]:
    rng = random.Random(seed)
    found: dict[tuple[int, ...], None] = {}
    while len(found) < count:
        numbers = tuple(sorted(rng.randint(1, HIGHEST) for _ in range(4)))
        if max(numbers) > ABOVE and solvable(tuple(Fraction(x) for x in numbers)):
            found.setdefault(numbers)
    return list(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    sys.stdout.write("Rank,Puzzles\n")
    for rank, numbers in enumerate(dev_puzzles(args.count, args.seed), 1):
        sys.stdout.write(f"{rank},{' '.join(map(str, numbers))}\n")


if __name__ == "__main__":
    main()
