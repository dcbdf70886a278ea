"""Reward, DPO and PPO batches with a row per answer against answers packed under their shared prompt.

    python benchmarks/shared_prompt_speed.py --pairs PREFS.jsonl [--batches 6] [--batch 8]

Forward and backward of the same batches in both layouts, alternated batch by batch on one
model, with the LoRA adapter `kigi train reward` and `dpo` attach by default. Prints the
tokens each layout feeds the model over the whole file, the seconds of each and their
ratio. PPO's batches are the file's answers taken as rollouts: `--ppo-prompts` prompts with
up to `--ppo-samples` distinct answers each, scored for log-probs and values as PPO's loss
does. The losses agree to ~1e-5 (the tests check it exactly on a tiny model); printed,
never pass/fail.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import _root  # noqa: F401  (the repository root on sys.path)

from agent.adapters import chat_render  # noqa: E402
from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402
from llm.lora import LoRAConfig, adapters_of  # noqa: E402
from llm.train.data import PreferenceBatches, preference_pairs, read_jsonl  # noqa: E402
from llm.train.dpo import dpo_loss_fn  # noqa: E402
from llm.train.reward import ScalarHead, reward_loss_fn  # noqa: E402
from llm.train.rollouts import RolloutBatch, logprobs_and_values  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=Path, required=True)
    parser.add_argument("--batches", type=int, default=6, help="batches timed in each layout and trainer")
    parser.add_argument("--batch", type=int, default=8, help="pairs a batch")
    parser.add_argument("--seq-len", type=int, default=512)
    parser.add_argument("--ppo-prompts", type=int, default=4, help="prompts a PPO batch (PPO's default is 8)")
    parser.add_argument("--ppo-samples", type=int, default=4, help="answers a prompt in a PPO batch")
    args = parser.parse_args()
    engine = load_engine(KigiHome.resolve().ensure(), precision="fp32")
    model = engine.model
    adapters = adapters_of(model)
    adapters.add("probe", LoRAConfig(rank=8, alpha=16), seed=0)
    adapters.activate("probe")
    adapters.train_only("probe")
    model.train()
    pairs = preference_pairs(read_jsonl(args.pairs), chat_render(engine.tokenizer), seq_len=args.seq_len)
    layouts = {name: PreferenceBatches(pairs, args.batch, seed=0, shared_prompts=name == "shared").epoch(0)
               for name in ("plain", "shared")}
    plain_tokens = sum(b.both.input_ids.numel() for b in layouts["plain"])
    shared_tokens = sum(b.shared.input_ids.numel() for b in layouts["shared"])
    print(f"{len(pairs)} pairs, {len(layouts['plain'])} batches: padded tokens a row per answer {plain_tokens:,}, "
          f"shared prompts {shared_tokens:,} ({shared_tokens / plain_tokens:.3f}x)", flush=True)
    trainers = {"reward": reward_loss_fn(model, ScalarHead(model.config.d_model, seed=0), 0.01, "sum"),
                "dpo": dpo_loss_fn(model, "probe", beta=0.1)}
    for trainer, loss in trainers.items():
        seconds = {"plain": 0.0, "shared": 0.0}
        for k in range(min(args.batches, len(layouts["plain"]))):
            for name, batches in layouts.items():
                start = time.perf_counter()
                out = loss((batches[k], None) if trainer == "dpo" else batches[k])
                out.loss.backward()
                seconds[name] += time.perf_counter() - start
                model.zero_grad(set_to_none=True)
        report(trainer, seconds)
    head, seconds = ScalarHead(model.config.d_model, seed=0), {"plain": 0.0, "shared": 0.0}
    for batch in rollout_batches(pairs, args.ppo_prompts, args.ppo_samples)[: args.batches]:
        for name in seconds:
            start = time.perf_counter()
            logprobs, values, _ = logprobs_and_values(model, head, batch, 0.7, share=name == "shared")
            (logprobs.sum() + values.sum()).backward()
            seconds[name] += time.perf_counter() - start
            model.zero_grad(set_to_none=True)
    report("ppo", seconds)


def report(trainer: str, seconds: dict[str, float]) -> None:
    print(f"{trainer}: a row per answer {seconds['plain']:.1f} s, shared prompts {seconds['shared']:.1f} s: "
          f"{seconds['shared'] / seconds['plain']:.2f}x the time", flush=True)


def rollout_batches(pairs: list, prompts: int, samples: int) -> list[RolloutBatch]:
    """The pairs' distinct answers grouped by prompt, as PPO's rollouts: `prompts` prompts a
    batch, up to `samples` answers each."""
    answers: dict[tuple[int, ...], list[tuple[int, ...]]] = {}
    for pair in pairs:
        for side in (pair.chosen, pair.rejected):
            start = side.mask.index(True)
            group = answers.setdefault(tuple(side.ids[:start]), [])
            if tuple(side.ids[start:]) not in group and len(group) < samples:
                group.append(tuple(side.ids[start:]))
    groups = [(q, rs) for q, rs in answers.items() if all(len(r) > 1 for r in rs)]
    return [RolloutBatch.build([q for q, rs in chunk for _ in rs], [r for _, rs in chunk for r in rs])
            for chunk in (groups[i:i + prompts] for i in range(0, len(groups) - prompts + 1, prompts))]


if __name__ == "__main__":
    main()
