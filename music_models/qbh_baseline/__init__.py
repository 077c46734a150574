"""The classic query-by-humming baseline: pYIN melody extraction + key-normalised subsequence DTW.

This is what QBH systems did before deep embeddings, and the bar the music-space model must clear:
the query's pitch track (pYIN, 16 kHz) becomes a MIDI contour of its voiced frames; every library
tune's symbolic melody becomes a contour at its notated tempo; subsequence DTW with slope limits
(local tempo 0.5-2x) finds the best-matching span of every tune, transposition-invariantly.
Nothing heavy is imported here.
"""

from music_models.qbh_baseline.config import QbhBaselineConfig
from music_models.qbh_baseline.contour import (
    PitchTrack,
    melody_contour,
    pitch_track,
    query_contour,
    steady_fraction,
)
from music_models.qbh_baseline.index import VERDICTS, QbhIndex, QbhMatch, QbhResult

__all__ = [
    "VERDICTS",
    "PitchTrack",
    "QbhBaselineConfig",
    "QbhIndex",
    "QbhMatch",
    "QbhResult",
    "melody_contour",
    "pitch_track",
    "query_contour",
    "steady_fraction",
]
