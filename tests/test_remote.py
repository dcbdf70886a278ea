"""Models served elsewhere: a session over `RemoteEngine` answers as a session over the
loaded model does (same seed, same text), adapters are asked for by name, a resident
`kigi serve` is found (or not) as `kigi ask` looks for it, and `kigi model add --openai-url`
registers a model that `kigi ask` then answers with, without loading any weights."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.remote_models import SERVER_ENV, RemoteModel, resident_server
from agent.session import Session
from llm.batcher import Batcher
from llm.engine import Engine
from llm.errors import ContextOverflowError
from llm.lora import LoRAConfig, adapters_of
from llm.remote import RemoteConfig, RemoteEngine, RemoteError, request_body
from llm.sampling import SamplingConfig
from memory.log import ConversationLog
from tests.need import extra
from tests.serving import peaked_tiny_engine, serving

QUESTION = "Tell me about foxes."


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    """The peaked tiny model with an adapter "shout" whose B is not zero (it changes answers)."""
    import torch

    engine = peaked_tiny_engine(tmp_path_factory.mktemp("tiny"))
    adapters = adapters_of(engine.model)
    adapters.add("shout", LoRAConfig(rank=4, alpha=8, targets=("q", "v")), seed=0)
    with torch.no_grad():
        generator = torch.Generator().manual_seed(1)
        for name, parameter in adapters.named_parameters("shout").items():
            if "lora_B" in name:
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.5)
    adapters.activate(None)
    return engine


@pytest.fixture(scope="module")
def server(engine, tmp_path_factory):
    from ui.serve import ServeState

    log_path = tmp_path_factory.mktemp("log") / "kigi.db"
    state = ServeState(engine, "tiny", Batcher(engine, max_rows=4), log_path=log_path, adapters=("shout",))
    with serving(state) as url:
        yield url, state


def remote(url: str, **kwargs) -> RemoteEngine:
    return RemoteEngine(RemoteConfig(f"{url}/v1", "tiny", context_window=512, **kwargs), "tiny")


def answer(engine, seed: int, temperature: float, reader: str | None = None, log: ConversationLog | None = None,
           context: str | None = None, loop_stop: int = 0) -> Session:
    session = Session(engine, "tiny", log=log)
    session.reader = reader
    sampling = SamplingConfig(max_new_tokens=14 if not loop_stop else 60, temperature=temperature, seed=seed,
                              loop_stop=loop_stop)
    "".join(session.reply(QUESTION if context is None else "What does it say?", context, sampling))
    return session


@pytest.mark.parametrize("temperature", [0.0, 0.9])
def test_a_remote_session_answers_as_the_loaded_model_does(server, engine, temperature):
    url, _ = server
    here = answer(engine, seed=11, temperature=temperature).last
    there = answer(remote(url), seed=11, temperature=temperature).last
    assert there.text == here.text and there.finish_reason == here.finish_reason
    assert there.prompt_tokens == here.prompt_tokens and there.completion_tokens == here.completion_tokens


def test_kigi_serve_reads_the_loop_stop_and_answers_as_the_loaded_model(server, engine):
    url, state = server
    from ui.serve import parse_chat

    asked = parse_chat({"messages": [{"role": "user", "content": "hi"}], "loop_stop": 7}, state)
    assert asked.sampling.loop_stop == 7
    here = answer(engine, seed=0, temperature=0.0, loop_stop=4).last
    there = answer(remote(url, kigi_fields=True), seed=0, temperature=0.0, loop_stop=4).last
    assert (there.text, there.finish_reason) == (here.text, here.finish_reason)


def test_the_reader_adapter_is_asked_for_by_name(server, engine):
    """Piped context makes the question a grounded one that the reader answers: over the
    server, the adapter served under its name answers it, as it does when loaded here."""
    url, _ = server
    context = "The fox lives in the northern forest and eats berries."
    here = answer(engine, seed=3, temperature=0.0, reader="shout", context=context).last
    there = answer(remote(url), seed=3, temperature=0.0, reader="shout", context=context).last
    base = answer(remote(url), seed=3, temperature=0.0, context=context).last
    assert there.text == here.text and there.adapter == "shout"
    assert base.text != there.text  # the adapter really answered
    assert adapters_of(engine.model).active is None  # and the base model is itself again
    with pytest.raises(RemoteError, match="not served here"):
        remote(url).complete_chat([{"role": "user", "content": "hi"}], SamplingConfig(max_new_tokens=2), model="nope")


def test_the_client_logs_the_turn_and_the_server_does_not_log_it_twice(server, tmp_path):
    url, state = server

    def served() -> int:
        with ConversationLog(state.log_path, readonly=True) as server_log:
            return len(server_log.list_conversations(limit=None))

    before = served()
    with ConversationLog(tmp_path / "client.db") as log:
        session = answer(remote(url, headers=(("X-Kigi-Client-Logs", "1"),)), seed=2, temperature=0.5, log=log)
        logged = log.conversation(session.conversation_id)
        assert [m.role for m in logged.messages] == ["user", "assistant"]
        assert logged.messages[-1].generation.seed == 2
    assert served() == before
    answer(remote(url), seed=2, temperature=0.5)  # any other client is logged by the server
    assert served() == before + 1


def test_early_stop_long_prompts_and_unreachable_servers_fail_clearly(server):
    url, _ = server
    session = Session(remote(url), "tiny")
    stream = session.reply(QUESTION, sampling=SamplingConfig(max_new_tokens=200, temperature=1.0, seed=5))
    next(iter(stream), None)
    stream.close()  # the consumer left (a closed pipe, Ctrl-C)
    assert session.last.finish_reason == "interrupted"
    with pytest.raises(ContextOverflowError, match="context window"):
        Session(remote(url), "tiny").reply("word " * 5000)
    small = RemoteEngine(RemoteConfig(f"{url}/v1", "tiny", context_window=100_000), "tiny")  # the server refuses
    with pytest.raises(ContextOverflowError, match="context window holds 512"):
        "".join(Session(small, "tiny").reply("word " * 5000))
    with pytest.raises(RemoteError, match="cannot reach"):
        "".join(Session(remote("http://127.0.0.1:9"), "tiny").reply("hi"))
    with pytest.raises(ValueError, match="served remotely"):
        Session(remote(url), "tiny").reply_best_of("hi", None, SamplingConfig(), 2, lambda m, a: [0.0] * len(a))


def test_retry_over_a_remote_model_samples_another_candidate(server, tmp_path):
    url, _ = server
    with ConversationLog(tmp_path / "kigi.db") as log:
        session = answer(remote(url), seed=6, temperature=0.0, log=log)
        "".join(session.retry(SamplingConfig(max_new_tokens=14)))
        candidates = session.candidates()
    assert session.last.sampling.temperature > 0 and len(candidates) >= 1
    assert session.messages[-1].role == "assistant" and len(session.messages) == 2


def test_the_server_reports_the_first_tokens_log_probabilities(server, engine):
    """logprobs / top_logprobs as OpenAI's API shapes them, for the first token: the same
    distribution the loaded model gives after the same prompt."""
    from agent.prompts import ChatTemplate, Message

    url, _ = server
    reply = remote(url).chat([{"role": "user", "content": "2+2?"}], SamplingConfig(max_new_tokens=3), 2,
                             logprobs=True, top_logprobs=5)
    ids = ChatTemplate().render_ids(engine.tokenizer, [Message("user", "2+2?")])
    probs = engine.next_token_probs(ids)
    expected = probs.topk(5)
    for choice in reply["choices"]:
        [first] = choice["logprobs"]["content"]
        got = [(t["token"], math.exp(t["logprob"])) for t in first["top_logprobs"]]
        assert [engine.tokenizer.decode_bytes([i]).decode("utf-8", "replace") for i in expected.indices.tolist()] \
            == [token for token, _ in got]
        assert [p for _, p in got] == pytest.approx(expected.values.tolist(), rel=1e-4, abs=1e-6)
        assert first["token"] == got[0][0]  # greedy: the likeliest token was chosen
    plain = remote(url).chat([{"role": "user", "content": "2+2?"}], SamplingConfig(max_new_tokens=3))
    assert plain["choices"][0]["logprobs"] is None
    with pytest.raises(RemoteError, match="top_logprobs"):
        remote(url).chat([{"role": "user", "content": "x"}], SamplingConfig(max_new_tokens=1), logprobs=True,
                         top_logprobs=99)


def test_tree_of_thoughts_searches_through_chat_completions(server):
    """The search's prompts travel as messages; states are valued from the server's
    log-probabilities of the reply's first token."""
    from agent.remote_lm import RemoteLM, label_mass
    from agent.tot import SearchConfig

    url, _ = server
    lm = RemoteLM(remote(url))
    prompt = lm.render([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"}])
    assert lm.messages(prompt)[0] == {"role": "system", "content": "Be brief."}
    assert lm.messages("plain") == [{"role": "user", "content": "plain"}]
    two = lm.complete(prompt, n=2, max_tokens=5, temperature=1.0, seed=3)
    assert len(two) == 2 and all(c.tokens >= 1 for c in two) and lm.stats.calls == 1
    probs = lm.label_probs(prompt, ["sure", "likely", "impossible"])
    assert len(probs) == 3 and sum(probs) <= 1.0
    assert label_mass([(" Sure", math.log(0.5)), ("s", math.log(0.1)), ("imp", math.log(0.2)), ("l", -1.0)],
                      ["sure", "likely", "impossible"]) == pytest.approx([0.6, math.exp(-1.0), 0.2])
    session = Session(remote(url), "tiny")
    found = session.reply_tot("What is 3 + 4?", config=SearchConfig(breadth=1, depth=1, max_tokens=200, seed=0),
                              max_new_tokens=8)
    assert found.tree and session.last.text == found.answer


def test_request_bodies_carry_only_what_is_set():
    body = request_body([{"role": "user", "content": "x"}], SamplingConfig(max_new_tokens=7, seed=1), "m", 1, True)
    assert body["max_tokens"] == 7 and body["seed"] == 1 and body["stream_options"] == {"include_usage": True}
    assert not {"top_k", "repetition_penalty", "stop"} & set(body)
    tuned = request_body([], SamplingConfig(top_k=5, repetition_penalty=1.2, stop_strings=("\n",)), "m", 2, False)
    assert (tuned["top_k"], tuned["repetition_penalty"], tuned["stop"], tuned["n"]) == (5, 1.2, ["\n"], 2)
    watched = SamplingConfig(loop_stop=32)
    assert "loop_stop" not in request_body([], watched, "m", 1, False)  # another server may refuse the field
    assert request_body([], watched, "m", 1, False, kigi_fields=True)["loop_stop"] == 32
    with pytest.raises(ValueError, match="http"):
        RemoteConfig("localhost:8000", "m")


def test_the_resident_server_is_used_only_when_it_serves_the_same_thing(server, monkeypatch):
    url, _ = server
    monkeypatch.setenv(SERVER_ENV, url)
    found = resident_server("tiny", "auto", None)
    assert found is not None and found.context_window == 512
    assert resident_server("tiny", "fp32", "shout") is not None
    assert resident_server("other-model", "auto", None) is None
    assert resident_server("tiny", "int4", None) is None  # it runs fp32
    assert resident_server("tiny", "auto", "missing-adapter") is None
    monkeypatch.setenv(SERVER_ENV, "http://127.0.0.1:9")
    assert resident_server("tiny", "auto", None) is None


def kigi(home: Path, *args: str, server: str = "http://127.0.0.1:9", **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "KIGI_HOME": str(home), SERVER_ENV: server, "COLUMNS": "200", **env}
    return subprocess.run([sys.executable, "-m", "cli", *args], input=b"", capture_output=True, env=environment,
                          timeout=120, cwd=Path(__file__).parent.parent)


def test_kigi_ask_answers_through_a_running_server_and_a_registered_remote_model(server, engine, tmp_path):
    """No model named tiny exists in this KIGI_HOME: only the server can answer."""
    url, _ = server
    expected = answer(engine, seed=4, temperature=0.7).last.text
    resident = kigi(tmp_path, "ask", "-m", "tiny", "--seed", "4", "--temperature", "0.7", "--max-tokens", "14",
                    "--json", QUESTION, server=url)
    assert resident.returncode == 0, resident.stderr.decode()
    assert json.loads(resident.stdout)["answer"] == expected
    local = kigi(tmp_path, "ask", "-m", "tiny", "--no-server", "hi", server=url)
    assert local.returncode == 1 and b"Traceback" not in local.stderr

    added = kigi(tmp_path, "model", "add", "far", "--openai-url", f"{url}/v1", "--remote-model", "tiny",
                 "--api-key-env", "FAR_KEY", "--context-window", "512", FAR_KEY="unused")
    assert added.returncode == 0, added.stderr.decode()
    listed = json.loads(kigi(tmp_path, "model", "list", "--json").stdout)
    assert {"name": "far", "status": "remote"}.items() <= next(r for r in listed if r["name"] == "far").items()
    no_key = kigi(tmp_path, "ask", "-m", "far", "hi")
    assert no_key.returncode == 1 and b"FAR_KEY" in no_key.stderr
    far = kigi(tmp_path, "ask", "-m", "far", "--seed", "4", "--temperature", "0.7", "--max-tokens", "14", "--json",
               QUESTION, FAR_KEY="unused")
    assert far.returncode == 0, far.stderr.decode()
    assert json.loads(far.stdout)["answer"] == expected
    with ConversationLog(tmp_path / "kigi.db", readonly=True) as log:
        assert log.conversation(log.last_conversation_id()).model == "far"
    tot = kigi(tmp_path, "ask", "-m", "far", "--tot", "--breadth", "1", "--depth", "1", "--budget", "200",
               "--max-tokens", "8", "--json", "hi", FAR_KEY="unused")
    assert tot.returncode == 0, tot.stderr.decode()
    assert json.loads(tot.stdout)["tree"]
    refused = kigi(tmp_path, "ask", "-m", "far", "--best-of", "2", "--reward", "judge", "hi", FAR_KEY="unused")
    assert refused.returncode == 1 and b"own weights" in refused.stderr
    wrong = kigi(tmp_path, "model", "add", "gone", "--openai-url", f"{url}/v1", "--remote-model", "nope")
    assert wrong.returncode == 1 and b"does not serve" in wrong.stderr
    assert kigi(tmp_path, "model", "remove", "far").returncode == 0
    assert "far" not in {r["name"] for r in json.loads(kigi(tmp_path, "model", "list", "--json").stdout)}


def test_evals_run_on_a_registered_remote_model_and_say_what_needs_weights(server, tmp_path):
    from tests.test_mc_eval import write_csvs

    url, _ = server
    assert kigi(tmp_path, "model", "add", "far", "--openai-url", f"{url}/v1", "--remote-model", "tiny",
                "--context-window", "512").returncode == 0
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "Tom has 2 apples and buys 3 more. How many now?", "answer": 5}\n'
                         '{"question": "A box holds 4 pens. How many pens in 2 boxes?", "answer": 8}\n')
    done = kigi(tmp_path, "eval", "questions", "--data", str(questions), "-m", "far", "--range", "1-2",
                "-o", str(tmp_path / "out.jsonl"))
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout.strip().splitlines()[-1])["done"] == 2
    letters = kigi(tmp_path, "eval", "mc", "--data", str(write_csvs(tmp_path / "mmlu")), "-m", "far",
                   "-o", str(tmp_path / "mc.jsonl"))
    assert letters.returncode == 0, letters.stderr.decode()  # letter scoring: the first token's logprobs
    options = kigi(tmp_path, "eval", "mc", "--data", str(tmp_path / "mmlu"), "-m", "far", "--scoring", "option",
                   "-o", str(tmp_path / "mc2.jsonl"))
    assert options.returncode == 1 and b"needs a local model" in options.stderr
    puzzles = tmp_path / "game24.csv"
    puzzles.write_text("Rank,Puzzles,AMT (s),Solved rate,1-sigma Mean (s),1-sigma STD (s)\n"
                       "1,1 1 4 6,4.4,99.0%,4.67,1.48\n2,1 1 11 11,4.4,99.0%,4.69,1.53\n")
    tot = kigi(tmp_path, "eval", "game24", "--data", str(puzzles), "--range", "1-2", "-m", "far", "--breadth", "1",
               "--budget", "300", "-o", str(tmp_path / "g24.jsonl"))
    assert tot.returncode == 0, tot.stderr.decode()
    assert json.loads(tot.stdout.strip().splitlines()[-1])["done"] == 2


def test_the_rag_eval_runs_on_a_remote_model(server, tmp_path):
    """The grounded-reading eval drives sessions, so a remote model answers it as it is."""
    from agent.grounding import GroundingConfig
    from agent.rag_eval import RagQuestion, run_rag_eval
    from tests.test_rag_eval import ANSWERS, KB, SCRIPT, write_folder
    from tests.test_store import HashEmbedding

    url, _ = server
    questions = [RagQuestion(q, tuple(ANSWERS.get(q, ()))) for q in SCRIPT]
    results, summary = run_rag_eval(remote(url), HashEmbedding(), write_folder(tmp_path / "kb", KB),  # type: ignore[arg-type]
                                    questions, GroundingConfig(k=2, min_relevance=-1.0), reader="shout")
    assert summary["questions"] == 5 and all(r.sources for r in results)


def test_an_ask_answered_by_the_server_imports_neither_torch_nor_chromadb(server, tmp_path):
    """What makes the resident server worth it: the client starts in a fraction of a second."""
    url, _ = server
    code = ("import sys, runpy\n"
            "sys.argv = ['kigi', 'ask', '-m', 'tiny', '--max-tokens', '4', 'hello']\n"
            "try:\n    runpy.run_module('cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print('torch' in sys.modules, 'chromadb' in sys.modules, file=sys.stderr)")
    environment = {**os.environ, "KIGI_HOME": str(tmp_path), SERVER_ENV: url}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, env=environment, input=b"",
                          timeout=120, cwd=Path(__file__).parent.parent)
    assert done.stdout.strip() and done.stderr.decode().strip().endswith("False False"), done.stderr.decode()


def test_a_registered_model_round_trips(tmp_path):
    from agent.home import KigiHome
    from agent.remote_models import add_remote, remote_models, remove_remote

    home = KigiHome(tmp_path).ensure()
    model = RemoteModel("big", "http://gpu:8000/v1", "llama", "BIG_KEY", 32768)
    add_remote(home, model)
    assert remote_models(home) == {"big": model}
    assert remove_remote(home, "big") and not remove_remote(home, "big") and remote_models(home) == {}


def test_kigi_chat_over_a_running_server_retries_compares_and_logs(server, tmp_path):
    """The chat REPL in a pseudo-terminal, answered by the server: no model named tiny here."""
    pexpect = extra("pexpect")
    url, _ = server
    env = {**os.environ, "KIGI_HOME": str(tmp_path), SERVER_ENV: url, "COLUMNS": "120", "LINES": "40",
           "TERM": "xterm"}
    child = pexpect.spawn(sys.executable, ["-m", "cli", "chat", "-m", "tiny", "--max-tokens", "10"], env=env,
                          cwd=str(Path(__file__).parent.parent), encoding="utf-8", timeout=60, dimensions=(40, 120))
    try:
        child.expect("Ctrl-D to leave")
        child.sendline("What is a tree?")
        child.expect("tok/s")
        child.sendline("/retry")
        child.expect("tok/s")
        child.sendline("/compare")
        child.expect("Better")
        child.sendline("a")
        child.expect("recorded: a")
        child.sendline("/adapter shout")
        child.expect("own weights")
        child.sendline("/exit")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    with ConversationLog(tmp_path / "kigi.db", readonly=True) as log:
        [summary] = log.list_conversations()
        assert [m.role for m in log.conversation(summary.id).messages] == ["user", "assistant"]
        assert len(log.preference_pairs()) == 1
