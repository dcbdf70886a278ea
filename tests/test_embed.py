"""The embedding function: our core as all-MiniLM-L6-v2, checked against `transformers`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from llm.kernel_probes import native_bf16
from memory.embed import (
    MAX_SEQ_LENGTH,
    EmbeddingModelError,
    KigiEmbeddingFunction,
    SentenceEncoder,
    model_dimension,
)
from tests.need import extra

REPO = Path(__file__).resolve().parents[1]
TEXTS = [
    "A cat sits on the mat.",
    "Kigi keeps its memory in Chroma.",
    "",
    "naïve café — ünïcödé, émojis 🙂 and CJK 漢字 in one line",
    "The quick brown fox jumps over the lazy dog. " * 60,  # > 256 word pieces: truncated
    "short",
    "def add(a, b):\n    return a + b\n",
]


def reference(model_dir: Path, texts: list[str]) -> np.ndarray:
    """What sentence-transformers computes for this model: BertModel, mean pooling over the
    attention mask, L2 normalisation, inputs truncated at 256 word pieces."""
    transformers = extra("transformers")
    tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir)
    model = transformers.AutoModel.from_pretrained(model_dir).eval()
    batch = tokenizer(texts, padding=True, truncation=True, max_length=MAX_SEQ_LENGTH, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=-1).numpy()


def test_matches_transformers_mean_pooling_to_1e5(minilm_dir: Path) -> None:
    ours = SentenceEncoder(minilm_dir, batch_size=3).encode(TEXTS)  # several batches, each padded
    ref = reference(minilm_dir, TEXTS)
    assert ours.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    np.testing.assert_allclose(ours, ref, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_padding_does_not_leak_into_pooled_vectors(minilm_dir: Path) -> None:
    encoder = SentenceEncoder(minilm_dir, batch_size=len(TEXTS))
    together = encoder.encode(TEXTS)
    alone = np.stack([encoder.encode([t])[0] for t in TEXTS])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_similar_sentences_score_higher_than_unrelated(minilm_dir: Path) -> None:
    a, b, c = SentenceEncoder(minilm_dir).encode([
        "How do I reset my password?",
        "I forgot my password and need to change it.",
        "The volcano erupted and covered the village in ash.",
    ])
    assert a @ b > 0.5 > a @ c
    assert a @ b > a @ c + 0.3


def test_queries_may_run_in_bf16_but_stored_chunks_never_do(minilm_dir: Path) -> None:
    fp32 = SentenceEncoder(minilm_dir, query_precision="fp32")
    bf16 = SentenceEncoder(minilm_dir, query_precision="bf16")
    np.testing.assert_array_equal(bf16.encode(TEXTS), fp32.encode(TEXTS))  # chunks: fp32 everywhere
    exact, fast = fp32.encode(TEXTS, query=True), bf16.encode(TEXTS, query=True)
    assert fast.dtype == np.float32 and not np.array_equal(exact, fast)  # bf16 really ran
    np.testing.assert_allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert (exact * fast).sum(1).min() > 0.999  # the same direction for retrieval
    ef = KigiEmbeddingFunction(minilm_dir)
    np.testing.assert_array_equal(np.stack(ef.embed_query(["which pot?"])),
                                  ef.encoder.encode(["which pot?"], query=True))
    assert ef.encoder.query_bf16 == native_bf16()  # auto: bf16 only where the CPU has it
    with pytest.raises(ValueError, match="query_precision"):
        SentenceEncoder(minilm_dir, query_precision="int8")  # type: ignore[arg-type]


def test_chroma_function_contract(minilm_dir: Path) -> None:
    ef = KigiEmbeddingFunction(minilm_dir, batch_size=4)
    vectors = ef(["one", "two", "three"])
    assert len(vectors) == 3 and all(v.shape == (384,) for v in vectors)
    assert ef.name() == "kigi_minilm" and ef.default_space() == "cosine"
    rebuilt = KigiEmbeddingFunction.build_from_config(ef.get_config())
    assert rebuilt.get_config() == {"model_dir": str(minilm_dir), "batch_size": 4}
    assert not ef.is_legacy()
    with pytest.raises(ValueError, match="model_dir"):
        KigiEmbeddingFunction.build_from_config({})
    assert model_dimension(minilm_dir) == 384


def test_persisted_collection_reopens_with_our_function_by_name(minilm_dir: Path, tmp_path: Path) -> None:
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    client = chromadb.PersistentClient(path=str(tmp_path), settings=settings)
    collection = client.create_collection("notes", embedding_function=KigiEmbeddingFunction(minilm_dir))
    collection.add(ids=["pw", "ash"], documents=["Reset a forgotten password.", "Volcanic ash fell on the town."])
    client.close()

    client = chromadb.PersistentClient(path=str(tmp_path), settings=settings)
    reopened = client.get_collection("notes")  # no function given: Chroma rebuilds ours from its config
    assert reopened.configuration["embedding_function"].name() == "kigi_minilm"
    result = reopened.query(query_texts=["I lost my password"], n_results=1)
    assert result["ids"] == [["pw"]]
    client.close()


def test_import_and_construction_do_no_work(tmp_path: Path) -> None:
    code = ("import sys, memory.embed as e; f = e.KigiEmbeddingFunction('/nonexistent');"
            "print('torch' in sys.modules, not f.encoder._loaded)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_missing_or_wrong_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelError, match="tokenizer.json"):
        KigiEmbeddingFunction(tmp_path)(["hello"])
    with pytest.raises(ValueError, match="batch_size"):
        SentenceEncoder(tmp_path, batch_size=0)
