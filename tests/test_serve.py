"""`kigi serve` on a tiny model: the official OpenAI client streams the same text that a
session gives with the same seed, concurrent requests are decoded together without
changing any answer, the key is enforced, bad requests are refused, and answers are logged."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from agent.prompts import ChatTemplate, Message
from agent.session import Session
from llm.batcher import Batcher, Job
from llm.engine import Engine
from llm.sampling import SamplingConfig
from memory.log import ConversationLog
from tests.need import extra
from tests.serving import peaked_tiny_engine, serving

KEY = "test-key"


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    return peaked_tiny_engine(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def server(engine, tmp_path_factory):
    from ui.serve import ServeState

    state = ServeState(engine, "tiny", Batcher(engine, max_rows=8), api_key=KEY,
                       log_path=tmp_path_factory.mktemp("log") / "kigi.db",
                       embed_loader=lambda: (lambda texts: [[float(len(t)), 1.0] for t in texts]))
    with serving(state) as url:
        yield url, state


def client(base: str, key: str = KEY):
    openai = extra("openai")
    return openai.OpenAI(base_url=f"{base}/v1", api_key=key, max_retries=0, timeout=60)


def session_text(engine: Engine, question: str, seed: int, temperature: float, max_tokens: int) -> str:
    session = Session(engine, "tiny")  # as `kigi ask` builds it: the template's default system prompt
    sampling = SamplingConfig(max_new_tokens=max_tokens, temperature=temperature, seed=seed)
    return "".join(session.reply(question, sampling=sampling))


def test_the_official_client_streams_what_a_session_says_with_the_same_seed(server, engine):
    base, _ = server
    stream = client(base).chat.completions.create(
        model="tiny", messages=[{"role": "user", "content": "Tell me about foxes."}], stream=True, seed=7,
        temperature=0.9, max_tokens=16)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == session_text(engine, "Tell me about foxes.", seed=7, temperature=0.9, max_tokens=16)
    whole = client(base).chat.completions.create(
        model="tiny", messages=[{"role": "user", "content": "Tell me about foxes."}], seed=7, temperature=0.9,
        max_tokens=16)
    assert whole.choices[0].message.content == text and whole.usage.completion_tokens <= 16


def test_concurrent_requests_are_batched_and_each_answer_is_its_own(server, engine):
    base, state = server
    questions = [f"Question number {i} about trees?" for i in range(6)]

    def ask(i: int) -> str:
        answer = client(base).chat.completions.create(
            model="tiny", messages=[{"role": "user", "content": questions[i]}], seed=100 + i, temperature=1.0,
            max_tokens=12)
        return answer.choices[0].message.content

    before = state.batcher.largest
    with ThreadPoolExecutor(6) as pool:
        together = list(pool.map(ask, range(6)))
    alone = [session_text(engine, q, seed=100 + i, temperature=1.0, max_tokens=12) for i, q in enumerate(questions)]
    assert together == alone
    assert max(before, state.batcher.largest) > 1  # some requests really shared a batch


def test_models_health_embeddings_n_and_refusals(server):
    base, _ = server
    openai = extra("openai")
    assert [m.id for m in client(base).models.list().data] == ["tiny"]
    vectors = client(base).embeddings.create(model="all-minilm-l6-v2", input=["ab", "abcd"])
    assert [d.embedding for d in vectors.data] == [[2.0, 1.0], [4.0, 1.0]]
    two = client(base).chat.completions.create(model="tiny", messages=[{"role": "user", "content": "Hi"}], n=2,
                                               seed=1, temperature=1.0, max_tokens=6)
    assert [c.index for c in two.choices] == [0, 1]
    with pytest.raises(openai.AuthenticationError):
        client(base, key="wrong").chat.completions.create(model="tiny", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.BadRequestError):
        client(base).chat.completions.create(model="tiny", messages=[{"role": "robot", "content": "x"}])
    with pytest.raises(openai.BadRequestError, match="context window"):
        client(base).chat.completions.create(model="tiny", messages=[{"role": "user", "content": "word " * 5000}])
    httpx = extra("httpx")
    assert httpx.get(f"{base}/health").json() == {"status": "ok", "model": "tiny", "precision": "fp32",
                                                  "adapters": [], "context_window": 512}


def test_answers_are_logged_like_kigi_ask_with_the_client(server):
    base, state = server
    client(base).chat.completions.create(model="tiny", seed=5, temperature=0.5, max_tokens=5, messages=[
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Log me?"}])
    time.sleep(0.2)
    with ConversationLog(state.log_path, readonly=True) as log:
        latest = log.conversation(log.last_conversation_id())
    assert latest.system == "Be brief." and [m.role for m in latest.messages][-2:] == ["user", "assistant"]
    generation = latest.messages[-1].generation
    assert generation.seed == 5 and generation.params["client"] == "127.0.0.1" and generation.model == "tiny"


def test_a_cancelled_job_stops_and_others_finish(engine):
    batcher = Batcher(engine, max_rows=4)
    got: dict[int, list[str]] = {0: [], 1: []}
    keep = Job(ChatTemplate().render_ids(engine.tokenizer, [Message("user", "hello")]),
               SamplingConfig(max_new_tokens=10, temperature=1.0, seed=3), lambda i, t, e: got[0].append(t))
    gone = Job(list(keep.prompt_ids), SamplingConfig(max_new_tokens=400, temperature=1.0, seed=4),
               lambda i, t, e: got[1].append(t))
    gone.cancelled.set()
    batcher.submit(gone)
    batcher.submit(keep)
    assert keep.done.wait(60) and gone.done.wait(60)
    assert keep.completions and not gone.completions and got[1] == []
    batcher.close()


def test_a_request_that_arrives_mid_batch_joins_it_and_answers_as_alone(engine):
    """Continuous batching: the second job joins the first's running batch (one batch in
    all) and gets the answer a lone decode gives."""
    batcher = Batcher(engine, max_rows=4)
    template = ChatTemplate()
    started, submitted = threading.Event(), threading.Event()

    def hold_until_the_late_job_waits(index: int, text: str, end: str | None) -> None:
        started.set()
        submitted.wait(60)  # the batcher thread pauses here: the late job surely arrives mid-batch

    long_job = Job(template.render_ids(engine.tokenizer, [Message("user", "Tell me a long story about a fox.")]),
                   SamplingConfig(max_new_tokens=60, temperature=1.0, seed=8),  # no stop token: it runs on
                   hold_until_the_late_job_waits)
    short = SamplingConfig(max_new_tokens=8, temperature=1.0, seed=9)  # the same settings: one batch
    late = Job(template.render_ids(engine.tokenizer, [Message("user", "Hi")]), short, lambda i, t, e: None)
    batcher.submit(long_job)
    assert started.wait(60)
    batcher.submit(late)
    submitted.set()
    assert late.done.wait(60) and long_job.done.wait(60)
    batcher.close()
    assert batcher.batches == 1  # it joined the running batch instead of waiting for the next
    assert late.completions[0].token_ids == engine.complete(late.prompt_ids, short)[0].token_ids


class OwingStep:
    """Stands in for a compiled decode step that owes one build (never called to decode:
    the job below decodes two rows, and only batch 1 goes through a compiled step)."""

    def __init__(self) -> None:
        self.pending, self.built = True, threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        self.pending = False
        self.built.set()
        return True


def test_a_server_builds_the_compiled_steps_it_owes_when_no_request_waits(engine, monkeypatch):
    step = OwingStep()
    monkeypatch.setattr(engine, "compiled", step)
    batcher = Batcher(engine, max_rows=4)
    job = Job(ChatTemplate().render_ids(engine.tokenizer, [Message("user", "hello")]),
              SamplingConfig(max_new_tokens=4, temperature=1.0, seed=3), lambda i, t, e: None, n=2)
    batcher.submit(job)
    assert job.done.wait(60) and step.built.wait(60) and not step.pending
    batcher.close()
