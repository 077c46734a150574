"""The encoder: log-frequency spectrogram -> embeddings z, one per window.

A convolutional trunk runs once over the whole clip (fully convolutional, so overlapping windows
share work); each window then pools its slice of the trunk's output. Convolutions are
shift-equivariant along the pitch axis and a max over pitch turns that into (near) invariance to
transposition, so a hum in another key lands near the original. Time is pooled by attention.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from music_models.space.config import EncoderConfig

__all__ = ["TIME_STRIDE", "Encoder"]

#: Frames of input per frame of trunk output.
TIME_STRIDE = 4


class _ResBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, *, pool: tuple[int, int]) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.skip = nn.Conv2d(c_in, c_out, 1, bias=False) if c_in != c_out else nn.Identity()
        self.pool = nn.MaxPool2d(pool) if pool != (1, 1) else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return self.pool(torch.relu(h + self.skip(x)))


class Encoder(nn.Module):
    """Trunk ``[B, bins, frames] -> [B, C, frames/4]``; head pools a window of it into ``[B, dim]``."""

    def __init__(self, config: EncoderConfig = EncoderConfig()) -> None:
        super().__init__()
        c = config.channels
        self.offsets = [round(config.bins_per_octave * math.log2(h)) for h in config.harmonics]
        self.stem = nn.Sequential(
            nn.Conv2d(max(1, len(self.offsets)), c[0], kernel_size=(5, 3), stride=(2, 1), padding=(2, 1), bias=False),
            nn.BatchNorm2d(c[0]),
            nn.ReLU(),
            nn.MaxPool2d((2, 2)),
        )
        pools = [(2, 2), (2, 1), (1, 1)]
        self.blocks = nn.Sequential(
            *[_ResBlock(c[i - 1], c[i], pool=pools[min(i - 1, len(pools) - 1)]) for i in range(1, len(c))]
        )
        width = c[-1]
        self.temporal = nn.Sequential(
            nn.Conv1d(width, width, 3, padding=2, dilation=2),
            nn.ReLU(),
            nn.Conv1d(width, width, 3, padding=4, dilation=4),
            nn.ReLU(),
        )
        self.attention = nn.Conv1d(width, 1, 1)
        self.dropout = nn.Dropout(config.dropout)
        self.project = nn.Linear(2 * width, config.embedding_dim)

    def stack_harmonics(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, bins, frames]`` -> ``[B, H, bins, frames]``: channel k is x shifted down by harmonic k's offset."""
        if not self.offsets:
            return x.unsqueeze(1)
        floor = x.amin(dim=(1, 2), keepdim=True)
        chans = []
        for off in self.offsets:
            if off == 0:
                chans.append(x)
            elif off > 0:  # bin b takes the energy at bin b + off (a higher harmonic)
                chans.append(torch.cat([x[:, off:], floor.expand(-1, off, x.shape[2])], dim=1))
            else:  # a sub-harmonic: bin b takes bin b - |off|
                chans.append(torch.cat([floor.expand(-1, -off, x.shape[2]), x[:, :off]], dim=1))
        return torch.stack(chans, dim=1)

    def trunk(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, bins, frames]`` -> ``[B, C, frames // TIME_STRIDE]`` (pitch maxed out)."""
        h = self.blocks(self.stem(self.stack_harmonics(x)))
        return h.amax(dim=2)

    def head(self, h: torch.Tensor) -> torch.Tensor:
        """``[B, C, T']`` trunk slice of one window -> ``[B, dim]``."""
        h = h + self.temporal(h)
        w = torch.softmax(self.attention(h), dim=-1)
        pooled = torch.cat([(h * w).sum(-1), h.amax(-1)], dim=1)
        return self.project(self.dropout(pooled))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Embed whole windows ``[B, bins, window_frames]`` -> ``[B, dim]`` (training path)."""
        return self.head(self.trunk(x))

    def embed_clip(self, x: torch.Tensor, starts_frames: list[int], window_frames: int) -> torch.Tensor:
        """Embed many windows of one clip ``[bins, frames]`` sharing one trunk pass -> ``[n, dim]``."""
        h = self.trunk(x.unsqueeze(0))[0]  # [C, T']
        w = window_frames // TIME_STRIDE
        pieces = []
        for s in starts_frames:
            a = s // TIME_STRIDE
            piece = h[:, a : a + w]
            if piece.shape[1] < w:
                piece = torch.nn.functional.pad(piece, (0, w - piece.shape[1]))
            pieces.append(piece)
        return self.head(torch.stack(pieces))
