"""Key estimation (Krumhansl–Schmuckler) and the choice of the key a tune is harmonised in. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from music_models.types import Key

__all__ = ["KRUMHANSL_MAJOR", "KRUMHANSL_MINOR", "estimate_key", "harmony_key", "pitch_class_weights"]

#: Krumhansl & Kessler (1982) probe-tone profiles, tonic first.
KRUMHANSL_MAJOR: tuple[float, ...] = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
KRUMHANSL_MINOR: tuple[float, ...] = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)


def pitch_class_weights(
    *, pitches: Sequence[int], durations_beats: Sequence[float], final_weight_beats: float = 0.0
) -> np.ndarray:
    """Duration-weighted pitch-class histogram (12,), plus ``final_weight_beats`` on the last note's class."""
    hist = np.zeros(12, dtype=np.float64)
    if len(pitches) != len(durations_beats):
        raise ValueError(f"{len(pitches)} pitches but {len(durations_beats)} durations; pass one per note")
    if len(pitches):
        np.add.at(hist, np.asarray(pitches, dtype=np.int64) % 12, np.maximum(np.asarray(durations_beats), 0.0))
        hist[int(pitches[-1]) % 12] += final_weight_beats
    return hist


def estimate_key(
    *, pitches: Sequence[int], durations_beats: Sequence[float], final_weight_beats: float = 0.0
) -> Key | None:
    """The major or minor key whose Krumhansl–Kessler profile correlates best with the melody; None if empty."""
    hist = pitch_class_weights(pitches=pitches, durations_beats=durations_beats,
                               final_weight_beats=final_weight_beats)
    if hist.sum() <= 0 or np.count_nonzero(hist) < 2:
        return None if hist.sum() <= 0 else Key(int(np.argmax(hist)), "major")
    best: tuple[float, int, str] = (-2.0, 0, "major")
    for mode, profile in (("major", KRUMHANSL_MAJOR), ("minor", KRUMHANSL_MINOR)):
        prof = np.asarray(profile)
        for tonic in range(12):
            r = float(np.corrcoef(hist, np.roll(prof, tonic))[0, 1])
            if r > best[0] + 1e-12:
                best = (r, tonic, mode)
    return Key(best[1], best[2])


def harmony_key(*, header: Key | None, estimated: Key | None) -> Key:
    """The key a tune is harmonised in.

    An explicit mode in the header (``K:Ador``) wins. A plain major/minor header only fixes the key
    signature, so when the estimate is its relative (``K:G`` but the tune is in E minor) the estimate wins.
    """
    if header is None:
        return estimated if estimated is not None else Key(0, "major")
    if (header.mode in ("major", "minor") and estimated is not None and estimated.mode in ("major", "minor")
            and set(estimated.scale_pcs) == set(header.scale_pcs)):
        return estimated
    return header
