"""Training: the shared loop (`loop`), token batches (`data`) and the trainers (`sft`, ...)."""
