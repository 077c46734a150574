"""Accompaniment, bass and drum patterns, chosen by meter; pure functions producing notes in beats.

Times here are quarter-note beats from the start of the tune; ``offset_s`` carries the few
milliseconds a strum spreads its strings, which do not scale with tempo.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from music_models.arrange.voicing import (
    chord_at,
    chord_change_beats,
    close_voicing,
    guitar_voicing,
    pitch_in_range,
)
from music_models.types import Chord, Meter

__all__ = [
    "DRUM_KITS",
    "DRUM_KIT_PROGRAMS",
    "BeatNote",
    "bass_part",
    "bass_styles_for",
    "comp_part",
    "comp_styles_for",
    "drum_part",
    "meter_family",
]

_EPS = 1e-6


class BeatNote(NamedTuple):
    """A note before timing: pitch, onset and duration in beats, velocity, extra offset in seconds."""

    pitch: int
    onset_beats: float
    duration_beats: float
    velocity: int
    offset_s: float = 0.0


#: Drum kits: (kick, backbeat, time-keeper) GM percussion keys.
DRUM_KITS: dict[str, tuple[int, int, int]] = {
    "kit": (36, 38, 42),  # bass drum, snare, closed hi-hat
    "brushes": (35, 37, 44),  # acoustic bass drum, side stick, pedal hi-hat
    "folk": (36, 54, 70),  # bass drum, tambourine, maracas
    "ride": (36, 38, 51),  # bass drum, snare, ride cymbal
}

#: GM drum-kit program (bank 128) per kit: standard, brush, standard, jazz.
DRUM_KIT_PROGRAMS: dict[str, int] = {"kit": 0, "brushes": 40, "folk": 0, "ride": 32}


def meter_family(meter: Meter) -> str:
    """``compound`` (6/8, 9/8, 12/8), ``triple`` (3/x), ``duple`` (2/x, 4/x) or ``other``."""
    if meter.is_compound:
        return "compound"
    if meter.numerator == 3:
        return "triple"
    if meter.numerator in (2, 4):
        return "duple"
    return "other"


def comp_styles_for(meter: Meter) -> tuple[str, ...]:
    """Accompaniment patterns that suit a meter."""
    return {
        "duple": ("block", "arpeggio", "strum", "oom-pah"),
        "triple": ("block", "arpeggio", "strum", "oom-pah-pah"),
        "compound": ("block", "arpeggio", "strum", "jig"),
    }.get(meter_family(meter), ("block", "arpeggio"))


def bass_styles_for(comp_style: str) -> tuple[str, ...]:
    """Bass lines that go with an accompaniment pattern (the oom-pah family needs the bass on the oom)."""
    if comp_style in ("oom-pah", "oom-pah-pah", "jig"):
        return ("root-fifth", "root")
    return ("root", "root-fifth", "walking")


def _bar_starts(*, meter: Meter, start_beats: float, end_beats: float) -> list[float]:
    out = []
    b = start_beats
    while b < end_beats - _EPS:
        out.append(b)
        b += meter.bar_beats
    return out


def _pulses(*, meter: Meter, start_beats: float, end_beats: float) -> list[tuple[float, int]]:
    """(onset, index within bar) of every felt pulse."""
    pulse = meter.pulse_beats
    per_bar = max(round(meter.bar_beats / pulse), 1)
    out = []
    for bar in _bar_starts(meter=meter, start_beats=start_beats, end_beats=end_beats):
        for i in range(per_bar):
            t = bar + i * pulse
            if t < end_beats - _EPS:
                out.append((t, i))
    return out


def _hold(*, chords: Sequence[Chord], onset: float, until: float, end_beats: float) -> float:
    """Duration from ``onset`` to ``until``, cut at the next chord change and the end of the tune."""
    stop = min(until, chord_change_beats(chords=chords, after_beats=onset), end_beats)
    return max(stop - onset, 0.0)


def _accent(onset: float, *, bar_start: float, velocity: int) -> int:
    return min(velocity + (8 if abs(onset - bar_start) < _EPS else 0), 127)


def comp_part(
    *,
    chords: Sequence[Chord],
    meter: Meter,
    start_beats: float,
    end_beats: float,
    style: str,
    low: int,
    high: int,
    velocity: int,
    strum_spread_s: float,
    rng: np.random.Generator,
) -> list[BeatNote]:
    """The chord instrument's notes for one accompaniment ``style`` (see :func:`comp_styles_for`)."""
    pulse = meter.pulse_beats
    fam = meter_family(meter)
    hits: list[tuple[float, str]] = []  # (onset, kind) with kind in block/down/up/pah/arp
    bars = _bar_starts(meter=meter, start_beats=start_beats, end_beats=end_beats)
    if style == "block":
        onsets = set(bars) | {c.onset_beats for c in chords if start_beats - _EPS <= c.onset_beats < end_beats}
        hits = [(t, "block") for t in sorted(onsets)]
    elif style == "strum":
        with_ups = bool(rng.integers(2))
        for t, i in _pulses(meter=meter, start_beats=start_beats, end_beats=end_beats):
            hits.append((t, "down"))
            if fam == "compound":
                hits.append((t + 1.0, "up"))
            elif with_ups and i % 2 == 1:
                hits.append((t + pulse / 2, "up"))
    elif style in ("oom-pah", "oom-pah-pah"):
        hits = [(t, "pah") for t, i in _pulses(meter=meter, start_beats=start_beats, end_beats=end_beats)
                if (i % 2 == 1 if style == "oom-pah" else i % 3 != 0)]
    elif style == "jig":
        hits = [(t + 1.0, "pah") for t, _ in _pulses(meter=meter, start_beats=start_beats, end_beats=end_beats)]
    elif style == "arpeggio":
        step = 0.5 if meter.denominator >= 4 else 1.0
        for bar in bars:
            t = bar
            while t < min(bar + meter.bar_beats, end_beats) - _EPS:
                hits.append((t, "arp"))
                t += step
    else:
        raise ValueError(f"unknown accompaniment style {style!r}; known: block, arpeggio, strum, oom-pah, "
                         "oom-pah-pah, jig")
    hits = [(t, k) for t, k in hits if t < end_beats - _EPS]
    arp_shape = [(0, 1, 2, 3), (0, 1, 2, 3, 2, 1), (0, 2, 1, 2)][int(rng.integers(3))]
    notes: list[BeatNote] = []
    previous: tuple[int, ...] | None = None
    arp_index = 0
    last_chord: Chord | None = None
    bar_of = {b: b for b in bars}
    for j, (t, kind) in enumerate(hits):
        chord = chord_at(chords=chords, beats=t)
        if chord is None:
            continue
        bar_start = max((b for b in bar_of if b <= t + _EPS), default=start_beats)
        nxt = hits[j + 1][0] if j + 1 < len(hits) else end_beats
        vel = _accent(t, bar_start=bar_start, velocity=velocity)
        if kind in ("down", "up"):
            strings = guitar_voicing(chord=chord, low=max(low, 40))
            if kind == "up":
                strings = tuple(reversed(strings[-3:]))
                vel = max(vel - 12, 1)
            dur = _hold(chords=chords, onset=t, until=nxt, end_beats=end_beats)
            for k, p in enumerate(strings):
                notes.append(BeatNote(p, t, dur, vel - 2 * k, k * strum_spread_s))
            continue
        voicing = close_voicing(chord=chord, low=low, high=high, previous=previous)
        previous = voicing
        if kind == "arp":
            if chord is not last_chord or abs(t - bar_start) < _EPS:
                arp_index = 0
            tones = list(voicing) + [voicing[0] + 12]
            p = tones[arp_shape[arp_index % len(arp_shape)] % len(tones)]
            arp_index += 1
            dur = _hold(chords=chords, onset=t, until=t + 2 * (nxt - t), end_beats=end_beats)
            notes.append(BeatNote(p, t, dur, vel))
        else:
            until = nxt if kind == "block" else t + min(nxt - t, pulse) * 0.6
            dur = _hold(chords=chords, onset=t, until=until, end_beats=end_beats)
            notes.extend(BeatNote(p, t, dur, vel - (4 if kind == "pah" else 0)) for p in voicing)
        last_chord = chord
    return [n for n in notes if n.duration_beats > _EPS]


def bass_part(
    *,
    chords: Sequence[Chord],
    meter: Meter,
    start_beats: float,
    end_beats: float,
    style: str,
    comp_style: str,
    scale_pcs: Sequence[int],
    velocity: int,
    root_low: int = 36,
    rng: np.random.Generator,
) -> list[BeatNote]:
    """Bass notes: ``root`` (held roots), ``root-fifth`` (alternating), ``walking`` (one per pulse with
    approach notes into each chord change)."""
    if style not in ("root", "root-fifth", "walking"):
        raise ValueError(f"unknown bass style {style!r}; known: root, root-fifth, walking")
    pulses = _pulses(meter=meter, start_beats=start_beats, end_beats=end_beats)
    if style == "walking":
        positions = [t for t, _ in pulses]
    elif comp_style in ("oom-pah", "oom-pah-pah", "jig"):
        positions = [t for t, i in pulses if comp_style == "jig" or i % (2 if comp_style == "oom-pah" else 3) == 0]
    else:
        per_bar = max(round(meter.bar_beats / meter.pulse_beats), 1)
        strong = {0, per_bar // 2} if per_bar >= 4 or (style == "root-fifth" and per_bar == 2) else {0}
        positions = [t for t, i in pulses if i in strong]
    positions = sorted(set(positions) | {c.onset_beats for c in chords
                                         if start_beats - _EPS <= c.onset_beats < end_beats - _EPS})
    short = comp_style in ("oom-pah", "oom-pah-pah", "jig")
    notes: list[BeatNote] = []
    count_in_chord = 0
    last: Chord | None = None
    below = bool(rng.integers(2))
    for j, t in enumerate(positions):
        chord = chord_at(chords=chords, beats=t)
        if chord is None:
            continue
        count_in_chord = count_in_chord + 1 if chord is last else 0
        last = chord
        root = pitch_in_range(pitch_class=chord.root_pc, low=root_low, high=root_low + 11)
        fifth = root + chord.intervals[2]
        fifth = fifth - 12 if fifth > root_low + 14 else fifth
        nxt = positions[j + 1] if j + 1 < len(positions) else end_beats
        if style == "walking":
            change = chord_change_beats(chords=chords, after_beats=t)
            nxt_chord = chord_at(chords=chords, beats=change) if abs(change - nxt) < _EPS else None
            if count_in_chord == 0:
                pitch = root
            elif nxt_chord is not None:  # approach the next root by a half step or a scale step
                target = pitch_in_range(pitch_class=nxt_chord.root_pc, low=root_low, high=root_low + 11)
                if below:
                    pitch = target - 1
                else:
                    steps = [p for p in range(target + 1, target + 3) if p % 12 in scale_pcs]
                    pitch = steps[0] if steps else target + 1
                below = not below
            else:
                pitch = [root + chord.intervals[1], fifth, root + 12][(count_in_chord - 1) % 3]
            until = nxt
        else:
            pitch = fifth if style == "root-fifth" and count_in_chord % 2 == 1 else root
            until = t + min(nxt - t, meter.pulse_beats) * 0.85 if short else nxt
        dur = _hold(chords=chords, onset=t, until=until, end_beats=end_beats) * (0.95 if not short else 1.0)
        accent = 8 if count_in_chord == 0 else 0
        notes.append(BeatNote(pitch, t, dur, min(velocity + accent, 127)))
    return [n for n in notes if n.duration_beats > _EPS]


def drum_part(
    *, meter: Meter, start_beats: float, end_beats: float, kit: str, velocity: int
) -> list[BeatNote]:
    """A steady groove for the meter on GM channel-10 keys of ``kit`` (see :data:`DRUM_KITS`)."""
    if kit not in DRUM_KITS:
        raise ValueError(f"unknown drum kit {kit!r}; known: {sorted(DRUM_KITS)}")
    kick, back, keeper = DRUM_KITS[kit]
    fam = meter_family(meter)
    hit = 0.1
    notes: list[BeatNote] = []
    for t, i in _pulses(meter=meter, start_beats=start_beats, end_beats=end_beats):
        if fam == "compound":
            notes.append(BeatNote(kick if i % 2 == 0 else back, t, hit, velocity + (10 if i == 0 else 0)))
            notes.extend(BeatNote(keeper, t + k * 0.5, hit, velocity - (0 if k == 0 else 14)) for k in range(3))
        elif fam == "triple":
            notes.append(BeatNote(kick if i == 0 else back, t, hit, velocity + (10 if i == 0 else -12)))
            notes.append(BeatNote(keeper, t, hit, velocity - 8))
        elif fam == "duple":
            notes.append(BeatNote(kick if i % 2 == 0 else back, t, hit, velocity + (10 if i == 0 else 0)))
            notes.extend(BeatNote(keeper, t + k * meter.pulse_beats / 2, hit, velocity - (4 if k == 0 else 16))
                         for k in range(2))
        else:
            if i == 0:
                notes.append(BeatNote(kick, t, hit, velocity + 10))
            notes.append(BeatNote(keeper, t, hit, velocity - 8))
    return [n for n in notes if n.onset_beats < end_beats - _EPS]
