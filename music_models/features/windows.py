"""Cutting a feature matrix into the fixed-length windows the encoder embeds."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = ["WindowConfig", "frame_windows", "window_starts_s"]


@dataclass(frozen=True)
class WindowConfig:
    length_s: float = 4.0
    hop_s: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WindowConfig:
        return cls(**d)


def window_starts_s(duration_s: float, *, config: WindowConfig = WindowConfig()) -> list[float]:
    """Start times of the windows covering ``duration_s``; a clip shorter than one window gets one."""
    if duration_s <= config.length_s:
        return [0.0]
    n = int(np.floor((duration_s - config.length_s) / config.hop_s)) + 1
    starts = [i * config.hop_s for i in range(n)]
    last = duration_s - config.length_s
    if last - starts[-1] > 0.5 * config.hop_s:  # cover the tail too
        starts.append(last)
    return starts


def frame_windows(
    features: np.ndarray, *, frames_per_s: float, config: WindowConfig = WindowConfig()
) -> tuple[np.ndarray, list[float]]:
    """Cut ``[bins, frames]`` into ``[n_windows, bins, window_frames]`` (zero-padded) and their starts in s."""
    n_bins, n_frames = features.shape
    win = int(round(config.length_s * frames_per_s))
    starts_s = window_starts_s(n_frames / frames_per_s, config=config)
    out = np.full((len(starts_s), n_bins, win), features.min(initial=0.0), dtype=np.float32)
    for i, s in enumerate(starts_s):
        a = int(round(s * frames_per_s))
        chunk = features[:, a : a + win]
        out[i, :, : chunk.shape[1]] = chunk
    return out, starts_s
