"""Arrangements: a :class:`~music_models.types.Tune` and a seed become a small band's
:class:`Arrangement` (melody, chords, bass, optional drums) and then ``pretty_midi`` MIDI.

>>> arr = arrange(tune, seed=3)            # deterministic per seed
>>> midi = arrangement_to_midi(arr)        # pretty_midi.PrettyMIDI
"""

from __future__ import annotations

from music_models.arrange.arranger import arrange, melody_octave_shift, tune_chords
from music_models.arrange.config import (
    BASS_INSTRUMENTS,
    CHORD_INSTRUMENTS,
    MELODY_INSTRUMENTS,
    ArrangementConfig,
    Instrument,
)
from music_models.arrange.midi import arrangement_to_midi
from music_models.arrange.patterns import comp_styles_for, meter_family
from music_models.arrange.types import TRACK_ROLES, ArrangedNote, Arrangement, Track

__all__ = [
    "BASS_INSTRUMENTS",
    "CHORD_INSTRUMENTS",
    "MELODY_INSTRUMENTS",
    "TRACK_ROLES",
    "ArrangedNote",
    "Arrangement",
    "ArrangementConfig",
    "Instrument",
    "Track",
    "arrange",
    "arrangement_to_midi",
    "comp_styles_for",
    "melody_octave_shift",
    "meter_family",
    "tune_chords",
]
