"""Spectral noise-floor subtraction: a pure function that helps the melody gate hear a melody in noise.

In a pub or over a bad line (the eval's ``heavy`` level: 0-15 dB SNR, babble or music behind, long
reverb), pYIN finds too few voiced frames and the gate refuses a real melody. Per frequency bin, the
noise's magnitude is estimated as a low percentile over time (a held note moves through the bins, the
noise stays), subtracted with some over-subtraction, and the phase is kept. Speech stays speech (it still
glides), noise alone has nothing left to voice: measured by ``bench/gate_refusals.py``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["subtract_noise_floor"]


def subtract_noise_floor(samples: np.ndarray, *, percentile: float = 30.0, over_subtraction: float = 1.5,
                         floor_gain: float = 0.05, n_fft: int = 1024, hop_length: int = 256) -> np.ndarray:
    """``samples`` (mono float) with each STFT bin's ``percentile``-th magnitude over time times
    ``over_subtraction`` taken off, never below ``floor_gain`` of the original magnitude; same length."""
    import librosa

    x = np.asarray(samples, dtype=np.float32)
    if x.size < n_fft:
        return x.copy()
    spec = librosa.stft(x, n_fft=n_fft, hop_length=hop_length)
    mag = np.abs(spec)
    noise = np.percentile(mag, percentile, axis=1, keepdims=True)
    kept = np.maximum(mag - over_subtraction * noise, floor_gain * mag)
    gain = np.divide(kept, mag, out=np.zeros_like(mag), where=mag > 0)
    return librosa.istft(spec * gain, hop_length=hop_length, length=x.size).astype(np.float32)
