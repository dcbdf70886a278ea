"""`Engine`: a loaded model with its tokenizer, the unit that callers hold on to.

It still speaks token ids (plus the tokenizer for whoever renders prompts); chat
templates stay in `agent/`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from llm.compile import CompiledOrEager, compile_decode
from llm.config import PRECISIONS, ModelConfig, Precision
from llm.errors import IncompatibleWeightsError
from llm.generate import (
    Completion,
    SamplingConfig,
    StreamingCompletion,
    complete_batch,
    complete_ragged,
    continuation_logprobs,
    generate_ids,
    next_token_logits,
)
from llm.model import Transformer
from llm.quant import QuantKind, load_quantized, quantize_model, quantized_cache_file, save_quantized
from llm.tokenizer import Tokenizer
from llm.weights import (
    CHECKPOINT_CONFIG,
    CHECKPOINT_TOKENIZER,
    LoadedWeights,
    build_model,
    load_weights,
    load_weights_cached,
)

DTYPES: dict[str, torch.dtype] = {"fp32": torch.float32, "bf16": torch.bfloat16}


def quick_header(cache_dir: Path, precision: str) -> LoadedWeights | None:
    """Config, tokenizer and metadata of a cached checkpoint, without its float tensors,
    when quantized weights for `precision` are cached beside it (saves reading ~0.5 GB)."""
    if precision in DTYPES or not quantized_cache_file(cache_dir, precision).is_file():  # type: ignore[arg-type]
        return None
    try:
        data = json.loads((Path(cache_dir) / CHECKPOINT_CONFIG).read_text(encoding="utf-8"))
        if data.pop("format", None) != "kigi":
            return None
        metadata = data.pop("metadata", {})
        tokenizer = Tokenizer.load(Path(cache_dir) / CHECKPOINT_TOKENIZER)
        return LoadedWeights(ModelConfig.from_dict(data), {}, tokenizer, {**metadata, "format": "kigi"})
    except (OSError, ValueError, TypeError, KeyError):
        return None  # whatever is amiss, the full load below sorts it out


def cached_quantized(config: ModelConfig, kind: QuantKind, cache_dir: Path) -> Transformer | None:
    """The quantized model stored under `cache_dir`, or None (a damaged copy is deleted)."""
    file = quantized_cache_file(cache_dir, kind)
    if not file.is_file():
        return None
    try:
        return load_quantized(config, file, kind)
    except Exception:  # noqa: BLE001 - a damaged cache is rebuilt, never trusted
        file.unlink(missing_ok=True)
        return None


def build_quantized(weights: LoadedWeights, kind: QuantKind, cache_dir: Path | None) -> Transformer:
    """A quantized model, read from `cache_dir` when it was quantized there before (the
    caller keys `cache_dir` by the source file's content, so a stale copy is never met).
    The q/k/v and gate/up parts are stored end to end, so fusing them again copies nothing."""
    model = cached_quantized(weights.config, kind, cache_dir) if cache_dir else None
    if model is not None:
        return model
    model = quantize_model(build_model(weights), kind)
    model.fuse_projections()  # saved fused: the parts as views of one storage
    if cache_dir is not None:
        file = quantized_cache_file(cache_dir, kind)
        for stale in file.parent.glob(f"{kind}-*"):  # older formats of the same weights
            stale.unlink(missing_ok=True)
        save_quantized(model, file)
    return model


@dataclass
class Engine:
    model: Transformer
    tokenizer: Tokenizer
    name: str = "model"
    metadata: dict[str, Any] = field(default_factory=dict)
    compiled: CompiledOrEager | None = None  # the compiled decode step, when asked for

    @classmethod
    def load(cls, path: Path, *, precision: Precision = "fp32", cache_dir: Path | None = None,
             name: str | None = None, compile: bool = False) -> Engine:
        """Load weights at `precision` (fp32 exact; bf16; int8/int4 weight-only quantized,
        their packed weights cached under `cache_dir`); `compile` opts into torch.compile."""
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
        model = None
        weights = quick_header(cache_dir, precision) if cache_dir else None
        if weights is not None:  # quantized weights already cached: the float ones are not read
            model = cached_quantized(weights.config, precision, cache_dir)  # type: ignore[arg-type]
        if model is None:
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
        compiled = compile_decode(model) if compile else None
        return cls(model, weights.tokenizer, name or Path(path).stem, weights.metadata, compiled)

    def warm_up(self) -> None:
        """Decode a few tokens and forget them: a compiled decode step compiles here, not
        in the middle of the first answer."""
        for _ in generate_ids(self.model, [0], SamplingConfig(max_new_tokens=3), compiled=self.compiled):
            pass
        self.model.clear_cache()

    @property
    def context_window(self) -> int:
        return self.model.config.max_seq_len

    def stream(self, prompt_ids: Sequence[int], sampling: SamplingConfig) -> StreamingCompletion:
        return StreamingCompletion(self.model, prompt_ids, sampling, self.tokenizer.decode_bytes, self.compiled)

    def complete(self, prompt_ids: Sequence[int], sampling: SamplingConfig, n: int = 1) -> list[Completion]:
        return complete_batch(self.model, prompt_ids, sampling, n, self.tokenizer.decode_bytes, self.compiled)

    def complete_each(self, prompts: Sequence[Sequence[int]], sampling: SamplingConfig) -> list[Completion]:
        """One completion of each prompt, decoded as one batch; prompt i seeded with seed + i."""
        return complete_ragged(self.model, prompts, sampling, self.tokenizer.decode_bytes, self.compiled)

    def continuation_logprobs(self, prompt_ids: Sequence[int], continuations: Sequence[Sequence[int]]) -> list[float]:
        """log P(continuation | prompt) of each, scored as one batch after one prefill."""
        return continuation_logprobs(self.model, prompt_ids, continuations)

    @torch.inference_mode()
    def next_token_probs(self, prompt_ids: Sequence[int]) -> torch.Tensor:
        """The next-token distribution after the prompt, from one uncached forward pass."""
        return next_token_logits(self.model, prompt_ids).float().softmax(-1)
