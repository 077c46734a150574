"""Arranger: tracks per meter, determinism by seed, notes inside the tune, MIDI round trip."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from music_models.arrange import (
    MELODY_INSTRUMENTS,
    Arrangement,
    ArrangementConfig,
    arrange,
    arrangement_to_midi,
    comp_styles_for,
    melody_octave_shift,
)
from music_models.arrange.patterns import bass_part, comp_part, drum_part
from music_models.errors import RenderError
from music_models.types import Chord, Key, Meter, Note, Tune

FULL_BAND = ArrangementConfig(chords_probability=1.0, bass_probability=1.0, drums_probability=1.0)


def make_tune(meter: Meter, *, bars: int = 4, seed: int = 0, chords: bool = False, anacrusis: float = 0.0) -> Tune:
    """A random diatonic melody in C major filling ``bars`` bars (+ pickup) of eighth/quarter notes."""
    rng = np.random.default_rng(seed)
    scale = [60, 62, 64, 65, 67, 69, 71, 72]
    end = anacrusis + bars * meter.bar_beats
    notes, t = [], 0.0
    while t < end - 1e-9:
        d = min(float(rng.choice([0.5, 1.0])), end - t)
        notes.append(Note(int(rng.choice(scale)), t, d))
        t += d
    cs: tuple[Chord, ...] = ()
    if chords:
        roots = [(0, "maj"), (5, "maj"), (7, "dom7"), (9, "min")]
        cs = tuple(Chord(roots[i % 4][0], roots[i % 4][1], anacrusis + i * meter.bar_beats, meter.bar_beats)
                   for i in range(bars))
    return Tune("t:" + meter.name, "Test " + meter.name, "tests", meter, Key(0), 110.0, tuple(notes), cs,
                anacrusis_beats=anacrusis)


@pytest.mark.parametrize("meter", [Meter(4, 4), Meter(3, 4), Meter(6, 8), Meter(2, 4), Meter(9, 8), Meter(5, 4)])
def test_full_band_has_every_track_with_a_pattern_of_the_meter(meter: Meter) -> None:
    tune = make_tune(meter, chords=True)
    styles = set()
    for seed in range(12):
        arr = arrange(tune, seed=seed, config=FULL_BAND)
        assert [t.role for t in arr.tracks] == ["melody", "chords", "bass", "drums"]
        assert [t.is_drum for t in arr.tracks] == [False, False, False, True]
        assert all(t.notes for t in arr.tracks)
        styles.add(arr.track("chords").style)  # type: ignore[union-attr]
    assert styles <= set(comp_styles_for(meter))
    assert len(styles) >= 2  # the seed varies the pattern
    if meter.is_compound:
        assert "jig" in styles and "oom-pah" not in styles
    if meter.numerator == 3:
        assert "oom-pah-pah" in styles


def test_same_seed_same_arrangement_and_seeds_differ() -> None:
    tune = make_tune(Meter(4, 4), bars=6, seed=3)
    a, b = arrange(tune, seed=7), arrange(tune, seed=7)
    assert a.to_dict() == b.to_dict()
    variants = {(tuple(sorted(arrange(tune, seed=s).programs.items())), round(arrange(tune, seed=s).tempo_qpm, 3))
                for s in range(8)}
    assert len(variants) >= 6
    tempi = [arrange(tune, seed=s).tempo_qpm / tune.tempo_qpm for s in range(30)]
    assert 0.85 <= min(tempi) < 0.95 and 1.05 < max(tempi) <= 1.15


@pytest.mark.parametrize("meter", [Meter(4, 4), Meter(3, 4), Meter(6, 8)])
def test_notes_stay_inside_the_tune(meter: Meter) -> None:
    tune = make_tune(meter, anacrusis=meter.pulse_beats, seed=5)
    for seed in range(6):
        arr = arrange(tune, seed=seed, config=FULL_BAND)
        first_bar_s = arr.beat_to_s(tune.anacrusis_beats)
        for track in arr.tracks:
            for n in track.notes:
                assert 0.0 <= n.start_s < n.end_s <= arr.duration_s + 1e-9
                assert 1 <= n.velocity <= 127 and 0 <= n.pitch <= 127
                if track.role != "melody":  # the pickup is the melody's alone
                    assert n.start_s >= first_bar_s - 0.021
        assert abs(arr.duration_s - (arr.lead_in_s + tune.duration_beats * 60 / arr.tempo_qpm)) < 1e-9


def test_melody_keeps_the_tune_up_to_transposition() -> None:
    tune = make_tune(Meter(3, 4), seed=2)
    for seed in range(10):
        arr = arrange(tune, seed=seed)
        melody = arr.track("melody")
        assert melody is not None and len(melody.notes) == len(tune.notes)
        shift = arr.transpose_semitones + 12 * arr.melody_octave_shift
        assert [n.pitch for n in melody.notes] == [n.pitch + shift for n in tune.notes]
        assert arr.key.tonic_pc == (tune.key.tonic_pc + arr.transpose_semitones) % 12
        inst = next(i for i in MELODY_INSTRUMENTS if i.program == melody.program)
        pitches = [n.pitch for n in melody.notes]
        assert inst.low - 2 <= min(pitches) and max(pitches) <= inst.high + 2
        onsets_s = [arr.beat_to_s(n.onset_beats) for n in tune.notes]
        assert np.max(np.abs(np.array([n.start_s for n in melody.notes]) - onsets_s)) <= 0.0201


def test_chords_come_from_the_harmoniser_when_the_tune_has_none() -> None:
    arr = arrange(make_tune(Meter(4, 4), bars=8), seed=1, config=ArrangementConfig(transpose_probability=0.0))
    assert arr.chords and all(0 <= c.root_pc < 12 for c in arr.chords)
    assert arr.chords[-1].root_pc == 0  # the harmoniser cadences on the tonic


def test_midi_round_trip(tmp_path: Path) -> None:
    import pretty_midi

    arr = arrange(make_tune(Meter(6, 8), chords=True), seed=4, config=FULL_BAND)
    path = tmp_path / "a.mid"
    arrangement_to_midi(arr).write(str(path))
    back = pretty_midi.PrettyMIDI(str(path))
    assert len(back.instruments) == len(arr.tracks)
    assert back.time_signature_changes[0].numerator == 6 and back.time_signature_changes[0].denominator == 8
    assert abs(back.get_tempo_changes()[1][0] - arr.tempo_qpm) < 0.01
    for inst, track in zip(back.instruments, arr.tracks):
        assert (inst.program, inst.is_drum) == (track.program, track.is_drum)
        got = sorted((n.pitch, round(n.start, 2), n.velocity) for n in inst.notes)
        want = sorted((n.pitch, round(n.start_s, 2), n.velocity) for n in track.notes)
        assert len(got) == len(want)
        assert all(g[0] == w[0] and g[2] == w[2] and abs(g[1] - w[1]) <= 0.011 for g, w in zip(got, want))


def test_arrangement_dict_round_trip() -> None:
    arr = arrange(make_tune(Meter(2, 4), chords=True), seed=9, config=FULL_BAND)
    back = Arrangement.from_dict(json.loads(json.dumps(arr.to_dict())))
    assert back.to_dict() == arr.to_dict()
    assert abs(back.s_to_beat(back.beat_to_s(5.25)) - 5.25) < 1e-9


def test_patterns_put_the_oom_and_the_pah_on_the_right_beats() -> None:
    c = (Chord(0, "maj", 0.0, 4.0), Chord(7, "maj", 4.0, 4.0))
    rng = np.random.default_rng(0)
    pah = comp_part(chords=c, meter=Meter(4, 4), start_beats=0.0, end_beats=8.0, style="oom-pah", low=48, high=76,
                    velocity=70, strum_spread_s=0.01, rng=rng)
    assert sorted({n.onset_beats for n in pah}) == [1.0, 3.0, 5.0, 7.0]
    assert {n.pitch % 12 for n in pah if n.onset_beats < 4} == {0, 4, 7}
    oom = bass_part(chords=c, meter=Meter(4, 4), start_beats=0.0, end_beats=8.0, style="root-fifth",
                    comp_style="oom-pah", scale_pcs=Key(0).scale_pcs, velocity=80, rng=rng)
    assert [(n.onset_beats, n.pitch % 12) for n in oom] == [(0.0, 0), (2.0, 7), (4.0, 7), (6.0, 2)]
    jig = comp_part(chords=(Chord(2, "min", 0.0, 3.0),), meter=Meter(6, 8), start_beats=0.0, end_beats=3.0,
                    style="jig", low=48, high=76, velocity=70, strum_spread_s=0.01, rng=rng)
    assert sorted({n.onset_beats for n in jig}) == [1.0, 2.5]
    walk = bass_part(chords=c, meter=Meter(4, 4), start_beats=0.0, end_beats=8.0, style="walking",
                     comp_style="block", scale_pcs=Key(0).scale_pcs, velocity=80, rng=rng)
    assert [n.onset_beats for n in walk] == [float(b) for b in range(8)]
    assert walk[3].pitch % 12 in (6, 8, 9)  # approach to G from a half step below or a step above
    drums = drum_part(meter=Meter(3, 4), start_beats=0.0, end_beats=3.0, kit="kit", velocity=70)
    assert sorted(n.pitch for n in drums if n.onset_beats == 0.0) == [36, 42]


def test_melody_octave_shift_fits_the_range() -> None:
    assert melody_octave_shift(pitches=[60, 64, 67, 72], low=72, high=90) == 1
    assert melody_octave_shift(pitches=[72, 76, 79], low=44, high=76) == -1
    assert melody_octave_shift(pitches=[84, 88, 91], low=44, high=76) == -2
    assert melody_octave_shift(pitches=[60, 67], low=48, high=96) == 0


def test_bad_tunes_give_clear_errors() -> None:
    empty = Tune("e", "Empty", "tests", Meter(4, 4), Key(0), 100.0, ())
    with pytest.raises(RenderError, match="no notes"):
        arrange(empty, seed=0)
    tune = make_tune(Meter(4, 4))
    with pytest.raises(RenderError, match="tempo"):
        arrange(Tune("z", "Zero", "tests", tune.meter, tune.key, 0.0, tune.notes), seed=0)
    with pytest.raises(RenderError, match="seed"):
        arrange(tune, seed=-1)
    bad = Tune("b", "Bad", "tests", tune.meter, tune.key, 100.0, (Note(60, 0.0, 0.0),))
    with pytest.raises(RenderError, match="invalid notes"):
        arrange(bad, seed=0)
