"""Noise sources: white, pink, and noise with a time-varying spectrum (for breath, aspiration, frication)."""

from __future__ import annotations

import numpy as np

__all__ = ["band_shape", "pink_noise", "shaped_noise", "unit_rms_shape", "white_noise"]


def white_noise(*, n_samples: int, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal(n_samples)


def pink_noise(*, n_samples: int, rng: np.random.Generator) -> np.ndarray:
    """1/f noise (power falls 3 dB per octave), unit RMS."""
    if n_samples <= 0:
        return np.zeros(0)
    spec = np.fft.rfft(rng.standard_normal(n_samples))
    f = np.arange(len(spec), dtype=float)
    f[0] = 1.0
    out = np.fft.irfft(spec / np.sqrt(f), n=n_samples)
    out -= out.mean()
    rms = float(np.sqrt(np.mean(out**2)))
    return out / rms if rms > 0 else out


def band_shape(*, freqs_hz: np.ndarray, center_hz: np.ndarray, octaves: float) -> np.ndarray:
    """A Gaussian bump in log-frequency (``octaves`` = standard deviation), 1 at ``center_hz``."""
    f = np.maximum(freqs_hz, 1.0)
    c = np.maximum(center_hz, 1.0)
    return np.exp(-0.5 * (np.log2(f / c) / octaves) ** 2)


def unit_rms_shape(shape: np.ndarray) -> np.ndarray:
    """Scale each row of a (frames x bins) spectral shape so that noise shaped by it has unit RMS."""
    rms = np.sqrt(np.mean(np.square(shape), axis=-1, keepdims=True))
    return shape / np.maximum(rms, 1e-12)


def shaped_noise(
    *, gains: np.ndarray, hop: int, n_fft: int, n_samples: int, rng: np.random.Generator
) -> np.ndarray:
    """Noise whose short-time magnitude spectrum follows ``gains`` (frames x (n_fft//2+1)).

    Frame ``k`` is centred on sample ``k * hop``. A gain of 1 in every bin gives unit-RMS white noise.
    """
    n_frames, n_bins = gains.shape
    if n_bins != n_fft // 2 + 1:
        raise ValueError(f"gains need {n_fft // 2 + 1} bins for n_fft={n_fft}, got {n_bins}")
    if n_fft % hop:
        raise ValueError(f"n_fft ({n_fft}) must be a multiple of hop ({hop})")
    spec = (rng.standard_normal(gains.shape) + 1j * rng.standard_normal(gains.shape)) * gains
    window = np.hanning(n_fft + 1)[:-1]
    frames = np.fft.irfft(spec, n=n_fft, axis=1) * window
    overlap = n_fft // hop
    out = np.zeros((n_frames + overlap) * hop)
    for j in range(overlap):
        out[j * hop: j * hop + n_frames * hop] += frames[:, j * hop:(j + 1) * hop].reshape(-1)
    # unit-gain calibration: hann^1 overlap-add sums to n_fft/(2 hop); irfft of unit complex noise has
    # per-sample variance 1/n_fft per unit bin -> scale so a flat gain of 1 gives RMS 1.
    scale = np.sqrt(n_fft) / np.sqrt(np.sum(window**2) / hop) / np.sqrt(2.0)
    start = n_fft // 2
    out = out[start:start + n_samples] * scale
    if len(out) < n_samples:
        out = np.pad(out, (0, n_samples - len(out)))
    return out
