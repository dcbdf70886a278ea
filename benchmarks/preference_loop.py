"""The whole preference loop on the real default model, with a simulated rater: collect
pairs, train a reward model, a DPO adapter and a PPO adapter, and measure how the answers moved.

    python benchmarks/preference_loop.py [--workdir results/preference_loop] [--prompts 240] [--threads 1]
    python benchmarks/preference_loop.py --task reading --workdir results/truth_loop --max-kl 5
    python benchmarks/preference_loop.py --task reading --candidates 4 ...   # right-vs-wrong pairs
    python benchmarks/preference_loop.py --task reading --reading-format sources --stages ppo \
        --ppo-reward truth --ppo-init agent/bundled_adapters/grounded-reader ...  # PPO on the reader's own prompts

Two tasks. `open` (the first loop): everyday questions, a rater that prefers the shorter
answer, figures judged by the reward model. `reading` (issue 16): generated reading
questions (`agent/reading`, seed 1000 onwards: never the grounded reader's training data)
whose document is piped in as `kigi ask` context, a rater with ground truth that prefers the
correct answer, then the grounded one, then the shorter one (`agent.truth.rate`, its reason
kept in the log), and every policy judged by ground truth on held-out questions: accuracy,
answers that hit the token cap, KL to the base.
    python benchmarks/preference_loop.py --prompts 6 --eval-prompts 2 --max-new-tokens 24 \\
        --reward-max-steps 2 --dpo-max-steps 2 --ppo-iterations 1 --ppo-prompts 2 --workdir /tmp/pl-smoke

Stages (`--stages`, default all), each resumable: a rerun skips what is done and continues
what was interrupted (collection from the log, training from its checkpoint).

1. collect: each prompt is asked through `Session.reply` (as `kigi ask`/`chat` log it;
   int8 by default, `--collect-precision`, which decodes ~2x faster than fp32),
   a second answer is sampled with `agent.rating.sample_candidates` (as `kigi rate
   --generate`), and the pair is judged in a random A/B order and recorded with
   `ConversationLog.record_preference` (as `kigi rate`), by a rater that prefers the
   shorter answer (equal length: a tie). The pairs are then exported as `kigi prefs export`
   writes them (`prefs.jsonl`). With `--candidates N` each prompt gets N answers and, on
   the reading task, the pair judged is a right one against a wrong one where the N hold
   both (two samples of the same document are otherwise mostly both wrong or both right).
2. reward: a reward model on those pairs; held-out pairwise accuracy (prompts never trained on).
3. dpo: a DPO adapter on the same pairs.
4. ppo: a PPO adapter on the collection prompts, rewarded by the reward model (`--ppo-reward
   truth`, reading task: by the accepted answers instead, a verifiable reward).
5. eval: on held-out prompts (never collected), for the base, DPO and PPO: mean greedy answer
   length, reward-model score, win rate against the base judged by the reward model, and
   KL(policy‖base) estimated on answers sampled from each policy at temperature 1.
6. best-of (`--task reading`): on the same held-out prompts, N answers sampled from the base
   and the one the reward model scores highest kept (`kigi ask --best-of N --reward judge`),
   judged by ground truth beside the greedy policies.
7. ordinary: ten everyday questions answered greedily by the base, DPO and PPO, side by side.
8. ordinary-more: forty more, written by hand on topics nothing here trains on
   (`evals/ordinary/prompts.txt`, or `--ordinary-file`: `fresh.txt`, fifty more), the same way
   (`benchmarks/ordinary_repeats.py` grades them all).

Everything lives in `--workdir` (its own log, adapters, checkpoints, `results.json`);
the model is pulled into KIGI_HOME as usual. Prints figures; never pass/fail. Each
training stage reports wall and CPU time (process time, all threads) per optimizer step.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _root  # noqa: F401  (the repository root on sys.path)
import torch  # noqa: E402

from agent.adapters import AdapterStore, chat_render  # noqa: E402
from agent.grounding import Citation, numbered, piped_source  # noqa: E402
from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402
from agent.pref_evals import answer_with, load_reward_model  # noqa: E402
from agent.prompts import ChatTemplate  # noqa: E402
from agent.rag_eval import RagQuestion, is_correct  # noqa: E402
from agent.rating import sample_candidates  # noqa: E402
from agent.reading.training import ReadingConfig, reading_examples  # noqa: E402
from agent.session import Session  # noqa: E402
from agent.truth import correct_as_shown, rate, truth_reward, verdict  # noqa: E402
from llm.config import PRECISIONS  # noqa: E402
from llm.generate import SamplingConfig  # noqa: E402
from llm.loops import loops, repeated_ngrams  # noqa: E402
from llm.lora import LoRAConfig, adapters_of, parse_targets  # noqa: E402
from llm.registry import DEFAULT_MODEL  # noqa: E402
from llm.train.anchor import AnchorConfig  # noqa: E402
from llm.train.dpo import DPOConfig, DPORun  # noqa: E402
from llm.train.drift import DriftConfig  # noqa: E402
from llm.train.loop import TrainConfig  # noqa: E402
from llm.train.ppo import PPOConfig, PPORun  # noqa: E402
from llm.train.reward import RewardConfig, RewardRun  # noqa: E402
from llm.train.rollouts import sample_rollouts, sequence_kl  # noqa: E402
from memory.log import ConversationLog  # noqa: E402

TOPICS = [
    "photosynthesis", "the water cycle", "black holes", "volcanoes", "the moon", "rainbows", "earthquakes",
    "the internet", "email", "passwords", "recycling", "composting", "bees", "whales", "penguins", "dinosaurs",
    "the Roman Empire", "the printing press", "electricity", "magnets", "gravity", "the heart", "sleep",
    "exercise", "vitamins", "coffee", "tea", "bread", "cheese", "chess", "football", "the piano", "jazz",
    "poetry", "libraries", "maps", "compasses", "bicycles", "trains", "airplanes", "rockets", "satellites",
    "solar panels", "wind turbines", "batteries", "clouds", "snow", "deserts", "rainforests", "oceans",
    "rivers", "mountains", "islands", "trees", "mushrooms", "friendship", "saving money", "budgeting",
    "learning a language", "public speaking", "time management", "meditation", "gardening", "cooking rice",
    "baking cookies", "the alphabet", "prime numbers", "fractions", "the Pythagorean theorem", "Python lists",
]
TEMPLATES = ["What is {}?", "Tell me about {}.", "Explain {} to a child.", "Why does {} matter?",
             "Give me a fact about {}."]


@dataclass(frozen=True)
class Item:
    """One prompt of the loop: a question, the context piped with it, the accepted answers."""

    question: str
    context: str | None = None
    truth: RagQuestion | None = None
    prompt: str | None = None  # the whole user turn as the reading generator built it (`--reading-format sources`)
    sources: tuple[Citation, ...] = ()  # its numbered sources, which a shown answer must cite (`sources` format)

    def chat(self, engine) -> list[dict[str, str]]:
        """The user turn exactly as `kigi ask` builds it (sources and all)."""
        content = self.prompt if self.prompt is not None else Session(engine).turn_input(
            self.question, self.context).user.content
        return [{"role": "user", "content": content}]


def all_prompts(seed: int) -> list[str]:
    prompts = [t.format(topic) for topic in TOPICS for t in TEMPLATES]
    random.Random(seed).shuffle(prompts)
    return prompts


def all_items(args, count: int) -> list[Item]:
    """The loop's prompts. Reading prompts pipe their documents in as one text (`piped`, as
    the loop began), or are the generator's own grounded prompts (`sources`: numbered sources
    with distractors, as memory hands them to the reader; the grounded reader's shape)."""
    if args.task == "open":
        return [Item(p) for p in all_prompts(args.seed)]
    config = ReadingConfig(examples=count, seed=1000 + args.seed, scenes=args.scene_share, stdin=args.stdin_share,
                           everyday=args.everyday_share, long=args.long_share)
    sources = args.reading_format == "sources"
    return [Item(e.question, None if sources else e.piped_text(),
                 RagQuestion(e.question, (e.answer,) if e.answer else ()),
                 e.messages[0]["content"] if sources else None,
                 tuple(e.citations()) if sources else ()) for e in reading_examples(config)]


def truth_rater(item: Item, first: str, second: str) -> tuple[str, str]:
    """The rater with ground truth: correct, then grounded, then shorter (`agent.truth.rate`)."""
    sources = numbered([piped_source(item.context)]) if item.context else []
    return rate(verdict(first, item.truth, sources), verdict(second, item.truth, sources))


def contrast_pair(item: Item | None, candidates: list, rng: random.Random) -> list | None:
    """A right answer and a wrong one where the candidates hold both (a pair that teaches
    right from wrong, issue 16); None where they do not, or nothing says what is right."""
    if item is None or item.truth is None:
        return None
    right, wrong = [], []
    for candidate in candidates:
        (right if is_correct(candidate.content, item.truth) else wrong).append(candidate)
    return [rng.choice(right), rng.choice(wrong)] if right and wrong else None


def shorter_rater(first: str, second: str) -> str:
    """The simulated rater: the shorter answer wins ("a" is the one shown first)."""
    if len(first.strip()) == len(second.strip()):
        return "tie"
    return "a" if len(first.strip()) < len(second.strip()) else "b"


class Results:
    """results.json: one entry per finished stage, written as each finishes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}

    def __contains__(self, stage: str) -> bool:
        return stage in self.data

    def put(self, stage: str, value: dict[str, Any]) -> None:
        self.data[stage] = value
        self.path.write_text(json.dumps(self.data, indent=2))
        print(f"[{stage}] {json.dumps(value)}", flush=True)


class Clock:
    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def spent(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


# -- stages ---------------------------------------------------------------------------------------
def collect(args, engine, log: ConversationLog, items: list[Item], results: Results) -> None:
    clock = Clock()
    sampling = SamplingConfig(max_new_tokens=args.max_new_tokens, temperature=0.8)
    by_content = {item.chat(engine)[0]["content"]: item for item in items}
    asked = {turn.message.content for turn in log.turns_with_candidates(1)}
    todo = [item for content, item in by_content.items() if content not in asked]
    print(f"collect: {len(items) - len(todo)} prompts already asked, {len(todo)} to go", flush=True)
    tokens = 0
    for number, item in enumerate(todo, 1):
        session = Session(engine, args.model, log=log)
        for _ in session.reply(item.question, item.context, sampling=sampling):  # logged as `kigi ask` logs it
            pass
        tokens += session.last.completion_tokens
        if number % 10 == 0 or number == len(todo):
            wall, _ = clock.spent()
            print(f"  asked {number}/{len(todo)} ({wall:.0f}s)", flush=True)
    # `kigi rate --generate`: a second candidate for every turn that has one, then the verdicts
    rng, contrasts = random.Random(args.seed), 0
    for turn in log.turns_with_candidates(1, unjudged_only=True):
        candidates = list(turn.candidates)
        more = sample_candidates(engine, log, turn, args.model, sampling, n=max(2, args.candidates) - len(candidates))
        tokens += sum(c.generation.tokens_out for c in more)
        candidates += more
        item = by_content.get(turn.message.content)
        contrast = contrast_pair(item, candidates, rng)
        contrasts += contrast is not None
        first, second = rng.sample(contrast or candidates[-2:], 2)
        if args.task == "reading" and item is not None:
            outcome, reason = truth_rater(item, first.content, second.content)
            log.record_preference(first.id, second.id, outcome, rater="truth-bot", reason=reason)  # type: ignore[arg-type]
        else:
            log.record_preference(first.id, second.id, shorter_rater(first.content, second.content),  # type: ignore[arg-type]
                                  rater="shorter-bot")
    if args.all_pairs and args.task == "reading":
        judge_all_pairs(log, by_content)
    stats = log.prefs_stats()
    with (args.workdir / "prefs.jsonl").open("w", encoding="utf-8") as fp:
        exported = log.export_preferences(fp)
    answers = [c for turn in log.turns_with_candidates(1) for c in turn.candidates]
    capped = sum(c.generation is not None and c.generation.tokens_out >= args.max_new_tokens for c in answers)
    wall, cpu = clock.spent()
    if todo:
        results.put("collect", {"prompts": len(items), "pairs": exported, "ties": stats.ties,
                                "first_shown_won": stats.first_shown_won, "new_tokens": tokens,
                                "answers": len(answers), "answers_at_token_cap": capped,
                                "candidates_per_prompt": max(2, args.candidates), "right_vs_wrong_pairs": contrasts,
                                "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
                                "tokens_per_s": round(tokens / wall, 1) if wall else None})


def judge_all_pairs(log: ConversationLog, by_content: dict[str, Item]) -> None:
    """`--all-pairs`: the truth rater judges every pair of a turn's answers not judged yet
    (six from four answers), as InstructGPT's labellers ranked all of a prompt's answers."""
    judged = {frozenset((p.a.id, p.b.id)) for p in log.preference_pairs()}
    for turn in log.turns_with_candidates(2):
        item = by_content.get(turn.message.content)
        if item is None:
            continue
        for first, second in itertools.combinations(turn.candidates, 2):
            if frozenset((first.id, second.id)) in judged:
                continue
            outcome, reason = truth_rater(item, first.content, second.content)
            log.record_preference(first.id, second.id, outcome, rater="truth-bot", reason=reason)  # type: ignore[arg-type]


def lora_config(args) -> LoRAConfig:
    return LoRAConfig(rank=args.rank, alpha=2.0 * args.rank, targets=parse_targets(args.targets))


def train_summary(run, result, clock: Clock, steps_here: int) -> dict[str, Any]:
    """The run's figures; time per step counts the steps of this process only (a resume
    has loaded the others)."""
    wall, cpu = clock.spent()
    steps = max(1, steps_here)
    held = run.held_out()
    return {"pairs_train": len(run.data.train), "pairs_held_out": len(run.data.held_out), **result.summary(),
            "held_out": held, "wall_s_per_step": round(wall / steps, 2), "cpu_s_per_step": round(cpu / steps, 2)}


def train_reward(args, engine, store: AdapterStore, records, results: Results) -> None:
    if store.exists("judge"):
        return
    clock = Clock()
    render = chat_render(engine.tokenizer)
    run = RewardRun.prepare(engine.model, render, records, "judge", lora_config(args),
                            RewardConfig(batch_size=args.batch, seq_len=args.seq_len, eval_fraction=0.15,
                                         center_coef=0.01),
                            TrainConfig(lr=args.reward_lr, warmup_steps=5, epochs=args.reward_epochs,
                                        max_steps=args.reward_max_steps, seed=args.seed, checkpoint_every=10,
                                        eval_every=args.eval_every),
                            base_name=args.model)
    on_step = StepPrinter("reward")
    result = run.fit(checkpoint_dir=store.checkpoint_dir("judge"), resume=True, on_step=on_step)
    run.save(store.path_for("judge"), base_name=args.model)
    results.put("reward", train_summary(run, result, clock, on_step.steps))


def train_dpo(args, engine, store: AdapterStore, records, results: Results) -> None:
    if store.exists("concise-dpo"):
        return
    clock = Clock()
    anchor, anchors = anchor_setup(args)
    run = DPORun.prepare(engine.model, chat_render(engine.tokenizer), records, "concise-dpo", lora_config(args),
                         DPOConfig(beta=args.beta, batch_size=max(1, args.batch // 2), seq_len=args.seq_len,
                                   eval_fraction=0.15, anchor=anchor),
                         TrainConfig(lr=args.dpo_lr, warmup_steps=5, epochs=args.dpo_epochs,
                                     max_steps=args.dpo_max_steps, seed=args.seed, checkpoint_every=10,
                                     eval_every=args.eval_every),
                         base_name=args.model, drift=DriftConfig(max_kl=args.max_kl, seed=args.seed,
                                          max_new_tokens=args.eval_max_new_tokens),  # as the eval
                         stop_token_ids=ChatTemplate().stop_tokens(engine.tokenizer), anchor_prompts=anchors,
                         resume_from=store.checkpoint_dir("concise-dpo"))
    if run.anchors:
        print(f"  anchors: {len(run.anchors)} of {len(anchors)} answers kept (the others loop)", flush=True)
    on_step = StepPrinter("dpo")
    result = run.fit(checkpoint_dir=store.checkpoint_dir("concise-dpo"), resume=True, on_step=on_step)
    run.save(store.path_for("concise-dpo"), base_name=args.model)
    results.put("dpo", {**train_summary(run, result, clock, on_step.steps), "drift": run.drift.report(),
                        "anchors": len(run.anchors or ()), "anchors_dropped": run.anchors_dropped})


def anchor_setup(args) -> tuple[AnchorConfig, list[dict[str, Any]] | None]:
    """The anchors DPO and PPO are held to (`--anchor-prompts`): the everyday questions after
    the open prompts' (PPO-ptx), answered by the reference; None without."""
    chats = open_prompts(args.open_prompts + args.anchor_prompts, args.seed)[args.open_prompts:]
    return (AnchorConfig(coef=args.anchor_coef, apart=args.anchors_apart),
            [{"prompt": chat} for chat in chats] or None)


def open_prompts(count: int, seed: int) -> list[list[dict[str, str]]]:
    """`count` everyday questions for PPO's rollouts beside the reading ones (`--open-prompts`),
    none about a topic of the ordinary questions the `ordinary` stage shows."""
    shown = " ".join(ORDINARY).lower()
    prompts = [t.format(topic) for topic in TOPICS if topic.lower() not in shown for t in TEMPLATES]
    random.Random(seed).shuffle(prompts)
    return [[{"role": "user", "content": p}] for p in prompts[:count]]


@dataclass
class OpenAndLoops:
    """PPO's truth reward over the reading prompts; 0 for an open prompt (the KL penalty alone
    keeps those answers near the base's); less `loop_cost` for any rollout that loops
    (`llm.loops`, as `kigi ask` would end it)."""

    truth: Any
    open_keys: frozenset[tuple[int, ...]]
    stop_ids: frozenset[int]
    loop_cost: float

    def __call__(self, queries, responses) -> list[float]:
        reading = [i for i, q in enumerate(queries) if tuple(q) not in self.open_keys]
        scores = [0.0] * len(queries)
        for i, score in zip(reading, self.truth([queries[i] for i in reading], [responses[i] for i in reading])
                            if reading else [], strict=True):
            scores[i] = score
        for i, response in enumerate(responses):
            if loops(response, self.stop_ids):
                scores[i] -= self.loop_cost
        return scores


def train_ppo(args, engine, store: AdapterStore, items: list[Item], results: Results) -> None:
    if store.exists("concise-ppo"):
        return
    template = ChatTemplate()
    render, stops = chat_render(engine.tokenizer, template), template.stop_tokens(engine.tokenizer)
    chats = [item.chat(engine) for item in items]
    if args.ppo_reward == "truth":  # a verifiable reward: the accepted answers (`kigi train ppo --reward truth:FILE`)
        if any(item.truth is None for item in items):
            raise SystemExit("--ppo-reward truth needs --task reading (prompts with accepted answers)")
        reward = truth_reward(chats, [item.truth for item in items], render, engine.tokenizer.decode, stops,
                              sources=[item.sources for item in items])  # answers with sources: as shown
    else:
        reward = load_reward_model(engine, store, "judge", template)
    if args.open_prompts or args.loop_cost:
        extra = open_prompts(args.open_prompts, args.seed)
        reward = OpenAndLoops(reward, frozenset(tuple(render(chat, True)) for chat in extra), frozenset(stops),
                              args.loop_cost)
        chats = chats + extra
    anchor, anchors = anchor_setup(args)
    prompts = [{"prompt": chat} for chat in chats]
    run = PPORun.prepare(engine.model, render, prompts, "concise-ppo", reward,
                         lora_config(args),
                         PPOConfig(iterations=args.ppo_iterations, prompts_per_iteration=args.ppo_prompts,
                                   samples_per_prompt=args.ppo_samples, max_new_tokens=args.max_new_tokens,
                                   temperature=args.ppo_temperature,
                                   kl_coef=args.kl_coef, ppo_epochs=args.ppo_epochs,
                                   minibatch_size=args.ppo_minibatch, anchor=anchor),
                         TrainConfig(lr=args.ppo_lr, seed=args.seed),
                         stop_token_ids=stops, base_name=args.model, reward_name=args.ppo_reward,
                         init=args.ppo_init, anchor_prompts=anchors,
                         resume_from=store.checkpoint_dir("concise-ppo"))
    if run.anchors:
        print(f"  anchors: {len(run.anchors)} of {len(anchors)} answers kept (the others loop)", flush=True)

    def on_iteration(info) -> None:
        print(f"  ppo {info.iteration}/{info.total}: score {info.score:.3f} KL {info.kl:.2f} "
              f"length {info.response_tokens:.1f} finished {info.finished:.2f} clip {info.clipfrac:.3f} "
              f"anchor NLL {info.anchor_nll:.3f} grad {info.grad_norm:.2f}/{info.anchor_grad_norm:.2f} "
              f"({info.rollout_s:.0f}s rollouts, {info.update_s:.0f}s updates, {info.cpu_s:.0f}s CPU)", flush=True)

    result = run.fit(checkpoint_dir=store.checkpoint_dir("concise-ppo"), resume=True, on_iteration=on_iteration)
    run.save(store.path_for("concise-ppo"), base_name=args.model)
    done = result.iterations  # each timed itself, resumed ones included

    def mean(key: str) -> float:
        return round(sum(getattr(h, key) for h in done) / max(1, len(done)), 2)

    results.put("ppo", {**result.summary(), "rollouts_per_iteration": run.config.rollouts_per_iteration,
                        "anchors": len(run.anchors or ()), "anchors_dropped": run.anchors_dropped,
                        "steps_per_iteration": run.config.steps_per_iteration,
                        "rollout_s_per_iteration": mean("rollout_s"), "update_s_per_iteration": mean("update_s"),
                        "cpu_s_per_iteration": mean("cpu_s"),
                        "wall_s_per_update_step": round(mean("update_s") / run.config.steps_per_iteration, 2),
                        "history": [h.to_dict() for h in done]})


def win_rate(scores: list[float], base_scores: list[float]) -> float:
    """Share of prompts where the policy's answer outscores the base's (ties count half)."""
    wins = sum(s > b for s, b in zip(scores, base_scores, strict=True))
    ties = sum(s == b for s, b in zip(scores, base_scores, strict=True))
    return round((wins + 0.5 * ties) / len(scores), 3)


def evaluate(args, engine, store: AdapterStore, items: list[Item], results: Results) -> None:
    clock = Clock()
    template = ChatTemplate()
    render = chat_render(engine.tokenizer, template)
    reward = load_reward_model(engine, store, "judge", template) if store.exists("judge") else None
    chats = [item.chat(engine) for item in items]
    greedy = SamplingConfig(max_new_tokens=args.eval_max_new_tokens)
    sampled = SamplingConfig(max_new_tokens=args.eval_max_new_tokens, temperature=1.0, seed=args.seed,
                             stop_token_ids=template.stop_tokens(engine.tokenizer))
    queries = [render(chat, True) for chat in chats]
    out: dict[str, Any] = {"prompts": len(items)}
    base_scores: list[float] = []
    rows = [("base", None)] + ([("init", str(args.ppo_init.resolve()))] if args.ppo_init else []) + [
        (name, name) for name in ("concise-dpo", "concise-ppo") if store.exists(name)]
    for name, adapter in rows:  # `init`: the adapter PPO started from (`--ppo-init`), its baseline
        answers = answer_with(engine, store, adapter, chats, greedy, template)
        scores = reward.score([text for text, _ in answers], prompts=chats) if reward else None
        if name == "base":
            base_scores = scores or []
        adapters = adapters_of(engine.model)
        attached = store.use(engine, adapter)
        rollouts = sample_rollouts(engine.model, queries, sampled, samples=args.eval_samples)
        kl = sequence_kl(engine.model, attached and attached.name, rollouts.queries, rollouts.responses)
        adapters.activate(None)
        out[name] = {
            "greedy_tokens": round(sum(t for _, t in answers) / len(answers), 1),
            "greedy_chars": round(sum(len(text) for text, _ in answers) / len(answers), 1),
            "sampled_tokens": round(sum(map(len, rollouts.responses)) / len(rollouts), 1),
            "reward": round(sum(scores) / len(scores), 3) if scores else None,
            "win_rate_vs_base": win_rate(scores, base_scores) if scores and name != "base" else None,
            "kl_to_base": round(kl.mean().item(), 3),
            "at_token_cap": sum(t >= args.eval_max_new_tokens for _, t in answers),
            "example": {"prompt": items[0].question, "answer": answers[0][0][:300]},
        }
        if all(item.truth is not None for item in items):  # judged by ground truth, not by the reward model
            right = [correct_as_shown(text, item.truth, item.sources)
                     for (text, _), item in zip(answers, items, strict=True)]
            out[name]["accuracy"] = round(sum(right) / len(right), 4)
        print(f"  eval {name}: {json.dumps({k: v for k, v in out[name].items() if k != 'example'})}", flush=True)
    wall, cpu = clock.spent()
    results.put("eval", {**out, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1)})


ORDINARY = ["What is photosynthesis?", "Tell me about maps.", "Give me a tip for saving money.",
            "Explain gravity to a child.", "Why does sleep matter?", "What is a prime number?",
            "Tell me about jazz.", "How do I cook rice?", "Give me a fact about whales.",
            "What is the internet?"]


ORDINARY_SETS = Path(__file__).resolve().parent.parent / "evals" / "ordinary"


def more_ordinary_key(path: Path) -> str:
    """Where results.json keeps a set's answers: `ordinary_more` for the forty, as before."""
    return "ordinary_more" if path.stem == "prompts" else f"ordinary_{path.stem}"


def ordinary(args, engine, store: AdapterStore, results: Results, questions: list[str] = ORDINARY,
             key: str = "ordinary") -> None:
    """Everyday questions answered greedily by each policy: what a preference loop on
    reading questions did to ordinary answers (issue 16 asks for ten side by side)."""
    chats = [[{"role": "user", "content": question}] for question in questions]
    greedy = SamplingConfig(max_new_tokens=args.eval_max_new_tokens)
    out: dict[str, Any] = {}
    for name in ("base", "concise-dpo", "concise-ppo"):
        if name == "base" or store.exists(name):
            answers = answer_with(engine, store, None if name == "base" else name, chats, greedy)
            ids = [engine.tokenizer.encode(text) for text, _ in answers]
            out[name] = [{"prompt": q, "answer": text, "tokens": tokens,  # loops: as `kigi ask` would end it
                          "loops": loops(answer), "rep4": round(repeated_ngrams(answer), 4)}
                         for q, (text, tokens), answer in zip(questions, answers, ids, strict=True)]
    results.put(key, out)


def best_of(args, engine, store: AdapterStore, items: list[Item], results: Results) -> None:
    """Best-of-N from the base policy, reranked by the reward model (`kigi ask --best-of N
    --reward judge`), judged by ground truth on the same held-out prompts as the policies."""
    clock = Clock()
    reward = load_reward_model(engine, store, "judge", ChatTemplate())
    samples: list[list[bool]] = []  # per prompt: whether each sampled answer is right
    chosen: list[bool] = []
    for number, item in enumerate(items):
        sampling = SamplingConfig(max_new_tokens=args.eval_max_new_tokens, temperature=0.8, seed=args.seed + number)
        found = Session(engine, args.model).reply_best_of(item.question, item.context, sampling, args.best_of,
                                                          lambda prompt, answers: reward.score(answers, prompt))
        samples.append([is_correct(text, item.truth) for text in found.answers])
        chosen.append(samples[-1][found.best])
    wall, cpu = clock.spent()
    results.put("best_of", {"n": args.best_of, "prompts": len(items),
                            "accuracy": round(sum(chosen) / len(chosen), 4),
                            "any_sample_right": round(sum(map(any, samples)) / len(samples), 4),
                            "mean_sample_accuracy": round(sum(sum(s) / len(s) for s in samples) / len(samples), 4),
                            "wall_s": round(wall, 1), "cpu_s": round(cpu, 1)})


class StepPrinter:
    """A step callback that prints now and then and counts the steps it saw."""

    def __init__(self, stage: str) -> None:
        self.stage, self.steps = stage, 0

    def __call__(self, info) -> None:
        self.steps += 1
        stage = self.stage
        if info.step % 10 == 0 or info.step == info.total_steps or info.eval_loss is not None:
            extra = ""
            if info.eval_loss is not None:
                extra = f" eval loss {info.eval_loss:.4f} acc {info.eval_metrics.get('accuracy', float('nan')):.3f}"
            print(f"  {stage} step {info.step}/{info.total_steps}: loss {info.loss:.4f} "
                  f"acc {info.metrics.get('accuracy', float('nan')):.3f} ({info.elapsed_s:.0f}s){extra}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("results/preference_loop"))
    parser.add_argument("--stages", default="collect,reward,dpo,ppo,eval,best-of,ordinary,ordinary-more")
    parser.add_argument("--ordinary-file", type=Path, default=ORDINARY_SETS / "prompts.txt",
                        help="the everyday questions of the ordinary-more stage (evals/ordinary/fresh.txt: fifty more)")
    parser.add_argument("--task", choices=("open", "reading"), default="open",
                        help="open: everyday questions, shorter-answer rater; reading: generated reading questions "
                             "with known answers, rater and judge by ground truth")
    parser.add_argument("--reading-format", choices=("piped", "sources"), default="piped",
                        help="reading prompts: documents piped in as one text, or the reader's numbered sources")
    parser.add_argument("--scene-share", type=float, default=0.0, help="reading: share of questions about scenes")
    parser.add_argument("--stdin-share", type=float, default=0.12, help="reading: share with one piped source")
    parser.add_argument("--everyday-share", type=float, default=0.0, help="reading: of the piped, everyday text")
    parser.add_argument("--long-share", type=float, default=0.0, help="reading: share about long notes")
    parser.add_argument("--max-kl", type=float, default=None,
                        help="DPO stops when its KL to the base passes this (nats per answer)")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--prompts", type=int, default=240, help="prompts asked (one pair each)")
    parser.add_argument("--eval-prompts", type=int, default=30, help="held-out prompts for the eval stage")
    parser.add_argument("--eval-from", type=int, default=0,
                        help="the eval stage's prompts start at this one (0: the held-out ones; past the "
                             "collection prompts: a development set to choose on, leaving the held-out ones unread)")
    parser.add_argument("--collect-precision", choices=PRECISIONS, default="int8",
                        help="the precision that answers in the collect stage (as `kigi ask --precision`)")
    parser.add_argument("--max-new-tokens", type=int, default=96, help="longest answer collected / sampled in PPO")
    parser.add_argument("--candidates", type=int, default=2,
                        help="answers per prompt; with --task reading a right one is paired with a wrong one "
                             "where they differ")
    parser.add_argument("--all-pairs", action="store_true",
                        help="with --task reading: the truth rater judges every pair of a prompt's answers")
    parser.add_argument("--eval-max-new-tokens", type=int, default=96)
    parser.add_argument("--eval-samples", type=int, default=1, help="sampled answers per prompt for the KL")
    parser.add_argument("--targets", default="q,v")
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--batch", type=int, default=8, help="pairs per reward-model batch (DPO: half)")
    parser.add_argument("--seq-len", type=int, default=256)
    parser.add_argument("--eval-every", type=int, default=0)
    parser.add_argument("--reward-lr", type=float, default=3e-4)
    parser.add_argument("--reward-epochs", type=int, default=2)
    parser.add_argument("--reward-max-steps", type=int, default=None)
    parser.add_argument("--beta", type=float, default=0.1)
    parser.add_argument("--dpo-lr", type=float, default=5e-4,
                        help="1e-4 for 1 epoch left the answers as they were (margin 0.04)")
    parser.add_argument("--dpo-epochs", type=int, default=2)
    parser.add_argument("--dpo-max-steps", type=int, default=None)
    parser.add_argument("--ppo-iterations", type=int, default=12)
    parser.add_argument("--ppo-prompts", type=int, default=8, help="prompts per PPO iteration")
    parser.add_argument("--ppo-samples", type=int, default=2, help="answers per prompt per PPO iteration")
    parser.add_argument("--ppo-epochs", type=int, default=4)
    parser.add_argument("--ppo-minibatch", type=int, default=8)
    parser.add_argument("--ppo-lr", type=float, default=2e-4,
                        help="5e-5 moved nothing in 7 iterations on the default model (clip fraction 0)")
    parser.add_argument("--kl-coef", type=float, default=0.05)
    parser.add_argument("--ppo-reward", choices=("judge", "truth"), default="judge",
                        help="PPO's reward: the reward model trained in the reward stage, or (--task reading) the "
                             "truth: 1 for a correct answer, less a little for its length")
    parser.add_argument("--ppo-temperature", type=float, default=1.0, help="sampling temperature of PPO's rollouts")
    parser.add_argument("--open-prompts", type=int, default=0,
                        help="PPO: this many everyday questions among the rollouts' prompts, rewarded 0 (the KL "
                             "penalty keeps their answers near the base's)")
    parser.add_argument("--loop-cost", type=float, default=0.0,
                        help="PPO: subtracted from the reward of a rollout that loops (as `kigi ask` would end it)")
    parser.add_argument("--anchor-prompts", type=int, default=0,
                        help="DPO and PPO: the reference's own answers (sampled) to this many more everyday "
                             "questions are held to by a language-model loss (InstructGPT's PPO-ptx; those that "
                             "loop are dropped)")
    parser.add_argument("--anchor-coef", type=float, default=1.0, help="DPO and PPO: the weight of the anchors' loss")
    parser.add_argument("--anchors-apart", action="store_true",
                        help="DPO and PPO: the anchors' gradient added after the run's clip, at most --anchor-coef "
                             "x its norm")
    parser.add_argument("--ppo-init", type=Path, default=None,
                        help="a saved adapter's folder (e.g. agent/bundled_adapters/grounded-reader): PPO improves "
                             "it, kept near it by the KL penalty (`kigi train ppo --init`)")
    parser.add_argument("--best-of", type=int, default=4, help="answers sampled per prompt in the best-of stage")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = Results(args.workdir / "results.json")
    clock = Clock()
    if args.reading_format == "sources" and {"collect", "best-of"} & set(stages):
        parser.error("--reading-format sources serves the ppo, eval and ordinary stages (collect asks piped prompts)")
    engine = load_engine(KigiHome.resolve().ensure(), args.model)
    wanted = max(args.eval_prompts + args.prompts, args.eval_from + args.eval_prompts)
    items = all_items(args, wanted)
    if wanted > len(items):
        parser.error(f"--prompts + --eval-prompts (or --eval-from + --eval-prompts) must be at most {len(items)}")
    if 0 < args.eval_from < args.eval_prompts + args.prompts:
        parser.error("--eval-from must be 0 (the held-out prompts) or past the collection prompts")
    train_items = items[args.eval_prompts:][: args.prompts]
    eval_items = items[args.eval_from:][: args.eval_prompts]
    print(f"model loaded in {clock.spent()[0]:.1f}s ({engine.name}, {torch.get_num_threads()} threads)", flush=True)
    store = AdapterStore(args.workdir / "adapters", bundled=None)
    with ConversationLog(args.workdir / "kigi.db") as log:
        if "collect" in stages:
            asker = engine if args.collect_precision == "fp32" else load_engine(
                KigiHome.resolve(), args.model, args.collect_precision)
            collect(args, asker, log, train_items, results)
            del asker
        records = log.preference_records()
    print(f"{len(records)} preference pairs", flush=True)
    if "reward" in stages:
        train_reward(args, engine, store, records, results)
    if "dpo" in stages:
        train_dpo(args, engine, store, records, results)
    if "ppo" in stages:
        train_ppo(args, engine, store, train_items, results)
    if "eval" in stages and "eval" not in results:  # drop it from results.json to measure again
        evaluate(args, engine, store, eval_items, results)
    if "ordinary" in stages and "ordinary" not in results:
        ordinary(args, engine, store, results)
    if "ordinary-more" in stages and more_ordinary_key(args.ordinary_file) not in results:
        more = [line.strip() for line in args.ordinary_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        ordinary(args, engine, store, results, more, more_ordinary_key(args.ordinary_file))
    if "best-of" in stages and "best_of" not in results and args.task == "reading":
        best_of(args, engine, store, eval_items, results)
    print(json.dumps({k: v for k, v in results.data.items() if k != "ppo"} | (
        {"ppo": {k: v for k, v in results.data["ppo"].items() if k != "history"}} if "ppo" in results.data else {}),
        indent=2))


if __name__ == "__main__":
    main()
