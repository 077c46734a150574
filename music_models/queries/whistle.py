"""The whistle: a near-sinusoid (1-3 kHz) with a faint 2nd harmonic, breath noise around the tone,
broadband hiss, and a noisy chiff at each attack."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from music_models.queries.noise import band_shape, shaped_noise, unit_rms_shape
from music_models.queries.truth import PerformedNote

__all__ = ["render_whistle"]

_N_FFT = 320


def render_whistle(
    *,
    f0_hz: np.ndarray,
    amp: np.ndarray,
    notes: Sequence[PerformedNote],
    frame_rate_hz: float,
    sample_rate_hz: int,
    rng: np.random.Generator,
    breath_db: float = -22.0,
    hiss_db: float = -38.0,
    chiff_db: float = -12.0,
) -> np.ndarray:
    """``f0_hz``/``amp`` per frame (0 Hz = silent); levels are relative to the tone's amplitude."""
    fr, sr = frame_rate_hz, sample_rate_hz
    n_frames = len(f0_hz)
    n = int(round(n_frames * sr / fr))
    voiced = f0_hz > 0
    idx = np.maximum.accumulate(np.where(voiced, np.arange(n_frames), -1))
    idx[idx < 0] = int(np.argmax(voiced)) if voiced.any() else 0
    f0 = f0_hz[idx] if voiced.any() else np.full(n_frames, 1500.0)
    wobble = np.convolve(rng.standard_normal(n_frames), np.ones(8) / 8, mode="same")
    f0 = f0 * (1.0 + 0.002 * wobble)  # the lips are not a perfect oscillator
    pos = np.arange(n) * (fr / sr)
    f0_s = np.interp(pos, np.arange(n_frames), f0)
    a = amp * voiced
    a_s = np.interp(pos, np.arange(n_frames), a)
    phase = 2.0 * np.pi * np.cumsum(f0_s) / sr
    h2 = 10 ** (rng.uniform(-40.0, -28.0) / 20.0)
    tone = a_s * (np.sin(phase) + np.where(2 * f0_s < 0.47 * sr, h2 * np.sin(2 * phase + 0.3), 0.0))
    # breath: a band around the tone, plus broadband hiss, both following the amplitude
    freqs = np.fft.rfftfreq(_N_FFT, 1.0 / sr)[None, :]
    band = band_shape(freqs_hz=freqs, center_hz=f0[:, None], octaves=0.12)
    chiff = np.zeros(n_frames)
    for nt in notes:
        k = int(round(nt.onset_s * fr))
        c = int(rng.uniform(0.02, 0.04) * fr)
        if 0 <= k < n_frames:
            chiff[k:k + c] = np.hanning(c + 2)[1:-1][: max(0, min(c, n_frames - k))]
    wide = band_shape(freqs_hz=freqs, center_hz=f0[:, None], octaves=0.6)
    hp = 1.0 - np.exp(-freqs / 1500.0)
    tone_rms = np.sqrt(0.5)  # of a unit sinusoid
    g_breath = 10 ** (breath_db / 20.0) * tone_rms * a[:, None] * unit_rms_shape(band)
    g_hiss = 10 ** (hiss_db / 20.0) * tone_rms * a[:, None] * unit_rms_shape(hp)
    g_chiff = 10 ** (chiff_db / 20.0) * tone_rms * chiff[:, None] * unit_rms_shape(0.8 * wide + 0.2 * hp)
    noise = shaped_noise(gains=g_breath + g_hiss + g_chiff, hop=int(round(sr / fr)), n_fft=_N_FFT, n_samples=n,
                         rng=rng)
    return tone + noise
