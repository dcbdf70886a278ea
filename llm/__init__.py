"""The compact Transformer core: config, model, tokenizer, weights, generation, adapters.

Speaks tensors and token ids only; prompts and chat templates belong to `agent/`.
"""
