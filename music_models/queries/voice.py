"""The voice: a band-limited glottal source (additive harmonics with a glottal spectral tilt, jitter and
shimmer) through time-varying formants, plus aspiration and frication noise through the same tract."""

from __future__ import annotations

import numpy as np

from music_models.queries.articulation import VoiceTrack
from music_models.queries.formants import tract_gain
from music_models.queries.noise import band_shape, shaped_noise, unit_rms_shape

__all__ = ["render_voice"]

_N_FFT = 320


def _frames_to_samples(x: np.ndarray, *, frame_rate_hz: float, sample_rate_hz: int, n_samples: int) -> np.ndarray:
    pos = np.arange(n_samples) * (frame_rate_hz / sample_rate_hz)
    return np.interp(pos, np.arange(len(x)), x)


def render_voice(
    *, track: VoiceTrack, sample_rate_hz: int, rng: np.random.Generator,
    jitter: float = 0.006, shimmer_db: float = 0.6,
) -> np.ndarray:
    """Render a voice track to samples (float64, roughly unit peak is not guaranteed; the caller normalises)."""
    fr, sr = track.frame_rate_hz, sample_rate_hz
    n_frames = len(track.f0_hz)
    n = int(round(n_frames * sr / fr))
    voiced = track.f0_hz > 0
    if not voiced.any():
        f0 = np.full(n_frames, 100.0)
    else:  # hold the last voiced pitch through silences so the phase never jumps
        idx = np.maximum.accumulate(np.where(voiced, np.arange(n_frames), -1))
        idx[idx < 0] = int(np.argmax(voiced))
        f0 = track.f0_hz[idx]
    f0 = f0 * (1.0 + jitter * rng.standard_normal(n_frames))  # cycle-to-cycle jitter (at frame rate)
    amp = track.voice_amp * voiced * 10 ** (shimmer_db * rng.standard_normal(n_frames) / 20.0)
    f0_s = _frames_to_samples(f0, frame_rate_hz=fr, sample_rate_hz=sr, n_samples=n)
    phase = 2.0 * np.pi * np.cumsum(f0_s) / sr
    nyq_limit = 0.47 * sr
    k_max = int(nyq_limit / max(float(f0[voiced].min()) if voiced.any() else 100.0, 50.0))
    out = np.zeros(n)
    # the tract's gain at every harmonic of every frame, in one vectorised call (frames, k_max)
    gains = tract_gain(freqs_hz=f0[:, None] * np.arange(1, k_max + 1)[None, :], formants_hz=track.formants_hz,
                       bandwidths_hz=track.bandwidths_hz, zero_hz=track.zero_hz, sample_rate_hz=sr)
    for k in range(1, k_max + 1):
        fk = k * f0
        alive = fk < nyq_limit
        if not np.any(alive & (amp > 0)):
            break
        taper = np.clip((nyq_limit - fk) / (0.05 * sr), 0.0, 1.0)
        a = amp * gains[:, k - 1] * taper * k ** (-track.tilt)
        out += _frames_to_samples(a, frame_rate_hz=fr, sample_rate_hz=sr, n_samples=n) * np.sin(k * phase)
    # noise through the tract (aspiration, breaths) and in a band (frication)
    hop = int(round(sr / fr))
    freqs = np.fft.rfftfreq(_N_FFT, 1.0 / sr)[None, :]
    tract = tract_gain(freqs_hz=np.repeat(freqs, n_frames, axis=0), formants_hz=track.formants_hz,
                       bandwidths_hz=track.bandwidths_hz, zero_hz=np.zeros(n_frames), sample_rate_hz=sr)
    hp = 1.0 - np.exp(-freqs / 800.0)
    scale = float(np.sqrt(np.mean(out[np.repeat(amp > 0, hop)[:n]] ** 2))) if np.any(amp > 0) else 0.05
    band = band_shape(freqs_hz=freqs, center_hz=track.frication_hz[:, None], octaves=0.5)
    gains = scale * (track.aspiration_amp[:, None] * unit_rms_shape(tract * hp)
                     + track.frication_amp[:, None] * unit_rms_shape(band))
    noise = shaped_noise(gains=gains, hop=hop, n_fft=_N_FFT, n_samples=n, rng=rng)
    # aspiration pulses with the glottal cycle while voiced
    mod = np.where(_frames_to_samples(voiced.astype(float), frame_rate_hz=fr, sample_rate_hz=sr, n_samples=n) > 0.5,
                   0.6 + 0.4 * (0.5 + 0.5 * np.cos(phase)), 1.0)
    return out + scale * noise * mod
