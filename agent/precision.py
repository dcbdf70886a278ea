"""The precision a model runs at by default, chosen by measurement (issue 21).

int4 decodes several times faster than fp32 on a CPU, and bf16 about twice as fast in
prefill and batches; for the default model (whose weights are a Q4_1 GGUF, 4-bit already)
either costs almost nothing. For a model added by the user that may not hold, so the
choice is measured, once per model file, and kept: each candidate, fastest first, is
compared with fp32 two ways. On a fixed text
(`llm/quality_text.txt`, teacher-forced): perplexity may rise by at most MAX_PPL_RISE
percent and the next-token choice must agree with fp32's at MIN_TOP1 of the positions.
And as a user gets it: greedy answers to fixed chat prompts (QUALITY_PROMPTS, through the
generation path with its KV cache) must reproduce, on average, MIN_GREEDY_PREFIX of fp32's
answer before they part. The first candidate that passes both wins; if none does, fp32.
The second test is there because the first alone passed int4 for the default model
(perplexity -0.11%, top-1 0.982) whose greedy answer to "What is the capital of France?"
tips at its first token (a near-tie: "The" 0.15 against "L" 0.14) into "L'Étoile, la
Marseillaise, la femme au martyre, ..." ; bf16 passes both, so the default model runs at
bf16. `kigi model info` shows the choice and its figures; `--precision` overrides it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import torch

from agent.home import KigiHome
from agent.models import cache_dir_of, ensure_model, model_registry
from llm.config import Precision
from llm.engine import Engine
from llm.registry import write_text_atomic

# Fastest decode first. bf16 reads twice int8's bytes a step (18.0 against 27.5 tok/s on the
# AVX-512 machine measured; prefill 861 against 376), but it only rounds the weights, so it
# keeps a model's answers where int8 may not, and still beats fp32 (README, Models).
CANDIDATES: tuple[Precision, ...] = ("int4", "int8", "bf16")
MAX_PPL_RISE = 1.0  # percent over fp32
MIN_TOP1 = 0.95  # share of positions where the top token equals fp32's
MIN_GREEDY_PREFIX = 0.5  # mean share of fp32's greedy answer reproduced before the first difference
AGREED_START = 4  # ... and no answer may part from fp32's within its first tokens: the start sets its course
ANSWER_TOKENS = 32
QUALITY_PROMPTS = (
    "What is the capital of France?",
    "Name three colours of the rainbow.",
    "Write one sentence about the sea.",
    "What is 12 plus 30?",
    "Give a short tip for learning to cook.",
    "Why do leaves change colour in autumn?",
)
MAX_TOKENS = 512  # of the text: enough for a stable perplexity, seconds on a CPU
AUTO = "auto"
FILE_NAME = "precision.json"


@dataclass(frozen=True)
class Quality:
    precision: str
    ppl_rise: float  # percent over fp32
    top1: float
    greedy_prefix: float = 1.0  # mean share of fp32's greedy answers reproduced before parting
    early_partings: int = 0  # greedy answers that part from fp32's within their first AGREED_START tokens

    @property
    def good(self) -> bool:
        return (self.ppl_rise <= MAX_PPL_RISE and self.top1 >= MIN_TOP1 and self.greedy_prefix >= MIN_GREEDY_PREFIX
                and self.early_partings == 0)


@dataclass(frozen=True)
class PrecisionChoice:
    precision: Precision
    reason: str
    sha256: str  # of the model file it was measured on
    measured: list[Quality] = field(default_factory=list)

    def to_dict(self) -> dict:
        """As stored; with the candidates it chose among, so a kigi that adds one measures again."""
        return {**asdict(self), "measured": [asdict(q) for q in self.measured], "candidates": list(CANDIDATES)}

    @classmethod
    def from_dict(cls, data: dict) -> PrecisionChoice:
        return cls(data["precision"], data["reason"], data["sha256"], [Quality(**q) for q in data["measured"]])


def quality_ids(engine: Engine) -> list[int]:
    text = resources.files("llm").joinpath("quality_text.txt").read_text(encoding="utf-8")
    return engine.tokenizer.encode(text)[: min(MAX_TOKENS, engine.context_window)]


def text_logits(engine: Engine, ids: list[int]) -> torch.Tensor:
    with torch.inference_mode():
        return engine.model(torch.tensor([ids]))[0].float()


def greedy_answers(engine: Engine, prompts: Sequence[str] = QUALITY_PROMPTS) -> list[list[int]]:
    """Greedy answers to `prompts`, as `kigi ask` decodes them (chat template, cache)."""
    from agent.prompts import ChatTemplate, Message
    from llm.sampling import SamplingConfig

    template = ChatTemplate()
    sampling = SamplingConfig(max_new_tokens=ANSWER_TOKENS, stop_token_ids=template.stop_tokens(engine.tokenizer))
    answers = []
    for question in prompts:  # one at a time from an empty cache, as a fresh `kigi ask` decodes
        engine.model.clear_cache()
        [completion] = engine.complete(template.render_ids(engine.tokenizer, [Message("user", question)]), sampling)
        answers.append(completion.token_ids)
    engine.model.clear_cache()
    return answers


def agreement(answers: list[list[int]], reference: list[list[int]]) -> tuple[float, int]:
    """The mean share of each reference answer reproduced before the first different token,
    and how many answers differ within their first AGREED_START tokens."""
    shares, early = [], 0
    for got, want in zip(answers, reference, strict=True):
        same = 0
        while same < min(len(got), len(want)) and got[same] == want[same]:
            same += 1
        shares.append(same / max(len(want), 1))
        early += same < min(AGREED_START, len(want))
    return sum(shares) / len(shares), early


def compare(precision: str, logits: torch.Tensor, reference: torch.Tensor, ids: list[int],
            greedy: tuple[float, int] = (1.0, 0)) -> Quality:
    targets = torch.tensor(ids[1:])
    nll = torch.nn.functional.cross_entropy
    rise = (float(nll(logits[:-1], targets)) - float(nll(reference[:-1], targets)))
    top1 = float((logits.argmax(-1) == reference.argmax(-1)).float().mean())
    return Quality(precision, round((torch.tensor(rise).exp().item() - 1) * 100, 3), round(top1, 4),
                   round(greedy[0], 4), greedy[1])


def measure(path: Path, sha256: str, cache_dir: Path | None = None) -> PrecisionChoice:
    """Compare each candidate with fp32 on the quality text; the first good one wins."""
    reference_engine = Engine.load(path, precision="fp32", cache_dir=cache_dir)
    ids = quality_ids(reference_engine)
    reference = text_logits(reference_engine, ids)
    reference_answers = greedy_answers(reference_engine)
    del reference_engine
    measured: list[Quality] = []
    for precision in CANDIDATES:
        engine = Engine.load(path, precision=precision, cache_dir=cache_dir)
        quality = compare(precision, text_logits(engine, ids), reference, ids,
                          agreement(greedy_answers(engine), reference_answers))
        measured.append(quality)
        if quality.good:
            return PrecisionChoice(precision, f"{precision}: perplexity {quality.ppl_rise:+.2f}%, top-1 agreement "
                                   f"{quality.top1:.3f}, greedy answers {quality.greedy_prefix:.2f} the same as "
                                   f"fp32's and none parting in its first {AGREED_START} tokens", sha256, measured)
    return PrecisionChoice("fp32", "no faster precision kept fp32's answers: " + "; ".join(
        f"{q.precision}: perplexity {q.ppl_rise:+.2f}%, top-1 {q.top1:.3f}, greedy answers {q.greedy_prefix:.2f} "
        f"the same, {q.early_partings} parting in the first {AGREED_START} tokens" for q in measured), sha256, measured)


def measuring_note(name: str) -> str:
    """What the user is told while a model's default precision is measured."""
    return f"choosing {name}'s default precision: {', '.join(CANDIDATES)} against fp32 (once)"


def default_precision(home: KigiHome, name: str, on_measure=None) -> PrecisionChoice:
    """The model's measured default precision, measured now if its file (or the list of
    candidates) is new (`on_measure()` is called first, to tell the user)."""
    path = ensure_model(home, name)
    entry = model_registry(home).resolve(name)
    store = home.models / FILE_NAME
    known = _read(store)
    cached = known.get(name)
    if cached is not None and cached.get("sha256") == entry.sha256 and cached.get("candidates") == list(CANDIDATES):
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
    write_text_atomic(path, json.dumps(data, indent=2))
