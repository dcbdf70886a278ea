"""The precision a model runs at by default, chosen by measurement (issue 21).

int4 decodes several times faster than fp32 on a CPU, and for the default model (whose
weights are a Q4_1 GGUF, 4-bit already) it costs almost nothing. For a model added by the
user that may not hold, so the choice is measured, once per model file, and kept: each
candidate, fastest first, is compared with fp32 on a fixed text (`llm/quality_text.txt`,
teacher-forced): the first whose perplexity rises by at most MAX_PPL_RISE percent and whose
next-token choice agrees with fp32's on at least MIN_TOP1 of the positions wins; if none
does, fp32. `kigi model info` shows the choice and its figures; `--precision` overrides it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import torch

from agent.home import KigiHome
from agent.models import cache_dir_of, ensure_model, model_registry
from llm.config import Precision
from llm.engine import Engine

CANDIDATES: tuple[Precision, ...] = ("int4", "int8")  # fastest first
MAX_PPL_RISE = 1.0  # percent over fp32
MIN_TOP1 = 0.95  # share of positions where the top token equals fp32's
MAX_TOKENS = 512  # of the text: enough for a stable perplexity, seconds on a CPU
AUTO = "auto"
FILE_NAME = "precision.json"


@dataclass(frozen=True)
class Quality:
    precision: str
    ppl_rise: float  # percent over fp32
    top1: float

    @property
    def good(self) -> bool:
        return self.ppl_rise <= MAX_PPL_RISE and self.top1 >= MIN_TOP1


@dataclass(frozen=True)
class PrecisionChoice:
    precision: Precision
    reason: str
    sha256: str  # of the model file it was measured on
    measured: list[Quality] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {**asdict(self), "measured": [asdict(q) for q in self.measured]}

    @classmethod
    def from_dict(cls, data: dict) -> PrecisionChoice:
        return cls(data["precision"], data["reason"], data["sha256"], [Quality(**q) for q in data["measured"]])


def quality_ids(engine: Engine) -> list[int]:
    text = resources.files("llm").joinpath("quality_text.txt").read_text(encoding="utf-8")
    return engine.tokenizer.encode(text)[: min(MAX_TOKENS, engine.context_window)]


def text_logits(engine: Engine, ids: list[int]) -> torch.Tensor:
    with torch.inference_mode():
        return engine.model(torch.tensor([ids]))[0].float()


def compare(precision: str, logits: torch.Tensor, reference: torch.Tensor, ids: list[int]) -> Quality:
    targets = torch.tensor(ids[1:])
    nll = torch.nn.functional.cross_entropy
    rise = (float(nll(logits[:-1], targets)) - float(nll(reference[:-1], targets)))
    top1 = float((logits.argmax(-1) == reference.argmax(-1)).float().mean())
    return Quality(precision, round((torch.tensor(rise).exp().item() - 1) * 100, 3), round(top1, 4))


def measure(path: Path, sha256: str, cache_dir: Path | None = None) -> PrecisionChoice:
    """Compare each candidate with fp32 on the quality text; the first good one wins."""
    reference_engine = Engine.load(path, precision="fp32", cache_dir=cache_dir)
    ids = quality_ids(reference_engine)
    reference = text_logits(reference_engine, ids)
    del reference_engine
    measured: list[Quality] = []
    for precision in CANDIDATES:
        quality = compare(precision, text_logits(Engine.load(path, precision=precision, cache_dir=cache_dir), ids),
                          reference, ids)
        measured.append(quality)
        if quality.good:
            return PrecisionChoice(precision, f"{precision}: perplexity {quality.ppl_rise:+.2f}% and top-1 "
                                   f"agreement {quality.top1:.3f} against fp32 (limits +{MAX_PPL_RISE}%, "
                                   f"{MIN_TOP1})", sha256, measured)
    return PrecisionChoice("fp32", "no faster precision kept perplexity within +"
                           f"{MAX_PPL_RISE}% and top-1 agreement above {MIN_TOP1}", sha256, measured)


def default_precision(home: KigiHome, name: str, on_measure=None) -> PrecisionChoice:
    """The model's measured default precision, measured now if its file is new
    (`on_measure()` is called first, to tell the user)."""
    path = ensure_model(home, name)
    entry = model_registry(home).resolve(name)
    store = home.models / FILE_NAME
    known = _read(store)
    cached = known.get(name)
    if cached is not None and cached.get("sha256") == entry.sha256:
        return PrecisionChoice.from_dict(cached)
    if on_measure is not None:
        on_measure()
    choice = measure(path, entry.sha256, cache_dir_of(home, name))
    known[name] = choice.to_dict()
    _write(store, known)
    return choice


def resolve(home: KigiHome, name: str, requested: str, on_measure=None) -> Precision:
    """`requested`, or the model's measured default for "auto"."""
    if requested != AUTO:
        return requested  # type: ignore[return-value]
    return default_precision(home, name, on_measure).precision


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or damaged: measured again
    return data if isinstance(data, dict) else {}


def _write(path: Path, data: dict) -> None:
    """Atomically: two processes measuring at once each write a whole file."""
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(temporary, path)
