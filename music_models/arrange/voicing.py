"""Chord voicings and chord look-up over time (pure functions)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from music_models.types import Chord

__all__ = ["chord_at", "chord_change_beats", "close_voicing", "guitar_voicing", "pitch_in_range"]


def chord_at(*, chords: Sequence[Chord], beats: float) -> Chord | None:
    """The chord sounding at ``beats`` (chords sorted by onset), or None in a gap."""
    onsets = [c.onset_beats for c in chords]
    i = bisect.bisect_right(onsets, beats + 1e-6) - 1
    if i < 0 or beats >= chords[i].end_beats - 1e-6:
        return None
    return chords[i]


def chord_change_beats(*, chords: Sequence[Chord], after_beats: float) -> float:
    """Where the harmony next changes (next chord onset or the current chord's end) after ``after_beats``."""
    for c in chords:
        if c.onset_beats > after_beats + 1e-6:
            return c.onset_beats
        if c.end_beats > after_beats + 1e-6:
            return c.end_beats
    return float("inf")


def pitch_in_range(*, pitch_class: int, low: int, high: int) -> int:
    """The lowest pitch with this pitch class at or above ``low`` (wrapping down if above ``high``)."""
    p = low + (pitch_class - low) % 12
    return p - 12 if p > high and p - 12 >= 0 else p


def close_voicing(
    *, chord: Chord, low: int, high: int, previous: Sequence[int] | None = None
) -> tuple[int, ...]:
    """Close-position voicing inside ``[low, high]`` with the smallest motion from ``previous``.

    Without a previous voicing, the inversion whose centre is nearest the middle of the range wins.
    """
    intervals = chord.intervals
    candidates: list[tuple[int, ...]] = []
    for inversion in range(len(intervals)):
        rotated = [(chord.root_pc + iv) % 12 for iv in intervals[inversion:] + intervals[:inversion]]
        for base in range(low, low + 12):
            if base % 12 != rotated[0]:
                continue
            for octave in (0, 12, 24):
                voicing = [base + octave]
                for pc in rotated[1:]:
                    voicing.append(voicing[-1] + (pc - voicing[-1]) % 12)
                if voicing[0] >= low and voicing[-1] <= high:
                    candidates.append(tuple(voicing))
    if not candidates:  # range narrower than the chord: root position from low
        base = pitch_in_range(pitch_class=chord.root_pc, low=low, high=high)
        return tuple(base + iv for iv in intervals)
    if previous:
        prev = sorted(previous)
        mid_prev = sum(prev) / len(prev)
        return min(candidates, key=lambda v: (abs(sum(v) / len(v) - mid_prev), v))
    mid = (low + high) / 2
    return min(candidates, key=lambda v: (abs(sum(v) / len(v) - mid), v))


def guitar_voicing(*, chord: Chord, low: int) -> tuple[int, ...]:
    """An open-guitar-like spread voicing: root, fifth, octave/seventh, tenth, twelfth, root in [low, low+11]."""
    iv = chord.intervals
    third, fifth = iv[1], iv[2]
    upper = iv[3] if len(iv) > 3 else 12
    root = pitch_in_range(pitch_class=chord.root_pc, low=low, high=low + 11)
    return tuple(root + x for x in (0, fifth, upper, 12 + third, 12 + fifth))
