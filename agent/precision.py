"""The precision a model runs at by default, chosen by measurement (issue 21).

int4 decodes several times faster than fp32 on a CPU, and bf16 about twice as fast in
prefill and batches; for the default model (whose weights are a Q4_1 GGUF, 4-bit already)
either costs almost nothing. For a model added by the user that may not hold, so the
choice is measured, once per model file, and kept: each candidate, fastest first, is
compared with fp32 two ways. On a fixed text (`llm/quality_text.txt`, teacher-forced):
perplexity may rise by at most MAX_PPL_RISE percent and the next-token choice must agree
with fp32's at MIN_TOP1 of the positions. And as a user gets it: the candidate decodes
greedy answers to 40 everyday chat prompts as a fresh `kigi ask` would, each until it parts
from fp32's answer (`parting`). On average MIN_GREEDY_PREFIX of each
answer must be kept, and no answer may part within its first AGREED_START tokens where
fp32 was sure of its choice (its top-2 log-probability margin at least SURE_MARGIN).

A parting where fp32 itself was at a coin flip is rounding, not a change of meaning, and
every precision has some: with six prompts and no margin (gate v1), one near-tie decided.
The default model's answer to "What is the capital of France?" starts at such a tie ("The"
0.15 against "L" 0.14 at fp32): bf16 keeps "The", int4 tips into "L'Étoile, ...". Over 40
prompts bf16 and int4 each part early on 3, every one at an fp32 margin of 0.00-0.19
(`benchmarks/precision_agreement.py`), so int4, as faithful and twice as fast on answers,
is what gate v2 chooses (and v3, the same rules measured again once int4 began to
prefill through bf16 copies of its weights, llm/dense_prefill.py). `kigi model info` shows the choice and its figures;
`--precision` overrides it. For the models kigi fetches by name the choice measured for the
release ships with it (`RELEASE_FILE`): the same file gives the same figures anywhere, and
a first run need not spend a minute on it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import torch

from agent.home import KigiHome
from agent.models import cache_dir_of, ensure_model, model_registry
from llm.config import Precision
from llm.engine import Engine
from llm.generate import generate_ids
from llm.registry import write_text_atomic

# Fastest decode first. bf16 reads twice int8's bytes a step (18.0 against 27.5 tok/s on the
# AVX-512 machine measured; prefill 861 against 376), but it only rounds the weights, so it
# keeps a model's answers where int8 may not, and still beats fp32 (README, Models).
CANDIDATES: tuple[Precision, ...] = ("int4", "int8", "bf16")
GATE = 3  # the version of the rules below: a choice made under other rules is measured again
MAX_PPL_RISE = 1.0  # percent over fp32
MIN_TOP1 = 0.95  # share of positions where the top token equals fp32's
MIN_GREEDY_PREFIX = 0.5  # mean share of fp32's greedy answer reproduced before the first difference
AGREED_START = 4  # ... and no answer may part from fp32's within its first tokens: the start sets its course,
SURE_MARGIN = 0.25  # ... where fp32's top choice led its second by this many nats (below: a coin flip)
ANSWER_TOKENS = 32
QUALITY_PROMPTS = (
    "What is the capital of France?", "Name three colours of the rainbow.", "Write one sentence about the sea.",
    "What is 12 plus 30?", "Give a short tip for learning to cook.", "Why do leaves change colour in autumn?",
    "What is the boiling point of water?", "Who wrote Romeo and Juliet?", "How many days are in a week?",
    "What do bees make?", "Suggest a name for a pet cat.", "What is the largest planet in our solar system?",
    "How do I make a cup of tea?", "What is photosynthesis?", "Translate 'hello' into Spanish.",
    "Give me a synonym for happy.", "What is the opposite of cold?", "Why is the sky blue?",
    "How many legs does a spider have?", "What is the capital of Japan?", "Write a haiku about rain.",
    "What is a noun?", "Name a fruit that is yellow.", "How can I sleep better?",
    "What does a thermometer measure?", "What is 7 times 8?", "Describe a cat in one sentence.",
    "What language is spoken in Brazil?", "Give one reason to exercise.",
    "What is the freezing point of water in Fahrenheit?", "Who painted the Mona Lisa?",
    "What is the chemical symbol for gold?", "Tell me a fun fact about octopuses.", "How do plants drink water?",
    "What is a verb?", "Name two continents.", "What is the tallest mountain on Earth?",
    "Why do we have seasons?", "What is an apple?", "Write a short greeting for a birthday card.",
)
MAX_TOKENS = 512  # of the text: enough for a stable perplexity, seconds on a CPU
AUTO = "auto"
FILE_NAME = "precision.json"
RELEASE_FILE = "precision_release.json"  # in this package: choices measured for the models kigi fetches by name


@dataclass(frozen=True)
class Quality:
    precision: str
    ppl_rise: float  # percent over fp32
    top1: float
    greedy_prefix: float = 1.0  # mean share of fp32's greedy answers reproduced before parting
    early_partings: int = 0  # answers parting from fp32's within their first AGREED_START tokens
    sure_partings: int = 0  # ... of them, where fp32 led by SURE_MARGIN or more: a real change

    @property
    def good(self) -> bool:
        return (self.ppl_rise <= MAX_PPL_RISE and self.top1 >= MIN_TOP1 and self.greedy_prefix >= MIN_GREEDY_PREFIX
                and self.sure_partings == 0)

    def summary(self) -> str:
        return (f"{self.precision}: perplexity {self.ppl_rise:+.2f}%, top-1 agreement {self.top1:.3f}, greedy answers "
                f"{self.greedy_prefix:.2f} the same as fp32's, {self.early_partings} parting in the first "
                f"{AGREED_START} tokens ({self.sure_partings} where fp32 was sure)")


@dataclass(frozen=True)
class PrecisionChoice:
    precision: Precision
    reason: str
    sha256: str  # of the model file it was measured on
    measured: list[Quality] = field(default_factory=list)

    def to_dict(self) -> dict:
        """As stored; with the candidates and the gate it chose by, so a kigi that changed them measures again."""
        return {**asdict(self), "measured": [asdict(q) for q in self.measured], "candidates": list(CANDIDATES),
                "gate": GATE}

    @classmethod
    def from_dict(cls, data: dict) -> PrecisionChoice:
        return cls(data["precision"], data["reason"], data["sha256"], [Quality(**q) for q in data["measured"]])


@dataclass(frozen=True)
class Answer:
    """fp32's greedy answer to one prompt, and how sure fp32 was of each of its tokens."""

    prompt: list[int]
    tokens: list[int]
    margins: list[float]  # fp32's top-2 log-probability margin at each answer position


def quality_ids(engine: Engine) -> list[int]:
    text = resources.files("llm").joinpath("quality_text.txt").read_text(encoding="utf-8")
    return engine.tokenizer.encode(text)[: min(MAX_TOKENS, engine.context_window)]


def text_logits(engine: Engine, ids: list[int]) -> torch.Tensor:
    with torch.inference_mode():
        return engine.model(torch.tensor([ids]))[0].float()


def chat_prompts(engine: Engine, prompts: Sequence[str] = QUALITY_PROMPTS) -> list[list[int]]:
    from agent.prompts import ChatTemplate, Message

    template = ChatTemplate()
    return [template.render_ids(engine.tokenizer, [Message("user", p)]) for p in prompts]


def answer_sampling(engine: Engine):
    from agent.prompts import ChatTemplate
    from llm.sampling import SamplingConfig

    return SamplingConfig(max_new_tokens=ANSWER_TOKENS, stop_token_ids=ChatTemplate().stop_tokens(engine.tokenizer))


def greedy_answers(engine: Engine, prompts: Sequence[str] = QUALITY_PROMPTS) -> list[list[int]]:
    """Greedy answers to `prompts`, as `kigi ask` decodes them (chat template, cache)."""
    answers, sampling = [], answer_sampling(engine)
    for prompt in chat_prompts(engine, prompts):  # one at a time from an empty cache, as a fresh `kigi ask` decodes
        engine.model.clear_cache()
        [completion] = engine.complete(prompt, sampling)
        answers.append(completion.token_ids)
    engine.model.clear_cache()
    return answers


def answer_logits(engine: Engine, prompt: list[int], tokens: list[int]) -> torch.Tensor:
    """The logits before each answer token, `tokens` teacher-forced after `prompt`."""
    return text_logits(engine, prompt + tokens)[len(prompt) - 1:len(prompt) - 1 + len(tokens)]


def reference_answers(engine: Engine, prompts: Sequence[str] = QUALITY_PROMPTS) -> list[Answer]:
    """fp32's greedy answers (decoded as one batch: at fp32 a batch row is its lone decode)
    with fp32's margin at each token."""
    prompt_ids = chat_prompts(engine, prompts)
    completions = engine.complete_each(prompt_ids, answer_sampling(engine))
    engine.model.clear_cache()
    answers = []
    for prompt, completion in zip(prompt_ids, completions, strict=True):
        top = answer_logits(engine, prompt, completion.token_ids).log_softmax(-1).topk(2).values
        answers.append(Answer(prompt, completion.token_ids, (top[:, 0] - top[:, 1]).tolist()))
    return answers


def parting(engine: Engine, answer: Answer) -> int:
    """Where `engine`'s greedy answer first differs from fp32's (len(tokens) if nowhere),
    decoded as a fresh `kigi ask` decodes it and stopped there. (Reading fp32's answer in
    one forward pass would be cheaper, but a quantized prefill rounds otherwise than a
    decode step: at near-ties it parted elsewhere on 12 of 40 answers at int4.)"""
    engine.model.clear_cache()
    steps = generate_ids(engine.model, answer.prompt, answer_sampling(engine))
    try:
        for at, want in enumerate(answer.tokens):
            step = next(steps, None)
            if step is None or step[0] != want:
                return at
        return len(answer.tokens)
    finally:
        steps.close()
        engine.model.clear_cache()


def agreement(partings: Sequence[int], reference: Sequence[Answer]) -> tuple[float, int, int]:
    """The mean share of each reference answer kept before its parting; the answers parting
    within their first AGREED_START tokens; and of those, where fp32 was sure."""
    shares, early, sure = [], 0, 0
    for at, answer in zip(partings, reference, strict=True):
        length = len(answer.tokens)
        shares.append(at / length if length else 1.0)
        if at < min(AGREED_START, length):
            early += 1
            sure += answer.margins[at] >= SURE_MARGIN
    return sum(shares) / len(shares), early, sure


def compare(precision: str, logits: torch.Tensor, reference: torch.Tensor, ids: list[int],
            greedy: tuple[float, int, int] = (1.0, 0, 0)) -> Quality:
    targets = torch.tensor(ids[1:])
    nll = torch.nn.functional.cross_entropy
    rise = (float(nll(logits[:-1], targets)) - float(nll(reference[:-1], targets)))
    top1 = float((logits.argmax(-1) == reference.argmax(-1)).float().mean())
    return Quality(precision, round((torch.tensor(rise).exp().item() - 1) * 100, 3), round(top1, 4),
                   round(greedy[0], 4), greedy[1], greedy[2])


# (stage, done, total): how far the measurement is, for a progress bar
Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def measure(path: Path, sha256: str, cache_dir: Path | None = None, progress: Progress = _quiet) -> PrecisionChoice:
    """Compare each candidate with fp32; the first good one wins."""
    progress("fp32's answers", 0, 1)
    reference_engine = Engine.load(path, precision="fp32", cache_dir=cache_dir)
    ids = quality_ids(reference_engine)
    reference = text_logits(reference_engine, ids)
    answers = reference_answers(reference_engine)
    del reference_engine
    progress("fp32's answers", 1, 1)
    measured: list[Quality] = []
    for precision in CANDIDATES:
        stage = f"{precision} against fp32"
        progress(stage, 0, len(answers) + 1)
        engine = Engine.load(path, precision=precision, cache_dir=cache_dir)
        partings = []
        for answer in answers:
            partings.append(parting(engine, answer))
            progress(stage, len(partings), len(answers) + 1)
        quality = compare(precision, text_logits(engine, ids), reference, ids, agreement(partings, answers))
        progress(stage, len(answers) + 1, len(answers) + 1)
        measured.append(quality)
        if quality.good:
            return PrecisionChoice(precision, quality.summary(), sha256, measured)
    return PrecisionChoice("fp32", "no faster precision kept fp32's answers: " + "; ".join(
        q.summary() for q in measured), sha256, measured)


def measuring_note(name: str) -> str:
    """What the user is told while a model's default precision is measured."""
    return f"choosing {name}'s default precision: {', '.join(CANDIDATES)} against fp32 (once)"


def default_precision(home: KigiHome, name: str, progress: Progress = _quiet, *, here: bool = False) -> PrecisionChoice:
    """The model's default precision: as measured on this machine, else as measured for
    kigi's release on the same file (`released_choice`), else measured now (`progress` is
    told how far it is) and kept. `here` measures on this machine even where a choice is
    kept or shipped. A choice made on another file, among other candidates or under other
    rules is never used."""
    path = ensure_model(home, name)
    entry = model_registry(home).resolve(name)
    store = home.models / FILE_NAME
    known = _read(store)
    if not here:
        if _current(known.get(name), entry.sha256):
            return PrecisionChoice.from_dict(known[name])
        if (released := released_choice(name, entry.sha256)) is not None:
            return released
    choice = measure(path, entry.sha256, cache_dir_of(home, name), progress)
    known[name] = choice.to_dict()
    _write(store, known)
    return choice


def released_choice(name: str, sha256: str) -> PrecisionChoice | None:
    """The choice measured for this release of kigi on a model it fetches by name (the file
    pinned by its sha256), if there is one: a fresh home then starts in seconds instead of
    measuring for a minute. The measurement is arithmetic on fixed weights and texts, so it
    carries to other machines; `kigi model info --measure` repeats it on this one."""
    record = release_records().get(name)
    if not _current(record, sha256):
        return None
    choice = PrecisionChoice.from_dict(record)
    return replace(choice, reason=f"{choice.reason}; measured for this release of kigi "
                                  "(`kigi model info --measure` measures it on this machine)")


def release_records() -> dict:
    """The shipped choices (`RELEASE_FILE`, written by `benchmarks/release_precision.py`)."""
    return _read(resources.files("agent").joinpath(RELEASE_FILE))


def _current(record: object, sha256: str) -> bool:
    """Whether a kept choice was made on this model file, among these candidates, under these rules."""
    return (isinstance(record, dict) and record.get("sha256") == sha256
            and record.get("candidates") == list(CANDIDATES) and record.get("gate") == GATE)


def resolve(home: KigiHome, name: str, requested: str, progress: Progress = _quiet) -> Precision:
    """`requested`, or the model's measured default for "auto"."""
    if requested != AUTO:
        return requested  # type: ignore[return-value]
    return default_precision(home, name, progress).precision


def _read(path: Path | Traversable) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or damaged: measured again
    return data if isinstance(data, dict) else {}


def _write(path: Path, data: dict) -> None:
    """Atomically: two processes measuring at once each write a whole file."""
    write_text_atomic(path, json.dumps(data, indent=2))
