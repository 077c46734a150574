"""Ear-proxies for synthetic queries: does the pitch track follow the melody, does the voice have formants?

Used by the tests and by ``bench/bench_queries.py`` to check the synthesiser against its own ground
truth: pYIN's f0 over each performed note must sit within ``tolerance_cents`` of the note's pitch
(including its intonation offset) for most voiced frames, and a hummed or sung query must carry
energy in many harmonics (a voice through a vocal tract), unlike a whistle (near-sinusoidal).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from music_models.queries.truth import QueryTruth

__all__ = ["PitchCheck", "harmonic_richness", "pitch_follow"]


@dataclass(frozen=True)
class PitchCheck:
    frames_checked: int  # frames inside notes (edges trimmed) where pYIN found voicing
    within_ratio: float  # share of those within tolerance_cents of the performed pitch
    median_abs_cents: float
    tolerance_cents: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _f0_midi(samples: np.ndarray, *, sample_rate_hz: int, hop: int, fmin_hz: float, fmax_hz: float) -> np.ndarray:
    import librosa

    f0, voiced, _ = librosa.pyin(samples.astype(np.float32), fmin=fmin_hz, fmax=fmax_hz, sr=sample_rate_hz,
                                 frame_length=2048, hop_length=hop)
    midi = np.full(len(f0), np.nan)
    ok = voiced & np.isfinite(f0)
    midi[ok] = librosa.hz_to_midi(f0[ok])
    return midi


def pitch_follow(*, samples: np.ndarray, truth: QueryTruth, tolerance_cents: float = 50.0,
                 edge_s: float = 0.06, hop: int = 160) -> PitchCheck:
    """How well the query's pYIN pitch track follows its ground-truth performed notes."""
    sr = truth.sample_rate_hz
    pitches = [n.pitch for n in truth.notes] or [60]
    fmin = float(440.0 * 2 ** ((min(pitches) - 69 - 3) / 12))
    fmax = float(min(440.0 * 2 ** ((max(pitches) - 69 + 3) / 12), sr / 2 - 100))
    midi = _f0_midi(samples, sample_rate_hz=sr, hop=hop, fmin_hz=max(fmin, 40.0), fmax_hz=fmax)
    t = np.arange(len(midi)) * hop / sr
    errors: list[np.ndarray] = []
    for note in truth.notes:
        inside = (t >= note.onset_s + edge_s) & (t <= note.end_s - edge_s) & np.isfinite(midi)
        if inside.any():
            target = note.pitch + note.cents_offset / 100.0
            errors.append(np.abs(midi[inside] - target) * 100.0)
    err = np.concatenate(errors) if errors else np.zeros(0)
    if not len(err):
        return PitchCheck(0, 0.0, float("nan"), tolerance_cents)
    return PitchCheck(len(err), float(np.mean(err <= tolerance_cents)), float(np.median(err)), tolerance_cents)


def harmonic_richness(*, samples: np.ndarray, truth: QueryTruth, n_harmonics: int = 10) -> float:
    """Energy in harmonics 2..n over energy in the fundamental, averaged over notes (dB).

    A sine is far below 0 dB; a hummed or sung vowel through formants sits near or above it.
    """
    sr = truth.sample_rate_hz
    ratios = []
    for note in truth.notes:
        a, b = int((note.onset_s + 0.05) * sr), int((note.end_s - 0.05) * sr)
        if b - a < 2048:
            continue
        seg = samples[a:b] * np.hanning(b - a)
        spec = np.abs(np.fft.rfft(seg)) ** 2
        freqs = np.fft.rfftfreq(b - a, 1 / sr)
        f0 = 440.0 * 2 ** ((note.pitch + note.cents_offset / 100 - 69) / 12)

        def band(f: float, freqs: np.ndarray = freqs, spec: np.ndarray = spec, f0: float = f0) -> float:
            m = np.abs(freqs - f) <= max(f0 * 0.03, 8.0)
            return float(spec[m].sum())

        fundamental = band(f0)
        upper = sum(band(f0 * k) for k in range(2, n_harmonics + 1) if f0 * k < sr / 2 - 200)
        if fundamental > 0:
            ratios.append(10 * np.log10((upper + 1e-12) / fundamental))
    return float(np.median(ratios)) if ratios else float("nan")
