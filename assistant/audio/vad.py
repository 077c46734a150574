"""Voice- and melody-activity detection: pure, keyword-only functions over frames.

Per frame: energy (dB), spectral flatness, zero-crossing rate, harmonicity (peak of the normalised
autocorrelation in the pitch range, a YIN/pYIN-style voicing cue) and its pitch. A slowly rising,
instantly falling noise floor makes the energy test adaptive. Speech = energetic above the floor and
either voiced or not noise-flat; melody = energetic, strongly harmonic and pitched. A segment is called
``melody`` rather than ``speech`` when it is voiced almost throughout in long steady runs (a hum has no
consonants or syllable-rate voicing breaks)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = [
    "SEGMENT_KINDS",
    "FrameFeatures",
    "VadConfig",
    "apply_hangover",
    "classify_segment",
    "frame_features",
    "loud_span",
    "melody_activity",
    "speech_activity",
    "track_noise_floor",
]

SEGMENT_KINDS: tuple[str, ...] = ("silence", "noise", "speech", "melody")
_EPS = 1e-10


@dataclass(frozen=True)
class VadConfig:
    """Frame sizes and decision thresholds for voice/melody activity."""

    frame_s: float = 0.032
    hop_s: float = 0.010
    threshold_db: float = 9.0
    min_energy_db: float = -55.0
    initial_floor_db: float = -60.0
    floor_rise_db_per_s: float = 2.0
    max_flatness: float = 0.45
    voicing_threshold: float = 0.55
    melody_harmonicity: float = 0.75
    f0_min_hz: float = 70.0
    f0_max_hz: float = 1000.0
    hangover_s: float = 0.15
    melody_min_voiced_fraction: float = 0.8
    melody_min_median_run_s: float = 0.3

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> VadConfig:
        return cls(**d)


@dataclass(frozen=True, eq=False)
class FrameFeatures:
    """Per-frame features; all arrays have one value per hop of ``hop_s``."""

    energy_db: np.ndarray
    flatness: np.ndarray
    zcr: np.ndarray
    harmonicity: np.ndarray
    f0_hz: np.ndarray
    hop_s: float

    def __len__(self) -> int:
        return len(self.energy_db)

    def to_dict(self) -> dict[str, Any]:
        keys = ("energy_db", "flatness", "zcr", "harmonicity", "f0_hz")
        return {**{k: getattr(self, k).tolist() for k in keys}, "hop_s": self.hop_s}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FrameFeatures:
        arr = {k: np.asarray(d[k], dtype=np.float32) for k in ("energy_db", "flatness", "zcr", "harmonicity", "f0_hz")}
        return cls(**arr, hop_s=float(d["hop_s"]))


def _frames(y: np.ndarray, *, frame_length: int, hop_length: int) -> np.ndarray:
    if len(y) < frame_length:
        return np.zeros((0, frame_length), dtype=np.float32)
    n = 1 + (len(y) - frame_length) // hop_length
    return np.lib.stride_tricks.sliding_window_view(y, frame_length)[::hop_length][:n]


def frame_features(
    samples: np.ndarray, *, sample_rate_hz: int, frame_s: float = 0.032, hop_s: float = 0.010,
    f0_min_hz: float = 70.0, f0_max_hz: float = 1000.0,
) -> FrameFeatures:
    """Features of every full frame of mono float32 ``samples`` (frames start at multiples of ``hop_s``)."""
    y = np.asarray(samples, dtype=np.float32)
    n_frame = int(round(frame_s * sample_rate_hz))
    n_hop = int(round(hop_s * sample_rate_hz))
    fr = _frames(y, frame_length=n_frame, hop_length=n_hop).astype(np.float64)
    fr = fr - fr.mean(axis=1, keepdims=True)
    energy = (fr**2).mean(axis=1)
    energy_db = 10.0 * np.log10(energy + _EPS)
    signs = np.signbit(fr)
    zcr = (signs[:, 1:] != signs[:, :-1]).mean(axis=1) if len(fr) else np.zeros(0)

    win = np.hanning(n_frame)
    spec = np.abs(np.fft.rfft(fr * win, axis=1)) ** 2 + _EPS
    freqs = np.fft.rfftfreq(n_frame, 1.0 / sample_rate_hz)
    band = (freqs >= 100.0) & (freqs <= 4000.0)
    sb = spec[:, band]
    flatness = np.exp(np.log(sb).mean(axis=1)) / sb.mean(axis=1) if len(fr) else np.zeros(0)

    # Unbiased normalised autocorrelation via FFT; its peak over the pitch range is the harmonicity.
    nfft = 1 << int(np.ceil(np.log2(2 * n_frame)))
    ac = np.fft.irfft(np.abs(np.fft.rfft(fr, n=nfft, axis=1)) ** 2, axis=1)[:, :n_frame]
    lag_min = max(2, int(sample_rate_hz / f0_max_hz))
    lag_max = min(n_frame // 2, int(np.ceil(sample_rate_hz / f0_min_hz)))
    lags = np.arange(lag_min, lag_max + 1)
    norm = ac[:, lags] / (ac[:, :1] + _EPS) * (n_frame / (n_frame - lags))
    if len(fr):
        best = np.argmax(norm, axis=1)
        harmonicity = np.clip(norm[np.arange(len(fr)), best], 0.0, 1.0)
        f0 = sample_rate_hz / lags[best]
    else:
        harmonicity = f0 = np.zeros(0)
    return FrameFeatures(
        energy_db=energy_db.astype(np.float32), flatness=np.asarray(flatness, np.float32),
        zcr=np.asarray(zcr, np.float32), harmonicity=np.asarray(harmonicity, np.float32),
        f0_hz=np.asarray(f0, np.float32), hop_s=hop_s,
    )


def track_noise_floor(
    energy_db: np.ndarray, *, hop_s: float, rise_db_per_s: float, initial_db: float
) -> np.ndarray:
    """The noise floor after each frame: follows the energy down at once, rises at most ``rise_db_per_s``."""
    out = np.empty(len(energy_db), dtype=np.float32)
    floor = float(initial_db)
    step = rise_db_per_s * hop_s
    for i, e in enumerate(np.asarray(energy_db, dtype=np.float64)):
        floor = min(float(e), floor + step)
        out[i] = floor
    return out


def speech_activity(features: FrameFeatures, *, noise_floor_db: np.ndarray, config: VadConfig) -> np.ndarray:
    """Frames that are voice (raw decision, before hangover)."""
    loud = (features.energy_db > noise_floor_db + config.threshold_db) & (features.energy_db > config.min_energy_db)
    voiced = features.harmonicity >= config.voicing_threshold
    not_noise = features.flatness < config.max_flatness
    return loud & (voiced | not_noise)


def melody_activity(features: FrameFeatures, *, noise_floor_db: np.ndarray, config: VadConfig) -> np.ndarray:
    """Frames with a pitched, strongly harmonic sound above the floor (hum, whistle, sung or played note)."""
    loud = (features.energy_db > noise_floor_db + config.threshold_db) & (features.energy_db > config.min_energy_db)
    pitched = (features.f0_hz >= config.f0_min_hz) & (features.f0_hz <= config.f0_max_hz)
    return loud & pitched & (features.harmonicity >= config.melody_harmonicity)


def apply_hangover(active: np.ndarray, *, hangover_frames: int) -> np.ndarray:
    """Keep each active run going for ``hangover_frames`` more frames (bridges short gaps and word endings)."""
    a = np.asarray(active, dtype=bool)
    if hangover_frames <= 0 or not a.any():
        return a.copy()
    idx = np.flatnonzero(a)
    out = np.zeros_like(a)
    for i in idx:
        out[i : i + hangover_frames + 1] = True
    return out


def _runs(mask: np.ndarray) -> list[int]:
    runs, n = [], 0
    for v in mask:
        if v:
            n += 1
        elif n:
            runs.append(n)
            n = 0
    if n:
        runs.append(n)
    return runs


def classify_segment(features: FrameFeatures, *, noise_floor_db: np.ndarray, config: VadConfig) -> str:
    """One of :data:`SEGMENT_KINDS` for a stretch of frames (e.g. an endpointed utterance)."""
    if len(features) == 0:
        return "silence"
    loud = (features.energy_db > noise_floor_db + config.threshold_db) & (features.energy_db > config.min_energy_db)
    if loud.mean() < 0.1:
        return "silence"
    melody = melody_activity(features, noise_floor_db=noise_floor_db, config=config)
    speech = speech_activity(features, noise_floor_db=noise_floor_db, config=config)
    if speech.sum() < 0.2 * loud.sum():
        return "noise"
    voiced_fraction = melody[loud].mean()
    runs = _runs(melody)
    median_run_s = float(np.median(runs)) * features.hop_s if runs else 0.0
    if voiced_fraction >= config.melody_min_voiced_fraction and median_run_s >= config.melody_min_median_run_s:
        return "melody"
    return "speech"


def loud_span(samples: np.ndarray, *, sample_rate_hz: int, below_peak_db: float, frame_s: float = 0.02,
              pad_before_s: float = 0.25, pad_after_s: float = 0.35) -> tuple[int, int]:
    """``(start, end)`` sample indices of the part of an utterance within ``below_peak_db`` of its own loud
    level (the 95th percentile of frame energies), padded. A command said over quieter background
    (music, other voices) stands out by the SNR; the background before and after it is cut."""
    x = np.asarray(samples, dtype=np.float64)
    n = round(frame_s * sample_rate_hz)
    if len(x) < 2 * n:
        return 0, len(x)
    frames = x[: len(x) // n * n].reshape(-1, n)
    energy_db = 10.0 * np.log10((frames * frames).mean(axis=1) + _EPS)
    loud = np.flatnonzero(energy_db >= np.percentile(energy_db, 95) - below_peak_db)
    if not len(loud):
        return 0, len(x)
    start = max(0, int(loud[0] * n - pad_before_s * sample_rate_hz))
    end = min(len(x), int((loud[-1] + 1) * n + pad_after_s * sample_rate_hz))
    return start, end
