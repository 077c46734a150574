"""The melody re-rank: contour alignment, fusion, melody storage, and identify with it on and off."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from music_models.library import Library, LibraryConfig, SongRecord
from music_models.library.config import Calibration, MelodyMatchConfig
from music_models.library.melodies import MelodyFiles, skyline_notes
from music_models.library.melody import analyse_melody
from music_models.library.melody_match import fuse, melody_costs, pitch_range_hz, query_melody, song_melody
from music_models.qbh_baseline.contour import PitchTrack
from music_models.types import Note

SR = 16_000
MM = MelodyMatchConfig()


def tones(pitches: list[int], *, note_s: float = 0.4, rms: float = 0.1) -> np.ndarray:
    n = int(note_s * SR)
    t = np.arange(n) / SR
    env = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
    y = np.concatenate([np.sin(2 * np.pi * 440 * 2 ** ((p - 69) / 12) * t) * env for p in pitches])
    return (y * rms * np.sqrt(2)).astype(np.float32)


def notes_of(pitches: list[int], *, beats: float = 1.0) -> list[Note]:
    return [Note(int(p), i * beats, beats) for i, p in enumerate(pitches)]


TUNE_A = [60, 62, 64, 65, 67, 65, 64, 62, 60, 67, 72, 71, 69, 67, 65, 64, 62, 64, 60, 55] * 2
TUNE_B = [60, 60, 67, 67, 69, 69, 67, 65, 65, 64, 64, 62, 62, 60, 67, 67, 65, 65, 64, 62] * 2


def test_fuse_lets_a_close_melody_overtake_a_slightly_better_model_score() -> None:
    scored = [("x", 0.60, 1.0), ("y", 0.58, 2.0), ("z", 0.40, 0.0)]
    fused = fuse(scored=scored, costs={"x": 0.9, "y": 0.1, "z": 0.0}, config=MM)
    assert [s for s, _, _ in fused] == ["y", "x", "z"]
    assert fused[0][2] == 2.0  # the model's offset travels along
    off = fuse(scored=scored, costs={"x": 0.9, "y": 0.1}, config=replace(MM, weight=0.0))
    assert [s for s, _, _ in off] == ["x", "y", "z"] and off[0][1] == 0.60


def test_fuse_gives_songs_without_a_melody_the_median_cost() -> None:
    scored = [("audio_only", 0.50, 0.0), ("a", 0.49, 0.0), ("b", 0.48, 0.0), ("c", 0.30, 0.0)]
    fused = {s: sc for s, sc, _ in fuse(scored=scored, costs={"a": 0.2, "b": 0.6, "c": 5.0}, config=MM)}
    assert fused["audio_only"] == pytest.approx(0.50 - MM.weight * 0.6)  # median of 0.2, 0.6, clip(5) = 1.0
    assert fused["c"] == pytest.approx(0.30 - MM.weight * MM.cost_clip_semitones)
    assert fuse(scored=scored, costs={}, config=MM) == sorted(scored, key=lambda t: -t[1])


def test_melody_costs_find_the_transposed_tune_and_reject_another() -> None:
    a = song_melody(notes=notes_of(TUNE_A), tempo_qpm=120.0, config=MM)
    b = song_melody(notes=notes_of(TUNE_B), tempo_qpm=120.0, config=MM)
    track = PitchTrack(25.0, np.repeat(np.asarray(TUNE_A[4:24], dtype=float) + 5.3, 13), np.ones(260))  # 0.52 s notes
    q = query_melody(track=track, config=MM)
    costs = melody_costs(query=q, melodies={"a": a, "b": b}, config=MM)
    assert costs["a"] < 0.2 and costs["b"] > 0.6


def test_query_melody_needs_enough_voiced_pitch() -> None:
    short = PitchTrack(25.0, np.full(30, 60.0), np.ones(30))  # 1.2 s
    assert query_melody(track=short, config=MM).size == 0
    assert query_melody(track=None, config=MM).size == 0
    unvoiced = PitchTrack(25.0, np.full(300, np.nan), np.zeros(300))
    assert query_melody(track=unvoiced, config=MM).size == 0


def test_the_gate_hands_back_its_pitch_track() -> None:
    check, track = analyse_melody(samples=tones(TUNE_A[:20]))
    assert check.is_melody and track is not None
    voiced = track.midi[np.isfinite(track.midi)]
    assert voiced.size > 100 and set(np.round(np.median(voiced)).astype(int).ravel()) <= set(range(55, 73))
    silent, none = analyse_melody(samples=np.zeros(SR * 3, dtype=np.float32))
    assert not silent.is_melody and none is None


def test_melody_files_round_trip_and_survive_bad_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    files = MelodyFiles(tmp_path / "m")
    files.save("tune-1", np.array([60.0, 62.0, 64.0]))
    files.save("weird/id:with spaces", np.array([1.0, 2.0]))
    files.save("nan", np.array([60.0, np.nan]))  # not alignable: not stored
    assert files.has("tune-1") and files.has("weird/id:with spaces") and not files.has("nan")
    assert files.path_of("weird/id:with spaces").parent == tmp_path / "m"
    again = MelodyFiles(tmp_path / "m")
    got = again.load(["tune-1", "weird/id:with spaces", "nan", "absent"])
    assert set(got) == {"tune-1", "weird/id:with spaces"} and got["tune-1"].tolist() == [60.0, 62.0, 64.0]
    again.path_of("broken").write_bytes(b"not numpy")
    with caplog.at_level(logging.WARNING):
        assert again.load(["broken"]) == {}
    assert "unreadable melody file" in caplog.text


def test_skyline_keeps_the_top_voice() -> None:
    import pretty_midi

    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(program=0)
    drums = pretty_midi.Instrument(program=0, is_drum=True)
    for i, p in enumerate([72, 74, 76]):  # melody, 1 s notes
        piano.notes.append(pretty_midi.Note(90, p, float(i), float(i + 1)))
        piano.notes.append(pretty_midi.Note(70, p - 12, float(i), float(i + 1)))  # chord tone under it
    piano.notes.append(pretty_midi.Note(70, 50, 0.5, 1.0))  # a lower voice moving under a held note
    drums.notes.append(pretty_midi.Note(100, 90, 0.0, 0.1))  # above everything, but a drum
    midi.instruments += [piano, drums]
    assert [(p, round(s, 2), round(d, 2)) for p, s, d in skyline_notes(midi)] == [
        (72, 0.0, 1.0), (74, 1.0, 1.0), (76, 2.0, 1.0)]


@pytest.fixture
def config(tmp_path: Path) -> LibraryConfig:
    # Two songs the fake model cannot tell apart: the melody alone must decide. The fake space's margins
    # are not the trained model's, so the confidences use a calibration on its own scale.
    return LibraryConfig(name="t", path=str(tmp_path / "qdrant"), audio_dir=str(tmp_path / "audio"),
                         calibration_file=str(tmp_path / "cal.json"), summaries_per_song=2,
                         calibration=Calibration(margin_weight=40.0, score_weight=0.0, bias=-1.0))


class TieEmbedder:
    """Every window of every clip lands on the same point: the model sees no difference between songs."""

    dim = 8
    sample_rate_hz = SR

    def embed(self, samples: np.ndarray) -> object:
        from music_models.space.embed import EmbeddedClip

        n = max(1, int(len(samples) / SR) - 3)
        return EmbeddedClip(np.ones((n, 8), dtype=np.float32), tuple(float(i) for i in range(n)), 4.0,
                            len(samples) / SR, {"features": 0.0, "embed": 0.0})


@pytest.mark.integration
def test_identify_uses_the_stored_melodies_to_break_a_model_tie(config: LibraryConfig) -> None:
    from types import SimpleNamespace

    from music_models.library.indexer import store_tune_melodies

    query = tones([p + 3 for p in TUNE_B[2:22]], note_s=0.45)  # song b, 3 semitones up, a little slower
    for weight, expected in ((MM.weight, "b"), (0.0, "a")):  # off: the tie goes to the first song id
        cfg = replace(config, melody_match=replace(MM, weight=weight))
        with Library.open(cfg, embedder=TieEmbedder(), create=True) as lib:
            for sid in ("a", "b"):
                lib.add_song(SongRecord(sid, f"Song {sid}", audio_path=f"/x/{sid}.wav"), z=np.ones((20, 8)),
                             starts_s=[float(i) for i in range(20)])
            tunes = [SimpleNamespace(tune_id=sid, notes=tuple(notes_of(p)), tempo_qpm=120.0)  # what it reads of a Tune
                     for sid, p in (("a", TUNE_A), ("b", TUNE_B))]
            assert store_tune_melodies(lib, tunes) == (2 if weight else 0)  # kept on disk between runs
            result = lib.identify(query, SR, top_k=2)
        assert result.verdict in ("match", "unsure") and result.results[0].song_id == expected, weight
    assert result.results[0].confidence < 0.5  # a tie is never a match


TUNE_C = [67, 69, 71, 72, 74, 72, 71, 69, 67, 62, 64, 66, 67, 69, 71, 67, 64, 62, 60, 62] * 2


@contextmanager
def _three_tied_songs(cfg: LibraryConfig) -> Iterator[Library]:
    """A library of songs "a", "b", "c" (TUNE_A, TUNE_B, TUNE_C) that the fake model cannot tell apart,
    their melodies stored."""
    from types import SimpleNamespace

    from music_models.library.indexer import store_tune_melodies

    with Library.open(cfg, embedder=TieEmbedder(), create=True) as lib:
        for sid in ("a", "b", "c"):
            lib.add_song(SongRecord(sid, f"Song {sid}", audio_path=f"/x/{sid}.wav"), z=np.ones((20, 8)),
                         starts_s=[float(i) for i in range(20)])
        store_tune_melodies(lib, [SimpleNamespace(tune_id=sid, notes=tuple(notes_of(p)), tempo_qpm=120.0)
                                  for sid, p in (("a", TUNE_A), ("b", TUNE_B), ("c", TUNE_C))])
        yield lib


@pytest.mark.integration
@pytest.mark.parametrize("track", ["pyin", "gate"])
def test_an_unsure_answer_widens_the_search_to_every_songs_melody(config: LibraryConfig, track: str) -> None:
    # One candidate only (the model's tie goes to "a"), and a calibration that is never sure: the right
    # song "c" is outside the candidates, so only the widened search over every melody can find it.
    cfg = replace(config, melody_match=replace(MM, candidates=1, wide_pitch_track=track),
                  calibration=Calibration(margin_weight=1.0, score_weight=0.0, bias=-10.0))
    query = tones([p - 2 for p in TUNE_C[3:23]], note_s=0.45)
    with _three_tied_songs(cfg) as lib:
        narrow = lib.identify(query, SR, top_k=3, widen=False)
        wide = lib.identify(query, SR, top_k=3)
    assert narrow.verdict == "unsure" and narrow.results[0].song_id == "a"
    assert wide.verdict == "unsure" and wide.results[0].song_id == "c"
    assert all(h.confidence < cfg.match_confidence for h in wide.results)


@pytest.mark.integration
def test_a_sure_answer_whose_melody_does_not_fit_is_widened(config: LibraryConfig) -> None:
    """The calibration is always sure, but the one candidate's melody is not what was hummed: with the
    melody-fit rule (off by default) the answer is "unsure" and the widened search finds the hummed song;
    with the rule off (inf) the confident wrong answer stands."""
    query = tones([p - 2 for p in TUNE_C[3:23]], note_s=0.45)
    got = {}
    for threshold in (0.6, float("inf")):
        cfg = replace(config, melody_match=replace(MM, candidates=1, widen_above_cost_semitones=threshold),
                      calibration=Calibration(margin_weight=1.0, score_weight=0.0, bias=10.0))
        with _three_tied_songs(cfg) as lib:
            got[threshold] = lib.identify(query, SR, top_k=3)
    fitted, blind = got[0.6], got[float("inf")]
    assert blind.verdict == "match" and blind.results[0].song_id == "a"  # sure, and wrong
    assert fitted.verdict == "unsure" and fitted.results[0].song_id == "c"


@pytest.mark.integration
def test_a_barely_sure_match_gets_a_second_opinion(config: LibraryConfig) -> None:
    """A calibration that is sure, but not very (~0.73): with ``widen_below_confidence`` above that, the
    widened search doubts a wrong first answer (it keeps first place but becomes "unsure", the hummed song
    right below it) and confirms a right one (the match stands, with its first confidence); at the
    shipped threshold neither is widened."""
    calm = Calibration(margin_weight=1.0, score_weight=0.0, bias=1.0)
    wrong_query = tones([p - 2 for p in TUNE_C[3:23]], note_s=0.45)  # "c"; the one candidate is "a"
    right_query = tones([p + 1 for p in TUNE_A[3:23]], note_s=0.45)  # "a" itself
    got = {}
    for below in (0.5, 0.9):
        cfg = replace(config, melody_match=replace(MM, candidates=1, widen_below_confidence=below), calibration=calm)
        with _three_tied_songs(cfg) as lib:
            got[below] = (lib.identify(wrong_query, SR, top_k=3), lib.identify(right_query, SR, top_k=3))
    (blind_wrong, blind_right), (checked_wrong, checked_right) = got[0.5], got[0.9]
    assert blind_wrong.verdict == "match" and blind_wrong.results[0].song_id == "a"  # sure, and wrong
    assert checked_wrong.verdict == "unsure" and [h.song_id for h in checked_wrong.results[:2]] == ["a", "c"]
    assert [h.rank for h in checked_wrong.results] == [1, 2, 3]
    assert all(h.confidence < cfg.match_confidence for h in checked_wrong.results)
    assert blind_right.verdict == checked_right.verdict == "match"
    assert checked_right.results[0].song_id == "a"
    assert checked_right.results[0].confidence == blind_right.results[0].confidence


def test_no_alignment_when_the_model_alone_is_sure(config: LibraryConfig) -> None:
    with Library.open(config, embedder=TieEmbedder(), create=True) as lib:
        lib.melodies.save("a", song_melody(notes=notes_of(TUNE_A), tempo_qpm=120.0, config=MM))
        lib.melodies.save("b", song_melody(notes=notes_of(TUNE_B), tempo_qpm=120.0, config=MM))
        track = PitchTrack(25.0, np.repeat(np.asarray(TUNE_B[:20], dtype=float), 13), np.ones(260))  # sounds like b
        close = [("a", 0.60, 0.0), ("b", 0.58, 0.0)]
        sure = [("a", 0.60, 0.0), ("b", 0.60 - MM.skip_margin, 0.0)]
        assert lib.rerank_by_melody(close, track=track).scored[0][0] == "b"  # the melody decides
        kept = lib.rerank_by_melody(sure, track=track)
        assert kept.scored == sure and kept.contour.size == 0  # nothing aligned, nothing to widen


def test_melody_match_config_refuses_an_unknown_wide_pitch_track() -> None:
    from music_models.errors import ConfigError

    MM.validate()
    with pytest.raises(ConfigError, match="widen_above_cost_semitones"):
        replace(MM, widen_above_cost_semitones=0.0).validate()
    assert MelodyMatchConfig.from_dict(json.loads(json.dumps(replace(MM, widen_above_cost_semitones=float("inf"))
                                                             .to_dict()))).widen_above_cost_semitones == float("inf")
    assert MelodyMatchConfig.from_dict(MM.to_dict()) == MM
    with pytest.raises(ConfigError, match="widen_below_confidence"):
        replace(MM, widen_below_confidence=1.5).validate()
    with pytest.raises(ConfigError, match="wide_pitch_track"):
        replace(MM, wide_pitch_track="crepe").validate()
    with pytest.raises(ConfigError, match="wide_weight"):
        replace(MM, wide_weight=-0.1).validate()


def test_pitch_range_covers_the_contour_with_a_margin_and_falls_back_to_the_full_range() -> None:
    lo, hi = pitch_range_hz(contour=np.array([57.0, 60.0, 69.0]), margin_semitones=12.0, floor_hz=60.0, ceiling_hz=3300.0)
    assert lo == pytest.approx(110.0, rel=1e-6) and hi == pytest.approx(880.0, rel=1e-6)  # A2 .. A5
    assert pitch_range_hz(contour=np.array([30.0]), margin_semitones=7.0, floor_hz=60.0,
                          ceiling_hz=3300.0)[0] == 60.0  # never below the floor
    assert pitch_range_hz(contour=np.zeros(0), margin_semitones=7.0, floor_hz=60.0, ceiling_hz=3300.0) == (60.0, 3300.0)
    assert pitch_range_hz(contour=np.array([130.0]), margin_semitones=0.0, floor_hz=60.0,
                          ceiling_hz=3300.0) == (60.0, 3300.0)  # nothing left inside the limits: all of it
