"""Sentence embeddings for the Chroma memory, computed offline by our own core.

all-MiniLM-L6-v2 is a BERT encoder; `llm.model.Transformer` runs it bidirectionally and
we add what sentence-transformers adds on top: truncation at 256 word pieces (its
`max_seq_length`), mean pooling over real tokens, L2 normalisation. Texts are sorted by
length and padded to the longest of each batch, never to 256, which is what makes this
faster than padding every batch to the full window.

`KigiEmbeddingFunction` is registered with Chroma under `kigi_minilm`, so a persisted
collection created with it reopens by name (Chroma rebuilds it from `get_config`).
Nothing is loaded until the first call; loaded models are shared per directory.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from memory.errors import MemoryStoreError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

    from llm.model import Transformer

MAX_SEQ_LENGTH = 256  # sentence_bert_config.json of all-MiniLM-L6-v2
DEFAULT_BATCH_SIZE = 64
FUNCTION_NAME = "kigi_minilm"

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class EmbeddingModelError(MemoryStoreError):
    """The embedding model is missing, damaged or not an encoder."""


class SentenceEncoder:
    """Texts -> unit vectors with a BERT-style model directory (config.json, *.safetensors,
    tokenizer.json). Loads on first use; thread-safe."""

    def __init__(self, model_dir: str | Path, *, batch_size: int = DEFAULT_BATCH_SIZE,
                 max_length: int = MAX_SEQ_LENGTH) -> None:
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        if max_length < 2:
            raise ValueError(f"max_length must be at least 2 (room for [CLS] and [SEP]), got {max_length}")
        self.model_dir = Path(model_dir)
        self.batch_size = batch_size
        self.max_length = max_length
        self._loaded: tuple[Transformer, Tokenizer] | None = None
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        return self._load()[0].config.d_model

    def _load(self) -> tuple[Transformer, Tokenizer]:
        with self._lock:
            if self._loaded is None:
                self._loaded = _load_encoder(str(self.model_dir.expanduser().resolve()), self.max_length)
            return self._loaded

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(N, d) float32, each row of unit length, in the order of `texts`."""
        import torch

        model, tokenizer = self._load()
        if not texts:
            return np.zeros((0, model.config.d_model), dtype=np.float32)
        encodings = tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(-lengths, kind="stable")  # longest first: a too-big batch fails at once
        out = np.empty((len(texts), model.config.d_model), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                rows = order[start:start + self.batch_size]
                width = int(lengths[rows].max())
                ids = torch.zeros(len(rows), width, dtype=torch.long)
                mask = torch.zeros(len(rows), width, dtype=torch.long)
                for i, row in enumerate(rows):
                    n = lengths[row]
                    ids[i, :n] = torch.tensor(encodings[row].ids)
                    mask[i, :n] = 1
                hidden = model(ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids),
                               return_hidden=True)  # (B, T, d)
                weights = mask.unsqueeze(-1).to(hidden.dtype)  # padding positions count for nothing
                pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
                out[rows] = torch.nn.functional.normalize(pooled.float(), dim=-1).numpy()
        return out


_CACHE: dict[tuple[str, int], tuple[Any, Any]] = {}
_CACHE_LOCK = threading.Lock()


def _load_encoder(model_dir: str, max_length: int) -> tuple[Transformer, Tokenizer]:
    """One loaded model per directory and process, however many functions Chroma builds."""
    with _CACHE_LOCK:
        key = (model_dir, max_length)
        if key not in _CACHE:
            _CACHE[key] = _load_uncached(Path(model_dir), max_length)
        return _CACHE[key]


def _load_uncached(model_dir: Path, max_length: int) -> tuple[Transformer, Tokenizer]:
    from tokenizers import Tokenizer

    from llm.errors import LLMError
    from llm.weights import build_model, load_hf_dir

    tokenizer_file = model_dir / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise EmbeddingModelError(f"embedding model {model_dir}: no tokenizer.json; pull it again")
    try:
        model = build_model(load_hf_dir(model_dir))
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
    except LLMError as exc:
        raise EmbeddingModelError(f"embedding model {model_dir}: {exc}") from None
    except Exception as exc:  # a damaged tokenizer.json or safetensors header
        raise EmbeddingModelError(f"embedding model {model_dir} cannot be loaded: {exc}") from None
    if model.config.causal:
        raise EmbeddingModelError(f"embedding model {model_dir} is a causal LM, not an encoder")
    fuse = getattr(model, "fuse_projections", None)
    if fuse is not None:
        fuse()  # q, k and v as one matmul: the same numbers, fewer passes over the activations
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=min(max_length, model.config.max_seq_len))
    return model, tokenizer


@register_embedding_function
class KigiEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's view of `SentenceEncoder`: cosine space, 256-token inputs, offline."""

    def __init__(self, model_dir: str | Path, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.model_dir = str(model_dir)
        self.batch_size = batch_size
        self.encoder = SentenceEncoder(model_dir, batch_size=batch_size)

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.encoder.encode(list(input)))

    @staticmethod
    def name() -> str:
        return FUNCTION_NAME

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "l2", "ip"]

    def max_tokens(self) -> int:
        return MAX_SEQ_LENGTH

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> KigiEmbeddingFunction:
        KigiEmbeddingFunction.validate_config(config)
        return KigiEmbeddingFunction(config["model_dir"], int(config.get("batch_size", DEFAULT_BATCH_SIZE)))

    def get_config(self) -> dict[str, Any]:
        return {"model_dir": self.model_dir, "batch_size": self.batch_size}

    def validate_config_update(self, old_config: dict[str, Any], new_config: dict[str, Any]) -> None:
        return None  # a moved model directory or another batch size embeds the same vectors

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        if not isinstance(config.get("model_dir"), str):
            raise ValueError(f"{FUNCTION_NAME}: config needs a 'model_dir' string, got {config!r}")


def pull_embedding_model(models_dir: Path, progress: Progress | None = None) -> Path:
    """The directory of all-MiniLM-L6-v2 in the model cache, fetched and verified once."""
    from llm.errors import LLMError
    from llm.registry import EMBEDDING_MODEL, ModelRegistry

    try:
        return ModelRegistry(models_dir).pull(EMBEDDING_MODEL, progress).file.parent
    except LLMError as exc:
        raise EmbeddingModelError(str(exc)) from None


def model_dimension(model_dir: Path) -> int:
    """The embedding width from config.json, without loading the weights."""
    try:
        return int(json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))["hidden_size"])
    except (OSError, ValueError, KeyError) as exc:
        raise EmbeddingModelError(f"embedding model {model_dir}: unreadable config.json ({exc})") from None
