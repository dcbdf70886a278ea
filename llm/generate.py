"""Prefill + decode: greedy and sampled decoding over token ids, streamed.

The engine speaks token ids. `n` samples of one prompt are decoded as one batch that
shares a single prefill (Tree-of-Thoughts asks for k thoughts at a time), and row i of a
batch is seeded with `seed + i`, so it equals a lone decode seeded with `seed + i`.
Turning the ids into text (incremental UTF-8, stop strings) is llm/completion.py's job.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence

import torch
from torch import Tensor

from llm.errors import ContextOverflowError
from llm.logits import TokenFilter, bias_first, keep_allowed, pick_tokens, process_logits
from llm.model import Transformer
from llm.sampling import SamplingConfig
from llm.threads import on_idle_cores, scored_on_idle_cores


def ensure_cache(model: Transformer, batch_size: int, length: int, keep: int = 0) -> None:
    """Reuse the preallocated cache when it has the rows and the room (a bigger one serves a
    smaller batch); otherwise grow it, with headroom, keeping its first `keep` positions."""
    cache = model.kv_cache
    if cache is not None and cache.rows >= batch_size and cache.length >= length:
        return
    window = model.config.max_seq_len
    model.setup_cache(batch_size, min(window, max(length, 256, -(-length // 512) * 512)), keep=keep)


def check_fits(model: Transformer, prompt_len: int, max_new_tokens: int) -> int:
    """The number of new tokens that fit; a prompt that fills the window is refused."""
    window = model.config.max_seq_len
    if prompt_len == 0:
        raise ValueError("the prompt is empty")
    if prompt_len >= window:
        raise ContextOverflowError(
            f"the prompt is {prompt_len} tokens; the context window holds {window}")
    return min(max_new_tokens, window - prompt_len)


# `Transformer.decode_step`, or its compiled twin (llm/compile.py): (idx, positions, end, shared) -> logits
DecodeStep = Callable[[Tensor, Tensor, int, int], Tensor]


def decode_one_token(model: Transformer, idx: Tensor, pos: Tensor, compiled: DecodeStep | None = None) -> Tensor:
    """Logits (B, vocab) after writing idx: (B, 1) at pos: (1,) into the cache.

    The compiled step serves batch 1, where per-op overhead dominates; a batch shares that
    overhead among its rows and decodes eagerly (measured no slower, and without compiling
    a second graph). The cache's bookkeeping runs here, outside the graph.
    """
    if compiled is None or idx.size(0) > 1:
        return model(idx, pos)[:, -1]
    start = int(pos[0])
    shared = model.kv_cache.begin(idx, start, start + 1, model.weights_state)
    return compiled(idx, pos, start + 1, shared)[:, -1]


def prefill(model: Transformer, prompt: Tensor, chunk: int, start: int = 0) -> Tensor:
    """Run prompt[start:] through the cache in chunks (bounded attention memory); last logits.

    Positions before `start` must already be in the cache (a reused prefix).
    """
    length = prompt.size(1)
    for begin in range(start, length, chunk):
        piece = prompt[:, begin:begin + chunk]
        pos = torch.arange(begin, begin + piece.size(1), device=prompt.device)
        logits = model(piece, pos, last_only=True)
    return logits[:, -1]


def prefill_cached(model: Transformer, prompt_ids: Sequence[int], n: int, length: int,
                   prefill_chunk: int = 512) -> Tensor:
    """Logits (1, vocab) after the prompt, with the cache ready for n rows and `length`
    positions; the prompt's prefix already in the cache is reused, not recomputed."""
    version = model.adapter_version()
    cache = model.kv_cache
    reuse = 0 if cache is None else cache.reusable_prefix(prompt_ids, model.weights_state, version)
    ensure_cache(model, n, length, keep=reuse)
    model.kv_cache.version = version
    reuse = min(reuse, len(model.kv_cache.tokens))
    prompt = torch.tensor([list(prompt_ids)], device=model.device)
    return prefill(model, prompt, prefill_chunk, start=reuse)


@on_idle_cores
@torch.inference_mode()
def generate_ids(model: Transformer, prompt_ids: Sequence[int], config: SamplingConfig, n: int = 1,
                 prefill_chunk: int = 512, compiled: DecodeStep | None = None,
                 token_filter: TokenFilter | None = None) -> Iterator[list[int | None]]:
    """Yield one step at a time: a list of n new token ids, None for finished rows.

    A row finishes on a stop token (which is yielded, then None) or at max_new_tokens.
    The decode loop allocates only what each step's ops return: positions, the token
    history and the cache are preallocated. `compiled`: see `decode_one_token`.
    `token_filter` constrains every row (see `TokenFilter`).
    """
    max_new = check_fits(model, len(prompt_ids), config.max_new_tokens)
    prompt_len = len(prompt_ids)
    generators = _row_generators(config, n)
    logits = bias_first(prefill_cached(model, prompt_ids, n, prompt_len + max_new, prefill_chunk), config)
    logits = logits.expand(n, -1)  # one prefill for all rows
    positions = torch.arange(prompt_len, prompt_len + max_new, device=model.device)
    penalize = config.repetition_penalty != 1.0
    history = torch.empty((n, prompt_len + max_new), dtype=torch.long, device=model.device)
    if penalize:
        history[:, :prompt_len] = torch.tensor(list(prompt_ids), device=model.device)
    alive = [True] * n
    stops = set(config.stop_token_ids)
    made: list[list[int]] = [[] for _ in range(n)]
    for step in range(max_new):
        if token_filter is not None:
            logits = keep_allowed(logits, [token_filter] * n, made)
        if config.greedy and not penalize:
            new = logits.argmax(-1)
        else:
            new = pick_tokens(process_logits(logits, history[:, :prompt_len + step], config), config, generators)
        tokens = new.tolist()
        yield [t if alive[i] else None for i, t in enumerate(tokens)]
        if token_filter is not None:
            for ids, token in zip(made, tokens, strict=True):
                ids.append(token)
        alive = [a and t not in stops for a, t in zip(alive, tokens, strict=True)]
        if not any(alive) or step == max_new - 1:
            return
        if penalize:
            history[:, prompt_len + step] = new
        logits = decode_one_token(model, new[:, None], positions[step:step + 1], compiled)


def _row_generators(config: SamplingConfig, n: int, seeds: Sequence[int] | None = None) -> list[torch.Generator]:
    """Row i's sampler seeded with seeds[i], or seed + i, so it equals a lone decode seeded so."""
    generators = []
    if not config.greedy:
        base = config.seed if config.seed is not None else torch.seed()
        for row in range(n):
            g = torch.Generator(device="cpu")
            g.manual_seed(seeds[row] if seeds is not None else base + row)
            generators.append(g)
    return generators


# (free rows, the position the next token is written at, positions left) -> prompts that join
# a running batch, each with its seed: each prompt no longer than the position, and
# wanting no more tokens than are left.
Arrivals = Callable[[int, int, int], Sequence[tuple[Sequence[int], int | None]]]


@on_idle_cores
@torch.inference_mode()
def generate_ragged_ids(model: Transformer, prompts: Sequence[Sequence[int]], config: SamplingConfig,
                        prefill_chunk: int = 512, seeds: Sequence[int] | None = None,
                        wanted: Callable[[int], bool] | None = None, arrivals: Arrivals | None = None,
                        capacity: int | None = None,
                        filters: Sequence[TokenFilter | None] | None = None) -> Iterator[list[int | None]]:
    """Like `generate_ids`, for several different prompts decoded as one batch; `seeds`
    gives each row its own seed (a server batching requests that each chose one).
    `wanted(i)`, asked after each step, says whether row i is still wanted (a server's
    client may have left, or its answer ended at its own limit); an unwanted row ends.
    Once half the rows have ended, the rest are packed into the first rows of the batch
    (cache, mask, history, samplers), so finished rows stop costing compute.
    `arrivals`, asked before each step while fewer than `capacity` rows decode, lets new
    prompts join the running batch (continuous batching): each is prefilled into a free
    row of the cache so that it ends where the batch writes next, left-padded as the
    first prompts were, and gets the next row index (the yielded lists grow).
    `filters[i]` constrains prompt i's row (see `TokenFilter`; not with `arrivals`).

    The prompts are left-padded to one length and the pads masked out. With rotary
    positions a row's attention depends only on distances between its own tokens, so the
    shift the padding adds changes nothing: row i equals a lone decode of prompt i (seeded
    with seed + i, or its own seed). Other position schemes would shift it, so they are
    refused here (`complete_ragged` decodes them one prompt at a time).
    """
    if model.config.positions != "rope":
        raise ValueError(f"ragged batches need rotary positions, not {model.config.positions!r}")
    if not prompts:
        return
    n = len(prompts)
    longest = max(len(p) for p in prompts)
    for prompt_ids in prompts:
        check_fits(model, len(prompt_ids), 1)
    max_new = check_fits(model, longest, config.max_new_tokens)
    total = longest + max_new
    if seeds is not None and len(seeds) != n:
        raise ValueError(f"{n} prompts but {len(seeds)} seeds")
    if filters is not None and (len(filters) != n or arrivals is not None):
        raise ValueError(f"{n} prompts but {len(filters)} token filters" if len(filters) != n
                         else "token filters do not combine with arrivals")
    made: list[list[int]] = [[] for _ in range(n)]
    capacity = max(capacity or n, n)
    generators = _row_generators(config, n, seeds)
    device = model.device
    ids = torch.zeros((n, longest), dtype=torch.long, device=device)
    real = torch.zeros((n, total), dtype=torch.long, device=device)
    history = torch.empty((n, total), dtype=torch.long, device=device)
    for row, prompt_ids in enumerate(prompts):
        pad = longest - len(prompt_ids)
        ids[row, pad:] = torch.tensor(list(prompt_ids), device=device)
        ids[row, :pad] = prompt_ids[0]  # a harmless stand-in, masked out and never penalised twice
        real[row, pad:] = 1
    real[:, longest:] = 1
    history[:, :longest] = ids
    ensure_cache(model, capacity, total)
    for begin in range(0, longest, prefill_chunk):
        piece = ids[:, begin:begin + prefill_chunk]
        pos = torch.arange(begin, begin + piece.size(1), device=device)
        logits = model(piece, pos, attention_mask=real, last_only=True)[:, -1]
    logits = bias_first(logits, config)
    positions = torch.arange(longest, total, device=device)
    rows = list(range(n))  # the prompt each row of the (packed) batch decodes
    alive = [True] * n
    stops = set(config.stop_token_ids)
    for step in range(max_new):
        where = longest + step
        if arrivals is not None and step and len(rows) < capacity:
            for prompt_ids, seed in arrivals(capacity - len(rows), where, total - where):
                row_logits, row_real, row_history = _join(model, prompt_ids, len(rows), where, total, prefill_chunk)
                row_logits = bias_first(row_logits, config)
                logits, real = torch.cat([logits, row_logits]), torch.cat([real, row_real])
                history = torch.cat([history, row_history])
                if not config.greedy:
                    generators.append(_seeded(seed))
                rows.append(n)
                alive.append(True)
                n += 1
        seen = history[:, :where]
        scores = process_logits(logits, seen, config)
        if filters is not None:
            scores = keep_allowed(scores, [filters[r] for r in rows], [made[r] for r in rows])
        new = pick_tokens(scores, config, generators)
        out: list[int | None] = [None] * n
        for j, token in enumerate(new.tolist()):
            if alive[j]:
                out[rows[j]] = token
                if filters is not None:
                    made[rows[j]].append(token)
        yield out
        alive = [a and out[rows[j]] not in stops and (wanted is None or wanted(rows[j]))
                 for j, a in enumerate(alive)]
        if not any(alive) or step == max_new - 1:
            return
        history[:, where] = new
        if 2 * alive.count(False) >= len(alive):
            keep = torch.tensor([j for j, a in enumerate(alive) if a], device=device)
            model.kv_cache.pack_rows(keep)
            history, real, new = history[keep], real[keep], new[keep]
            generators = [generators[j] for j in keep.tolist()] if generators else generators
            rows = [rows[j] for j in keep.tolist()]
            alive = [True] * len(rows)
        logits = model(new[:, None], positions[step:step + 1], attention_mask=real[:, :where + 1])[:, -1]


def _join(model: Transformer, prompt_ids: Sequence[int], row: int, where: int, total: int,
          chunk: int) -> tuple[Tensor, Tensor, Tensor]:
    """Prefill a prompt into cache row `row` so that it ends at position `where` (left
    padding before it, masked out); its next-token logits (1, vocab), its mask and token
    history rows (1, total)."""
    length = len(prompt_ids)
    if not 1 <= length <= where:
        raise ValueError(f"a prompt of {length} tokens cannot join a batch at position {where}")
    device = model.device
    tokens = torch.tensor([list(prompt_ids)], device=device)
    real = torch.zeros((1, total), dtype=torch.long, device=device)
    real[:, where - length:] = 1
    history = torch.full((1, total), prompt_ids[0], dtype=torch.long, device=device)
    history[:, where - length:where] = tokens
    for begin in range(0, length, chunk):
        piece = tokens[:, begin:begin + chunk]
        pos = torch.arange(where - length + begin, where - length + begin + piece.size(1), device=device)
        logits = model(piece, pos, attention_mask=real[:, :int(pos[-1]) + 1], last_only=True, cache_row=row)
    return logits[:, -1], real, history


def _seeded(seed: int | None) -> torch.Generator:
    generator = torch.Generator(device="cpu")
    generator.manual_seed(seed if seed is not None else torch.seed())
    return generator


@scored_on_idle_cores
@torch.inference_mode()
def continuation_logprobs(model: Transformer, prompt_ids: Sequence[int], continuations: Sequence[Sequence[int]],
                          prefill_chunk: int = 512) -> list[float]:
    """log P(continuation | prompt) of each continuation: the prompt is prefilled once (its
    cached prefix reused) and the continuations are scored as one batch, one step per token
    after their first. The prompt stays in the cache for the next call."""
    if not continuations or any(len(c) == 0 for c in continuations):
        raise ValueError("every continuation needs at least one token")
    n, longest, length = len(continuations), max(len(c) for c in continuations), len(prompt_ids)
    check_fits(model, length, 1)
    if length + longest > model.config.max_seq_len:
        raise ContextOverflowError(f"the prompt and its continuation exceed the context window "
                                   f"({model.config.max_seq_len} tokens)")
    first = prefill_cached(model, prompt_ids, n, length + longest, prefill_chunk)[0].float().log_softmax(-1)
    rows = [list(c) + [c[-1]] * (longest - len(c)) for c in continuations]
    tokens = torch.tensor(rows, device=model.device)
    total = first[tokens[:, 0]]
    lengths = torch.tensor([len(c) for c in continuations], device=model.device)
    for j in range(1, longest):
        pos = torch.arange(length + j - 1, length + j, device=model.device)
        logp = model(tokens[:, j - 1 : j], pos)[:, -1].float().log_softmax(-1)
        total = total + torch.where(lengths > j, logp.gather(1, tokens[:, j : j + 1]).squeeze(1), 0.0)
    return total.tolist()


@scored_on_idle_cores
@torch.inference_mode()
def suffix_logprobs(model: Transformer, prefixes: Sequence[Sequence[int]], suffix: Sequence[int],
                    batch: int = 8) -> list[float]:
    """Mean log P(suffix token | prefix, earlier suffix tokens) after each prefix. The rows go
    through the model `batch` at a time, right-padded and without the KV cache (a causal
    model never attends to the padding after a row's last token), and only the suffix's
    positions go through the vocabulary head."""
    from llm.train.lm import IGNORE_INDEX, target_logprobs

    if not suffix or any(len(p) == 0 for p in prefixes):
        raise ValueError("the suffix and every prefix need at least one token")
    window, tail = model.config.max_seq_len, list(suffix)
    wanted = torch.tensor(tail, device=model.device)
    out: list[float] = []
    for begin in range(0, len(prefixes), batch):
        rows = [list(p)[-(window - len(tail)):] + tail for p in prefixes[begin:begin + batch]]
        width = max(len(r) for r in rows)
        ids = torch.zeros((len(rows), width), dtype=torch.long, device=model.device)
        targets = torch.full_like(ids, IGNORE_INDEX)
        for i, row in enumerate(rows):
            ids[i, :len(row)] = torch.tensor(row)
            targets[i, len(row) - len(tail) - 1:len(row) - 1] = wanted
        out += (target_logprobs(model, ids, targets).sum(1) / len(suffix)).tolist()
    return out


@torch.inference_mode()
def next_token_logits(model: Transformer, prompt_ids: Sequence[int], prefill_chunk: int = 512) -> Tensor:
    """The logits (vocab,) after the prompt, reusing (and leaving) the prompt in the KV cache."""
    check_fits(model, len(prompt_ids), 1)
    return prefill_cached(model, prompt_ids, 1, len(prompt_ids) + 1, prefill_chunk)[0]


def seeded_row(config: SamplingConfig, row: int) -> SamplingConfig:
    """The sampling of row `row` of a batch: seed + row (unseeded stays unseeded)."""
    return config if config.seed is None else dataclasses.replace(config, seed=config.seed + row)
