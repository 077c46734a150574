"""Configuration of query synthesis: performance ranges, degradation levels, durations.

Every random amount is drawn uniformly from a ``*_range`` (low, high) here, with a seeded generator;
the amounts actually drawn travel with each query in its :class:`~music_models.queries.truth.QueryTruth`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from music_models.errors import ConfigError

__all__ = [
    "BANDLIMIT_TYPES",
    "DEGRADATION_LEVELS",
    "NOISE_TYPES",
    "QUERY_KINDS",
    "DegradationConfig",
    "PerformanceConfig",
    "QueryConfig",
    "default_levels",
]

QUERY_KINDS: tuple[str, ...] = ("hum", "whistle", "sing", "instrument")
DEGRADATION_LEVELS: tuple[str, ...] = ("clean", "moderate", "heavy")
NOISE_TYPES: tuple[str, ...] = ("white", "pink", "babble", "music")
BANDLIMIT_TYPES: tuple[str, ...] = ("telephone", "cheap_mic")

Range = tuple[float, float]


@dataclass(frozen=True)
class PerformanceConfig:
    """How a person performs a melody: the ranges each imperfection's amount is drawn from."""

    transpose_max_semitones: int = 7  # random shift in [-max, +max], then octaves to fit the performer's range
    tempo_ratio_range: Range = (0.7, 1.4)  # performed tempo / notated tempo
    tempo_drift_range: Range = (0.0, 0.08)  # peak fractional deviation of the slowly drifting tempo
    onset_jitter_sd_s_range: Range = (0.0, 0.03)
    hold_min_beats: float = 1.5  # notes at least this long are "held" and get stretched/shortened
    hold_stretch_range: Range = (0.75, 1.35)
    legato_range: Range = (0.82, 0.98)  # sounding fraction of the inter-onset interval
    intonation_sd_cents_range: Range = (4.0, 18.0)  # per-note intonation error (Gaussian sd)
    intonation_max_cents_range: Range = (30.0, 50.0)  # |intonation + drift| never exceeds this
    drift_max_cents_range: Range = (0.0, 30.0)  # slow pitch drift over the query
    vibrato_rate_hz_range: Range = (4.5, 6.5)
    portamento_s_range: Range = (0.02, 0.08)  # glide between connected notes
    wrong_note_prob_range: Range = (0.0, 0.05)  # a note replaced by a neighbour 1-2 semitones away
    skip_note_prob_range: Range = (0.0, 0.04)  # a note left out (the previous one is held through)
    pause_prob_range: Range = (0.1, 0.6)  # chance of a breath/pause at each phrase point
    pause_s_range: Range = (0.15, 0.45)
    lead_in_s_range: Range = (0.15, 0.7)  # silence before the first note
    tail_s_range: Range = (0.25, 0.6)  # silence after the last note

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class DegradationConfig:
    """The room and the device for one degradation level. Probabilities are per query."""

    noise_prob: float = 0.0
    noise_types: tuple[str, ...] = NOISE_TYPES
    snr_db_range: Range = (15.0, 30.0)
    reverb_prob: float = 0.0
    rt60_s_range: Range = (0.2, 0.5)
    drr_db_range: Range = (0.0, 10.0)  # direct-to-reverberant ratio
    bandlimit_prob: float = 0.0
    bandlimit_types: tuple[str, ...] = BANDLIMIT_TYPES
    cheap_mic_low_hz_range: Range = (80.0, 300.0)
    cheap_mic_high_hz_range: Range = (3500.0, 7000.0)
    clip_prob: float = 0.0
    clip_fraction_range: Range = (0.4, 0.9)  # clipping starts at this fraction of the peak
    gain_drift_db_range: Range = (0.0, 0.0)  # peak slow gain change (the user moving)
    output_rms_dbfs_range: Range = (-24.0, -24.0)  # recording level before clipping

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def default_levels() -> dict[str, DegradationConfig]:
    """``clean`` (no room, no device), ``moderate`` (a living room, a phone) and ``heavy`` (a pub, a bad line)."""
    return {
        "clean": DegradationConfig(),
        "moderate": DegradationConfig(
            noise_prob=1.0, snr_db_range=(15.0, 30.0),
            reverb_prob=0.7, rt60_s_range=(0.2, 0.5), drr_db_range=(3.0, 12.0),
            bandlimit_prob=0.3, bandlimit_types=("cheap_mic",),
            clip_prob=0.1, clip_fraction_range=(0.6, 0.9),
            gain_drift_db_range=(0.0, 3.0), output_rms_dbfs_range=(-32.0, -18.0),
        ),
        "heavy": DegradationConfig(
            noise_prob=1.0, snr_db_range=(0.0, 15.0),
            reverb_prob=1.0, rt60_s_range=(0.4, 0.8), drr_db_range=(-3.0, 6.0),
            bandlimit_prob=0.7, bandlimit_types=BANDLIMIT_TYPES,
            clip_prob=0.4, clip_fraction_range=(0.3, 0.7),
            gain_drift_db_range=(2.0, 8.0), output_rms_dbfs_range=(-38.0, -14.0),
        ),
    }


@dataclass(frozen=True)
class QueryConfig:
    """Everything :func:`~music_models.queries.synth.synthesise_query` needs besides the tune and the seed."""

    level: str = "moderate"
    sample_rate_hz: int = 16000
    frame_rate_hz: float = 200.0  # f0 contour and articulation frames (5 ms)
    min_duration_s: float = 3.0
    max_duration_s: float = 15.0
    target_duration_s: float | None = None  # None: drawn from target_duration_s_range per query
    target_duration_s_range: Range = (4.0, 12.0)
    kinds: tuple[str, ...] = QUERY_KINDS
    performance: PerformanceConfig = field(default_factory=PerformanceConfig)
    levels: Mapping[str, DegradationConfig] = field(default_factory=default_levels)

    def degradation(self, level: str | None = None) -> DegradationConfig:
        name = self.level if level is None else level
        if name not in self.levels:
            raise ConfigError(f"unknown degradation level {name!r}; choose one of {', '.join(self.levels)}")
        return self.levels[name]

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the bad setting."""
        self.degradation()
        if self.sample_rate_hz < 8000:
            raise ConfigError(f"sample_rate_hz={self.sample_rate_hz} is too low; use 16000")
        if not 0 < self.min_duration_s <= self.max_duration_s:
            raise ConfigError(
                f"durations must satisfy 0 < min_duration_s <= max_duration_s, got {self.min_duration_s}, "
                f"{self.max_duration_s}"
            )
        lo, hi = self.target_duration_s_range
        target = (self.target_duration_s,) if self.target_duration_s is not None else (lo, hi)
        for t in target:
            if not self.min_duration_s <= t <= self.max_duration_s:
                raise ConfigError(
                    f"target duration {t} s is outside {self.min_duration_s}-{self.max_duration_s} s; "
                    "pick a duration in that range"
                )
        for k in self.kinds:
            if k not in QUERY_KINDS:
                raise ConfigError(f"unknown query kind {k!r}; choose from {', '.join(QUERY_KINDS)}")

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["levels"] = {k: v.to_dict() for k, v in self.levels.items()}
        return d
