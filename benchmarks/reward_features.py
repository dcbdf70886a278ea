"""A reward model beside what the rater's tie-breaks need: a judge fitted on other pairs (issue 16, a probe).

    python benchmarks/reward_features.py --fit FIT.jsonl --pairs A.jsonl [B.jsonl ...] [--judge NAME]

The truth rater prefers the correct answer, then the grounded one, then the shorter one. A
reward model learns all three from pairs; this probe asks how much of what it misses plain
signals hold. Each pair gives differences, chosen minus rejected, of: the reward model's
score (with `--judge`; without it, a judge with no training at all), the answer's length
(characters / 100) and the reader's mean log-probability per answer token (`--reader`, the
grounded reader by default). A logistic regression without intercept (L2) weighs them on
the `--fit` pairs (neither trained on nor held out: for instance `kigi train reading-prefs
--seed 13`) and is scored on the held-out `--pairs`, pooled, beside each signal alone, by
what decided each pair (see reward_heldout.py).
Prints figures; never pass/fail.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import _root  # noqa: F401  (the repository root on sys.path)
import torch
from reward_heldout import by_kind, decided_by, print_table, read_pairs

from agent.adapters import AdapterStore, chat_render  # noqa: E402
from agent.home import KigiHome  # noqa: E402
from agent.models import load_engine  # noqa: E402
from agent.pref_evals import load_reward_model, pair_scores  # noqa: E402
from llm.engine import Engine  # noqa: E402
from llm.lora import adapters_of  # noqa: E402
from llm.train.data import chat_example, shared_rows  # noqa: E402

FEATURES = ("reward", "length/100", "reader log-prob per token")


def answers_of(records: list[dict]) -> list[str]:
    """Each pair's chosen answer, then its rejected one."""
    return [record[side][0]["content"] for record in records for side in ("chosen", "rejected")]


@torch.no_grad()
def mean_logprobs(engine: Engine, reader: str, records: list[dict], batch: int = 8) -> torch.Tensor:
    """The reader's mean log-prob per token of each answer (its end-of-turn marker included),
    chosen then rejected per pair; a pair's two answers share one read of the prompt."""
    render = chat_render(engine.tokenizer)
    examples = [chat_example([*record["prompt"], {"role": "assistant", "content": answer}], render,
                             train_from=len(record["prompt"]))
                for record, answer in zip([r for r in records for _ in range(2)], answers_of(records), strict=True)]
    out = []
    with adapters_of(engine.model).using(reader):
        for start in range(0, len(examples), batch):
            chunk = examples[start:start + batch]
            summed = shared_rows(chunk).answer_logprobs(engine.model)
            out.append(summed.cpu() / torch.tensor([sum(e.mask) for e in chunk]))
    return torch.cat(out)


def features(engine: Engine, store: AdapterStore, judge: str | None, reader: str, records: list[dict],
             ) -> torch.Tensor:
    """(N, F) differences chosen − rejected, in FEATURES' order (the reward's only with a judge)."""
    lengths = torch.tensor([len(a.strip()) / 100 for a in answers_of(records)])
    logprobs = mean_logprobs(engine, reader, records)
    columns = [lengths[0::2] - lengths[1::2], logprobs[0::2] - logprobs[1::2]]
    if judge is not None:
        good, bad = pair_scores(load_reward_model(engine, store, judge), records)
        columns.insert(0, good - bad)
    return torch.stack(columns, dim=1)


def fit_weights(x: torch.Tensor, l2: float = 1e-2, steps: int = 500) -> torch.Tensor:
    """Weights of P(chosen wins) = σ(w·x), by L-BFGS on the mean logistic loss plus L2
    (features scaled by their spread on the fit set, weights returned in the raw scale)."""
    scale = x.std(0).clamp_min(1e-6)
    w = torch.zeros(x.size(1), requires_grad=True)
    optimizer = torch.optim.LBFGS([w], max_iter=steps, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = torch.nn.functional.softplus(-(x / scale) @ w).mean() + l2 * (w ** 2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return w.detach() / scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fit", type=Path, nargs="+", required=True, help="pairs the weights are fitted on")
    parser.add_argument("--pairs", type=Path, nargs="+", required=True, help="held-out pairs, pooled")
    parser.add_argument("--judge", help="the reward model (a name in the adapter store); none: length and reader only")
    parser.add_argument("--reader", default="grounded-reader")
    parser.add_argument("--precision", default="fp32")
    args = parser.parse_args()
    home = KigiHome.resolve().ensure()
    engine = load_engine(home, precision=args.precision)
    store = AdapterStore.of(home)
    reader = store.load_onto(engine, args.reader).name
    fit, held = read_pairs(args.fit), read_pairs(args.pairs)
    names = FEATURES if args.judge else FEATURES[1:]
    weights = fit_weights(features(engine, store, args.judge, reader, fit))
    print(f"fitted on {len(fit)} pairs: " + ", ".join(f"{n} {w:+.3f}" for n, w in zip(names, weights.tolist(),
                                                                                      strict=True)), flush=True)
    x, kinds = features(engine, store, args.judge, reader, held), [decided_by(r) for r in held]
    rows = {f"{name} alone": by_kind((x[:, i] * weights[i].sign() > 0).tolist(), kinds)
            for i, name in enumerate(names)}
    rows["fitted combination"] = by_kind((x @ weights > 0).tolist(), kinds)
    print_table(f"judge ({args.judge or 'no reward model'})", kinds, rows)

if __name__ == "__main__":
    main()
