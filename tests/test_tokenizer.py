"""Our tiktoken-based tokenizer against the `tokenizers` library on the same vocabulary."""

from __future__ import annotations

import json
import random

import pytest

from llm.tokenizer import Tokenizer
from tests.tiny import CHAT_SPECIALS, CORPUS, train_bpe_tokenizer

VARIED = [
    "Plain prose, with punctuation; and a question?",
    "numbers 0 1 22 333 4444 3.14159 1,000,000 2026-11-29",
    "def f(x):\n\treturn {'a': [1, 2, 3]}  # code\n",
    "    indented\n\n\n   \t  whitespace runs  ",
    "emoji 😀🎉🌲👩‍👩‍👧 flags 🇯🇵",
    "日本語の文章、そして木々。",
    "I'm sure they'll know we've seen it'd be",
    "",
]


def fuzz(count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    pools = [(32, 126), (0, 0x7F), (0x80, 0x7FF), (0x3040, 0x30FF), (0x4E00, 0x4FFF), (0x1F300, 0x1F6FF)]
    out = []
    for _ in range(count):
        chars = []
        for _ in range(rng.randint(0, 30)):
            lo, hi = rng.choice(pools)
            cp = rng.randint(lo, hi)
            if 0xD800 <= cp <= 0xDFFF:
                continue
            chars.append(chr(cp))
        out.append("".join(chars))
    return out


@pytest.fixture(scope="module")
def pair():
    reference = train_bpe_tokenizer()
    ours = Tokenizer.from_vocab(*vocab_of(reference), "smollm")
    return ours, reference


def vocab_of(reference):
    vocab = reference.get_vocab()
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    types = [3 if t in CHAT_SPECIALS else 1 for t in tokens]
    return tokens, types


def test_ids_match_reference_on_varied_text(pair):
    ours, reference = pair
    for text in VARIED + CORPUS[:7]:
        assert ours.encode(text) == reference.encode(text, add_special_tokens=False).ids, text


def test_ids_match_reference_on_fuzz(pair):
    ours, reference = pair
    for text in fuzz(3000):
        assert ours.encode(text) == reference.encode(text, add_special_tokens=False).ids, repr(text)


def test_round_trip_any_utf8(pair):
    ours, _ = pair
    for text in VARIED + fuzz(500, seed=1):
        assert ours.decode(ours.encode(text)) == text


def test_special_tokens_only_when_allowed(pair):
    ours, _ = pair
    plain = ours.encode("<|im_start|>")
    assert ours.special_id("<|im_start|>") not in plain
    assert ours.encode("<|im_start|>", allow_special=True) == [ours.special_id("<|im_start|>")]


def test_save_and_load_round_trip(pair, tmp_path):
    ours, _ = pair
    ours.save(tmp_path / "tok.json")
    again = Tokenizer.load(tmp_path / "tok.json")
    for text in VARIED:
        assert again.encode(text) == ours.encode(text)


def test_from_hf_tokenizer_json_detects_the_digit_split(tmp_path):
    reference = train_bpe_tokenizer()
    reference.save(str(tmp_path / "tokenizer.json"))
    ours = Tokenizer.from_hf_tokenizer_json(tmp_path / "tokenizer.json")
    assert ours.encode("abc 12345") == reference.encode("abc 12345", add_special_tokens=False).ids


def test_gpt2_pattern_without_digit_split(tmp_path):
    reference = train_bpe_tokenizer(digits=False)
    ours = Tokenizer.from_vocab(*vocab_of(reference), "gpt2")
    for text in VARIED + fuzz(500, seed=2):
        assert ours.encode(text) == reference.encode(text, add_special_tokens=False).ids


def test_missing_single_bytes_are_dropped_like_the_reference():
    reference = train_bpe_tokenizer()
    data = json.loads(reference.to_str())
    # Remove a single-byte token from the vocabulary; the reference then skips that byte.
    victim = "ĉ"  # byte 0x09 (tab) in GPT-2's byte alphabet
    assert victim in data["model"]["vocab"]
    tokens, types = vocab_of(reference)
    tokens[tokens.index(victim)] = "<unused>"
    types[tokens.index("<unused>")] = 3
    ours = Tokenizer.from_vocab(tokens, types, "smollm")
    assert 0x09 not in ours.decode_bytes(ours.encode("a\tb"))
