"""A conversation: messages, system prompt, template version, generation and its record.

`Session.reply` streams an answer as text pieces; when the stream ends (finished,
stopped, or interrupted by Ctrl-C) the turn is kept, `session.last` says what happened
and, with a log attached, the turn is written to it whole. `retry` samples another
candidate answer for the last turn; `rate` and `prefer` record judgements. The session
never prints: rendering is the face's job.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agent.prompts import ChatTemplate, Message, user_turn
from agent.turns import BestOf, TurnInput, TurnResult
from llm.errors import ContextOverflowError
from llm.sampling import SamplingConfig

if TYPE_CHECKING:
    from agent.grounding import Citation, GroundingConfig
    from agent.read_each import EachSourceReading
    from agent.tasks.open_question import ToTAnswer
    from agent.tasks.step_check import StepCheck
    from agent.tot import OnUpdate, SearchConfig
    from agent.tot import Scorer as ToTScorer
    from llm.completion import StreamingCompletion
    from llm.engine import Engine
    from llm.remote import RemoteEngine, RemoteStream
    from memory.log import Candidate, ConversationLog, Generation
    from memory.store import Retriever

RETRY_TEMPERATURE = 0.8  # a retry of a greedy answer must be able to differ
CHARS_PER_TOKEN = 3  # a remote model's tokenizer is not ours: prompts are sized by a safe estimate
Scorer = Callable[[list[dict[str, str]], list[str]], Sequence[float]]  # (prompt messages, answers) -> scores


@dataclass
class Session:
    """engine: our own model (`Engine`), or one served elsewhere (`RemoteEngine`: the
    server renders the messages; an adapter is asked for by its model name there)."""

    engine: Engine | RemoteEngine
    model_name: str = "model"
    template: ChatTemplate = field(default_factory=ChatTemplate)
    system: str | None = None
    log: ConversationLog | None = None
    conversation_id: str | None = None
    adapter: str | None = None
    messages: list[Message] = field(default_factory=list)
    last: TurnResult | None = None
    last_turn_id: str | None = None  # the logged user message of the last turn
    last_answer_id: str | None = None  # the logged answer (message or candidate) shown last
    retriever: Retriever | None = None  # memory to ground answers in; None answers from the model alone
    grounding: GroundingConfig | None = None
    reader: str | None = None  # adapter (loaded on the engine) that answers from sources; None: `adapter`
    tot_roles: str | None = None  # adapter for the ToT search on questions with quantities; None: `adapter`
    fold_answer: bool = False  # one answer, then exit (`kigi ask`): fold the adapter that writes it in for good
    left_out: int = 0  # earlier turns left out of the last prompt to fit the context window
    last_input: TurnInput | None = None  # what the last kept turn showed the model (for retry)
    resumed_chunk_ids: tuple[str, ...] = ()  # the sources of a resumed conversation's last answer

    @property
    def remote(self) -> bool:
        """Whether the model is served elsewhere (no weights, tokenizer or adapters here)."""
        return getattr(self.engine, "remote", False)

    @classmethod
    def resume(cls, engine: Engine | RemoteEngine, log: ConversationLog, conversation_id: str,
               model_name: str) -> Session:
        """Continue a logged conversation: its system prompt and messages come back."""
        logged = log.conversation(conversation_id)
        messages = [Message(m.role, m.content) for m in logged.messages if m.role in ("user", "assistant")]
        session = cls(engine, model_name, system=logged.system, log=log, conversation_id=logged.id,
                      messages=messages)
        users = [m for m in logged.messages if m.role == "user"]
        answers = [m for m in logged.messages if m.role == "assistant"]
        session.last_turn_id = users[-1].id if users else None
        session.last_answer_id = answers[-1].id if answers else None
        if answers and answers[-1].generation is not None:
            session.resumed_chunk_ids = tuple(answers[-1].generation.chunk_ids)
        return session

    def new_conversation(self) -> None:
        self.messages, self.conversation_id = [], None
        self.last = self.last_turn_id = self.last_answer_id = self.last_input = None

    def conversation(self) -> list[Message]:
        return self._head() + self.messages

    def _head(self) -> list[Message]:
        """What every prompt starts with: the system prompt, when there is one."""
        return [Message("system", self.system)] if self.system else []

    def _checked(self, messages: list[Message]) -> list[int] | list[Message]:
        """What the engine is given for `messages` (token ids here, the messages themselves
        for a remote model), refused when it cannot fit the context window."""
        size, prompt = self._prompt(messages)
        window = self.engine.context_window
        if size >= window:
            about = "about " if self.remote else ""
            raise ContextOverflowError(
                f"the prompt is {about}{size} tokens but the context window holds {window}; "
                "shorten the input or start a new conversation")
        return prompt

    def _prompt(self, messages: list[Message]) -> tuple[int, list[int] | list[Message]]:
        """The prompt's length in tokens (estimated for a remote model) and what the engine is given."""
        if self.remote:
            return sum(len(m.content) + 8 for m in messages) // CHARS_PER_TOKEN, messages
        ids = self.template.render_ids(self.engine.tokenizer, messages)
        return len(ids), ids

    def _with_stops(self, sampling: SamplingConfig, seed: int | None = None) -> SamplingConfig:
        stops = sampling.stop_token_ids  # a remote server stops at its own template's end
        if not self.remote:
            stops = tuple(dict.fromkeys(stops + self.template.stop_tokens(self.engine.tokenizer)))
        # A seed is always chosen (and logged) so that any sampled answer can be reproduced.
        chosen = seed if seed is not None else sampling.seed if sampling.seed is not None else secrets.randbelow(2**31)
        return dataclasses.replace(sampling, stop_token_ids=stops, seed=chosen)

    # -- answering ----------------------------------------------------------------------
    def reply(self, question: str, context: str | None = None,
              sampling: SamplingConfig | None = None) -> Iterator[str]:
        """Stream the answer to `question`; the turn joins the conversation when it ends."""
        sampling = self._with_stops(sampling or SamplingConfig())
        turn = self.turn_input(question, context)
        prompt = self.fitted_prompt(turn.user, sampling.max_new_tokens)
        return self._run(prompt, sampling, turn, on_done=lambda result: self._keep_turn(turn, result))

    def turn_input(self, question: str, context: str | None = None) -> TurnInput:
        """The question with its sources: memory's best chunks if about it, and piped-in context
        as the last source (nearest the question) when the question asks for something, for
        the reader. An instruction ("summarise this") gets its context before it, as plain
        text, and no reader: the reader was trained to answer questions, not to summarise."""
        from agent.about_memory import memory_sources
        from agent.grounding import grounded_prompt, is_question, numbered, piped_source

        asks = is_question(question)
        piped = bool(context) and asks
        if self.retriever is None and not piped:
            return TurnInput(Message("user", user_turn(question, context)))
        found = memory_sources(self.retriever, question, self._grounding(), None if self.remote else self.engine)
        citations = numbered([c.hit for c in found] + ([piped_source(context)] if piped else []))
        asked = user_turn(question, None if piped else context)
        shown = self._picked(question, citations) if asks else None
        content = grounded_prompt(asked, citations, self._grounding().focus, shown)
        return TurnInput(Message("user", content), citations, self.reader if citations and asks else None, asked,
                         picked=shown is not None)

    def fitted_prompt(self, user: Message, answer_tokens: int) -> list[int] | list[Message]:
        """The conversation plus `user`, leaving room for an answer: when it does not fit, the
        oldest turns are left out of the prompt, a question and its answer at a time (they
        stay in the conversation and the log; `left_out` counts them). A question that cannot
        fit even alone is refused. Token ids, or the messages for a remote model."""
        room = min(answer_tokens, self.engine.context_window // 4)
        head = self._head()
        history = self.messages
        self.left_out = 0
        while history:
            size, prompt = self._prompt([*head, *history, user])
            if size + room <= self.engine.context_window:
                return prompt
            history, self.left_out = history[2:], self.left_out + 1
        return self._checked([*head, user])

    def retry(self, sampling: SamplingConfig | None = None) -> Iterator[str]:
        """Another candidate answer to the last turn, sampled with a fresh seed."""
        if len(self.messages) < 2 or self.messages[-1].role != "assistant":
            raise ValueError("there is no answer to retry yet")
        sampling = sampling or SamplingConfig()
        if sampling.greedy:
            sampling = dataclasses.replace(sampling, temperature=RETRY_TEMPERATURE)
        sampling = self._with_stops(sampling, seed=secrets.randbelow(2**31))
        prompt = self._checked(self.conversation()[:-1])
        return self._run(prompt, sampling, self.last_input or self._resumed_turn(), on_done=self._keep_candidate)

    def _resumed_turn(self) -> TurnInput:
        """The last turn of a resumed conversation: its prompt as logged (its sources are in its
        text) and, when it had sources, the reader and the citations memory still holds."""
        from agent.grounding import cited_again

        if not self.resumed_chunk_ids:
            return TurnInput(self.messages[-2])
        return TurnInput(self.messages[-2], cited_again(self.retriever, self.resumed_chunk_ids), self.reader)

    def _stream(self, prompt: list[int] | list[Message], sampling: SamplingConfig,
                turn: TurnInput) -> StreamingCompletion | RemoteStream:
        if self.remote:
            messages = [{"role": m.role, "content": m.content} for m in prompt]  # type: ignore[union-attr]
            return self.engine.stream_chat(messages, sampling, model=turn.reader)  # type: ignore[union-attr]
        from agent.copying import reply_filter
        copying = reply_filter(self.engine, turn, self._grounding(), sampling)  # type: ignore[arg-type]
        filtered = {} if copying is None else {"token_filter": copying}  # passed only when there is one
        return self.engine.stream(prompt, sampling, **filtered)  # type: ignore[union-attr,arg-type,call-arg]

    def _run(self, prompt: list[int] | list[Message], sampling: SamplingConfig, turn: TurnInput,
             on_done) -> Iterator[str]:
        start = time.perf_counter()
        ttft: float | None = None
        sampling = self._reader_sampling(turn, sampling)
        checked = bool(self._checked_citations(turn))
        with self._adapter_for(turn.reader):
            each = self._reading_each(turn, sampling)
            stream = each or self._stream(prompt, sampling, turn)
            text, withheld = None, None
            try:
                for piece in stream:
                    if ttft is None:
                        ttft = time.perf_counter() - start
                    if not checked:
                        yield piece
                if checked:  # the reader's whole answer, checked against its sources before it is shown
                    from agent.grounding import shown_answer as shown
                    text, withheld = shown(stream.completion.text, turn.citations, self._grounding(), turn.question)
                    yield text
            finally:
                done = stream.completion
                # a remote server counts tokens in its own vocabulary and says so at the end
                used = (stream.prompt_tokens, stream.completion_tokens) if self.remote or each is not None \
                    else (len(prompt), len(done.token_ids))
                self.last = TurnResult(done.text if text is None else text, done.finish_reason, *used, ttft,
                                       time.perf_counter() - start, sampling, self.prompt_version(turn),
                                       citations=list(turn.citations), adapter=turn.reader, withheld=withheld)
                on_done(self.last)

    def _reader_sampling(self, turn: TurnInput, sampling: SamplingConfig) -> SamplingConfig:
        """With a reader, its abstention must lead by the grounding's margin for these sources."""
        if turn.reader is None or self.remote:
            return sampling
        from agent.grounding import abstention_margin, with_abstention_margin
        margin = abstention_margin(turn.citations, self._grounding())
        return with_abstention_margin(sampling, self.engine.tokenizer, margin)  # type: ignore[union-attr]

    def _reading_each(self, turn: TurnInput, sampling: SamplingConfig) -> EachSourceReading | None:
        """The reader's answer read from each of two or more sources alone, where asked for."""
        if len(turn.citations) < 2 or not self._reads_each(turn):
            return None
        from agent.read_each import EachSourceReading

        return EachSourceReading(self.engine, self.template, self._head(), turn.question,  # type: ignore[arg-type]
                                 turn.citations, self._grounding().focus, sampling)

    def _picked(self, question: str, citations: list[Citation]) -> dict[int, str] | None:
        """The passages of all sources a question's reader sees, where the model is here to
        pick them (agent/passage_pick.py); None: each source focused on its own."""
        picks = self._grounding().passages
        if picks is None or not citations or self.remote or self._grounding().read_each:
            return None
        from agent.passage_pick import pick_passages, question_likelihood

        sources = {c.number: c.hit.text for c in citations}
        shown = pick_passages(question, sources, question_likelihood(self.engine, picks), picks)  # type: ignore[arg-type]
        return shown or None  # sources without a passage: shown as they are

    def _checked_citations(self, turn: TurnInput) -> list[Citation]:
        """The sources a reader's answer is checked against before it is shown; none: not checked."""
        return turn.citations if turn.reader is not None and self._grounding().withhold_unsupported else []

    def _grounding(self) -> GroundingConfig:
        from agent.grounding import GroundingConfig
        return self.grounding or GroundingConfig()

    def _reads_each(self, turn: TurnInput) -> bool:
        """Whether the reader reads the sources one by one (for one source: the same prompt)."""
        return self._grounding().read_each and turn.reader is not None and bool(turn.question) and not self.remote

    def require_local(self, feature: str) -> None:
        """Refuse `feature` on a remote model with a message that says why."""
        if self.remote:
            raise ValueError(f"{feature} need the model's own weights; {self.model_name} is served remotely "
                             "(use a local model, or --no-server)")

    def _adapter_for(self, name: str | None) -> AbstractContextManager[None]:
        """`name` active for one answer (None: leave the session's adapter as it is); a remote
        model is asked for it by name. With `fold_answer` the adapter that writes the answer is
        folded into float weights, so it decodes at the plain model's speed, and no switch is
        possible after (int4 cannot hold the update: README, 22.5% held out against 41.2%)."""
        writer = name or self.adapter
        if self.remote or writer is None:
            return nullcontext()
        from llm.lora import adapters_of

        adapters = adapters_of(self.engine.model)  # type: ignore[union-attr]
        if self.fold_answer and adapters.can_merge(writer):
            adapters.fold(writer)
        return nullcontext() if name is None else adapters.using(name)

    def prompt_version(self, turn: TurnInput) -> str:
        """The chat template's version, joined by the grounding prompt's when sources are used."""
        if not turn.citations:
            return self.template.version
        from agent.grounding import prompt_version

        picked = self._grounding().passages if turn.picked else None
        return f"{self.template.version}+{prompt_version(self._grounding().focus, self._reads_each(turn), picked)}"

    def _generation(self, result: TurnResult, tot_tree: object = None) -> Generation:
        return result.generation(self.model_name, self.adapter, tot_tree)

    def _keep_turn(self, turn: TurnInput, result: TurnResult, tot_tree: object = None) -> Generation | None:
        """The turn joins the conversation and the log; returns how the answer was logged."""
        user = turn.user
        self.messages += [user, Message("assistant", result.text)]
        self.last_input = turn
        if self.log is None:
            return None
        if self.conversation_id is None:
            self.conversation_id = self.log.start_conversation(self.model_name, self.system)
        self.last_turn_id = self.log.add_message(self.conversation_id, "user", user.content).id
        generation = self._generation(result, tot_tree)
        answer = self.log.add_message(self.conversation_id, "assistant", result.text, generation=generation)
        self.last_answer_id = result.message_id = answer.id
        return generation

    def _keep_candidate(self, result: TurnResult) -> None:
        if self.log is None or self.last_turn_id is None:
            return
        candidate = self.log.add_candidate(self.last_turn_id, result.text, generation=self._generation(result))
        self.last_answer_id = result.message_id = candidate.id

    def reply_tot(self, question: str, context: str | None = None, config: SearchConfig | None = None,
                  on_update: OnUpdate | None = None, max_new_tokens: int = 384,
                  scorer: ToTScorer | None = None, check: StepCheck = "none") -> ToTAnswer:
        """Answer after a Tree-of-Thoughts search (by `tot_roles`, steps checked by `check`); the tree
        is logged with the answer, the other leaves' answers become candidates for rating.
        `scorer` values states instead of the model (a reward model)."""
        from agent.tot_answer import tot_answer

        start = time.perf_counter()
        turn = self.turn_input(question, context)
        result = tot_answer(self.engine, turn.user.content, config, on_update, history=self.messages,
                            template=self.template, answer_tokens=max_new_tokens,
                            adapter=self.adapter, roles=self.tot_roles, asked=question, scorer=scorer, check=check)
        sampling = SamplingConfig(max_new_tokens=max_new_tokens, seed=config.seed if config else None)
        version = result.prompt_version + self.prompt_version(turn)[len(self.template.version):]
        self.last = TurnResult(result.answer, "stop", 0, result.tokens, None, time.perf_counter() - start,
                               sampling, version, citations=list(turn.citations))
        generation = self._keep_turn(turn, self.last, tot_tree=result.tree)
        if self.log is not None and generation is not None:
            for alternative in result.alternatives:
                self.log.add_candidate(self.last_turn_id, alternative, generation=generation)  # type: ignore[arg-type]
        return result

    def reply_best_of(self, question: str, context: str | None, sampling: SamplingConfig, n: int,
                      score: Scorer) -> BestOf:
        """`n` answers sampled together (a greedy setting samples at RETRY_TEMPERATURE), the
        one `score` ranks highest kept as the answer (a reward model's `scorer` reranks);
        the others become candidates for rating, as after /retry."""
        if n < 2:
            raise ValueError(f"best-of needs at least 2 answers, got {n}")
        self.require_local("best-of answers")
        if sampling.greedy:
            sampling = dataclasses.replace(sampling, temperature=RETRY_TEMPERATURE)
        sampling = self._with_stops(sampling)
        turn = self.turn_input(question, context)
        prompt = self.fitted_prompt(turn.user, sampling.max_new_tokens)
        start = time.perf_counter()
        sampling = self._reader_sampling(turn, sampling)
        with self._adapter_for(turn.reader):
            completions = self.engine.complete(prompt, sampling, n=n)
        answers = [c.text for c in completions]
        shown = [{"role": m.role, "content": m.content} for m in [*self.conversation(), turn.user]]
        scores = [float(x) for x in score(shown, answers)]
        from agent.grounding import best_supported as best_of
        best, text, withheld = best_of(answers, scores, self._checked_citations(turn), self._grounding(), turn.question)
        chosen = completions[best]
        self.last = TurnResult(text, chosen.finish_reason, len(prompt), len(chosen.token_ids), None,
                               time.perf_counter() - start, sampling, self.prompt_version(turn),
                               citations=list(turn.citations), adapter=turn.reader, withheld=withheld)
        self._keep_turn(turn, self.last)
        if self.log is not None and self.last_turn_id is not None:
            for i, other in enumerate(completions):
                if i != best:
                    result = dataclasses.replace(self.last, text=other.text, finish_reason=other.finish_reason,
                                                 completion_tokens=len(other.token_ids), withheld=None)
                    self.log.add_candidate(self.last_turn_id, other.text, generation=self._generation(result))
        return BestOf(answers, scores, best)

    # -- judging ------------------------------------------------------------------------
    def _require_log(self) -> ConversationLog:
        if self.log is None or self.last_turn_id is None:
            raise ValueError("nothing to rate: logging is off or there is no answer yet")
        return self.log

    def rate(self, score: int | None = None, label: str | None = None) -> None:
        """Rate the answer shown last (1-5 and/or good/bad)."""
        self._require_log().rate(self.last_answer_id, score=score, label=label)  # type: ignore[arg-type]

    def candidates(self) -> list[Candidate]:
        return self._require_log().candidates(self.last_turn_id)  # type: ignore[arg-type]

    def prefer(self, shown_first: str, shown_second: str, outcome: str) -> None:
        """Record a side-by-side judgement; `shown_first` is the candidate shown as A."""
        self._require_log().record_preference(shown_first, shown_second, outcome)  # type: ignore[arg-type]
