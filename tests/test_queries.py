"""Synthetic queries: each kind's pitch track follows the melody, voices have formants, truth round-trips, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from music_models.errors import ConfigError, CorpusError
from music_models.queries import QUERY_KINDS, QueryConfig, QueryTruth, synthesise_query
from music_models.queries.check import harmonic_richness, pitch_follow
from music_models.types import Key, Meter, Note, Tune

SCALE = [62, 64, 66, 67, 69, 71, 73, 74, 73, 71, 69, 67, 66, 64, 62, 69, 74, 69, 66, 62]


def folk_tune() -> Tune:
    """Twenty quarter notes in D major at a folk tempo: long enough for a 6 s query from any start."""
    notes = tuple(Note(p, float(i), 1.0) for i, p in enumerate(SCALE))
    return Tune("test-0001", "Test Tune", "test", Meter(4, 4), Key(2), 110.0, notes)


@pytest.mark.parametrize("kind", [k for k in QUERY_KINDS if k != "instrument"])
def test_voice_and_whistle_pitch_tracks_follow_the_melody(kind: str) -> None:
    q = synthesise_query(folk_tune(), kind=kind, seed=11, config=QueryConfig(level="moderate", target_duration_s=6.0))
    assert q.sample_rate_hz == 16_000 and q.samples.dtype == np.float32 and np.abs(q.samples).max() <= 1.0
    assert abs(len(q.samples) / 16_000 - q.truth.duration_s) < 0.05
    check = pitch_follow(samples=q.source_samples, truth=q.truth)
    assert check.frames_checked > 100
    assert check.within_ratio >= 0.8, check  # within 50 cents for most voiced frames
    # after transposition the performed notes are the tune's notes (wrong notes aside)
    shift = q.truth.transposition_semitones
    right = [n for n in q.truth.notes if not n.wrong]
    assert all(n.pitch == SCALE[n.source_index] + shift for n in right)


@pytest.mark.integration
def test_instrument_query_is_the_melody_on_a_gm_instrument() -> None:
    q = synthesise_query(folk_tune(), kind="instrument", seed=5, config=QueryConfig(level="clean", target_duration_s=6.0))
    assert pitch_follow(samples=q.source_samples, truth=q.truth).within_ratio >= 0.8


def test_hums_and_songs_have_formant_harmonics_whistles_do_not() -> None:
    cfg = QueryConfig(level="clean", target_duration_s=6.0)
    rich = {k: harmonic_richness(samples=(q := synthesise_query(folk_tune(), kind=k, seed=2, config=cfg)).source_samples,
                                 truth=q.truth) for k in ("hum", "sing", "whistle")}
    assert rich["whistle"] < -15.0  # near-sinusoidal
    assert rich["hum"] > rich["whistle"] + 10.0 and rich["sing"] > rich["whistle"] + 10.0


def test_same_seed_same_query_and_seeds_differ() -> None:
    cfg = QueryConfig(level="heavy", target_duration_s=5.0)
    a = synthesise_query(folk_tune(), kind="hum", seed=3, config=cfg)
    b = synthesise_query(folk_tune(), kind="hum", seed=3, config=cfg)
    c = synthesise_query(folk_tune(), kind="hum", seed=4, config=cfg)
    assert np.array_equal(a.samples, b.samples) and a.truth == b.truth
    assert not np.array_equal(a.samples[: len(c.samples)], c.samples[: len(a.samples)])


def test_ground_truth_round_trips_through_json() -> None:
    q = synthesise_query(folk_tune(), kind="sing", seed=8, config=QueryConfig(level="heavy", target_duration_s=6.0))
    again = QueryTruth.from_dict(json.loads(json.dumps(q.truth.to_dict())))
    assert again == q.truth
    assert again.tune_id == "test-0001" and again.kind == "sing" and again.level == "heavy"
    assert 0.7 <= again.tempo_ratio <= 1.4 and again.start_beat < again.end_beat


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="unknown query kind"):
        synthesise_query(folk_tune(), kind="yodel", seed=0)
    empty = Tune("test-0002", "Empty", "test", Meter(4, 4), Key(0), 100.0, ())
    with pytest.raises(CorpusError, match="no notes"):
        synthesise_query(empty, kind="hum", seed=0)
    no_tempo = Tune("test-0003", "No tempo", "test", Meter(4, 4), Key(0), float("nan"), folk_tune().notes)
    with pytest.raises(CorpusError, match="tempo"):
        synthesise_query(no_tempo, kind="hum", seed=0)
