"""Training, one job a module:

    config.py       TrainConfig: AdamW's settings, warmup + cosine, length, accumulation, cadence
    loop.py         Trainer: steps, evaluation, checkpoints that resume exactly; the training errors
    reports.py      a loss function's output (with an objective clipped apart), step reports, results
    lm.py           causal-LM losses (IGNORE_INDEX, target log-probs, cross-entropy), the context window
    data.py         token batches: chat SFT (loss on assistant tokens), preference pairs
    sft.py          supervised fine-tuning of an adapter
    scalar_head.py  a hidden state -> one number (the reward head, PPO's value head)
    preferences.py  preference data made ready and PreferenceRun, shared by reward and DPO
    reward.py       the reward model: Bradley–Terry loss, its run, RewardModel for scoring
    dpo.py          Direct Preference Optimization
    rollouts.py     prompts, sampled answers, their log-probs and values
    ppo_maths.py    PPO's maths: KL-penalised rewards, GAE, clipped losses
    ppo.py          the PPO run
"""
