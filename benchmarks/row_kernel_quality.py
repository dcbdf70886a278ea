"""What kigi's one-row int4 kernel (llm/kernels/int4_rows.cpp) costs in quality, on the default
model: its one-row decode steps against torch's int4 kernel's, both against fp32.

    python benchmarks/row_kernel_quality.py [--tokens 400]

Teacher-forces the first `--tokens` tokens of llm/quality_text.txt one decode step at a time
(a decode step's shape: one row, through the KV cache), once with torch's int4 kernel and once
with kigi's attached, and prints each one's mean KL divergence from fp32's next-token
distribution (fp32 reads the text in one pass) and the share of positions whose top token is
fp32's. A change to the kernel's numerics (the input held in fewer bits, say) shows here as a
KL above torch's. Figures only, never pass/fail; where the kernel cannot serve here, it says why.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import _root  # noqa: F401  (the repository root on sys.path)
import torch

from agent.home import KigiHome  # noqa: E402
from agent.models import DEFAULT_MODEL, load_engine  # noqa: E402
from llm import row_kernel  # noqa: E402
from llm.model import Transformer  # noqa: E402

TEXT = Path(__file__).resolve().parent.parent / "llm" / "quality_text.txt"


def one_row_log_probs(model: Transformer, ids: list[int]) -> torch.Tensor:
    """Next-token log-probabilities at each position, every token a decode step of its own."""
    model.clear_cache()
    model.setup_cache(1, len(ids))
    with torch.inference_mode():
        steps = [model(torch.tensor([[token]]), input_pos=torch.tensor([at]))[0, -1].float()
                 for at, token in enumerate(ids)]
    model.clear_cache()
    return torch.stack(steps).log_softmax(-1)


def compare(reference: torch.Tensor, log_probs: torch.Tensor) -> tuple[float, float]:
    """Mean KL(reference || log_probs) in nats, and the share of positions with the same top token."""
    kl = (reference.exp() * (reference - log_probs)).sum(-1).mean().item()
    return kl, (log_probs.argmax(-1) == reference.argmax(-1)).float().mean().item()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=400)
    args = parser.parse_args()
    store = Path(tempfile.mkdtemp(prefix="kigi-row-quality-"))
    if (reason := row_kernel.why_not(store)) is not None:
        sys.exit(f"kigi's int4 row kernel does not serve here: {reason}")
    home = KigiHome.resolve().ensure()
    exact = load_engine(home, DEFAULT_MODEL, precision="fp32")
    ids = exact.tokenizer.encode(TEXT.read_text(encoding="utf-8"))[:args.tokens]
    with torch.inference_mode():
        reference = exact.model(torch.tensor([ids]))[0].float().log_softmax(-1)
    del exact
    engine = load_engine(home, DEFAULT_MODEL, precision="int4")
    if getattr(engine.model, "row_kernel", ""):
        sys.exit("the int4 model came with kigi's kernel attached: no torch's figure to compare with")
    print(f"{DEFAULT_MODEL}, {len(ids)} tokens of {TEXT.name} teacher-forced one decode step at a time; "
          f"CPU capability {torch.backends.cpu.get_cpu_capability()}")
    figures = {"torch's int4 kernel": compare(reference, one_row_log_probs(engine.model, ids))}
    row_kernel.load(row_kernel.build(store))
    if not row_kernel.attach(engine.model, store):
        sys.exit("kigi's int4 row kernel was built but not attached (its check against torch's failed?)")
    figures["kigi's int4 kernel"] = compare(reference, one_row_log_probs(engine.model, ids))
    for name, (kl, top1) in figures.items():
        print(f"{name:20} KL from fp32 {kl:.5f} nats a token, top-1 as fp32's {top1:.3f}")


if __name__ == "__main__":
    main()
