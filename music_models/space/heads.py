"""Small heads trained beside the encoder: adjacency, the prior's discriminator, the symbolic decoder."""

from __future__ import annotations

import torch
from torch import nn

from music_models.space.config import DecoderTargetConfig

__all__ = ["AdjacencyHead", "PriorDiscriminator", "SymbolicDecoder"]


class AdjacencyHead(nn.Module):
    """Are two windows neighbours in the same piece? Logit from ``[a, b, |a-b|, a*b]``."""

    def __init__(self, dim: int, hidden: int = 128) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4 * dim, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([a, b, (a - b).abs(), a * b], dim=-1)).squeeze(-1)


class PriorDiscriminator(nn.Module):
    """Tells encoder outputs from samples of N(0, I); the encoder learns to fool it."""

    def __init__(self, dim: int, hidden: int = 256) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(dim, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1)
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).squeeze(-1)


class SymbolicDecoder(nn.Module):
    """z -> the window's content relative to the tonic.

    Per step of a time-normalised grid: pitch class relative to the tonic (12) or rest, and whether a
    note starts there; per chord slot: the chord's scale degree (I..VII) or none. A GRU unrolls the
    grid so the decoder can model rhythm, not only a bag of pitches.
    """

    def __init__(self, dim: int, config: DecoderTargetConfig = DecoderTargetConfig(), hidden: int = 192) -> None:
        super().__init__()
        self.config = config
        self.init = nn.Linear(dim, hidden)
        self.step_embed = nn.Parameter(torch.randn(config.steps, hidden) * 0.02)
        self.gru = nn.GRU(hidden, hidden, batch_first=True)
        self.pitch = nn.Linear(hidden, config.n_pitch_classes)
        self.onset = nn.Linear(hidden, 1)
        self.chord = nn.Linear(hidden, config.n_chord_degrees)

    def forward(self, z: torch.Tensor) -> dict[str, torch.Tensor]:
        b = z.shape[0]
        h0 = torch.tanh(self.init(z))
        inp = self.step_embed.unsqueeze(0).expand(b, -1, -1) + h0.unsqueeze(1)
        out, _ = self.gru(inp, h0.unsqueeze(0).contiguous())
        per_slot = self.config.steps // self.config.chord_steps
        chord_h = out.reshape(b, self.config.chord_steps, per_slot, -1).mean(2)
        return {
            "pitch_logits": self.pitch(out),  # [B, steps, 13]
            "onset_logits": self.onset(out).squeeze(-1),  # [B, steps]
            "chord_logits": self.chord(chord_h),  # [B, chord_steps, 8]
        }
