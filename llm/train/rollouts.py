"""Rollouts for on-policy training: the prompts to answer, answers sampled with the active
adapter, the answers as padded tensors, and log-probs (and values) of their tokens from one
forward pass. PPO is built on these; `sequence_kl` measures how far an adapter has moved
from its base on its own answers."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from llm.generate import generate_ids, generate_ragged_ids
from llm.lora import adapters_of
from llm.sampling import SamplingConfig
from llm.train.data import ChatMessage, Render, check_messages
from llm.train.lm import IGNORE_INDEX
from llm.train.loop import DataError
from llm.train.scalar_head import ScalarHead
from llm.train.shared_prompt import SharedPromptRows, share_prompts


# -- prompts --------------------------------------------------------------------------------------
def prompt_of(record: Any, where: str) -> list[dict[str, str]]:
    """A prompt (chat messages) from a string, `{"prompt": messages | str}` (also a
    preference record), `{"messages": [...]}` (up to its last user message) or `{"question": str}`."""
    if isinstance(record, str):
        return [{"role": "user", "content": record}]
    if not isinstance(record, Mapping):
        raise DataError(f"{where}: a prompt must be a string or a JSON object")
    if isinstance(record.get("prompt"), str) or isinstance(record.get("question"), str):
        return [{"role": "user", "content": record.get("prompt") or record["question"]}]
    if "prompt" in record:
        return check_messages(record["prompt"], f"{where} prompt")
    if "messages" in record:
        messages = check_messages(record["messages"], f"{where} messages")
        last_user = max((i for i, m in enumerate(messages) if m["role"] == "user"), default=None)
        if last_user is None:
            raise DataError(f"{where}: no user message to answer")
        return messages[: last_user + 1]
    raise DataError(f"{where}: expected a 'prompt', 'messages' or 'question' field")


def read_prompts(path: Path) -> list[list[dict[str, str]]]:
    """Prompts from a JSONL file (see `prompt_of`) or a text file of one question per line."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"no such prompt file: {path}")
    prompts = []
    with path.open(encoding="utf-8") as fp:
        for number, line in enumerate(fp, 1):
            if not line.strip():
                continue
            if path.suffix == ".jsonl":
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
                prompts.append(prompt_of(record, f"{path}:{number}"))
            else:
                prompts.append([{"role": "user", "content": line.strip()}])
    if not prompts:
        raise DataError(f"{path}: no prompts")
    return prompts


def prompt_list(prompts: Path | Sequence[Any], what: str) -> list[list[dict[str, str]]]:
    """Chat prompts from a file (`read_prompts`) or a list of prompts (`prompt_of`)."""
    messages = (read_prompts(Path(prompts)) if isinstance(prompts, str | Path)
                else [prompt_of(p, f"prompt {i}") for i, p in enumerate(prompts, 1)])
    if not messages:
        raise DataError(f"no {what}")
    return messages


def rendered(messages: Sequence[Sequence[ChatMessage]], render: Render, window: int, what: str) -> list[list[int]]:
    """Token ids of each prompt, ready for an answer; one that fills the context window is refused."""
    queries = []
    for number, prompt in enumerate(messages, 1):
        ids = render(prompt, True)
        if len(ids) >= window:
            raise DataError(f"{what} {number} is {len(ids)} tokens, which leaves no room for an answer within "
                            f"the context window of {window} tokens")
        queries.append(ids)
    return queries


# -- rollouts -------------------------------------------------------------------------------------
@dataclass
class Rollouts:
    queries: list[list[int]]
    responses: list[list[int]]  # each ends with a stop token when `finished`
    finished: list[bool]
    prompt_index: list[int]

    def __len__(self) -> int:
        return len(self.responses)


@torch.no_grad()
def sample_rollouts(model: nn.Module, queries: Sequence[Sequence[int]], sampling: SamplingConfig,
                    samples: int = 1, prompt_index: Sequence[int] | None = None, batch_rows: int = 16) -> Rollouts:
    """`samples` answers to each query, sampled with the active adapter. Sample j of query k
    is seeded with `sampling.seed + k * samples + j` (reproducible, and a resume redraws
    the same rollouts). Up to `batch_rows` answers are decoded together as one left-padded
    batch (`generate_ragged_ids`: row i equals a lone decode seeded with seed + i, so the
    answers do not depend on `batch_rows`); `batch_rows=1`, or a model without rotary
    positions, decodes one query's samples at a time."""
    if batch_rows < 1:
        raise ValueError(f"batch_rows must be >= 1, got {batch_rows}")
    out = Rollouts([], [], [], [])
    stops = set(sampling.stop_token_ids)
    rows_of = [list(query) for query in queries for _ in range(samples)]
    was_training = model.training
    model.eval()
    model.clear_cache()  # the cache may hold keys computed before the last update, or with another adapter
    try:
        ragged = batch_rows > 1 and model.config.positions == "rope"
        group = batch_rows if ragged else samples
        for begin in range(0, len(rows_of), group):
            chunk = rows_of[begin:begin + group]
            seed = None if sampling.seed is None else sampling.seed + begin
            answers: list[list[int]] = [[] for _ in chunk]
            steps = (generate_ragged_ids(model, chunk, replace(sampling, seed=seed)) if ragged
                     else generate_ids(model, chunk[0], replace(sampling, seed=seed), n=len(chunk)))
            for step in steps:
                for row, token in zip(answers, step, strict=True):
                    if token is not None:
                        row.append(token)
            for offset, (query, row) in enumerate(zip(chunk, answers, strict=True)):
                k = (begin + offset) // samples
                out.queries.append(query)
                out.responses.append(row)
                out.finished.append(bool(row) and row[-1] in stops)
                out.prompt_index.append(prompt_index[k] if prompt_index is not None else k)
    finally:
        model.clear_cache()
        model.train(was_training)
    return out


@dataclass
class RolloutBatch:
    """Rollouts as tensors. Row i: query + response[:-1], right-padded; the response's tokens
    are the targets at the positions that predict them. (N, L) tensors hold one entry per
    response token, left-aligned, where `mask` is true."""

    input_ids: Tensor  # (N, T)
    targets: Tensor  # (N, T)
    mask: Tensor  # (N, L) bool
    old_logprobs: Tensor | None = None  # (N, L)
    ref_logprobs: Tensor | None = None
    old_values: Tensor | None = None
    advantages: Tensor | None = None
    returns: Tensor | None = None
    scores: Tensor | None = None  # (N,)

    @classmethod
    def build(cls, queries: Sequence[Sequence[int]], responses: Sequence[Sequence[int]], pad_id: int = 0,
              ) -> RolloutBatch:
        if any(not r for r in responses):
            raise DataError("a rollout has an empty response")
        lengths = [len(q) + len(r) - 1 for q, r in zip(queries, responses, strict=True)]
        width, longest = max(lengths), max(len(r) for r in responses)
        input_ids = torch.full((len(queries), width), pad_id, dtype=torch.long)
        targets = torch.full((len(queries), width), IGNORE_INDEX, dtype=torch.long)
        mask = torch.zeros((len(queries), longest), dtype=torch.bool)
        for i, (query, response) in enumerate(zip(queries, responses, strict=True)):
            row = list(query) + list(response)
            input_ids[i, : lengths[i]] = torch.tensor(row[:-1])
            targets[i, len(query) - 1 : lengths[i]] = torch.tensor(list(response))
            mask[i, : len(response)] = True
        return cls(input_ids, targets, mask)

    def __len__(self) -> int:
        return self.input_ids.size(0)

    def select(self, index: Tensor) -> RolloutBatch:
        """Rows `index`, trimmed to their own longest row."""
        targets = self.targets[index]
        width = int((targets != IGNORE_INDEX).nonzero()[:, 1].max()) + 1
        longest = int(self.mask[index].sum(1).max())

        def rows(x: Tensor | None) -> Tensor | None:
            return None if x is None else x[index][:, :longest] if x.ndim == 2 else x[index]

        return RolloutBatch(self.input_ids[index, :width], targets[:, :width], self.mask[index][:, :longest],
                            rows(self.old_logprobs), rows(self.ref_logprobs), rows(self.old_values),
                            rows(self.advantages), rows(self.returns), rows(self.scores))


def shared_layout(batch: RolloutBatch) -> SharedPromptRows | None:
    """The batch's responses packed under their prompts, each prompt read once — None where
    no prompt repeats (nothing to save) or a response has a single token (no input of its
    own). The targets come out in `mask`'s row-major order."""
    rows, targets = [], []
    for inputs, target in zip(batch.input_ids.tolist(), batch.targets.tolist(), strict=True):
        first = next(i for i, t in enumerate(target) if t != IGNORE_INDEX)
        response = [t for t in target[first:] if t != IGNORE_INDEX]
        if len(response) < 2:
            return None
        rows.append((inputs[: first + len(response)], first + 1))
        targets.append(response)
    if len({tuple(tokens[:start]) for tokens, start in rows}) == len(rows):
        return None
    return share_prompts(rows, targets=targets)


def logprobs_and_values(model: nn.Module, value_head: ScalarHead | None, batch: RolloutBatch,
                        temperature: float = 1.0, with_entropy: bool = False, share: bool = True,
                        ) -> tuple[Tensor, Tensor | None, Tensor | None]:
    """Per response token: log π(a_t) (N, L), the value V_t (N, L) and the entropy (mean),
    from one forward pass of the active adapter; with `share`, responses to one prompt read
    it once (the same numbers, fewer tokens)."""
    device = next(model.parameters()).device
    mask = batch.mask.to(device)
    shared = shared_layout(batch) if share and hasattr(model, "packed_hidden") else None
    if shared is None:
        input_ids, targets = batch.input_ids.to(device), batch.targets.to(device)
        hidden = model(input_ids, return_hidden=True)  # (N, T, d)
        positions = (targets != IGNORE_INDEX).nonzero()
        picked = hidden[positions[:, 0], positions[:, 1]]  # (n, d), row-major like mask's True entries
        wanted = targets[positions[:, 0], positions[:, 1]]
    else:
        hidden = shared.hidden(model)
        answer = shared.target_answer.to(device)
        picked = hidden[shared.answer_row.to(device)[answer], shared.target_from.to(device)]
        wanted = shared.target_ids.to(device)
    logits = model.logits(picked) if hasattr(model, "logits") else model.lm_head(picked)
    all_logprobs = (logits.float() / temperature).log_softmax(-1)
    chosen = all_logprobs.gather(-1, wanted[:, None])[:, 0]
    logprobs = torch.zeros(mask.shape, dtype=chosen.dtype, device=device)
    logprobs[mask] = chosen
    values = None
    if value_head is not None:
        values = torch.zeros(mask.shape, dtype=torch.float32, device=device)
        values[mask] = value_head(picked)
    entropy = None
    if with_entropy:
        with torch.no_grad():
            entropy = -(all_logprobs.exp() * all_logprobs).sum(-1).mean()
    return logprobs, values, entropy


@torch.no_grad()
def sequence_kl(model: nn.Module, adapter: str | None, queries: Sequence[Sequence[int]],
                responses: Sequence[Sequence[int]], temperature: float = 1.0, pad_id: int = 0,
                reference: str | None = None) -> Tensor:
    """Σ_t log π(a_t) − log πref(a_t) per response (N,): for responses sampled from π
    (adapter `adapter`), its mean estimates KL(π‖πref), πref being the adapter `reference`
    (None: the base without adapter)."""
    adapters = adapters_of(model)
    batch = RolloutBatch.build(queries, responses, pad_id)
    was_training = model.training
    model.eval()
    try:
        with adapters.using(adapter):
            policy, _, _ = logprobs_and_values(model, None, batch, temperature)
        with adapters.using(reference):
            kept_near, _, _ = logprobs_and_values(model, None, batch, temperature)
    finally:
        model.train(was_training)
    return ((policy - kept_near) * batch.mask.to(policy.device)).sum(1).cpu()
