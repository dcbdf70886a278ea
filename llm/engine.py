"""`Engine`: a loaded model with its tokenizer, the unit that callers hold on to.

It still speaks token ids (plus the tokenizer for whoever renders prompts); chat
templates stay in `agent/`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch

from llm.errors import IncompatibleWeightsError
from llm.generate import Completion, SamplingConfig, StreamingCompletion, complete_batch, next_token_logits
from llm.model import Transformer
from llm.quant import QuantKind, load_quantized, quantize_model, quantized_cache_file, save_quantized
from llm.tokenizer import Tokenizer
from llm.weights import LoadedWeights, build_model, load_weights, load_weights_cached

Precision = Literal["fp32", "bf16", "int8", "int4"]
PRECISIONS: tuple[str, ...] = ("fp32", "bf16", "int8", "int4")
DTYPES: dict[str, torch.dtype] = {"fp32": torch.float32, "bf16": torch.bfloat16}


def build_quantized(weights: LoadedWeights, kind: QuantKind, cache_dir: Path | None) -> Transformer:
    """A quantized model, read from `cache_dir` when it was quantized there before (the
    caller keys `cache_dir` by the source file's content, so a stale copy is never met)."""
    file = quantized_cache_file(cache_dir, kind) if cache_dir else None
    if file is not None and file.is_file():
        try:
            return load_quantized(weights.config, file, kind)
        except Exception:  # noqa: BLE001 - a damaged cache is rebuilt, never trusted
            file.unlink(missing_ok=True)
    model = quantize_model(build_model(weights), kind)
    if file is not None:
        save_quantized(model, file)
    return model


@dataclass
class Engine:
    model: Transformer
    tokenizer: Tokenizer
    name: str = "model"
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, *, precision: Precision = "fp32", cache_dir: Path | None = None,
             name: str | None = None) -> Engine:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
        weights = load_weights_cached(path, cache_dir) if cache_dir else load_weights(path)
        if weights.tokenizer is None:
            raise IncompatibleWeightsError(f"{path}: no tokenizer found beside the weights")
        if not weights.config.causal:
            raise IncompatibleWeightsError(f"{path}: an encoder model cannot generate text")
        if precision in DTYPES:
            model = build_model(weights, DTYPES[precision])
        else:
            model = build_quantized(weights, precision, cache_dir)  # type: ignore[arg-type]
        model.fuse_projections()
        return cls(model, weights.tokenizer, name or Path(path).stem, weights.metadata)

    @property
    def context_window(self) -> int:
        return self.model.config.max_seq_len

    def stream(self, prompt_ids: Sequence[int], sampling: SamplingConfig) -> StreamingCompletion:
        return StreamingCompletion(self.model, prompt_ids, sampling, self.tokenizer.decode_bytes)

    def complete(self, prompt_ids: Sequence[int], sampling: SamplingConfig, n: int = 1) -> list[Completion]:
        return complete_batch(self.model, prompt_ids, sampling, n, self.tokenizer.decode_bytes)

    @torch.inference_mode()
    def next_token_probs(self, prompt_ids: Sequence[int]) -> torch.Tensor:
        """The next-token distribution after the prompt, from one uncached forward pass."""
        return next_token_logits(self.model, prompt_ids).float().softmax(-1)
