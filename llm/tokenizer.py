"""Byte-level BPE as a `tiktoken.Encoding` built from the model's own vocabulary.

A GPT-2-style vocabulary whose token ids follow merge order (merge i makes a larger id
than merge i-1) can use `rank = token id` directly, which is what tiktoken needs. User
text is always encoded without special tokens; chat templates (in `agent/`) insert the
control tokens by id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from llm.errors import IncompatibleWeightsError

# GPT-2's pre-tokenizer, and SmolLM's: every digit split on its own before the GPT-2 rules.
GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
DIGITS_PATTERN = (
    r"""\p{N}|'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?[^\s\p{L}\p{N}]+|\s+(?=\p{N})|\s+(?!\S)|\s+"""
)
PRE_TOKENIZER_PATTERNS = {"gpt2": GPT2_PATTERN, "smollm": DIGITS_PATTERN, "digits": DIGITS_PATTERN}

NORMAL, CONTROL, USER_DEFINED = 1, 3, 4  # GGUF token types


@cache
def unicode_to_byte() -> dict[str, int]:
    """GPT-2 stores each byte as a printable character; this maps them back."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    chars, extra = {}, 0
    for b in range(256):
        if b in printable:
            chars[chr(b)] = b
        else:
            chars[chr(256 + extra)] = b
            extra += 1
    return chars


def token_bytes(token: str) -> bytes:
    table = unicode_to_byte()
    try:
        return bytes(table[ch] for ch in token)
    except KeyError:
        # A user-defined token written as plain text rather than byte characters.
        return token.encode("utf-8")


@dataclass
class Tokenizer:
    """Encode/decode between text and token ids; specials only where asked for."""

    ranks: dict[bytes, int]
    special_tokens: dict[str, int]
    pattern: str
    vocab_size: int
    bos_id: int | None = None
    eos_id: int | None = None
    name: str = "bpe"
    _encoding: object = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        import tiktoken

        # tiktoken needs a rank for every single byte; the ones missing from the vocabulary
        # get filler ranks past the end, and encode() drops them as the reference does.
        ranks = dict(self.ranks)
        filler = max([*ranks.values(), *self.special_tokens.values(), self.vocab_size - 1]) + 1
        missing = bytes(b for b in range(256) if bytes([b]) not in ranks)
        for b in missing:
            ranks[bytes([b])] = filler
            filler += 1
        self._missing = missing
        self._encoding = tiktoken.Encoding(
            name=self.name, pat_str=self.pattern, mergeable_ranks=ranks,
            special_tokens=self.special_tokens,
        )

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_vocab(cls, tokens: Sequence[str], token_types: Sequence[int] | None, pre: str,
                   bos_id: int | None = None, eos_id: int | None = None,
                   name: str = "bpe") -> Tokenizer:
        """Build from a GGUF-style vocabulary: token strings (GPT-2 byte characters) + types."""
        try:
            pattern = PRE_TOKENIZER_PATTERNS[pre]
        except KeyError:
            raise IncompatibleWeightsError(
                f"tokenizer pre-tokenizer {pre!r} is not supported (known: {', '.join(PRE_TOKENIZER_PATTERNS)})"
            ) from None
        types = token_types or [NORMAL] * len(tokens)
        ranks: dict[bytes, int] = {}
        specials: dict[str, int] = {}
        for token_id, (token, kind) in enumerate(zip(tokens, types, strict=True)):
            if kind in (CONTROL, USER_DEFINED) and not (kind == USER_DEFINED and len(token) == 1):
                specials[token] = token_id
            else:
                ranks.setdefault(token_bytes(token), token_id)
        return cls(ranks, specials, pattern, len(tokens), bos_id, eos_id, name)

    @classmethod
    def from_hf_tokenizer_json(cls, path: Path) -> Tokenizer:
        """Build from a Hugging Face `tokenizer.json` holding a byte-level BPE model."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        model = data.get("model", {})
        if model.get("type") != "BPE":
            raise IncompatibleWeightsError(f"{path}: only byte-level BPE tokenizers are supported")
        vocab: dict[str, int] = model["vocab"]
        added = {t["content"]: t["id"] for t in data.get("added_tokens", []) if t.get("special")}
        size = max([*vocab.values(), *added.values()]) + 1
        tokens = [""] * size
        types = [NORMAL] * size
        for token, token_id in vocab.items():
            tokens[token_id] = token
        for token, token_id in added.items():
            tokens[token_id], types[token_id] = token, CONTROL
        pre = "digits" if '"Digits"' in json.dumps(data.get("pre_tokenizer")) else "gpt2"
        return cls.from_vocab(tokens, types, pre)

    # -- our checkpoint format ----------------------------------------------------------
    def save(self, path: Path) -> None:
        data = {
            "pattern": self.pattern, "vocab_size": self.vocab_size, "bos_id": self.bos_id,
            "eos_id": self.eos_id, "special_tokens": self.special_tokens,
            "ranks": {b.hex(): r for b, r in self.ranks.items()},
        }
        Path(path).write_text(json.dumps(data), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Tokenizer:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        ranks = {bytes.fromhex(h): r for h, r in data["ranks"].items()}
        return cls(ranks, data["special_tokens"], data["pattern"], data["vocab_size"],
                   data.get("bos_id"), data.get("eos_id"))

    # -- use ----------------------------------------------------------------------------
    def encode(self, text: str, *, allow_special: bool = False) -> list[int]:
        """Token ids of `text`. Special-token strings stay plain text unless allowed."""
        if self._has_missing_bytes(text):
            if allow_special and any(self.special_tokens):  # a non-empty special string
                return self._encode_specials_then_dropping_missing(text)
            return self._encode_dropping_missing(text)
        if allow_special:
            ids = self._encoding.encode(text, allowed_special="all")
        else:
            ids = self._encoding.encode_ordinary(text)
        return [i for i in ids if i < self.vocab_size]

    def _has_missing_bytes(self, text: str) -> bool:
        if not self._missing:
            return False
        data = text.encode("utf-8", errors="surrogatepass")
        return len(data.translate(None, self._missing)) != len(data)

    def _encode_dropping_missing(self, text: str) -> list[int]:
        """The reference drops a byte that has no token *before* merging, which lets its
        neighbours merge; tiktoken would merge around a filler instead. So split, drop, merge."""
        import regex

        ids: list[int] = []
        for match in regex.finditer(self.pattern, text):
            piece = match.group().encode("utf-8", errors="surrogatepass").translate(None, self._missing)
            if piece:
                ids += self._encoding._encode_single_piece(piece)
        return ids

    def _encode_specials_then_dropping_missing(self, text: str) -> list[int]:
        """Special tokens by id, the text between them as `_encode_dropping_missing` does."""
        import regex

        specials = "|".join(regex.escape(s) for s in sorted(self.special_tokens, key=len, reverse=True) if s)
        ids: list[int] = []
        start = 0
        for match in regex.finditer(specials, text):
            ids += self._encode_dropping_missing(text[start:match.start()])
            ids.append(self.special_tokens[match.group()])
            start = match.end()
        return ids + self._encode_dropping_missing(text[start:])

    def decode_bytes(self, ids: Iterable[int]) -> bytes:
        return self._encoding.decode_bytes(list(ids))

    def decode(self, ids: Iterable[int]) -> str:
        return self.decode_bytes(ids).decode("utf-8", errors="replace")

    def special_id(self, token: str) -> int:
        try:
            return self.special_tokens[token]
        except KeyError:
            raise KeyError(f"the tokenizer has no special token {token!r}") from None
