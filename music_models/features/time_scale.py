"""Time-scaling a feature matrix (training's tempo augmentation; a slow hum played faster at query time).
Pure functions."""

from __future__ import annotations

import numpy as np

__all__ = ["stretch"]


def stretch(features: np.ndarray, *, factor: float) -> np.ndarray:
    """Resample the time axis of ``[bins, frames]`` by ``factor`` (>1 = slower = more frames), linear
    interpolation. The pitch axis is untouched, so unlike resampling the audio this keeps key and timbre."""
    if not np.isfinite(factor) or factor <= 0:
        raise ValueError(f"stretch factor must be a positive number, got {factor}")
    n = features.shape[1]
    if factor == 1.0 or n < 2:
        return features
    m = max(2, int(round(n * factor)))
    src = np.linspace(0, n - 1, m)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    w = (src - lo).astype(np.float32)
    return features[:, lo] * (1 - w) + features[:, hi] * w
