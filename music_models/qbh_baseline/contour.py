"""Pitch contours for the baseline: pYIN on the query, block-averaged MIDI pitch for both sides.

All functions are pure and keyword-only. A *contour* is a 1-d float array of MIDI pitch (fractional
semitones) at ``contour_rate_hz`` with no unvoiced frames: the query's silences are dropped and
the melody's rests hold the previous note, which is what the person hears and hums through.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from music_models.errors import AudioInputError
from music_models.types import Note

__all__ = [
    "PitchTrack",
    "melody_contour",
    "pitch_track",
    "query_contour",
    "steady_fraction",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PitchTrack:
    """pYIN's output: MIDI pitch per frame (NaN where unvoiced) at ``frame_rate_hz``."""

    frame_rate_hz: float
    midi: np.ndarray
    voiced_probability: np.ndarray

    @property
    def duration_s(self) -> float:
        return float(self.midi.size / self.frame_rate_hz)

    @property
    def voiced_s(self) -> float:
        return float(np.count_nonzero(np.isfinite(self.midi)) / self.frame_rate_hz)

    @property
    def times_s(self) -> np.ndarray:
        return np.arange(self.midi.size) / self.frame_rate_hz

    def to_dict(self) -> dict[str, Any]:
        return {
            "frame_rate_hz": self.frame_rate_hz,
            "midi": [None if not np.isfinite(m) else round(float(m), 3) for m in self.midi],
            "voiced_probability": [round(float(p), 3) for p in self.voiced_probability],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PitchTrack:
        midi = np.array([np.nan if m is None else float(m) for m in d["midi"]], dtype=np.float64)
        return cls(float(d["frame_rate_hz"]), midi, np.asarray(d["voiced_probability"], dtype=np.float64))


def pitch_track(
    *,
    samples: np.ndarray,
    sample_rate_hz: int,
    target_rate_hz: int,
    fmin_hz: float,
    fmax_hz: float,
    frame_length: int,
    hop_length: int,
    resolution_semitones: float,
    voiced_probability_min: float,
) -> PitchTrack:
    """pYIN pitch track of mono or multi-channel audio (any rate; resampled to ``target_rate_hz``)."""
    import librosa

    from music_models.qbh_baseline.pyin_speedup import install

    install()  # librosa's per-frame scipy overhead out of pYIN; the same numbers

    y = np.asarray(samples, dtype=np.float32)
    if y.ndim == 2:  # (channels, n) or (n, channels): average the short axis
        y = y.mean(axis=0 if y.shape[0] < y.shape[1] else 1)
    if y.ndim != 1:
        raise AudioInputError(f"expected mono or stereo samples, got an array of shape {y.shape}")
    if sample_rate_hz <= 0:
        raise AudioInputError(f"sample_rate_hz must be positive, got {sample_rate_hz}")
    if not np.all(np.isfinite(y)):
        raise AudioInputError("the audio contains NaN or infinite samples; pass finite float samples in [-1, 1]")
    if sample_rate_hz != target_rate_hz and y.size:
        y = librosa.resample(y, orig_sr=sample_rate_hz, target_sr=target_rate_hz)
    frame_rate_hz = target_rate_hz / hop_length
    if y.size < frame_length:
        return PitchTrack(frame_rate_hz, np.full(0, np.nan), np.zeros(0))
    f0, voiced, prob = librosa.pyin(
        y, fmin=fmin_hz, fmax=fmax_hz, sr=target_rate_hz, frame_length=frame_length,
        hop_length=hop_length, resolution=resolution_semitones, center=True,
    )
    ok = voiced & np.isfinite(f0) & (prob >= voiced_probability_min)
    midi = np.full(f0.shape, np.nan)
    midi[ok] = 69.0 + 12.0 * np.log2(f0[ok] / 440.0)
    return PitchTrack(frame_rate_hz, midi, np.nan_to_num(prob))


def _block_mean(*, values: np.ndarray, block: float) -> np.ndarray:
    """Means over consecutive blocks of ``block`` samples (fractional block lengths allowed)."""
    n_out = int(np.floor(values.size / block))
    if n_out < 1:
        return values[:0].astype(np.float64)
    edges = np.round(np.arange(n_out + 1) * block).astype(np.int64)
    sums = np.add.reduceat(values[: edges[-1]].astype(np.float64), edges[:-1])
    return sums / np.diff(edges)


def query_contour(
    *,
    track: PitchTrack,
    contour_rate_hz: float,
    median_filter_frames: int,
    outlier_window_frames: int = 0,
    outlier_semitones: float = np.inf,
) -> np.ndarray:
    """Voiced frames only, median-filtered (octave blips), outliers dropped, block means at ``contour_rate_hz``.

    An outlier is a frame further than ``outlier_semitones`` from the running median over
    ``outlier_window_frames``: pYIN's octave and sub-harmonic errors on a note, not a melody's leap.
    """
    from scipy.ndimage import median_filter

    voiced = track.midi[np.isfinite(track.midi)]
    if voiced.size == 0:
        return voiced
    if median_filter_frames > 1 and voiced.size >= median_filter_frames:
        voiced = median_filter(voiced, size=median_filter_frames, mode="nearest")
    if outlier_window_frames > 1 and np.isfinite(outlier_semitones):
        local = median_filter(voiced, size=outlier_window_frames, mode="nearest")
        voiced = voiced[np.abs(voiced - local) <= outlier_semitones]
    return _block_mean(values=voiced, block=track.frame_rate_hz / contour_rate_hz)


def melody_contour(
    *, notes: Sequence[Note], tempo_qpm: float, contour_rate_hz: float, render_rate_hz: float
) -> np.ndarray:
    """The symbolic melody as a contour: rests hold the previous note; block means of a fine sampling."""
    if not notes:
        return np.zeros(0)
    if tempo_qpm <= 0:
        raise ValueError(f"tempo_qpm must be positive, got {tempo_qpm}")
    ordered = sorted(notes, key=lambda n: n.onset_beats)
    onsets_s = np.array([n.onset_beats for n in ordered]) * 60.0 / tempo_qpm
    pitches = np.array([n.pitch for n in ordered], dtype=np.float64)
    start_s = onsets_s[0]
    end_s = max(n.end_beats for n in ordered) * 60.0 / tempo_qpm
    t = start_s + np.arange(int(np.ceil((end_s - start_s) * render_rate_hz))) / render_rate_hz
    idx = np.searchsorted(onsets_s, t, side="right") - 1
    fine = pitches[np.clip(idx, 0, pitches.size - 1)]
    return _block_mean(values=fine, block=render_rate_hz / contour_rate_hz)


def steady_fraction(*, track: PitchTrack, tolerance_semitones: float, min_frames: int) -> float:
    """Fraction of voiced frames lying in runs of >= ``min_frames`` whose pitch stays within the tolerance.

    Sung, hummed, whistled and played notes hold a pitch; speech glides, so this separates them.
    """
    m = track.midi
    voiced = np.isfinite(m)
    n_voiced = int(np.count_nonzero(voiced))
    if n_voiced == 0:
        return 0.0
    values, is_voiced = m.tolist(), voiced.tolist()
    steady = np.zeros(m.size, dtype=bool)
    run_start = 0
    window = [values[0]]  # m[run_start:i], sorted: its median without re-sorting at every frame
    for i in range(1, m.size + 1):
        ends = i == m.size or not is_voiced[i] or not is_voiced[run_start]
        if not ends:
            k = len(window)
            median = window[k // 2] if k % 2 else (window[k // 2 - 1] + window[k // 2]) / 2
            ends = abs(values[i] - median) > tolerance_semitones
        if ends:
            if is_voiced[run_start] and i - run_start >= min_frames:
                steady[run_start:i] = True
            run_start = i
            window = [values[i]] if i < m.size else []
        else:
            bisect.insort(window, values[i])
    return float(np.count_nonzero(steady) / n_voiced)
