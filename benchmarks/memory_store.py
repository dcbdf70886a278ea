"""Memory benchmarks: embedding sentences/s, add items/s, search latency at scale.

    python benchmarks/memory_store.py                 # 10k chunks
    python benchmarks/memory_store.py --full          # also 100k chunks (slow on 2 cores)
    python benchmarks/memory_store.py --model-dir DIR # an all-MiniLM-L6-v2 directory

Figures only, never pass/fail. The scale steps store precomputed random unit vectors
(not model embeddings: 100k real embeddings would take ~10 minutes here) so that they
measure the index, the lock and the client, not the encoder; the queries themselves are
embedded by the real model. Each chunk's text is 80 words drawn from a Zipf-distributed
vocabulary of 30k invented words (so the word index has real posting lists to rank, common
words and rare ones), written to Chroma and the word index as `kigi memory add` writes
them; the queries are 8 words from the same vocabulary, one in ten a question word.
"""

from __future__ import annotations

import argparse
import atexit
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import _root  # noqa: F401  (the repository root on sys.path)
import numpy as np

from memory.embed import KigiEmbeddingFunction, SentenceEncoder, pull_embedding_model  # noqa: E402
from memory.store import MemoryConfig, MemoryStore  # noqa: E402

TEXT = ("the memory of a terminal agent keeps chunks of documents in a vector index and "
        "retrieves the closest ones for each question so that answers cite their sources "
        "while the model runs offline on two cores with small batches padded to the longest")
WORDS = TEXT.split(" ")


def sentences(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choices(WORDS, k=rng.randint(6, 60))).capitalize() + "." for _ in range(n)]


def scratch(prefix: str) -> Path:
    """A temporary directory removed when the benchmark exits."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, True)
    return path


def rate(fn, items: int, repeats: int = 1) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return items / best


def milliseconds(seconds: list[float]) -> tuple[float, float]:
    """p50 and p95 of timings taken in seconds, in ms."""
    p50, p95 = np.percentile(np.array(seconds) * 1000, [50, 95])
    return float(p50), float(p95)


def bench_embedding(model_dir: Path, n: int) -> None:
    texts = sentences(n)
    encoder = SentenceEncoder(model_dir)
    encoder.encode(texts[:32])  # load and warm up
    ours = rate(lambda: encoder.encode(texts), n, repeats=2)
    print(f"embedding, ours (llm core, batch 64 sorted by length, pad to longest): {ours:8.1f} sentences/s")
    bench_query_precision(model_dir, [f"How do I {' '.join(t.split()[:6]).lower()}?" for t in texts[:100]])
    bench_chroma_onnx(model_dir, texts)


def bench_query_precision(model_dir: Path, questions: list[str]) -> None:
    """One question at a time, as a search embeds it: fp32 against bf16, and how far apart;
    on one thread (a search's choice) and on torch's own count, taken in turn per question."""
    import torch

    from llm.kernel_probes import native_bf16

    most = torch.get_num_threads()
    encoders = {f"{precision} {threads}t": SentenceEncoder(model_dir, query_precision=precision, query_threads=threads)
                for precision in ("fp32", "bf16") for threads in dict.fromkeys((1, most))}
    vectors = {name: encoder.encode(questions, query=True) for name, encoder in encoders.items()}
    cosine = float((vectors["fp32 1t"] * vectors["bf16 1t"]).sum(1).min())
    latencies: dict[str, list[float]] = {name: [] for name in encoders}
    for q in questions:
        for name, encoder in encoders.items():
            start = time.perf_counter()
            encoder.encode([q], query=True)
            latencies[name].append(time.perf_counter() - start)
    figures = [f"{name} p50 {a:.1f} / p95 {b:.1f} ms" for name, (a, b) in
               ((name, milliseconds(t)) for name, t in latencies.items())]
    print(f"query embedding, one question at a time (Nt: N threads): {', '.join(figures)}; lowest cosine bf16 vs "
          f"fp32 {cosine:.5f}; this CPU {'has' if native_bf16() else 'lacks'} native bf16, so queries use "
          f"{'bf16' if native_bf16() else 'fp32'}")


def bench_chroma_onnx(model_dir: Path, texts: list[str]) -> None:
    """chromadb's own default function, if its ONNX model is (or can be) on this machine."""
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    class Probe(ONNXMiniLM_L6_V2):  # a download attempt leaves nothing in the user's cache
        DOWNLOAD_PATH = scratch("kigi-chroma-onnx-")

    cached = (ONNXMiniLM_L6_V2.DOWNLOAD_PATH / ONNXMiniLM_L6_V2.EXTRACTED_FOLDER_NAME / "model.onnx").is_file()
    try:
        stock = ONNXMiniLM_L6_V2() if cached else Probe()
        stock(texts[:4])
    except Exception as exc:
        print(f"embedding, chromadb ONNXMiniLM_L6_V2 (stock): unavailable ({type(exc).__name__}: {str(exc)[:100]})")
    else:
        n = min(len(texts), 128)
        print(f"embedding, chromadb ONNXMiniLM_L6_V2 (stock, pads to 256): "
              f"{rate(lambda: stock(texts[:n]), n):8.1f} sentences/s")
        return
    exported = export_onnx(model_dir)
    if exported is None:
        return

    class Local(ONNXMiniLM_L6_V2):
        DOWNLOAD_PATH = exported

    stock = Local()
    stock(texts[:4])
    n = min(len(texts), 128)
    print(f"embedding, chromadb ONNXMiniLM_L6_V2 code on the same weights exported to ONNX here "
          f"(stock, pads to 256): {rate(lambda: stock(texts[:n]), n):8.1f} sentences/s")
    class Longest(Local):
        """chromadb's forward pass with each batch padded to its longest text, not to 256."""

        def _forward(self, documents: list[str], batch_size: int = 32) -> np.ndarray:
            self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            out = []
            for i in range(0, len(documents), batch_size):
                encoded = self.tokenizer.encode_batch(documents[i:i + batch_size])
                ids = np.array([e.ids for e in encoded], dtype=np.int64)
                mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
                hidden = self.model.run(None, {"input_ids": ids, "attention_mask": mask,
                                               "token_type_ids": np.zeros_like(ids)})[0]
                pooled = (hidden * mask[..., None]).sum(1) / np.clip(mask.sum(1, keepdims=True), 1e-9, None)
                out.append(self._normalize(pooled).astype(np.float32))
            return np.concatenate(out)

    longest = Longest()
    longest(texts[:4])
    print(f"embedding, same, padding to the longest of each batch of 32 (unsorted): "
          f"{rate(lambda: longest(texts), len(texts), repeats=2):8.1f} sentences/s")


def export_onnx(model_dir: Path) -> Path | None:
    """Our weights as chromadb's ONNX layout (needs the `onnx` package for the exporter)."""
    try:
        import onnx  # noqa: F401
        import torch
        from transformers import AutoModel
    except ImportError as exc:
        print(f"embedding, chromadb ONNX on the same weights: skipped (cannot export: {exc})")
        return None

    class Hidden(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    root = scratch("kigi-onnx-")
    target = root / "onnx"
    target.mkdir()
    model = Hidden(AutoModel.from_pretrained(model_dir).eval())
    ids = torch.ones(2, 8, dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    torch.onnx.export(model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(target / "model.onnx"),
                      input_names=names, output_names=["last_hidden_state"], opset_version=14, dynamo=False,
                      dynamic_axes={k: {0: "batch", 1: "tokens"} for k in [*names, "last_hidden_state"]})
    for name in ("config.json", "tokenizer.json"):
        (target / name).write_bytes((model_dir / name).read_bytes())
    for name in ("special_tokens_map.json", "tokenizer_config.json", "vocab.txt"):  # unread by its code
        (target / name).write_text("{}")
    return root


def bench_add(model_dir: Path, n: int) -> None:
    """End to end: files -> chunks -> our embeddings -> Chroma, in a fresh directory."""
    texts = sentences(n, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        for i in range(0, n, 10):  # ten one-paragraph chunks per file
            (docs / f"doc{i:05d}.md").write_text(f"# Doc {i}\n\n" + "\n\n".join(texts[i:i + 10]))
        config = MemoryConfig(chunk_chars=400, overlap_chars=0)
        with MemoryStore(Path(tmp) / "memory", embedding_function=KigiEmbeddingFunction(model_dir),
                         config=config) as store:
            start = time.perf_counter()
            report = store.add(docs)
            elapsed = time.perf_counter() - start
            chunks = report.chunks
            start = time.perf_counter()
            again = store.add(docs)
            readd = time.perf_counter() - start
    print(f"add, files with real embeddings: {chunks / elapsed:8.1f} chunks/s ({chunks} chunks, {elapsed:.1f} s); "
          f"re-adding the unchanged folder: {readd:.2f} s ({len(again.unchanged)} files unchanged)")


def zipf_words(rng: np.random.Generator, vocabulary: int, n: int) -> list[str]:
    """`n` invented words drawn with Zipf's law (rank r has weight 1/r) from `vocabulary` words."""
    weights = 1.0 / np.arange(1, vocabulary + 1)
    return [f"w{r}" for r in rng.choice(vocabulary, size=n, p=weights / weights.sum())]


def bench_scale(model_dir: Path, total: int, queries: int) -> None:
    rng = np.random.default_rng(0)
    embedder = KigiEmbeddingFunction(model_dir)
    questions = [" ".join(["which", *zipf_words(rng, 30_000, 8)]) for _ in range(queries)]
    embedder(questions[:2])  # load the model before timing
    with tempfile.TemporaryDirectory() as tmp:
        store = MemoryStore(Path(tmp) / "memory", embedding_function=embedder)
        batch = 1000
        start = time.perf_counter()
        for first in range(0, total, batch):
            n = min(batch, total - first)
            vectors = rng.standard_normal((n, 384)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            ids = [f"c{i}" for i in range(first, first + n)]
            metadatas = [{"source": f"/bench/doc{i // 20}.md", "position": i % 20, "line": 1, "section": "",
                          "content_hash": f"{i:032x}", "file_hash": "0" * 64, "added": "2025-01-01T00:00:00Z",
                          "kind": "markdown", "last": i % 20 == 19} for i in range(first, first + n)]
            words = zipf_words(rng, 30_000, 80 * n)
            documents = [" ".join(words[80 * j:80 * (j + 1)]) for j in range(n)]
            with store.writing() as collection:
                collection.upsert(ids=ids, embeddings=vectors, metadatas=metadatas, documents=documents)
                if (lexical := store.lexical) is not None:
                    lexical.upsert(ids, documents, metadatas)
        insert = total / (time.perf_counter() - start)
        latency = search_latency(store, embedder, questions, model_dir)
        parts = search_parts(store, embedder, questions)
        store.close()
    print(f"scale {total:>7,} chunks (random unit vectors, Zipf words): write {insert:8.1f} items/s in locked "
          f"batches of {batch}; search() p50/p95 (embed the query, lock, word index, Chroma): "
          + ", ".join(f"query in {name} {a:.1f} / {b:.1f} ms" for name, (a, b) in latency.items())
          + "; its parts, p50/p95 ms: " + ", ".join(f"{name} {a:.1f}/{b:.1f}" for name, (a, b) in parts.items()))


def search_latency(store: MemoryStore, embedder: KigiEmbeddingFunction, questions: list[str],
                   model_dir: Path) -> dict[str, tuple]:
    """p50 and p95 of `search()` in ms with the query embedded as kigi chooses and in fp32,
    taken in turn per question after an untimed pass (so neither gets the warmer caches)."""
    encoders = {"bf16" if embedder.encoder.query_bf16 else "fp32 (this CPU's choice)": embedder.encoder,
                "fp32": SentenceEncoder(model_dir, query_precision="fp32")}
    for q in questions:
        store.search(q, k=5)
    times: dict[str, list[float]] = {name: [] for name in encoders}
    for q in questions:
        for name, encoder in encoders.items():
            embedder.encoder = encoder
            start = time.perf_counter()
            hits = store.search(q, k=5)
            times[name].append(time.perf_counter() - start)
            assert len(hits) == 5
    embedder.encoder = next(iter(encoders.values()))
    return {name: milliseconds(t) for name, t in times.items()}


def search_parts(store: MemoryStore, embedder: KigiEmbeddingFunction, questions: list[str]) -> dict[str, tuple]:
    """Each part of a search timed alone: where the milliseconds go."""
    from memory.store.lexical import fuse
    from memory.store.memory_store import _best

    times: dict[str, list[float]] = {"embed query": [], "Chroma query (open client)": [], "word index": [],
                                      "read the k kept, scoring word-only ones": []}
    for q in questions:
        start = time.perf_counter()
        vector = embedder.embed_query([q])
        times["embed query"].append(time.perf_counter() - start)
        with store.reading() as collection:
            start = time.perf_counter()
            near = collection.query(query_embeddings=vector, n_results=20, include=["distances"])
            times["Chroma query (open client)"].append(time.perf_counter() - start)
            start = time.perf_counter()
            words = store.lexical.search(q, 20)
            times["word index"].append(time.perf_counter() - start)
            start = time.perf_counter()
            scores = {i: 1.0 - d for i, d in zip(near["ids"][0], near["distances"][0], strict=True)}
            _best(collection, fuse(near["ids"][0], words), scores, vector[0], 5, 0.0)
            times["read the k kept, scoring word-only ones"].append(time.perf_counter() - start)
    return {name: milliseconds(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, help="all-MiniLM-L6-v2 directory (default: pull into KIGI_HOME)")
    parser.add_argument("--full", action="store_true", help="also measure search at 100k chunks")
    parser.add_argument("--sentences", type=int, default=512, help="sentences for the embedding throughput")
    parser.add_argument("--add-items", type=int, default=500, help="chunks for the end-to-end add")
    parser.add_argument("--queries", type=int, default=100, help="queries per scale step")
    parser.add_argument("--scale", type=int, default=10_000, help="chunks in the first scale step")
    args = parser.parse_args()
    model_dir = args.model_dir
    if model_dir is None:
        from agent.home import KigiHome

        model_dir = pull_embedding_model(KigiHome.resolve().ensure().models)
    import torch

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; model {model_dir}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work skews every figure)")
    bench_embedding(model_dir, args.sentences)
    bench_add(model_dir, args.add_items)
    for total in (args.scale, 100_000) if args.full else (args.scale,):
        bench_scale(model_dir, total, args.queries)


if __name__ == "__main__":
    main()
