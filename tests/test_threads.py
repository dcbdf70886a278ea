"""Each generation takes only the cores nobody else is running on (llm/threads.py)."""

from __future__ import annotations

import pytest
import torch

from llm.config import ModelConfig
from llm.generate import generate_ids, generate_ragged_ids
from llm.model import Transformer
from llm.sampling import SamplingConfig
from llm.threads import FIT_ENV, fitted_threads, idle_cores


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def test_idle_cores_are_the_cores_less_what_other_processes_run():
    assert idle_cores("0.50 0.40 0.30 1/83 999", own_running=1, cores=2) == 2  # only this process runs
    assert idle_cores("2.10 1.90 1.50 2/85 999", own_running=1, cores=2) == 1  # one other task runs
    assert idle_cores("4.00 4.00 4.00 9/90 999", own_running=1, cores=2) == 0
    assert idle_cores("1.00 1.00 1.00 3/90 999", own_running=3, cores=4) == 4  # its own threads are not others
    assert idle_cores("not a loadavg line", own_running=1, cores=2) is None  # unknown: torch's setting stands
    assert idle_cores() is None or idle_cores() >= 0  # this machine's own reading parses


def test_a_block_runs_on_the_idle_cores_and_gives_torch_its_setting_back(two_threads):
    for idle, used in ((1, 1), (0, 1), (8, 2), (None, 2)):  # all busy: still one; never more than torch's
        with fitted_threads(lambda idle=idle: idle) as got:
            assert got == used and torch.get_num_threads() == used
        assert torch.get_num_threads() == 2


def test_fitting_switched_off_keeps_torchs_thread_count(two_threads, monkeypatch):
    """A benchmark comparing two settings holds the count: a moment's other task must not
    put one of its rows on one thread."""
    monkeypatch.setenv(FIT_ENV, "0")
    with fitted_threads(lambda: 1) as got:
        assert got == 2 and torch.get_num_threads() == 2


@pytest.mark.parametrize("ragged", [False, True])
def test_generation_decodes_on_the_idle_cores_even_when_stopped_early(two_threads, monkeypatch, ragged):
    monkeypatch.setattr("llm.threads.idle_cores", lambda: 1)
    torch.manual_seed(0)
    model = Transformer(ModelConfig(vocab_size=64, d_model=32, n_layer=2, n_head=4, n_kv_head=2, max_seq_len=96))
    config = SamplingConfig(max_new_tokens=8)
    steps = generate_ragged_ids(model.eval(), [[1, 2, 3], [4, 5]], config) if ragged else \
        generate_ids(model.eval(), [1, 2, 3], config)
    seen = []
    for _ in range(3):
        next(steps)
        seen.append(torch.get_num_threads())
    steps.close()  # a consumer that stops early (Ctrl-C, a stop string) gives the threads back too
    assert seen == [1, 1, 1] and torch.get_num_threads() == 2


def test_scoring_passes_run_on_the_idle_cores_too(two_threads, monkeypatch):
    from llm.generate import continuation_logprobs, suffix_logprobs

    monkeypatch.setattr("llm.threads.idle_cores", lambda: 1)
    torch.manual_seed(0)
    model = Transformer(ModelConfig(vocab_size=64, d_model=32, n_layer=2, n_head=4, n_kv_head=2, max_seq_len=96))
    seen = []
    model.register_forward_hook(lambda *args: seen.append(torch.get_num_threads()))
    continuation_logprobs(model.eval(), [1, 2, 3], [[4, 5], [6]])
    suffix_logprobs(model, [[1, 2], [3]], [4, 5])
    assert seen and set(seen) == {1} and torch.get_num_threads() == 2
