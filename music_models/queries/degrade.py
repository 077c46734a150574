"""The room and the device: reverb, background noise at an SNR, band-limiting, gain changes, clipping.

:func:`draw_degradation` draws one level's parameters; :func:`apply_degradation` applies exactly those
(so a query can be re-made from its truth). The building blocks are pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from music_models.errors import ConfigError
from music_models.queries.config import DegradationConfig
from music_models.queries.noise import pink_noise, white_noise
from music_models.queries.truth import DegradationParams

__all__ = [
    "PEAK_LIMIT",
    "BackgroundPool",
    "apply_degradation",
    "apply_reverb",
    "band_limit",
    "draw_degradation",
    "gain_drift",
    "hard_clip",
    "make_noise",
    "mix_at_snr",
    "power_db",
    "room_impulse_response",
    "set_rms_dbfs",
]

PEAK_LIMIT = 0.99  # nothing leaves this module above this (no unintended clipping)


@dataclass(frozen=True)
class BackgroundPool:
    """Audio to make babble (other voices) and music backgrounds from; empty pools fall back to pink noise."""

    voices: tuple[np.ndarray, ...] = ()
    music: tuple[np.ndarray, ...] = ()


def power_db(x: np.ndarray) -> float:
    return float(10.0 * np.log10(np.mean(np.square(x)) + 1e-20))


def mix_at_snr(*, signal: np.ndarray, noise: np.ndarray, snr_db: float) -> tuple[np.ndarray, np.ndarray]:
    """Scale ``noise`` so that power(signal)/power(noise) is ``snr_db``; returns (mix, scaled noise)."""
    if len(noise) != len(signal):
        raise ValueError(f"noise has {len(noise)} samples, signal {len(signal)}")
    gain = 10 ** ((power_db(signal) - snr_db - power_db(noise)) / 20.0)
    scaled = noise * gain
    return signal + scaled, scaled


def room_impulse_response(
    *, rt60_s: float, drr_db: float, sample_rate_hz: int, rng: np.random.Generator
) -> np.ndarray:
    """Direct path + sparse early reflections + an exponentially decaying noise tail (-60 dB at ``rt60_s``)
    that darkens as it decays; the direct-to-reverberant energy ratio is ``drr_db``."""
    sr = sample_rate_hz
    n = int(rt60_s * sr * 1.1)
    t = np.arange(n) / sr
    tail = rng.standard_normal(n) * np.exp(-6.908 * t / rt60_s)
    onset = int(rng.uniform(0.003, 0.012) * sr)  # first reflections arrive a few ms after the direct sound
    tail[:onset] = 0.0
    for _ in range(6):  # early reflections
        k = onset + int(rng.uniform(0.0, 0.03) * sr)
        if k < n:
            tail[k] += rng.uniform(-1, 1) * 3.0 * np.exp(-6.908 * t[k] / rt60_s)
    # frequency-dependent decay: a one-pole low-pass whose cutoff falls along the tail
    spec_lo = np.convolve(tail, np.ones(4) / 4, mode="same")
    w = np.clip(t / rt60_s, 0.0, 1.0)
    tail = (1 - w) * tail + w * spec_lo
    e_rev = float(np.sum(tail**2)) or 1.0
    tail *= np.sqrt(10 ** (-drr_db / 10.0) / e_rev)
    tail[0] = 1.0
    return tail


def apply_reverb(*, signal: np.ndarray, ir: np.ndarray) -> np.ndarray:
    from scipy.signal import fftconvolve

    return fftconvolve(signal, ir)[: len(signal)]


def band_limit(*, signal: np.ndarray, sample_rate_hz: int, low_hz: float, high_hz: float) -> np.ndarray:
    """4th-order Butterworth band-pass (zero-phase is not what a device does: this one is causal)."""
    from scipy.signal import butter, sosfilt

    nyq = sample_rate_hz / 2.0
    if not 0 < low_hz < high_hz:
        raise ConfigError(f"band-limit needs 0 < low_hz < high_hz, got {low_hz}, {high_hz}")
    if high_hz >= nyq * 0.98:
        sos = butter(4, low_hz, btype="highpass", fs=sample_rate_hz, output="sos")
    else:
        sos = butter(4, [low_hz, high_hz], btype="bandpass", fs=sample_rate_hz, output="sos")
    return sosfilt(sos, signal)


def gain_drift(*, n_samples: int, sample_rate_hz: int, depth_db: float, rng: np.random.Generator) -> np.ndarray:
    """A slow gain curve (linear factor) wandering within +-``depth_db`` (the user moving, turning away)."""
    if depth_db <= 0 or n_samples == 0:
        return np.ones(n_samples)
    n_knots = max(int(n_samples / sample_rate_hz / 1.5) + 2, 3)
    knots_db = rng.uniform(-depth_db, depth_db, n_knots)
    return 10 ** (np.interp(np.linspace(0, n_knots - 1, n_samples), np.arange(n_knots), knots_db) / 20.0)


def set_rms_dbfs(*, signal: np.ndarray, rms_dbfs: float, peak_limit: float = PEAK_LIMIT) -> np.ndarray:
    """Scale to an RMS of ``rms_dbfs``, but never above ``peak_limit`` at the peak (scaling, not clipping)."""
    rms = float(np.sqrt(np.mean(signal**2)))
    if rms <= 0:
        return signal.copy()
    y = signal * (10 ** (rms_dbfs / 20.0) / rms)
    peak = float(np.max(np.abs(y)))
    return y * (peak_limit / peak) if peak > peak_limit else y


def hard_clip(*, signal: np.ndarray, fraction_of_peak: float, rail: float = PEAK_LIMIT) -> np.ndarray:
    """Clip like an overdriven input: the signal is driven so that ``fraction_of_peak`` of its peak reaches
    the rail, and everything beyond is flattened at +-``rail``."""
    if not 0 < fraction_of_peak <= 1:
        raise ConfigError(f"clip fraction must be in (0, 1], got {fraction_of_peak}")
    peak = float(np.max(np.abs(signal)))
    if peak <= 0:
        return signal.copy()
    return np.clip(signal * (rail / (fraction_of_peak * peak)), -rail, rail)


def _loop_to(x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    if len(x) == 0:
        return np.zeros(n)
    start = int(rng.integers(len(x)))
    reps = int(np.ceil((n + start) / len(x)))
    return np.tile(x, reps)[start:start + n]


def make_noise(
    *, noise_type: str, n_samples: int, pool: BackgroundPool, rng: np.random.Generator
) -> tuple[str, np.ndarray]:
    """(the type actually made, the noise). Babble sums 3-6 voices of the pool; music takes one clip."""
    if noise_type == "babble" and pool.voices:
        talkers = [_loop_to(pool.voices[int(rng.integers(len(pool.voices)))], n_samples, rng)
                   * 10 ** (rng.uniform(-6, 0) / 20) for _ in range(int(rng.integers(3, 7)))]
        return "babble", np.sum(talkers, axis=0)
    if noise_type == "music" and pool.music:
        return "music", _loop_to(pool.music[int(rng.integers(len(pool.music)))], n_samples, rng)
    if noise_type == "white":
        return "white", white_noise(n_samples=n_samples, rng=rng)
    if noise_type not in ("pink", "babble", "music"):
        raise ConfigError(f"unknown noise type {noise_type!r}; use white, pink, babble or music")
    return "pink", pink_noise(n_samples=n_samples, rng=rng)


def _u(rng: np.random.Generator, r: tuple[float, float]) -> float:
    return float(rng.uniform(r[0], r[1])) if r[1] > r[0] else float(r[0])


def draw_degradation(*, level: str, config: DegradationConfig, rng: np.random.Generator) -> DegradationParams:
    """Draw the room and device for one query at ``level``."""
    c = config
    p = DegradationParams(level=level, gain_drift_db=_u(rng, c.gain_drift_db_range),
                          output_rms_dbfs=_u(rng, c.output_rms_dbfs_range))
    if rng.random() < c.reverb_prob:
        p = replace(p, rt60_s=_u(rng, c.rt60_s_range), drr_db=_u(rng, c.drr_db_range))
    if rng.random() < c.noise_prob:
        p = replace(p, noise_type=str(c.noise_types[int(rng.integers(len(c.noise_types)))]),
                    snr_db=_u(rng, c.snr_db_range))
    if rng.random() < c.bandlimit_prob:
        kind = str(c.bandlimit_types[int(rng.integers(len(c.bandlimit_types)))])
        lo, hi = ((300.0, 3400.0) if kind == "telephone"
                  else (_u(rng, c.cheap_mic_low_hz_range), _u(rng, c.cheap_mic_high_hz_range)))
        p = replace(p, bandlimit=kind, low_hz=lo, high_hz=hi)
    if rng.random() < c.clip_prob:
        p = replace(p, clip_fraction=_u(rng, c.clip_fraction_range))
    return p


def apply_degradation(
    *, signal: np.ndarray, params: DegradationParams, sample_rate_hz: int, pool: BackgroundPool,
    rng: np.random.Generator,
) -> tuple[np.ndarray, DegradationParams]:
    """Room (reverb, then noise at the SNR), then device (band-limit, gain drift, level, clipping).

    Returns the recording and the parameters with the measured facts filled in (the noise type actually
    used, the clipped fraction)."""
    y = np.asarray(signal, dtype=float)
    if params.rt60_s is not None:
        ir = room_impulse_response(rt60_s=params.rt60_s, drr_db=params.drr_db or 0.0, sample_rate_hz=sample_rate_hz,
                                   rng=rng)
        y = apply_reverb(signal=y, ir=ir)
    if params.noise_type is not None and params.snr_db is not None:
        used, noise = make_noise(noise_type=params.noise_type, n_samples=len(y), pool=pool, rng=rng)
        params = replace(params, noise_type=used)
        y, _ = mix_at_snr(signal=y, noise=noise, snr_db=params.snr_db)
    if params.bandlimit is not None and params.low_hz is not None and params.high_hz is not None:
        y = band_limit(signal=y, sample_rate_hz=sample_rate_hz, low_hz=params.low_hz, high_hz=params.high_hz)
    y = y * gain_drift(n_samples=len(y), sample_rate_hz=sample_rate_hz, depth_db=params.gain_drift_db, rng=rng)
    y = set_rms_dbfs(signal=y, rms_dbfs=params.output_rms_dbfs)
    if params.clip_fraction is not None:
        y = hard_clip(signal=y, fraction_of_peak=params.clip_fraction)
        params = replace(params, clipped_samples_fraction=float(np.mean(np.abs(y) >= PEAK_LIMIT - 1e-9)))
    return y, params
