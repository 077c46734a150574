"""music21 stream -> monophonic melody notes (the edge between music21 and :mod:`music_models.types`)."""

from __future__ import annotations

from typing import Any

from music_models.types import Note

__all__ = ["anacrusis_of_part", "melody_from_part", "merge_monophonic"]

_EPS = 1e-6


def melody_from_part(part: Any) -> list[Note]:
    """Monophonic melody of a music21 Part: chords give their top note, grace notes are skipped,
    tied notes are merged, rests are gaps. Chord symbols (ABC ``"Am"``) are not notes."""
    from music21 import chord, harmony, note

    events: list[tuple[float, float, int, str | None]] = []
    for el in part.flatten().notes:
        if isinstance(el, harmony.Harmony) or el.duration.isGrace:
            continue
        dur = float(el.duration.quarterLength)
        if dur <= 0:
            continue
        if isinstance(el, chord.Chord):
            midis = [p.midi for p in el.pitches]
            if not midis:
                continue
            pitch = max(midis)
        elif isinstance(el, note.Note):
            pitch = el.pitch.midi
        else:  # unpitched
            continue
        tie = el.tie.type if el.tie is not None else None
        events.append((float(el.offset), dur, int(pitch), tie))
    return merge_monophonic(events)


def merge_monophonic(events: list[tuple[float, float, int, str | None]]) -> list[Note]:
    """Notes from ``(onset, duration, pitch, tie_type)`` events: ties merged, overlaps resolved
    (same onset: the higher pitch wins; otherwise the earlier note is cut)."""
    events = sorted(events, key=lambda e: (e[0], -e[2]))
    notes: list[Note] = []
    open_tie = False
    for onset, dur, pitch, tie in events:
        if notes:
            prev = notes[-1]
            if open_tie and prev.pitch == pitch and abs(prev.end_beats - onset) < _EPS:
                notes[-1] = Note(prev.pitch, prev.onset_beats, prev.duration_beats + dur)
                open_tie = tie in ("start", "continue")
                continue
            if abs(prev.onset_beats - onset) < _EPS:
                continue  # a second note at the same onset (lower, as sorted): keep the top one
            if prev.end_beats > onset + _EPS:
                notes[-1] = Note(prev.pitch, prev.onset_beats, onset - prev.onset_beats)
        notes.append(Note(pitch, onset, dur))
        open_tie = tie in ("start", "continue")
    return notes


def anacrusis_of_part(part: Any, *, bar_beats: float) -> float:
    """Length in beats of a pickup bar (a first measure shorter than a full bar), else 0."""
    measures = list(part.getElementsByClass("Measure"))
    if len(measures) < 2:
        return 0.0
    first = float(measures[1].offset) - float(measures[0].offset)
    return first if _EPS < first < bar_beats - _EPS else 0.0
