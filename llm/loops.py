"""Seeing an answer loop: a small model's greedy answer can fall into saying one stretch
of tokens over and over ("a gentle rain, a gentle rain, …") until the token limit. Every
token before the loop is the same with or without the watch, so stopping there costs the
answer nothing and saves the rest of the decode.

    watch = LoopWatch(min_tokens=32)
    for token in tokens:
        ids.append(token)
        if watch.looping(ids):
            break
    loop_end(answer_ids, 32)  # where the stop would have ended a finished answer
    loops(answer_ids, stop_ids)  # whether `kigi ask`'s stop would end it (its stop tokens aside)
    repeated_ngrams(answer_ids)  # how much of it says again what it said before (0 to 1)
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

REPEATS = 3  # a stretch said this many times in a row is a loop (twice can be emphasis)
LONGEST_UNIT = 64  # the longest stretch looked for, in tokens
ANSWER_LOOP_STOP = 32  # `kigi ask` / `kigi chat`: a loop is cut once its repeats fill this many tokens


class LoopWatch:
    """True once the latest tokens are one unit of 1–`longest_unit` tokens said `repeats`
    times in a row, and the repeats fill at least `min_tokens` tokens (so "very, very, very"
    is not a loop, and a short unit must come round more often).

    Incremental: `runs[n]` counts how many of the latest tokens equal the token n places
    before each, so a call costs one comparison per unit length, not a scan of the answer."""

    def __init__(self, min_tokens: int, *, repeats: int = REPEATS, longest_unit: int = LONGEST_UNIT) -> None:
        if min_tokens < 1 or repeats < 2 or longest_unit < 1:
            raise ValueError(f"LoopWatch needs min_tokens >= 1, repeats >= 2 and longest_unit >= 1, "
                             f"got {min_tokens}, {repeats}, {longest_unit}")
        self.min_tokens, self.repeats = min_tokens, repeats
        self.runs = [0] * (longest_unit + 1)
        self.seen = 0

    def looping(self, ids: Sequence[int]) -> bool:
        """Call once per appended token with all the answer's ids so far."""
        if len(ids) != self.seen + 1:
            raise ValueError("LoopWatch.looping must see each token once, in order")
        self.seen = len(ids)
        last, runs, found = ids[-1], self.runs, False
        for unit in range(1, min(len(runs) - 1, len(ids) - 1) + 1):
            runs[unit] = runs[unit] + 1 if ids[-1 - unit] == last else 0
            # the last runs[unit] + unit tokens repeat with period `unit`
            if runs[unit] >= unit * (self.repeats - 1) and runs[unit] + unit >= self.min_tokens:
                found = True
        return found


def loop_end(ids: Sequence[int], min_tokens: int, **watch: int) -> int | None:
    """How many of a finished answer's tokens the loop stop keeps (None: it never fires):
    the watch replayed over them, as a stream would have fed it."""
    watcher, seen = LoopWatch(min_tokens, **watch), []
    for token in ids:
        seen.append(token)
        if watcher.looping(seen):
            return len(seen)
    return None


def loops(ids: Sequence[int], stop_ids: Collection[int] = ()) -> bool:
    """Whether the default loop stop (`ANSWER_LOOP_STOP`) would end this finished answer,
    its stop tokens left out: a training signal's or a check's "this answer loops"."""
    return loop_end([t for t in ids if t not in stop_ids], ANSWER_LOOP_STOP) is not None


def repeated_ngrams(ids: Sequence[int], n: int = 4) -> float:
    """Share of the answer's n-grams that repeat an earlier one: 1 − distinct / all (seq-rep-n,
    Welleck et al. 2019, "Neural Text Generation with Unlikelihood Training"). A graded
    measure of degeneration where `loops` is yes or no: a sentence said three times apart
    raises it though no stop would fire. 0 for an answer shorter than n."""
    grams = [tuple(ids[i:i + n]) for i in range(len(ids) - n + 1)]
    return 1 - len(set(grams)) / len(grams) if grams else 0.0
