"""Answers to one prompt packed into one row: the prompt once, then each answer at the
positions it would have alone, seeing the prompt and itself only (a block mask).

A reward model's rows are mostly prompt (a reading prompt is ~400 tokens, an answer ~40),
and the truth rater compares every pair of a prompt's answers: four answers in one row cost
~560 tokens of forward and backward instead of ~1,760 in four. Each answer's hidden states
are those of its own row (tested against the row-per-answer layout).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import torch
from torch import Tensor, nn

PROMPT, PAD = 0, -1  # segment ids: the prompt's tokens, padding (an answer's are 1, 2, ...)


@dataclass
class SharedPromptRows:
    """Rows of `prompt + answer + answer + ...`, right-padded, and where each answer lies."""

    input_ids: Tensor  # (R, L)
    positions: Tensor  # (R, L): a token's position were its answer alone after the prompt
    visible: Tensor  # (R, 1, L, L) bool: the keys each token attends to
    answer_row: Tensor  # (A,) the row of each answer, in the order they were given
    answer_start: Tensor  # (A,) its first token's index in the row
    answer_end: Tensor  # (A,) one past its last
    n_tokens: int  # real (unpadded) tokens in all rows
    # given targets: each target token (N,), its answer (N,) and the row index that predicts it (N,)
    target_ids: Tensor | None = None
    target_answer: Tensor | None = None
    target_from: Tensor | None = None

    def hidden(self, model: nn.Module) -> Tensor:
        """The final hidden states of every row (R, L, d_model)."""
        device = next(model.parameters()).device
        return model.packed_hidden(self.input_ids.to(device), self.positions.to(device), self.visible.to(device))

    def at_last(self, hidden: Tensor) -> Tensor:
        """Each answer's last token: hidden (R, L, ...) -> (A, ...)."""
        return hidden[self.answer_row.to(hidden.device), self.answer_end.to(hidden.device) - 1]

    def summed(self, per_token: Tensor) -> Tensor:
        """Per-token values (R, L) summed over each answer's tokens -> (A,)."""
        index = torch.arange(per_token.size(1), device=per_token.device)
        start, end = self.answer_start.to(index.device), self.answer_end.to(index.device)
        inside = (index >= start[:, None]) & (index < end[:, None])
        return (per_token[self.answer_row.to(index.device)] * inside).sum(-1)

    def answer_logprobs(self, model: nn.Module) -> Tensor:
        """log π(answer) per answer (A,): its target tokens' log-probs summed; the LM head
        runs on the predicting positions only."""
        if self.target_ids is None or self.target_answer is None or self.target_from is None:
            raise ValueError("these rows were packed without their answers' target tokens")
        hidden = self.hidden(model)
        device = hidden.device
        answer = self.target_answer.to(device)
        logits = model.logits(hidden[self.answer_row.to(device)[answer], self.target_from.to(device)]).float()
        picked = logits.log_softmax(-1).gather(-1, self.target_ids.to(device)[:, None])[:, 0]
        return torch.zeros(len(self.answer_row), dtype=picked.dtype, device=device).index_add(0, answer, picked)


def share_prompts(rows: Sequence[tuple[Sequence[int], int]], pad_id: int = 0,
                  targets: Sequence[Sequence[int]] | None = None) -> SharedPromptRows:
    """Token rows, each a prompt and its answer with where the answer begins -> one row per
    distinct prompt, its answers after it in the order given. `targets`: each answer's
    target tokens (its input tokens shifted by one: one more than it has inputs), for
    `answer_logprobs`."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, (tokens, start) in enumerate(rows):
        if len(tokens) <= start:
            raise ValueError(f"row {i} has no answer tokens after its prompt")
        groups.setdefault(tuple(tokens[:start]), []).append(i)
    packed, segments, positions = [], [], []
    answer_row, answer_start, answer_end = [0] * len(rows), [0] * len(rows), [0] * len(rows)
    for r, (prompt, members) in enumerate(groups.items()):
        tokens, segment, position = list(prompt), [PROMPT] * len(prompt), list(range(len(prompt)))
        for number, i in enumerate(members, 1):
            tail = rows[i][0][len(prompt):]
            answer_row[i], answer_start[i], answer_end[i] = r, len(tokens), len(tokens) + len(tail)
            tokens += tail
            segment += [number] * len(tail)
            position += range(len(prompt), len(prompt) + len(tail))
        packed.append(tokens)
        segments.append(segment)
        positions.append(position)
    width = max(len(t) for t in packed)
    input_ids = torch.full((len(packed), width), pad_id, dtype=torch.long)
    segment_ids = torch.full((len(packed), width), PAD, dtype=torch.long)
    position_ids = torch.zeros((len(packed), width), dtype=torch.long)
    for r, (tokens, segment, position) in enumerate(zip(packed, segments, positions, strict=True)):
        input_ids[r, : len(tokens)] = torch.tensor(tokens)
        segment_ids[r, : len(tokens)] = torch.tensor(segment)
        position_ids[r, : len(tokens)] = torch.tensor(position)
    query, key = segment_ids[:, :, None], segment_ids[:, None, :]
    earlier = position_ids[:, None, :] <= position_ids[:, :, None]
    visible = ((key == PROMPT) | (key == query)) & (key != PAD) & earlier
    visible[:, :, 0] |= query[:, :, 0] == PAD  # a pad sees the first token: no row of the mask is empty
    rows_of = SharedPromptRows(input_ids, position_ids, visible[:, None], torch.tensor(answer_row),
                               torch.tensor(answer_start), torch.tensor(answer_end), sum(len(t) for t in packed))
    return rows_of if targets is None else with_targets(rows_of, [start for _, start in rows], targets)


def with_targets(rows: SharedPromptRows, prompt_lengths: Sequence[int], targets: Sequence[Sequence[int]],
                 ) -> SharedPromptRows:
    """Each answer's first token is predicted by its prompt's last, each next one by the
    answer's own token before it."""
    ids, answer, predictor = [], [], []
    for i, (tokens, prompt_len) in enumerate(zip(targets, prompt_lengths, strict=True)):
        start, end = int(rows.answer_start[i]), int(rows.answer_end[i])
        if len(tokens) != end - start + 1:
            raise ValueError(f"answer {i} has {end - start} input tokens, so {end - start + 1} targets, "
                             f"not {len(tokens)}")
        ids += tokens
        answer += [i] * len(tokens)
        predictor += [prompt_len - 1, *range(start, end)]
    return replace(rows, target_ids=torch.tensor(ids), target_answer=torch.tensor(answer),
                   target_from=torch.tensor(predictor))
