"""Training data as token batches: chat SFT (loss on assistant tokens only) and preference pairs.

The core knows no chat template: callers hand in `render(messages, add_generation_prompt)
-> token ids` (agent/ wraps its ChatTemplate so). Which tokens are the assistant's is
found by rendering each conversation prefix: the tokens that an assistant message adds
after the opened assistant turn (its text and end-of-turn marker) are the targets;
everything else (system, user, the `<|im_start|>assistant` header) is context only.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from llm.train.lm import IGNORE_INDEX
from llm.train.loop import DataError
from llm.train.shared_prompt import SharedPromptRows, share_prompts

ChatMessage = Mapping[str, str]
Render = Callable[[Sequence[ChatMessage], bool], list[int]]  # (messages, add_generation_prompt) -> ids
ROLES = ("system", "user", "assistant")


# -- files -----------------------------------------------------------------------------------
def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSONL file; a bad line is named by number."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"no such data file: {path}")
    records = []
    with path.open(encoding="utf-8") as fp:
        for number, line in enumerate(fp, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise DataError(f"{path}:{number}: each line must be a JSON object")
            records.append(record)
    if not records:
        raise DataError(f"{path}: no records")
    return records


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fp:
        for chunk in iter(lambda: fp.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def split_records(records: Sequence[Any], eval_fraction: float, seed: int = 0,
                  group: Callable[[Any], Hashable] | None = None) -> tuple[list[Any], list[Any]]:
    """(train, held-out) by a seeded shuffle. With `group`, records that share a key
    (e.g. the same puzzle) fall on the same side, so the held-out set is really unseen."""
    if not 0 <= eval_fraction < 1:
        raise ValueError(f"eval_fraction must be in [0, 1), got {eval_fraction!r}")
    keys = [group(r) if group else i for i, r in enumerate(records)]
    unique = list(dict.fromkeys(keys))
    random.Random(seed).shuffle(unique)
    n_eval = 0 if eval_fraction == 0 or len(unique) < 2 else max(1, round(len(unique) * eval_fraction))
    held = set(unique[:n_eval])
    train = [r for r, k in zip(records, keys, strict=True) if k not in held]
    held_out = [r for r, k in zip(records, keys, strict=True) if k in held]
    return train, held_out


# -- one conversation -> ids + target mask -------------------------------------------------
@dataclass(frozen=True)
class Example:
    ids: tuple[int, ...]
    mask: tuple[bool, ...]  # mask[i]: token i is a target (written by the assistant)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def n_targets(self) -> int:
        return sum(self.mask)

    def truncated(self, length: int) -> Example:
        return Example(self.ids[:length], self.mask[:length])


def check_messages(messages: Any, where: str) -> list[dict[str, str]]:
    if not isinstance(messages, list) or not messages:
        raise DataError(f"{where}: 'messages' must be a non-empty list")
    out = []
    for i, message in enumerate(messages):
        if not isinstance(message, Mapping) or message.get("role") not in ROLES \
                or not isinstance(message.get("content"), str):
            raise DataError(f"{where}: message {i} must be {{'role': system|user|assistant, 'content': str}}")
        out.append({"role": message["role"], "content": message["content"]})
    return out


def chat_example(messages: Sequence[ChatMessage], render: Render, train_from: int = 0,
                 where: str = "record") -> Example:
    """Token ids of a conversation and which of them are targets: the tokens of each
    assistant message at index >= `train_from` (its text and end-of-turn marker)."""
    ids: list[int] = []
    mask: list[bool] = []
    last = max((i for i, m in enumerate(messages) if m["role"] == "assistant" and i >= train_from), default=None)
    if last is None:
        raise DataError(f"{where}: no assistant message to learn from")
    for i in range(last + 1):
        if messages[i]["role"] != "assistant" or i < train_from:
            continue
        prompt = render(messages[:i], True)
        full = render(messages[: i + 1], False)
        if prompt[: len(ids)] != ids or full[: len(prompt)] != prompt:
            raise DataError(f"{where}: the chat template does not render a conversation as a prefix of its "
                            "continuation, so assistant tokens cannot be found")
        mask += [False] * (len(prompt) - len(ids)) + [True] * (len(full) - len(prompt))
        ids = full
    return Example(tuple(ids), tuple(mask))


@dataclass
class DataStats:
    examples: int = 0
    tokens: int = 0
    targets: int = 0
    truncated: int = 0  # longer than the window: cut at its end
    dropped: int = 0  # no target left after cutting

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def sft_examples(records: Sequence[Mapping[str, Any]], render: Render, seq_len: int) -> tuple[list[Example], DataStats]:
    """Chat records (`{"messages": [...]}`) as examples of at most `seq_len + 1` tokens
    (a row of L + 1 tokens gives L inputs and L next-token targets)."""
    examples, stats = [], DataStats()
    for number, record in enumerate(records, 1):
        where = f"record {number}"
        example = chat_example(check_messages(record.get("messages"), where), render, where=where)
        if len(example) > seq_len + 1:
            example = example.truncated(seq_len + 1)
            stats.truncated += 1
        if not any(example.mask[1:]):
            stats.dropped += 1
            continue
        examples.append(example)
        stats.examples += 1
        stats.tokens += len(example)
        stats.targets += sum(example.mask[1:])
    if not examples:
        raise DataError(f"no usable examples ({stats.dropped} had no assistant tokens within {seq_len} tokens)")
    return examples, stats


# -- batches --------------------------------------------------------------------------------
@dataclass
class TokenBatch:
    """Rows padded on the right; targets are the next tokens, IGNORE_INDEX where not learned."""

    input_ids: Tensor  # (B, T)
    targets: Tensor  # (B, T)
    lengths: Tensor  # (B,) real (unpadded) input tokens per row

    @property
    def n_tokens(self) -> int:
        return int(self.lengths.sum())

    @property
    def n_targets(self) -> int:
        return int((self.targets != IGNORE_INDEX).sum())


def collate(rows: Sequence[Example], pad_id: int = 0) -> TokenBatch:
    """Rows of ids (+ masks) -> inputs row[:-1], targets row[1:] where masked in, padded.

    Padding sits at the end of a row, so a causal model needs no attention mask: no real
    token ever attends to it, and it carries no target.
    """
    width = max(len(r) for r in rows) - 1
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    targets = torch.full((len(rows), width), IGNORE_INDEX, dtype=torch.long)
    lengths = torch.zeros(len(rows), dtype=torch.long)
    for i, row in enumerate(rows):
        n = len(row) - 1
        ids = torch.tensor(row.ids, dtype=torch.long)
        input_ids[i, :n] = ids[:-1]
        targets[i, :n] = torch.where(torch.tensor(row.mask[1:]), ids[1:], IGNORE_INDEX)
        lengths[i] = n
    return TokenBatch(input_ids, targets, lengths)


def pack(examples: Sequence[Example], row_len: int) -> list[Example]:
    """Whole examples into rows of at most `row_len` tokens, best-fit decreasing.

    Examples in one row attend to the ones before them (the model takes no block mask);
    each keeps its own targets. A row never splits an example.
    """
    by_room: list[list[int]] = [[] for _ in range(row_len + 1)]  # room left -> row indices
    rows: list[list[Example]] = []
    room: list[int] = []
    for example in sorted(examples, key=len, reverse=True):
        n = len(example)
        fit = next((r for r in range(n, row_len + 1) if by_room[r]), None)
        if fit is None:
            rows.append([example])
            room.append(row_len - n)
            by_room[row_len - n].append(len(rows) - 1)
            continue
        index = by_room[fit].pop()
        rows[index].append(example)
        room[index] -= n
        by_room[room[index]].append(index)
    return [Example(tuple(t for e in row for t in e.ids), tuple(m for e in row for m in e.mask)) for row in rows]


class SFTBatches:
    """A BatchSource of TokenBatches: rows (packed or one example each), shuffled per epoch."""

    def __init__(self, examples: Sequence[Example], batch_size: int, seq_len: int, *, packed: bool = True,
                 seed: int = 0, pad_id: int = 0, shuffle: bool = True) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.rows = pack(examples, seq_len + 1) if packed else list(examples)
        self.batch_size, self.seed, self.pad_id, self.shuffle = batch_size, seed, pad_id, shuffle

    def __len__(self) -> int:
        return math.ceil(len(self.rows) / self.batch_size)

    def epoch(self, index: int) -> list[TokenBatch]:
        order = list(range(len(self.rows)))
        if self.shuffle:
            random.Random(self.seed * 1_000_003 + index).shuffle(order)
        return [collate([self.rows[i] for i in order[k:k + self.batch_size]], self.pad_id)
                for k in range(0, len(order), self.batch_size)]

    @property
    def tokens_per_epoch(self) -> int:
        return sum(len(r) - 1 for r in self.rows)


# -- preference pairs (reward models, DPO) ---------------------------------------------------
@dataclass(frozen=True)
class PreferencePair:
    chosen: Example
    rejected: Example
    prompt_len: int


def _turns(value: Any, where: str, field: str) -> list[dict[str, str]]:
    if isinstance(value, str):  # a bare answer string is one assistant message
        return [{"role": "assistant", "content": value}]
    return check_messages(value, f"{where} {field}")


def preference_pairs(records: Sequence[Mapping[str, Any]], render: Render, seq_len: int) -> list[PreferencePair]:
    """`{"prompt": [messages], "chosen": [messages], "rejected": [messages]}` (TRL's
    conversational format) as pairs whose targets are the answers only. A prompt that
    leaves no room for an answer within `seq_len` is refused; a long answer is cut."""
    pairs = []
    for number, record in enumerate(records, 1):
        where = f"record {number}"
        prompt = check_messages(record.get("prompt"), f"{where} prompt")
        sides = []
        for field in ("chosen", "rejected"):
            if field not in record:
                raise DataError(f"{where}: no {field!r} answer")
            example = chat_example(prompt + _turns(record[field], where, field), render, train_from=len(prompt),
                                   where=f"{where} {field}")
            sides.append(example)
        prompt_len = min(e.mask.index(True) for e in sides)
        if prompt_len >= seq_len:
            raise DataError(f"{where}: the prompt is {prompt_len} tokens, which leaves no room for an answer "
                            f"within {seq_len} tokens")
        chosen, rejected = (e.truncated(seq_len + 1) for e in sides)
        pairs.append(PreferencePair(chosen, rejected, prompt_len))
    if not pairs:
        raise DataError("no preference pairs")
    return pairs


@dataclass
class PreferenceBatch:
    """B pairs as one TokenBatch, so one forward pass scores both sides: 2B rows, chosen
    answers first, then rejected ones; or, with `chosen_rows`/`rejected_rows`, each distinct
    answer once and the pairs as indices into the rows (four answers to one prompt make six
    pairs from four rows, not twelve). `shared`: the same answers packed under their prompts
    (reward models and DPO read each prompt once)."""

    both: TokenBatch
    chosen_rows: Tensor | None = None
    rejected_rows: Tensor | None = None
    shared: SharedPromptRows | None = None

    @property
    def n_tokens(self) -> int:
        """Tokens the model reads for this batch: each prompt once when its answers share it."""
        return self.shared.n_tokens if self.shared is not None else self.both.n_tokens

    @property
    def n_pairs(self) -> int:
        return self.both.input_ids.size(0) // 2 if self.chosen_rows is None else len(self.chosen_rows)

    def split(self, values: Tensor) -> tuple[Tensor, Tensor]:
        """Per-row values (rows, ...) -> (chosen (B, ...), rejected (B, ...))."""
        if self.chosen_rows is None or self.rejected_rows is None:
            return values[: self.n_pairs], values[self.n_pairs:]
        return values[self.chosen_rows], values[self.rejected_rows]


class PreferenceBatches:
    """A BatchSource of PreferenceBatches, shuffled per epoch by prompt: the pairs of one
    prompt stay together (as InstructGPT trains on all comparisons of a prompt at once), so
    an answer in several pairs is a row of its batch once. With `shared_prompts` each batch
    also packs the answers to one prompt into one row (`llm.train.shared_prompt`)."""

    def __init__(self, pairs: Sequence[PreferencePair], batch_size: int, *, seed: int = 0, pad_id: int = 0,
                 shuffle: bool = True, shared_prompts: bool = False) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.pairs, self.batch_size, self.seed = list(pairs), batch_size, seed
        self.pad_id, self.shuffle, self.shared_prompts = pad_id, shuffle, shared_prompts
        by_prompt: dict[tuple[int, ...], list[int]] = {}
        for i, pair in enumerate(self.pairs):
            by_prompt.setdefault(pair.chosen.ids[: pair.prompt_len], []).append(i)
        self.groups = list(by_prompt.values())

    def __len__(self) -> int:
        return math.ceil(len(self.pairs) / self.batch_size)

    def epoch(self, index: int) -> list[PreferenceBatch]:
        ordered = list(self.groups)
        if self.shuffle:
            random.Random(self.seed * 1_000_003 + index).shuffle(ordered)
        order = [i for group in ordered for i in group]
        return [self._batch([self.pairs[i] for i in order[k:k + self.batch_size]])
                for k in range(0, len(order), self.batch_size)]

    def _batch(self, chunk: list[PreferencePair]) -> PreferenceBatch:
        sides = [p.chosen for p in chunk] + [p.rejected for p in chunk]
        distinct: dict[tuple[int, ...], Example] = {}
        for example in sides:
            distinct.setdefault(example.ids, example)
        shared = shared_rows(list(distinct.values()), self.pad_id) if self.shared_prompts else None
        if len(distinct) == len(sides) and shared is None:  # nothing shared: the plain layout
            return PreferenceBatch(collate(sides, self.pad_id))
        row = {ids: i for i, ids in enumerate(distinct)}
        index = torch.tensor([row[e.ids] for e in sides])
        return PreferenceBatch(collate(list(distinct.values()), self.pad_id), index[: len(chunk)], index[len(chunk):],
                               shared)


def shared_rows(answers: Sequence[Example], pad_id: int = 0) -> SharedPromptRows:
    """Examples (a prompt and one answer each, as `collate` reads them: inputs all ids but the
    last, targets the answer's tokens) packed under their shared prompts."""
    starts = [e.mask.index(True) for e in answers]
    return share_prompts([(e.ids[:-1], start) for e, start in zip(answers, starts, strict=True)], pad_id,
                         [e.ids[start:] for e, start in zip(answers, starts, strict=True)])
