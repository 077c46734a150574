"""Settings of the classic query-by-humming baseline: one frozen dataclass holding every default."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from music_models.errors import ConfigError

__all__ = ["QbhBaselineConfig"]


@dataclass(frozen=True)
class QbhBaselineConfig:
    """Everything the pYIN + subsequence-DTW baseline needs (see :mod:`music_models.qbh_baseline`).

    Pitch extraction runs librosa's pYIN on 16 kHz audio with 20 ms hops and quarter-semitone
    resolution (0.1 semitone made pYIN ~12x slower here — 6 s per 10 s query — for no gain on
    a contour that is then averaged to ``contour_rate_hz``).
    """

    sample_rate_hz: int = 16000
    fmin_hz: float = 60.0
    fmax_hz: float = 3300.0  # whistles sit at 1-3 kHz; 2 kHz folded their top notes down an octave
    frame_length: int = 1024  # 64 ms at 16 kHz: two periods of fmin
    hop_length: int = 320  # 20 ms
    pyin_resolution_semitones: float = 0.25
    voiced_probability_min: float = 0.0  # extra bar on pYIN's own voicing; 0.2 lost quiet high hums
    median_filter_frames: int = 5  # on the voiced pitch track, removes octave blips (100 ms)
    outlier_window_frames: int = 51  # ~1 s of voiced frames: the running median that outliers are judged by
    outlier_semitones: float = 9.0  # further than this from it: a pitch-tracking error (f0/2, f0/3), dropped
    contour_rate_hz: float = 10.0  # query and melody contours are block means at this rate
    melody_render_rate_hz: float = 100.0  # the symbolic melody is sampled here before block-averaging
    cost_clip_semitones: float = 3.0  # per-frame cost is min(|dq - dr|, clip): a wrong note costs at most this
    refine_candidates: int = 100  # second pass: exact transposition search on this many best tunes
    refine_shifts_semitones: tuple[float, ...] = (-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0)
    #: Threads for the second pass (the DTW kernel releases the GIL); the baseline measures with 1.
    refine_workers: int = 1
    top_k: int = 10
    min_voiced_s: float = 2.0  # less melody than this: verdict no_melody
    # NOTE (measured): espeak-ng speech scores 0.73-0.91 here, as high as melodies, so this gate does not reject
    # speech. Same-pYIN-bin runs of >= 100 ms separated 12 speech clips (<= 0.20) from 47 synthetic queries
    # (>= 0.31) but rejected hums with +-0.3 semitone vibrato, so it is not used.
    min_steady_fraction: float = 0.35  # voiced frames inside steady-pitch runs; speech glides
    steady_tolerance_semitones: float = 0.5
    steady_min_frames: int = 4  # 80 ms at 20 ms hops
    match_cost_max: float = 0.9  # mean clipped semitone error per query frame; above it: unsure

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the bad setting."""
        if not 0 < self.fmin_hz < self.fmax_hz < self.sample_rate_hz / 2:
            raise ConfigError(
                f"need 0 < fmin_hz < fmax_hz < sample_rate_hz/2, got {self.fmin_hz}, {self.fmax_hz}, "
                f"{self.sample_rate_hz}"
            )
        if self.frame_length * self.fmin_hz < 2 * self.sample_rate_hz:
            raise ConfigError(
                f"frame_length={self.frame_length} is shorter than two periods of fmin_hz={self.fmin_hz}; "
                "raise frame_length or fmin_hz"
            )
        rate = self.sample_rate_hz / self.hop_length
        if not 0 < self.contour_rate_hz <= rate:
            raise ConfigError(f"contour_rate_hz must be in (0, {rate:g}] (the pitch frame rate)")
        if self.melody_render_rate_hz < self.contour_rate_hz:
            raise ConfigError("melody_render_rate_hz must be >= contour_rate_hz")
        if self.cost_clip_semitones <= 0 or self.top_k < 1 or self.refine_candidates < 0 or self.refine_workers < 1:
            raise ConfigError("cost_clip_semitones must be > 0, top_k >= 1, refine_candidates >= 0 and "
                              "refine_workers >= 1")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> QbhBaselineConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"unknown QBH baseline setting(s) {unknown}; known: {sorted(known)}")
        kw = dict(d)
        if "refine_shifts_semitones" in kw:
            kw["refine_shifts_semitones"] = tuple(float(x) for x in kw["refine_shifts_semitones"])
        return cls(**kw)
