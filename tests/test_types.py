from __future__ import annotations

import pytest

from music_models.types import Chord, Key, Meter, Note, Tune


def _tune() -> Tune:
    notes = (Note(67, 0.0, 0.5), Note(69, 0.5, 0.5), Note(71, 1.0, 1.5))
    chords = (Chord(7, "maj", 0.0, 3.0),)
    return Tune("t-1", "Test", "tests", Meter(6, 8), Key(7, "mixolydian"), 165.0, notes, chords,
                estimated_key=Key(7), chord_source="harmoniser", anacrusis_beats=0.5, source="inline")


def test_tune_round_trips_through_dict() -> None:
    t = _tune()
    assert Tune.from_dict(t.to_dict()) == t


def test_derived_quantities() -> None:
    t = _tune()
    assert t.duration_beats == pytest.approx(2.5)
    assert t.duration_s == pytest.approx(2.5 * 60 / 165)
    assert t.meter.bar_beats == pytest.approx(3.0) and t.meter.is_compound and t.meter.pulse_beats == 1.5
    assert t.bar_starts_beats() == [0.0, 0.5]
    assert Chord(7, "dom7", 0, 1).pitch_classes == frozenset({7, 11, 2, 5})
    assert Key(9, "minor").scale_pcs == (9, 11, 0, 2, 4, 5, 7)


def test_invalid_values_are_rejected_with_reasons() -> None:
    with pytest.raises(ValueError, match="unknown chord quality"):
        Chord(0, "weird", 0, 1)
    with pytest.raises(ValueError, match="unknown mode"):
        Key(0, "bluesy")
