"""Property-based fuzzing with hypothesis: tokenizer round-trips, damaged GGUF files, the
chunker's promises and ids, and preference pairs read back by `datasets`.

Every property runs a fixed number of derandomized examples with no deadline and no
example database: each run tests the same inputs, whatever the seed or the machine's speed.
Each finding that needed a fix also has a plain regression test below its property.
"""

from __future__ import annotations

import json
import os
import re
import signal
import struct
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from llm.errors import CorruptWeightsError, IncompatibleWeightsError
from llm.tokenizer import Tokenizer, unicode_to_byte
from llm.weights import LoadedWeights, load_weights
from memory.chunking import Chunk, chunk_text, chunks
from memory.log import ConversationLog
from tests.test_tokenizer import vocab_of
from tests.tiny import CHAT_SPECIALS, train_bpe_tokenizer

REPO = Path(__file__).resolve().parent.parent


def fuzz(examples: int) -> settings:
    """Same inputs on every run (derandomize), no timing verdicts, nothing stored in .hypothesis/."""
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


# ======================================================================== 1. the tokenizer
# Characters that have tripped tokenizers: C0 controls (some have no token in SmolLM's
# vocabulary), combining marks, ZWJ emoji sequences, flags, a BOM, line separators, digits
# of other scripts, code points whose UTF-8 lead byte (0xF1, 0xF2) has no token, and the
# special-token strings themselves. Surrogates are left out: they are not valid UTF-8.
TRICKY = ["\x00", "\x04", "\x06", "\x13", "\x14", "\x16", "\x1d", "\x7f", "\t", "\r\n", "\u0301", "e\u0301",
          "\u200d", "👩\u200d👩\u200d👧", "🇯🇵", "\ufeff", "\u2028", "\x85", "\U00040000", "\U00080000",
          "\U0010ffff", "١٢٣", "Ⅻ", "  ", "'ll", "日本", *CHAT_SPECIALS]
TEXT = st.lists(st.one_of(st.characters(codec="utf-8"), st.sampled_from(TRICKY)), max_size=40).map("".join)
# The 21 single bytes that SmolLM2's vocabulary has no token for (DESIGN.md).
NO_TOKEN = bytes([0x04, 0x06, 0x13, 0x14, 0x16, 0x1D, 0xC0, 0xC1, 0xF1, 0xF2, *range(0xF5, 0x100)])


@pytest.fixture(scope="module")
def reference() -> Any:
    return train_bpe_tokenizer()


@pytest.fixture(scope="module")
def tokenizer(reference: Any) -> Tokenizer:
    return Tokenizer.from_vocab(*vocab_of(reference), "smollm")


@pytest.fixture(scope="module")
def holey(reference: Any) -> Tokenizer:
    """The same vocabulary with SmolLM2's 21 missing single bytes taken out, as the real one."""
    tokens, types = vocab_of(reference)
    char_of = {b: c for c, b in unicode_to_byte().items()}
    for n, byte in enumerate(NO_TOKEN):
        index = tokens.index(char_of[byte])
        tokens[index], types[index] = f"<unused{n}>", 3
    tok = Tokenizer.from_vocab(tokens, types, "smollm")
    assert tok._missing == NO_TOKEN
    return tok


def specials_in(text: str, tok: Tokenizer) -> list[int]:
    """Ids of the special-token strings in `text`, leftmost-longest, as tiktoken finds them."""
    pattern = "|".join(re.escape(s) for s in sorted(tok.special_tokens, key=len, reverse=True))
    return [tok.special_tokens[m.group()] for m in re.finditer(pattern, text)]


@fuzz(250)
@given(text=TEXT)
def test_tokenizer_round_trips_any_text(tokenizer: Tokenizer, reference: Any, text: str) -> None:
    ids = tokenizer.encode(text)
    assert tokenizer.decode(ids) == text
    assert all(0 <= i < tokenizer.vocab_size for i in ids)
    assert not set(ids) & set(tokenizer.special_tokens.values())  # user text never yields a control token
    if not specials_in(text, tokenizer):  # the reference always reads special strings as specials
        assert ids == reference.encode(text, add_special_tokens=False).ids


@fuzz(200)
@given(text=TEXT)
def test_tokenizer_drops_exactly_the_bytes_without_a_token(holey: Tokenizer, text: str) -> None:
    ids = holey.encode(text)
    assert holey.decode_bytes(ids) == text.encode("utf-8").translate(None, NO_TOKEN)
    assert all(0 <= i < holey.vocab_size for i in ids)
    assert not set(ids) & set(holey.special_tokens.values())


@fuzz(200)
@given(text=TEXT)
def test_allowed_specials_survive_bytes_without_a_token(tokenizer: Tokenizer, holey: Tokenizer, text: str) -> None:
    for tok in (tokenizer, holey):
        ids = tok.encode(text, allow_special=True)
        assert [i for i in ids if i in tok.special_tokens.values()] == specials_in(text, tok)
        assert tok.decode_bytes(ids) == text.encode("utf-8").translate(None, tok._missing)


def test_regression_allowed_special_next_to_a_byte_without_a_token(holey: Tokenizer) -> None:
    # Found by the property above: one byte without a token sent the whole text down the
    # byte-dropping path, which knew nothing of specials, so <|im_start|> came out as text.
    start = holey.special_id("<|im_start|>")
    assert holey.encode("\x04<|im_start|>hi", allow_special=True) == [start, *holey.encode("hi")]
    assert start not in holey.encode("\x04<|im_start|>hi")


# ======================================================================== 2. damaged GGUF files
class Hang(BaseException):
    """Raised by the alarm; a BaseException so that the loader's `except Exception` cannot eat it."""


@contextmanager
def no_hang(seconds: int = 20) -> Iterator[None]:
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def ring(signum: int, frame: Any) -> None:
        raise Hang(f"the loader ran past {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def write_small_gguf(path: Path) -> None:
    """A tiny but complete llama GGUF (12 kB): a 32-token vocabulary with control tokens,
    Q8_0 matrices and F32 norms, every field the loader reads."""
    import gguf

    char_of = {b: c for c, b in unicode_to_byte().items()}
    tokens = [char_of[b] for b in b"abcdefghijklmnopqrstuvwxyz "] + ["Ġt", "he", "Ġthe", *CHAT_SPECIALS[1:]]
    d, vocab = 32, len(tokens)
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_block_count(1)
    writer.add_context_length(64)
    writer.add_embedding_length(d)
    writer.add_feed_forward_length(d)
    writer.add_head_count(2)
    writer.add_head_count_kv(1)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("smollm")
    writer.add_token_list(tokens)
    writer.add_token_types([3 if t in CHAT_SPECIALS else 1 for t in tokens])
    writer.add_bos_token_id(vocab - 2)
    writer.add_eos_token_id(vocab - 1)
    shapes = {"token_embd": (vocab, d), "output_norm": (d,), "blk.0.attn_norm": (d,), "blk.0.ffn_norm": (d,),
              "blk.0.attn_q": (d, d), "blk.0.attn_k": (d // 2, d), "blk.0.attn_v": (d // 2, d),
              "blk.0.attn_output": (d, d), "blk.0.ffn_gate": (d, d), "blk.0.ffn_up": (d, d),
              "blk.0.ffn_down": (d, d)}
    rng = np.random.default_rng(0)
    for name, shape in shapes.items():
        array = rng.standard_normal(shape).astype(np.float32)
        if array.ndim == 2 and name != "blk.0.ffn_down":
            q8 = gguf.GGMLQuantizationType.Q8_0
            writer.add_tensor(f"{name}.weight", gguf.quants.quantize(array, q8), raw_dtype=q8)
        else:
            writer.add_tensor(f"{name}.weight", array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


class SmallGGUF:
    """The intact file's bytes, where its header ends and where its last tensor's data ends."""

    def __init__(self, directory: Path) -> None:
        import gguf

        self.path = directory / "small.gguf"
        write_small_gguf(self.path)
        self.data = self.path.read_bytes()
        reader = gguf.GGUFReader(self.path)
        self.header_end = reader.data_offset
        self.data_end = max(t.data_offset + t.n_bytes for t in reader.tensors)
        self.fields = {name: f.offset for name, f in reader.fields.items()}
        self.intact = load_weights(self.path)
        self.broken = directory / "broken.gguf"

    def load(self, data: bytes) -> LoadedWeights:
        self.broken.write_bytes(data)
        with no_hang():
            return load_weights(self.broken)


@pytest.fixture(scope="module")
def small_gguf(tmp_path_factory: pytest.TempPathFactory) -> SmallGGUF:
    return SmallGGUF(tmp_path_factory.mktemp("gguf"))


def same_weights(a: LoadedWeights, b: LoadedWeights) -> bool:
    return a.config == b.config and a.state_dict.keys() == b.state_dict.keys() and all(
        np.array_equal(a.state_dict[k].numpy(), b.state_dict[k].numpy()) for k in a.state_dict)


def offsets(size: int, header_end: int) -> st.SearchStrategy[int]:
    """Any offset, the header (where counts and lengths live) drawn as often as the rest."""
    return st.one_of(st.integers(0, header_end - 1), st.integers(0, size - 1))


@fuzz(150)
@given(data=st.data())
def test_truncated_gguf_raises_corrupt_weights(small_gguf: SmallGGUF, data: st.DataObject) -> None:
    cut = data.draw(offsets(len(small_gguf.data), small_gguf.header_end), label="cut")
    if cut >= small_gguf.data_end:  # only the trailing padding is gone: nothing is lost
        assert same_weights(small_gguf.load(small_gguf.data[:cut]), small_gguf.intact)
        return
    with pytest.raises(CorruptWeightsError) as err:
        small_gguf.load(small_gguf.data[:cut])
    assert str(small_gguf.broken) in str(err.value) and "\n" not in str(err.value)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # a flipped scale dequantizes to NaN
@fuzz(300)
@given(data=st.data())
def test_damaged_gguf_loads_or_raises_a_typed_error(small_gguf: SmallGGUF, data: st.DataObject) -> None:
    broken = bytearray(small_gguf.data)
    where = offsets(len(broken), small_gguf.header_end)
    for offset, bit in data.draw(st.lists(st.tuples(where, st.integers(0, 7)), min_size=1, max_size=4), label="flips"):
        broken[offset] ^= 1 << bit
    # A damaged count or length: any 8 bytes of the header overwritten with any u64.
    stomp = data.draw(st.none() | st.tuples(st.integers(0, small_gguf.header_end - 8), st.integers(0, 2**64 - 1)),
                      label="stomp")
    if stomp is not None:
        broken[stomp[0]:stomp[0] + 8] = struct.pack("<Q", stomp[1])
    try:
        small_gguf.load(bytes(broken))  # a flip in tensor data loads: GGUF has no checksum
        event("loaded")
    except (CorruptWeightsError, IncompatibleWeightsError) as err:
        assert "\n" not in str(err)  # one line for the CLI; a damaged file is named in it
        assert str(small_gguf.broken) in str(err) or isinstance(err, IncompatibleWeightsError)
        event("header check" if "damaged header" in str(err) else type(err).__name__)


def test_regression_a_huge_array_count_is_refused_not_read_for_hours(small_gguf: SmallGGUF) -> None:
    # Found by the property above: one flipped bit in the item count of an int32 array
    # (tokenizer.ggml.token_type: 32 -> 2**40 + 32) made gguf's reader read empty items past
    # the end of the file one by one (hours); the header is now checked against the size.
    key = "tokenizer.ggml.token_type"
    count_at = small_gguf.fields[key] + 8 + len(key) + 4 + 4  # key length, key, value type, item type
    broken = bytearray(small_gguf.data)
    assert struct.unpack_from("<Q", broken, count_at)[0] == small_gguf.intact.config.vocab_size
    broken[count_at + 5] ^= 1
    with pytest.raises(CorruptWeightsError, match=re.escape(repr(key)) + ".* declares 1099511627808 items"):
        small_gguf.load(bytes(broken))


def test_regression_a_string_turned_array_is_refused(small_gguf: SmallGGUF) -> None:
    # Also found above: tokenizer.ggml.pre's type flipped from string (8) to array (9) read
    # the string's length as an item type and its text as a count of floats.
    key = "tokenizer.ggml.pre"
    type_at = small_gguf.fields[key] + 8 + len(key)
    broken = bytearray(small_gguf.data)
    broken[type_at] ^= 1
    with pytest.raises(CorruptWeightsError, match="not a readable GGUF file \\(damaged header: 'tokenizer.ggml.pre'"):
        small_gguf.load(bytes(broken))


# ======================================================================== 3. the chunker
# What the chunker promises (memory/chunking.py), tested for any text, kind and bounds:
# - every chunk has at most `max_chars` characters and some non-whitespace, and positions
#   count 0, 1, 2...;
# - whitespace set aside (it is not kept exactly), each chunk is a contiguous piece of the
#   document; the first starts at its start, the last ends at its end, and each next one
#   starts inside the previous one (its overlap: at most `overlap` characters, a tail of
#   that chunk) or right after it, and ends past it: nothing is lost, reordered or repeated
#   beyond the overlap;
# - the same holds when lines arrive cut in arbitrary pieces (the store reads a giant line
#   in pieces);
# - ids (memory/store/ingest.py: sha256 of source, position and content hash) are the same for
#   the same input, differ between chunks, and depend only on source, position and text.
STRUCTURE = ["\n", "\n\n", "\r\n", "\r", "\x0b", "\x1c", "\x85", "\u2028", " ", "    ", "\t", "# Title\n",
             "## h ##\n", "```\n", "~~~\n", "Title\n=====\n", "----\n", "def f(x):\n", "@decorator\n",
             "class A:\n", "async def g():\n", "function h() {\n", "}\n", "pub fn k() {}\n", "word ", "w" * 30]
DOC = st.one_of(st.text(max_size=300),
                st.lists(st.sampled_from(STRUCTURE) | st.text(max_size=6), max_size=80).map("".join))
KINDS = st.sampled_from(["text", "markdown", "rst", "python", "code"])


def squeeze(text: str) -> str:
    return "".join(text.split())


def assert_chunker_promises(text: str, got: list[Chunk], max_chars: int, overlap: int) -> None:
    assert [c.position for c in got] == list(range(len(got)))
    assert all(len(c.text) <= max_chars and c.text.strip() for c in got)
    whole, pieces = squeeze(text), [squeeze(c.text) for c in got]
    if not whole:
        assert not got
        return
    # Where each chunk may end in `whole`; several places when the text repeats itself.
    ends = {len(pieces[0])} if whole.startswith(pieces[0]) else set()
    for prev, piece in zip(pieces, pieces[1:], strict=False):
        ends = {end - shared + len(piece) for end in ends
                for shared in range(min(len(piece) - 1, len(prev), overlap, end) + 1)
                if whole[end - shared:end - shared + len(piece)] == piece}
    assert len(whole) in ends, (whole, pieces)


@fuzz(300)
@given(text=DOC, kind=KINDS, max_chars=st.integers(4, 80), data=st.data())
def test_chunks_cover_the_text_in_order(text: str, kind: Any, max_chars: int, data: st.DataObject) -> None:
    overlap = data.draw(st.integers(0, max_chars // 2), label="overlap")
    assert_chunker_promises(text, chunk_text(text, kind, max_chars, overlap), max_chars, overlap)


@fuzz(150)
@given(text=DOC, kind=KINDS, max_chars=st.integers(4, 80), data=st.data())
def test_chunks_cover_lines_cut_anywhere(text: str, kind: Any, max_chars: int, data: st.DataObject) -> None:
    overlap = data.draw(st.integers(0, max_chars // 2), label="overlap")
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(text) - 1)), max_size=8), label="cuts"))
    bounds = [0, *[c for c in cuts if c < len(text)], len(text)]
    lines = [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
    assert_chunker_promises(text, list(chunks(lines, kind, max_chars, overlap)), max_chars, overlap)


@fuzz(100)
@given(first=DOC, second=DOC, kind=KINDS)
def test_chunk_ids_are_stable_and_follow_content(first: str, second: str, kind: Any) -> None:
    from memory.store import chunk_id, content_hash

    def ids(text: str, source: str) -> dict[str, tuple[int, str]]:
        return {chunk_id(source, c.position, content_hash(c.text)): (c.position, c.text)
                for c in chunk_text(text, kind, 120, 30)}

    a, again = ids(first, "doc.md"), ids(first, "doc.md")
    assert a == again  # same input, same ids
    assert len(a) == len(chunk_text(first, kind, 120, 30))  # one id per chunk
    b = ids(second, "doc.md")
    for shared in a.keys() & b.keys():  # an id names one (position, text) of a source...
        assert a[shared] == b[shared]
    id_of = {v: k for k, v in b.items()}
    for key, value in a.items():  # ...and the same (position, text) gets the same id
        assert id_of.get(value, key) == key
    assert not a.keys() & ids(first, "other.md").keys()  # and belongs to its source


def test_regression_a_blank_line_cannot_push_a_piece_past_its_bound() -> None:
    # Found by the property: a paragraph that filled its piece took its closing blank
    # line anyway, so 'aaa\n' + ' ' made a 5-character chunk with max_chars=4.
    assert [c.text for c in chunk_text("aaa\n ", "text", 4, 0)] == ["aaa"]
    assert all(len(c.text) <= 10 for c in chunk_text("123456789\n" + " " * 50 + "\nnext\n", "text", 10, 0))


def test_regression_blanks_cut_off_a_long_line_make_no_chunk() -> None:
    # Found by the property: 'aaa\r\n' cut at 3 characters left a piece '\r\n'; packed
    # behind the 1-character overlap it made a chunk 'a\r' that said nothing new.
    assert [c.text for c in chunk_text("aaa\r\n", "text", 4, 1)] == ["aaa"]
    assert [c.text for c in chunk_text("abcdef" + " " * 9 + "\n", "text", 8, 2)] == ["abcdef"]  # not "ef      "


# ======================================================================== 4. preferences
CONTENT = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30),
    st.lists(st.sampled_from(['"', "\\", "\\n", "\n", "\r\n", "'", "{\"a\": [1]}", "😀", "👩\u200d👧", "e\u0301",
                              "\u2028", "\ufeff", "\t", "<|im_end|>", "日本語", " ", "null", ""]),
             max_size=8).map("".join),
)
TURN = st.fixed_dictionaries({
    "history": st.lists(st.tuples(CONTENT, CONTENT), max_size=2),
    "user": CONTENT,
    "answers": st.lists(CONTENT, min_size=2, max_size=3),
    "votes": st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.sampled_from(["a", "b", "tie", "both_bad"])),
                      min_size=1, max_size=3),
})


@pytest.fixture(scope="module")
def datasets() -> Iterator[Any]:
    module = pytest.importorskip("datasets")  # slow to import: once per module
    module.disable_progress_bars()
    yield module
    module.enable_progress_bars()


def record_conversations(log: ConversationLog, conversations: list[dict[str, Any]], system: str | None,
                         rater: str) -> list[dict[str, Any]]:
    """Log each conversation and its votes; return the records an export should hold."""
    expected = []
    for conv in conversations:
        cid = log.start_conversation(model="tiny", system=system)
        prompt = [{"role": "system", "content": system}] if system else []
        for question, answer in conv["history"]:
            log.add_message(cid, "user", question)
            log.add_message(cid, "assistant", answer)
            prompt += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
        turn = log.add_message(cid, "user", conv["user"])
        prompt.append({"role": "user", "content": conv["user"]})
        log.add_message(cid, "assistant", conv["answers"][0])
        for answer in conv["answers"][1:]:
            log.add_candidate(turn.id, answer)
        candidates = log.candidates(turn.id)
        for i, j, outcome in conv["votes"]:
            i, j = i % len(candidates), j % len(candidates)
            if i == j:
                continue
            log.record_preference(candidates[i].id, candidates[j].id, outcome, rater=rater)
            if outcome in ("a", "b"):
                chosen, rejected = (i, j) if outcome == "a" else (j, i)
                expected.append({
                    "prompt": prompt,
                    "chosen": [{"role": "assistant", "content": conv["answers"][chosen]}],
                    "rejected": [{"role": "assistant", "content": conv["answers"][rejected]}],
                    "rater": rater, "shown_first": "chosen" if outcome == "a" else "rejected",
                })
    return expected


def assert_exported(path: Path, expected: list[dict[str, Any]], datasets: Any) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()  # one record per line, whoever counts lines
    assert len(lines) == len(expected)
    if not expected:
        return
    ds = datasets.load_dataset("json", data_files=str(path), split="train",
                               cache_dir=str(path.parent / "hf-cache"))
    assert len(ds) == len(expected)
    for row, want, line in zip(ds, expected, lines, strict=True):
        for key in ("prompt", "chosen", "rejected"):
            assert row[key] == want[key] == json.loads(line)[key]
        assert (row["metadata"]["rater"], row["metadata"]["shown_first"]) == (want["rater"], want["shown_first"])


@fuzz(25)
@given(conversations=st.lists(TURN, min_size=1, max_size=2), system=st.none() | CONTENT, rater=CONTENT)
def test_prefs_export_round_trips_through_datasets(tmp_path_factory: pytest.TempPathFactory, datasets: Any,
                                                   conversations: list[dict[str, Any]], system: str | None,
                                                   rater: str) -> None:
    directory = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    with ConversationLog(directory / "kigi.db") as log:
        expected = record_conversations(log, conversations, system, rater)
        with (directory / "prefs.jsonl").open("w", encoding="utf-8") as fp:  # what `kigi prefs export -o` does
            assert log.export_preferences(fp) == len(expected)
    assert_exported(directory / "prefs.jsonl", expected, datasets)


def test_kigi_prefs_export_round_trips_through_datasets(tmp_path: Path, datasets: Any) -> None:
    """The command itself, once, on the content that is hardest to quote."""
    import subprocess

    nasty = ['say "hi"\\n', "line\nbreak\r\n\ttab", "😀 e\u0301 \u2028 \ufeff", "{\"json\": [1, \"x\"]}", "\\", ""]
    conversations = [{"history": [(nasty[0], nasty[1])], "user": nasty[2], "answers": nasty[3:],
                      "votes": [(0, 1, "a"), (2, 1, "b"), (0, 2, "tie")]}]
    with ConversationLog(tmp_path / "kigi.db") as log:
        expected = record_conversations(log, conversations, nasty[1], "r\u00e9\"ter")
    out = tmp_path / "prefs.jsonl"
    env = {**os.environ, "KIGI_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "cli", "prefs", "export", "-o", str(out)], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert_exported(out, expected, datasets)


def record_with_nul(log: ConversationLog, field: str, bad: str) -> None:
    """Log a small turn with `bad` in `field`; the log must refuse it there."""
    cid = log.start_conversation(system=bad if field == "system" else None)
    turn = log.add_message(cid, "user", bad if field == "user" else "q")
    log.add_message(cid, "assistant", bad if field == "assistant" else "a")
    other = log.add_candidate(turn.id, bad if field == "candidate" else "b")
    log.record_preference(log.candidates(turn.id)[0].id, other.id, "a", rater=bad if field == "rater" else "r")


@fuzz(30)
@given(field=st.sampled_from(["system", "user", "assistant", "candidate", "rater"]), text=CONTENT,
       data=st.data())
def test_nul_is_refused_naming_the_field(tmp_path_factory: pytest.TempPathFactory, field: str, text: str,
                                         data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(text)), label="at")
    bad = text[:at] + "\x00" + text[at:]
    with ConversationLog(Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp())) / "kigi.db") as log:
        name = field if field in ("system", "rater") else "content"
        with pytest.raises(ValueError, match=f"^{name}: contains a NUL character \\(at index {at}\\)"):
            record_with_nul(log, field, bad)
        stored = [m.content for c in log.list_conversations(None) for m in log.conversation(c.id).messages]
        assert not any("\x00" in s for s in stored) and not log.preference_pairs()


def test_regression_unicode_line_breaks_stay_inside_their_record(tmp_path: Path) -> None:
    # Found by the property: json.dumps leaves U+2028 raw, and str.splitlines() (and some
    # editors) split the record there; the export now escapes U+0085, U+2028 and U+2029.
    with ConversationLog(tmp_path / "kigi.db") as log:
        expected = record_conversations(log, [{"history": [], "user": "q\u2029", "answers": ["", "\u2028\x85"],
                                               "votes": [(0, 1, "a")]}], None, "r")
        with (tmp_path / "prefs.jsonl").open("w", encoding="utf-8") as fp:
            log.export_preferences(fp)
    text = (tmp_path / "prefs.jsonl").read_text(encoding="utf-8")
    assert "\\u2028\\u0085" in text and len(text.splitlines()) == 1
    assert json.loads(text)["rejected"] == expected[0]["rejected"]


def test_regression_nul_in_content_is_refused(tmp_path: Path) -> None:
    # The log stored NULs as given; an export then carried them to every tool downstream.
    with ConversationLog(tmp_path / "kigi.db") as log:
        cid = log.start_conversation()
        with pytest.raises(ValueError, match=r"^content: contains a NUL character \(at index 1\)"):
            log.add_message(cid, "user", "a\x00b")
        assert log.conversation(cid).messages == ()
