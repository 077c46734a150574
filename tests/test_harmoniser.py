"""The harmoniser on melodies whose right chords are known; key estimation; chorale chord labels."""

from __future__ import annotations

import numpy as np
import pytest

from music_models.corpus.chorales import chords_from_voices, label_chord
from music_models.corpus.harmoniser import (
    ChordToneCounts,
    HarmoniserConfig,
    chord_tone_counts,
    diatonic_chords,
    harmonic_units,
    harmonise,
)
from music_models.corpus.keys import estimate_key, harmony_key
from music_models.types import Chord, Key, Meter, Note

C_MAJOR = Key(0, "major")


def _melody(bars: list[list[int]], *, beats_per_note: float = 1.0, start: float = 0.0) -> list[Note]:
    notes, t = [], start
    for bar in bars:
        for p in bar:
            notes.append(Note(p, t, beats_per_note))
            t += beats_per_note
    return notes


def _names(chords: tuple[Chord, ...]) -> list[tuple[str, float]]:
    return [(c.name, c.onset_beats) for c in chords]


def test_diatonic_vocabulary() -> None:
    labels = {c.label: (c.root_pc, c.quality) for c in diatonic_chords(key=C_MAJOR)}
    assert labels["I"] == (0, "maj") and labels["IV"] == (5, "maj") and labels["V"] == (7, "maj")
    assert labels["V7"] == (7, "dom7") and labels["ii"] == (2, "min") and "vii" not in labels  # no dim
    minor = {c.label: (c.root_pc, c.quality) for c in diatonic_chords(key=Key(9, "minor"))}
    assert minor["i"] == (9, "min") and minor["V"] == (4, "maj") and minor["v"] == (4, "min")
    dorian = {c.label for c in diatonic_chords(key=Key(2, "dorian"))}
    assert "IV" in dorian and "V7" not in dorian  # D dorian: G major IV, no leading-tone V7


def test_units_half_bars_in_4_4_whole_bars_in_3_4() -> None:
    assert harmonic_units(meter=Meter(4, 4), anacrusis_beats=1.0, end_beats=9.0) == [
        (0.0, 1.0, "bar"), (1.0, 3.0, "bar"), (3.0, 5.0, "weak"), (5.0, 7.0, "bar"), (7.0, 9.0, "weak")]
    assert harmonic_units(meter=Meter(3, 4), anacrusis_beats=0.0, end_beats=6.0) == [
        (0.0, 3.0, "bar"), (3.0, 6.0, "bar")]
    assert [u[2] for u in harmonic_units(meter=Meter(6, 8), anacrusis_beats=0.0, end_beats=3.0)] == ["bar", "strong"]


def test_simple_i_iv_v_i_melody_gets_its_chords() -> None:
    # C E G E | F A C A | G B D B | C E G C, one chord per bar is right
    melody = _melody([[60, 64, 67, 64], [65, 69, 72, 69], [67, 71, 74, 71], [72, 67, 64, 60]])
    chords = harmonise(notes=melody, meter=Meter(4, 4), key=C_MAJOR)
    assert _names(chords) == [("C", 0.0), ("F", 4.0), ("G", 8.0), ("C", 12.0)]
    counts = chord_tone_counts(notes=melody, chords=chords)
    assert counts.ratio == 1.0 and counts.notes_total == 16


def test_passing_tones_do_not_make_a_chord_per_note() -> None:
    # stepwise quavers: chord tones on the beats, passing tones between (realistic folk line)
    bars = [[60, 62, 64, 65, 67, 65, 64, 62], [65, 67, 69, 67, 65, 64, 65, 69],
            [67, 69, 71, 72, 74, 72, 71, 69], [72, 71, 69, 67, 64, 62, 60, 60]]
    melody = _melody(bars, beats_per_note=0.5)
    chords = harmonise(notes=melody, meter=Meter(4, 4), key=C_MAJOR)
    assert len(chords) <= 8  # at most one per half-bar
    assert chords[0].name == "C" and chords[-1].name == "C"  # starts and cadences on I
    assert ("F", 4.0) in _names(chords) and any(c.root_pc == 7 for c in chords)
    ratio = chord_tone_counts(notes=melody, chords=chords).ratio
    assert 0.5 <= ratio < 1.0  # half the notes are passing tones: a chord per bar cannot cover them


def test_three_four_keeps_one_chord_per_bar() -> None:
    # every bar outlines two chords in turn, but in 3/4 the unit is the bar
    melody = _melody([[60, 64, 65], [67, 71, 72], [65, 69, 67], [64, 62, 60]])
    chords = harmonise(notes=melody, meter=Meter(3, 4), key=C_MAJOR)
    assert all(abs(c.onset_beats % 3.0) < 1e-9 for c in chords)


def test_six_eight_changes_mid_bar_only_on_strong_evidence() -> None:
    weak = _melody([[60, 64, 67, 65, 64, 62], [67, 71, 74, 72, 71, 67], [60, 64, 67, 72, 67, 60]],
                   beats_per_note=0.5)
    assert all(abs(c.onset_beats % 3.0) < 1e-9 for c in harmonise(notes=weak, meter=Meter(6, 8), key=C_MAJOR))
    # second half of bar 1 is a full F chord arpeggio, held: strong evidence
    strong = [Note(60, 0, 0.5), Note(64, 0.5, 0.5), Note(67, 1.0, 0.5), Note(65, 1.5, 0.5), Note(69, 2.0, 0.5),
              Note(72, 2.5, 0.5), Note(67, 3.0, 1.5), Note(71, 4.5, 1.5), Note(72, 6.0, 3.0)]
    chords = harmonise(notes=strong, meter=Meter(6, 8), key=C_MAJOR)
    assert ("F", 1.5) in _names(chords)


def test_dominant_seventh_when_the_melody_sounds_the_seventh() -> None:
    melody = _melody([[60, 64, 67, 64], [67, 71, 74, 65], [65, 74, 71, 67], [64, 60, 64, 60]])
    chords = harmonise(notes=melody, meter=Meter(4, 4), key=C_MAJOR,
                       config=HarmoniserConfig(weak_mid_bar_change_cost=5.0))
    assert ("G7", 4.0) in _names(chords)


def test_pickup_is_its_own_unit_and_minor_key() -> None:
    # A minor tune with a one-beat pickup on E: | A C E C | E G# B E | A E C A
    melody = [Note(64, 0, 1), *_melody([[69, 72, 76, 72], [76, 80, 83, 76], [81, 76, 72, 69]], start=1.0)]
    chords = harmonise(notes=melody, meter=Meter(4, 4), key=Key(9, "minor"), anacrusis_beats=1.0)
    names = _names(chords)
    assert names[0][1] == 0.0 and ("Am", 1.0) in names and ("E", 5.0) in names and names[-1][0] == "Am"


def test_chord_tone_counts_note_and_duration_weighted() -> None:
    notes = [Note(60, 0, 3), Note(62, 3, 1), Note(67, 4, 2), Note(66, 6, 2)]
    chords = [Chord(0, "maj", 0, 4), Chord(7, "maj", 4, 4)]
    c = chord_tone_counts(notes=notes, chords=chords)
    assert (c.notes_in_chord, c.notes_total) == (2, 4) and c.ratio == 0.5
    assert c.duration_ratio == pytest.approx(5 / 8)
    assert (c + c).ratio == 0.5 and ChordToneCounts().ratio == 0.0
    assert chord_tone_counts(notes=notes, chords=[]).ratio == 0.0


def test_empty_melody_gives_no_chords() -> None:
    assert harmonise(notes=[], meter=Meter(4, 4), key=C_MAJOR) == ()


@pytest.mark.parametrize("shift", [0, 3, 7, 10])
def test_key_estimation_is_transposition_equivariant(shift: int) -> None:
    major = [60, 62, 64, 65, 67, 69, 71, 72, 67, 64, 60]
    durs = [1, 0.5, 1, 0.5, 2, 0.5, 0.5, 2, 1, 1, 2]
    assert estimate_key(pitches=[p + shift for p in major], durations_beats=durs) == Key(shift % 12, "major")
    minor = [57, 59, 60, 62, 64, 65, 68, 69, 64, 60, 57]
    assert estimate_key(pitches=[p + shift for p in minor], durations_beats=durs) == Key((9 + shift) % 12, "minor")


def test_key_estimation_edge_cases() -> None:
    assert estimate_key(pitches=[], durations_beats=[]) is None
    assert estimate_key(pitches=[62, 62], durations_beats=[1, 1]) == Key(2, "major")
    with pytest.raises(ValueError):
        estimate_key(pitches=[60], durations_beats=[])


def test_harmony_key_prefers_relative_estimate_but_keeps_explicit_modes() -> None:
    assert harmony_key(header=Key(7, "major"), estimated=Key(4, "minor")) == Key(4, "minor")
    assert harmony_key(header=Key(7, "major"), estimated=Key(2, "major")) == Key(7, "major")
    assert harmony_key(header=Key(9, "dorian"), estimated=Key(9, "minor")) == Key(9, "dorian")
    assert harmony_key(header=None, estimated=Key(5, "major")) == Key(5, "major")


def test_label_chord_for_chorale_slices() -> None:
    def w(*pcs: int) -> np.ndarray:
        v = np.zeros(12)
        for pc in pcs:
            v[pc] += 1.0
        return v

    assert label_chord(weights=w(0, 4, 7)) == (0, "maj")
    assert label_chord(weights=w(7, 11, 2, 5), bass_pc=7) == (7, "dom7")
    assert label_chord(weights=w(9, 0, 4, 9), bass_pc=9) == (9, "min")
    assert label_chord(weights=w(7, 2, 7), bass_pc=7, key=Key(7, "major")) == (7, "maj")  # open fifth in G
    assert label_chord(weights=np.zeros(12)) is None


def test_chords_from_voices_merges_repeated_chords() -> None:
    bass = [Note(48, 0, 2), Note(43, 2, 1), Note(48, 3, 1)]
    tenor = [Note(55, 0, 2), Note(55, 2, 1), Note(55, 3, 1)]
    alto = [Note(64, 0, 2), Note(62, 2, 1), Note(64, 3, 1)]
    chords = chords_from_voices(voices=[alto, tenor, bass], bass=bass, slice_beats=1.0, end_beats=4.0)
    assert [(c.name, c.onset_beats, c.duration_beats) for c in chords] == [("C", 0, 2), ("G", 2, 1), ("C", 3, 1)]
    assert chords[0].bass_pc == 0
