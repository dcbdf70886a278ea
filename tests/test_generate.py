"""Decoding: sampling rules, batched samples, streaming text, stop strings, limits."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from llm.completion import StreamingCompletion, TextStream, complete_batch, complete_ragged, whole_characters
from llm.config import ModelConfig
from llm.errors import ContextOverflowError
from llm.generate import continuation_logprobs, generate_ids, generate_ragged_ids
from llm.logits import process_logits
from llm.model import Transformer
from llm.sampling import SamplingConfig


@pytest.fixture(scope="module")
def model() -> Transformer:
    torch.manual_seed(0)
    return Transformer(ModelConfig(vocab_size=64, d_model=32, n_layer=2, n_head=4, n_kv_head=2,
                                   max_seq_len=96)).eval()


def collect(steps, n):
    """The token rows of a step-by-step decode (None marks a finished row)."""
    rows: list[list[int]] = [[] for _ in range(n)]
    for step in steps:
        for row, token in zip(rows, step, strict=True):
            if token is not None:
                row.append(token)
    return rows


def decode(model, prompt, config, n=1, compiled=None):
    return collect(generate_ids(model, prompt, config, n=n, compiled=compiled), n)


def test_greedy_is_deterministic(model):
    config = SamplingConfig(max_new_tokens=15)
    assert decode(model, [1, 2, 3], config) == decode(model, [1, 2, 3], config)


def test_batched_samples_equal_lone_decodes_with_the_same_seed(model):
    config = SamplingConfig(max_new_tokens=12, temperature=1.0, top_k=20, top_p=0.9, seed=123)
    batch = decode(model, [4, 5, 6, 7], config, n=4)
    for i, row in enumerate(batch):
        alone = decode(model, [4, 5, 6, 7], SamplingConfig(max_new_tokens=12, temperature=1.0, top_k=20,
                                                           top_p=0.9, seed=123 + i))
        assert row == alone[0]
    assert len({tuple(r) for r in batch}) > 1  # the rows really are different samples


def test_seeded_sampling_repeats_and_unseeded_varies(model):
    config = SamplingConfig(max_new_tokens=20, temperature=1.5, seed=7)
    assert decode(model, [1], config) == decode(model, [1], config)


def test_chunked_prefill_equals_one_pass(model):
    prompt = list(torch.randint(0, 64, (40,), generator=torch.Generator().manual_seed(3)).tolist())
    one = [s[0] for s in generate_ids(model, prompt, SamplingConfig(max_new_tokens=8), prefill_chunk=512)]
    chunked = [s[0] for s in generate_ids(model, prompt, SamplingConfig(max_new_tokens=8), prefill_chunk=7)]
    assert one == chunked


def test_stop_token_ends_a_row_and_others_continue(model):
    first = decode(model, [1, 2], SamplingConfig(max_new_tokens=10))[0]
    stop = first[2]
    rows = decode(model, [1, 2], SamplingConfig(max_new_tokens=10, stop_token_ids=(stop,)))
    assert rows[0] == first[: first.index(stop) + 1]


def test_top_k_and_top_p_keep_only_the_likeliest():
    logits = torch.tensor([[4.0, 3.0, 2.0, 1.0, 0.0]])
    empty = torch.zeros((1, 0), dtype=torch.long)
    kept = process_logits(logits, empty, SamplingConfig(temperature=1.0, top_k=2)).isfinite()
    assert kept.tolist() == [[True, True, False, False, False]]
    probs = logits.softmax(-1)[0]  # ~[.64, .24, .09, .03, .01]
    kept = process_logits(logits, empty, SamplingConfig(temperature=1.0, top_p=0.8)).isfinite()
    assert kept.tolist() == [[True, True, False, False, False]]
    assert probs[0] < 0.8 < probs[0] + probs[1]


def test_repetition_penalty_follows_the_ctrl_rule():
    logits = torch.tensor([[2.0, -2.0, 1.0]])
    out = process_logits(logits, torch.tensor([[0, 1]]), SamplingConfig(repetition_penalty=2.0))
    assert out.tolist() == [[1.0, -4.0, 1.0]]


def test_context_overflow_is_refused(model):
    with pytest.raises(ContextOverflowError, match="context window"):
        next(generate_ids(model, [1] * 96, SamplingConfig()))


def test_new_tokens_are_capped_by_the_window(model):
    steps = list(generate_ids(model, [1] * 90, SamplingConfig(max_new_tokens=50)))
    assert len(steps) == 6


def test_a_first_token_bias_moves_the_first_choice_only(model):
    greedy = SamplingConfig(max_new_tokens=8)
    plain = decode(model, [1, 2, 3], greedy)[0]
    banned = dataclasses.replace(greedy, first_token_bias=((plain[0], -1e4),))
    biased = decode(model, [1, 2, 3], banned)[0]
    assert biased[0] != plain[0]
    # after the first token the decode goes on greedily from it, bias or not
    assert biased[1:] == decode(model, [1, 2, 3, biased[0]], SamplingConfig(max_new_tokens=7))[0]
    # a bias too small to change the choice changes nothing
    assert decode(model, [1, 2, 3], dataclasses.replace(greedy, first_token_bias=((plain[0], -1e-6),)))[0] == plain
    # a ragged batch biases each row's first token, as alone
    assert ragged_rows(model, RAGGED, banned, 512) == [decode(model, p, banned)[0] for p in RAGGED]
    with pytest.raises(ValueError, match="first_token_bias"):
        SamplingConfig(first_token_bias=((3, float("nan")),))


def test_sampling_config_names_the_bad_field():
    with pytest.raises(ValueError, match="top_p"):
        SamplingConfig(top_p=0)
    with pytest.raises(ValueError, match="temperature"):
        SamplingConfig(temperature=-1)


# -- text streaming ------------------------------------------------------------------------
BYTES = {i: bytes([i]) for i in range(256)}


def decode_bytes(ids):
    return b"".join(BYTES[i] for i in ids)


def feed(stream: TextStream, data: bytes) -> str:
    return "".join(stream.push(b) for b in data) + stream.finish()


def test_text_stream_holds_back_split_utf8_characters():
    stream = TextStream(decode_bytes)
    pieces = [stream.push(b) for b in "木々".encode()]
    assert pieces[:2] == ["", ""] and pieces[2] == "木"
    assert "".join(pieces) + stream.finish() == "木々"


def test_text_stream_cuts_at_a_stop_string_and_never_shows_part_of_it():
    stream = TextStream(decode_bytes, stop_strings=["\nUser:"])
    shown = []
    for b in b"Hello there\nUser: more":
        shown.append(stream.push(b))
        if stream.done:
            break
    assert "".join(shown) == "Hello there"
    assert stream.finish_reason == "stop" and stream.text == "Hello there"


def test_text_stream_releases_a_partial_stop_that_never_completes():
    stream = TextStream(decode_bytes, stop_strings=["###"])
    assert feed(stream, b"a ## b") == "a ## b"


def test_a_character_cut_by_the_token_limit_is_dropped_not_shown_as_a_replacement():
    cut = "日本の".encode()[:-1]  # max_tokens ended two bytes into "の"
    stream = TextStream(decode_bytes)
    assert feed(stream, cut) == "日本" and stream.text == "日本"
    # invalid bytes before the end are still shown as U+FFFD; only the unfinished tail goes
    assert feed(TextStream(decode_bytes), b"a\xffb\xe3\x81x" + cut) == "a\ufffdb\ufffdx日本"
    assert feed(TextStream(decode_bytes), b"ok\xed\xa0") == "ok\ufffd\ufffd"  # a surrogate is invalid, not unfinished


def test_completions_and_streams_cut_mid_character_end_on_a_whole_one(model):
    nichi = "日".encode()

    def three_bytes_a_character(ids):  # token i is byte i of "日日日...": characters span tokens
        return (nichi * len(ids))[:len(ids)]

    config = SamplingConfig(max_new_tokens=5, temperature=1.0, seed=0)  # 5 bytes: "日" and 2 of the next
    results = complete_batch(model, [1, 2, 3], config, 2, three_bytes_a_character)
    assert [(r.text, r.finish_reason, len(r.token_ids)) for r in results] == [("日", "length", 5)] * 2
    stream = StreamingCompletion(model, [1, 2, 3], config, three_bytes_a_character)
    assert "".join(stream) == "日" and stream.completion.text == "日"


def test_complete_batch_returns_text_per_row(model):
    results = complete_batch(model, [1, 2, 3], SamplingConfig(max_new_tokens=5, temperature=1.0, seed=1), 3,
                             lambda ids: bytes(i % 128 for i in ids))
    assert len(results) == 3 and all(len(r.token_ids) == 5 for r in results)
    assert all(r.finish_reason == "length" for r in results)


# -- different prompts as one batch ---------------------------------------------------------

RAGGED = [[1, 2, 3], [9, 8, 7, 6, 5, 4, 3, 2], [5], [30, 31, 32, 33, 34]]


def ragged_rows(model, prompts, config, chunk=512):
    return collect(generate_ragged_ids(model, prompts, config, prefill_chunk=chunk), len(prompts))


@pytest.mark.parametrize("chunk", [512, 3])
def test_a_ragged_batch_equals_each_prompt_decoded_alone(model, chunk):
    greedy = SamplingConfig(max_new_tokens=10)
    assert ragged_rows(model, RAGGED, greedy, chunk) == [decode(model, p, greedy)[0] for p in RAGGED]
    sampled = SamplingConfig(max_new_tokens=10, temperature=1.0, top_k=20, seed=5, repetition_penalty=1.3)
    alone = [decode(model, p, SamplingConfig(max_new_tokens=10, temperature=1.0, top_k=20, seed=5 + i,
                                             repetition_penalty=1.3))[0] for i, p in enumerate(RAGGED)]
    assert ragged_rows(model, RAGGED, sampled, chunk) == alone


def test_rows_that_are_no_longer_wanted_end_and_the_rest_are_packed_unchanged(model):
    """A server's client leaves (or its answer hits its own limit): its row ends; once half
    the rows have ended the others move to the front of the batch and decode on as alone."""
    sampled = SamplingConfig(max_new_tokens=12, temperature=1.0, seed=5)
    alone = [decode(model, p, SamplingConfig(max_new_tokens=12, temperature=1.0, seed=5 + i))[0]
             for i, p in enumerate(RAGGED)]
    left = {0: 2, 2: 4, 3: 5}  # row -> how many tokens it is wanted for
    rows: list[list[int]] = [[] for _ in RAGGED]
    batch_sizes: list[int] = []
    hook = model.blocks[0].register_forward_pre_hook(lambda module, args: batch_sizes.append(args[0].size(0)))
    try:
        for step in generate_ragged_ids(model, RAGGED, sampled, wanted=lambda i: len(rows[i]) < left.get(i, 99)):
            for i, token in enumerate(step):
                if token is not None:
                    rows[i].append(token)
    finally:
        hook.remove()
    assert [len(r) for r in rows] == [2, 12, 4, 5]  # each ended when it stopped being wanted
    assert [r == a[:len(r)] for r, a in zip(rows, alone, strict=True)] == [True] * 4
    assert rows[1] == alone[1]  # the row decoded on, packed into a smaller batch, unchanged
    assert batch_sizes[0] == 4 and 2 in batch_sizes and batch_sizes[-1] == 1  # packed twice


@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_prompts_that_join_a_running_batch_decode_as_alone(model, temperature):
    """Continuous batching: prompts arriving after the batch started are prefilled into free
    cache rows, ending where the batch writes next, and decode as if alone."""
    def sampling(seed: int, tokens: int) -> SamplingConfig:
        return SamplingConfig(max_new_tokens=tokens, temperature=temperature, seed=seed)

    first = RAGGED[:2]
    late = {3: (RAGGED[2], 40), 6: (RAGGED[3], 41), 7: ([7, 7, 7], 42)}  # step -> (prompt, seed)
    steps = 0

    def arrivals(free: int, where: int, room: int):
        joined = [late[steps]] if steps in late and free else []
        assert all(len(p) <= where for p, _ in joined) and (room >= 5 or not joined)
        return joined

    rows: list[list[int]] = []
    limits = {2: 5, 3: 4, 4: 4}  # each late row wants this many tokens (its own limit)
    for step in generate_ragged_ids(model, first, sampling(5, 12), arrivals=arrivals, capacity=4,
                                    wanted=lambda i: len(rows[i]) < limits.get(i, 99)):
        rows.extend([] for _ in range(len(step) - len(rows)))
        for i, token in enumerate(step):
            if token is not None:
                rows[i].append(token)
        steps += 1
    assert len(rows) == 4  # the third late prompt found no free row (capacity 4)
    alone = [decode(model, first[0], sampling(5, 12))[0], decode(model, first[1], sampling(6, 12))[0],
             decode(model, RAGGED[2], sampling(40, 5))[0], decode(model, RAGGED[3], sampling(41, 4))[0]]
    assert rows == alone


def test_a_ragged_batch_leaves_no_stale_prefix_in_the_cache(model):
    greedy = SamplingConfig(max_new_tokens=6)
    before = decode(model, RAGGED[1], greedy)[0]  # fills the prefix cache with prompt 1
    ragged_rows(model, RAGGED, greedy)
    assert model.kv_cache.tokens == []
    assert decode(model, RAGGED[1], greedy)[0] == before
    assert all(torch.isfinite(kv).all() for kv in model.kv_cache.layers), "padding wrote NaN into the cache"


def test_ragged_completions_fall_back_to_one_by_one_without_rotary_positions(model):
    learned = Transformer(ModelConfig(vocab_size=64, d_model=32, n_layer=1, n_head=4, n_kv_head=4,
                                      max_seq_len=96, positions="learned", norm="layer", activation="gelu",
                                      bias=True)).eval()
    with pytest.raises(ValueError, match="rotary"):
        next(generate_ragged_ids(learned, RAGGED, SamplingConfig(max_new_tokens=3)))
    config = SamplingConfig(max_new_tokens=4)
    to_bytes = lambda ids: bytes(i % 128 for i in ids)  # noqa: E731
    for m in (model, learned):
        together = complete_ragged(m, RAGGED, config, to_bytes)
        assert [c.token_ids for c in together] == [decode(m, p, config)[0] for p in RAGGED]


def test_continuation_logprobs_follow_the_chain_rule_and_keep_the_prompt_cached(model):
    prompt, continuations = [3, 1, 4, 1, 5], [[9], [2, 6], [5, 3, 5]]
    scores = continuation_logprobs(model, prompt, continuations)
    with torch.no_grad():
        for seq, score in zip(continuations, scores, strict=True):
            logits = model(torch.tensor([prompt + seq]))[0].log_softmax(-1)  # uncached, one pass
            expected = sum(float(logits[len(prompt) - 1 + j, t]) for j, t in enumerate(seq))
            assert score == pytest.approx(expected, abs=1e-5)
    assert model.kv_cache.tokens == prompt
    assert continuation_logprobs(model, prompt, continuations) == pytest.approx(scores, abs=1e-6)
    with pytest.raises(ValueError, match="at least one token"):
        continuation_logprobs(model, prompt, [[]])
    with pytest.raises(ContextOverflowError):
        continuation_logprobs(model, list(range(90)), [[1] * 10])


def test_a_sampled_nul_byte_never_reaches_the_text():
    """A model can sample the 0x00 byte token; the text (shown and logged) never holds it."""
    assert whole_characters(b"a\x00b\x00") == "ab"
