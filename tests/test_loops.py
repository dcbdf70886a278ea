"""The loop stop: an answer that says one stretch over and over ends there, and nothing
before that point changes."""

from __future__ import annotations

import random

import pytest
import torch

from llm.completion import StreamingCompletion, TextStream, complete_batch
from llm.config import ModelConfig
from llm.loops import LoopWatch, loop_end, repeated_ngrams
from llm.model import Transformer
from llm.sampling import SamplingConfig


def first_firing(ids, min_tokens, **kwargs):
    """The number of tokens seen when the watch first says "loop" (None: never)."""
    return loop_end(ids, min_tokens, **kwargs)


def by_definition(ids, min_tokens, repeats=3, longest_unit=64):
    """The rule read literally: the ids end in a stretch of period `unit` that holds `repeats`
    copies of it and fills min_tokens."""
    for n in range(1, len(ids) + 1):
        seen = ids[:n]
        if any(longest_run(seen, unit) >= max(unit * repeats, min_tokens) for unit in range(1, longest_unit + 1)):
            return n
    return None


def longest_run(seen, unit):
    """How many of the last tokens repeat with period `unit` (the run the repeats fill)."""
    k = 0
    while k + unit < len(seen) and seen[-1 - k] == seen[-1 - k - unit]:
        k += 1
    return k + unit


def test_a_unit_said_three_times_is_a_loop_and_twice_is_not():
    unit = [5, 6, 7, 8, 9]
    assert first_firing([1, 2] + unit * 2, min_tokens=10) is None
    assert first_firing([1, 2] + unit * 3, min_tokens=10) == 2 + 15  # the third copy's last token
    assert first_firing([1, 2] + unit * 3, min_tokens=16) is None  # the repeats fill only 15 tokens
    assert first_firing([1, 2] + unit * 4, min_tokens=16) == 2 + 16  # one more token of the loop fills 16


def test_a_short_unit_must_come_round_until_it_fills_the_minimum():
    assert first_firing([3] * 31, min_tokens=32) is None  # "very, very, very" is not a loop
    assert first_firing([3] * 32, min_tokens=32) == 32
    assert first_firing([4, 5] * 16, min_tokens=32) == 32
    assert first_firing(list(range(40)), min_tokens=4) is None


def test_the_incremental_watch_agrees_with_the_rule_read_literally():
    for trial in range(200):
        rng = random.Random(trial)
        ids = [rng.randrange(3) for _ in range(rng.randrange(1, 20))]
        ids += rng.choice([[], [7, 8], [7, 8, 9, 10]]) * rng.randrange(5)
        ids += [rng.randrange(3) for _ in range(rng.randrange(4))]
        min_tokens = rng.choice([1, 4, 8, 12])
        assert first_firing(ids, min_tokens, longest_unit=8) == by_definition(ids, min_tokens, longest_unit=8), ids


def test_the_watch_must_see_every_token_in_order():
    watch = LoopWatch(4)
    watch.looping([1])
    with pytest.raises(ValueError, match="each token once"):
        watch.looping([1, 2, 3])
    with pytest.raises(ValueError, match="min_tokens"):
        LoopWatch(0)
    with pytest.raises(ValueError, match="loop_stop"):
        SamplingConfig(loop_stop=-1)


def test_a_stream_ends_a_loop_keeping_what_it_showed():
    decode_bytes = lambda ids: bytes(ord("a") + i for i in ids)  # noqa: E731
    stream = TextStream(decode_bytes, loop_stop=6)
    shown = "".join(stream.push(t) for t in [0, 1, 2, 3, 1, 2, 3, 1, 2, 3, 9, 9])
    assert (shown, stream.text, stream.finish_reason, stream.done) == ("abcdbcdbcd", "abcdbcdbcd", "loop", True)
    plain = TextStream(decode_bytes)
    assert "".join(plain.push(t) for t in [0, 1, 2, 3, 1, 2, 3, 1, 2, 3]) + plain.finish() == "abcdbcdbcd"
    assert plain.finish_reason == "length"


@pytest.fixture(scope="module")
def model() -> Transformer:
    torch.manual_seed(0)
    return Transformer(ModelConfig(vocab_size=16, d_model=32, n_layer=2, n_head=4, n_kv_head=2,
                                   max_seq_len=160)).eval()


def test_a_guarded_answer_is_the_unguarded_one_cut_where_the_watch_fires(model):
    """Greedy decoding by a tiny model (which loops); whatever it does, the loop stop only cuts."""
    decode_bytes = lambda ids: bytes(ord("a") + i for i in ids)  # noqa: E731
    for prompt in ([1, 2, 3], [4], [5, 9, 2, 7]):
        [free] = complete_batch(model, prompt, SamplingConfig(max_new_tokens=120), 1, decode_bytes)
        end = first_firing(free.token_ids, 12)
        guarded = StreamingCompletion(model, prompt, SamplingConfig(max_new_tokens=120, loop_stop=12), decode_bytes)
        text = "".join(guarded)
        done = guarded.completion
        assert done.token_ids == free.token_ids[: end or len(free.token_ids)]
        assert text == done.text and done.finish_reason == ("loop" if end else free.finish_reason)
        [batched] = complete_batch(model, prompt, SamplingConfig(max_new_tokens=120, loop_stop=12), 1, decode_bytes)
        assert batched == done


def test_a_model_that_says_one_token_forever_is_stopped_at_the_minimum(tmp_path):
    """Alone, and in `kigi serve`'s batcher beside an answer that is not watched."""
    from llm.batcher import Batcher, Job
    from llm.engine import Engine
    from tests.tiny import save_tiny_chat_model

    engine = Engine.load(save_tiny_chat_model(tmp_path))
    torch.nn.init.zeros_(engine.model.lm_head.weight)  # every logit 0: greedy picks token 0 every time
    [done] = engine.complete([1, 2], SamplingConfig(max_new_tokens=40, loop_stop=12))
    assert (done.token_ids, done.finish_reason) == ([0] * 12, "loop")
    batcher = Batcher(engine, max_rows=4)
    watched = Job([1, 2], SamplingConfig(max_new_tokens=40, loop_stop=12, seed=1), lambda i, t, e: None)
    free = Job([3, 4], SamplingConfig(max_new_tokens=40, seed=1), lambda i, t, e: None)
    batcher.submit(watched)
    batcher.submit(free)
    assert watched.done.wait(60) and free.done.wait(60)
    batcher.close()
    assert [(c.token_ids, c.finish_reason) for c in watched.completions + free.completions] == [
        ([0] * 12, "loop"), ([0] * 40, "length")]


def test_repeated_ngrams_is_the_share_of_ngrams_seen_before():
    assert repeated_ngrams([1, 2, 3, 4, 1, 2, 3, 4]) == pytest.approx(1 / 5)  # 5 four-grams, (1 2 3 4) twice
    assert repeated_ngrams([1, 2, 3, 4, 5, 6]) == 0.0 and repeated_ngrams([1, 2, 3]) == 0.0
    assert repeated_ngrams([7] * 10, n=2) == pytest.approx(8 / 9)  # nine bigrams, one distinct
    sentence = [5, 6, 7, 8, 9]
    apart = sentence + [1] + sentence + [2] + sentence  # said three times, not in a row: no loop
    # 14 four-grams; the two of each later sentence repeat the first's
    assert loop_end(apart, 4) is None and repeated_ngrams(apart) == pytest.approx(4 / 14)
