"""`ScalarHead`: a hidden state -> one number; the reward model's head and PPO's value head."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import Tensor, nn

from llm.lora import AdapterFormatError, AdapterMismatchError


class ScalarHead(nn.Module):
    """d_model -> one number, in fp32 whatever the model's dtype (a reward or a value)."""

    def __init__(self, d_model: int, *, seed: int | None = 0, zero: bool = False) -> None:
        super().__init__()
        self.proj = nn.Linear(d_model, 1)
        with torch.no_grad():
            self.proj.bias.zero_()
            if zero:
                self.proj.weight.zero_()
            else:
                generator = torch.Generator().manual_seed(seed) if seed is not None else None
                self.proj.weight.normal_(0.0, 1.0 / (d_model + 1) ** 0.5, generator=generator)

    @property
    def d_model(self) -> int:
        return self.proj.in_features

    def forward(self, hidden: Tensor) -> Tensor:
        """(..., d_model) -> (...)."""
        return self.proj(hidden.float())[..., 0]

    def at_last(self, hidden: Tensor, lengths: Tensor) -> Tensor:
        """The head on each row's last real token: hidden (B, T, d), lengths (B,) -> (B,)."""
        rows = torch.arange(hidden.size(0), device=hidden.device)
        return self(hidden[rows, lengths.to(hidden.device) - 1])

    def summed(self, hidden: Tensor, starts: Tensor, lengths: Tensor) -> Tensor:
        """The head on every token of each row from `starts` to its last real token, summed: a
        score per token (B, T, d) -> (B,), so how many tokens there are counts by itself."""
        positions = torch.arange(hidden.size(1), device=hidden.device)
        inside = (positions >= starts.to(hidden.device)[:, None]) & (positions < lengths.to(hidden.device)[:, None])
        return (self(hidden) * inside).sum(-1)

    def named_tensors(self, prefix: str) -> dict[str, nn.Parameter]:
        return {f"{prefix}.{name}": param for name, param in self.proj.named_parameters()}

    def save(self, path: Path) -> None:
        from safetensors.torch import save_file

        save_file({k: v.detach().float().cpu().contiguous() for k, v in self.proj.state_dict().items()}, path)

    @classmethod
    def load(cls, path: Path, d_model: int) -> ScalarHead:
        """A saved head; one made for another width is an AdapterMismatchError."""
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            tensors = load_file(path)
        except (SafetensorError, OSError, ValueError) as exc:
            raise AdapterFormatError(f"{path}: not a readable safetensors file ({exc})") from None
        weight = tensors.get("weight")
        if weight is None or "bias" not in tensors or weight.ndim != 2 or weight.size(0) != 1:
            raise AdapterFormatError(f"{path}: expected a (1, d_model) 'weight' and a 'bias'")
        if weight.size(1) != d_model:
            raise AdapterMismatchError(f"{path}: the head reads {weight.size(1)}-wide hidden states, the model "
                                       f"has d_model={d_model} (trained on another base)")
        head = cls(d_model, seed=None, zero=True)
        head.proj.load_state_dict(tensors)
        return head
