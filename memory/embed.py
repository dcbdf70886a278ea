"""Sentence embeddings for the Chroma memory, computed offline by our own core.

all-MiniLM-L6-v2 is a BERT encoder; `llm.model.Transformer` runs it bidirectionally and
we add what sentence-transformers adds on top: truncation at 256 word pieces (its
`max_seq_length`), mean pooling over real tokens, L2 normalisation. Texts are sorted by
length and padded to the longest of each batch, never to 256, which is what makes this
faster than padding every batch to the full window.

A search embeds one short query while the user waits, and there the encoder is memory-bound
(its fp32 weights, 90 MB, are read once per query): on a CPU that computes in bfloat16
natively (AVX512-BF16 or AMX) a bf16 copy halves that time, with query vectors at cosine
0.9999 of fp32 (`benchmarks/memory_store.py`). Stored chunks are always embedded in fp32,
so a memory means the same on every machine; elsewhere queries stay fp32 too.

`KigiEmbeddingFunction` is registered with Chroma under `kigi_minilm`, so a persisted
collection created with it reopens by name (Chroma rebuilds it from `get_config`).
Nothing is loaded until the first call; loaded models are shared per directory.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from memory.errors import MemoryStoreError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

    from llm.model import Transformer

MAX_SEQ_LENGTH = 256  # sentence_bert_config.json of all-MiniLM-L6-v2
DEFAULT_BATCH_SIZE = 64
# one short query is a few hundred tiny ops, each split between threads that must meet
# again: on 2 cores one thread embedded it faster (benchmarks/memory_store.py), and it
# leaves the other core to BM25, which a search runs meanwhile
QUERY_THREADS = 1
FUNCTION_NAME = "kigi_minilm"

Progress = Callable[[str, int, int], None]  # (stage, done, total)
QueryPrecision = Literal["auto", "fp32", "bf16"]


class EmbeddingModelError(MemoryStoreError):
    """The embedding model is missing, damaged or not an encoder."""


class SentenceEncoder:
    """Texts -> unit vectors with a BERT-style model directory (config.json, *.safetensors,
    tokenizer.json). Loads on first use; thread-safe."""

    def __init__(self, model_dir: str | Path, *, batch_size: int = DEFAULT_BATCH_SIZE,
                 max_length: int = MAX_SEQ_LENGTH, query_precision: QueryPrecision = "auto",
                 query_threads: int = QUERY_THREADS) -> None:
        if query_precision not in ("auto", "fp32", "bf16"):
            raise ValueError(f"query_precision must be auto, fp32 or bf16, got {query_precision!r}")
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        if max_length < 2:
            raise ValueError(f"max_length must be at least 2 (room for [CLS] and [SEP]), got {max_length}")
        self.model_dir = Path(model_dir)
        self.batch_size = batch_size
        self.max_length = max_length
        self.query_precision = query_precision
        self.query_threads = query_threads
        self._loaded: dict[bool, tuple[Transformer, Tokenizer]] = {}
        self._lock = threading.Lock()

    @cached_property
    def query_bf16(self) -> bool:
        """Whether queries run in bf16 (asked for, or "auto" on a CPU with native bf16)."""
        from llm.kernel_probes import native_bf16

        return self.query_precision == "bf16" or (self.query_precision == "auto" and native_bf16())

    def prepare_query(self) -> None:
        """Load what a query is embedded with now, so that a search does not load it while
        it holds the memory's lock."""
        self._load(self.query_bf16)

    @property
    def dim(self) -> int:
        return self._load()[0].config.d_model

    def _load(self, bf16: bool = False) -> tuple[Transformer, Tokenizer]:
        with self._lock:
            if bf16 not in self._loaded:
                self._loaded[bf16] = _load_encoder(str(self.model_dir.expanduser().resolve()), self.max_length, bf16)
            return self._loaded[bf16]

    def encode(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        """(N, d) float32, each row of unit length, in the order of `texts`; `query` texts are
        embedded in bf16 where the CPU makes that faster (see the module docstring), on
        `query_threads` threads."""
        import torch

        from llm.threads import torch_threads

        model, tokenizer = self._load(query and self.query_bf16)
        if not texts:
            return np.zeros((0, model.config.d_model), dtype=np.float32)
        encodings = tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(-lengths, kind="stable")  # longest first: a too-big batch fails at once
        out = np.empty((len(texts), model.config.d_model), dtype=np.float32)
        with torch.inference_mode(), torch_threads(self.query_threads) if query else nullcontext():
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
                               return_hidden=True).float()  # (B, T, d)
                weights = mask.unsqueeze(-1).to(hidden.dtype)  # padding positions count for nothing
                pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
                out[rows] = torch.nn.functional.normalize(pooled.float(), dim=-1).numpy()
        return out


_CACHE: dict[tuple[str, int, bool], tuple[Any, Any]] = {}
_CACHE_LOCK = threading.Lock()


def _load_encoder(model_dir: str, max_length: int, bf16: bool = False) -> tuple[Transformer, Tokenizer]:
    """One loaded model per directory, precision and process, however many functions Chroma builds."""
    with _CACHE_LOCK:
        key = (model_dir, max_length, bf16)
        if key not in _CACHE:
            _CACHE[key] = _load_uncached(Path(model_dir), max_length, bf16)
        return _CACHE[key]


def _load_uncached(model_dir: Path, max_length: int, bf16: bool = False) -> tuple[Transformer, Tokenizer]:
    import torch
    from tokenizers import Tokenizer

    from llm.errors import LLMError
    from llm.weights import build_model, load_hf_dir

    tokenizer_file = model_dir / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise EmbeddingModelError(f"embedding model {model_dir}: no tokenizer.json; pull it again")
    try:
        model = build_model(load_hf_dir(model_dir), torch.bfloat16 if bf16 else torch.float32)
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

    def embed_query(self, input: Documents) -> Embeddings:
        return list(self.encoder.encode(list(input), query=True))

    def prepare_query(self) -> None:
        self.encoder.prepare_query()

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
