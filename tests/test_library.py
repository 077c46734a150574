"""The song library end to end on the real local Qdrant store, with a fake embedder at the model's
interface (so retrieval is tested with known answers, independent of any trained model)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from music_models.errors import ConfigError, LibraryError
from music_models.features.windows import window_starts_s
from music_models.library import Library, LibraryConfig, SongRecord
from music_models.library.align import (
    distance_matrix,
    temporal_alignment,
    temporal_alignment_numpy,
    temporal_alignments,
    vote,
)
from music_models.library.calibration import calibrate, calibration_pair, confidences
from music_models.library.config import Calibration
from music_models.library.types import IdentifyResult
from music_models.space.embed import EmbeddedClip

SR = 16_000
NOTE_S = 0.5


class FakeEmbedder:
    """8-d z per 4 s window: the pitch of each half second (notes of the test melodies are 0.5 s long).

    ``table`` maps the SHA-1 of a query's samples to hand-made vectors (one per second); ``fail_on``
    makes the n-th call raise (an interrupted indexing run).
    """

    dim = 8
    sample_rate_hz = SR

    def __init__(self, table: dict[str, np.ndarray] | None = None, fail_on: int | None = None) -> None:
        self.table = table or {}
        self.fail_on = fail_on
        self.calls = 0

    @staticmethod
    def key(samples: np.ndarray) -> str:
        return hashlib.sha1(np.asarray(samples, dtype=np.float32).tobytes()).hexdigest()

    def embed(self, samples: np.ndarray) -> EmbeddedClip:
        self.calls += 1
        if self.fail_on is not None and self.calls == self.fail_on:
            raise RuntimeError("injected failure: the process died here")
        x = np.asarray(samples, dtype=np.float32)
        dur = len(x) / SR
        if self.key(x) in self.table:
            z = self.table[self.key(x)]
            starts = [float(i) for i in range(len(z))]
        else:
            starts = window_starts_s(dur)
            z = np.stack([[self._pitch(x, s + NOTE_S * b) for b in range(8)] for s in starts])
        return EmbeddedClip(np.asarray(z, dtype=np.float32), tuple(starts), 4.0, dur,
                            {"features": 0.1, "embed": 0.1})

    @staticmethod
    def _pitch(x: np.ndarray, start_s: float) -> float:
        a = round(start_s * SR)
        seg = x[a:a + int(NOTE_S * SR)]
        if len(seg) < 512 or not np.any(seg):
            return 0.0
        spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg))))
        f = np.fft.rfftfreq(len(seg), 1 / SR)[spec[1:].argmax() + 1]
        return float((69 + 12 * np.log2(f / 440.0) - 66) / 6)


def melody(pitches: list[int] | np.ndarray, *, note_s: float = NOTE_S, rms: float = 0.1) -> np.ndarray:
    """Sine tones with short fades: a clean melody the gate accepts."""
    n = int(note_s * SR)
    t = np.arange(n) / SR
    env = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
    y = np.concatenate([np.sin(2 * np.pi * 440 * 2 ** ((p - 69) / 12) * t) * env for p in pitches])
    return (y * rms * np.sqrt(2)).astype(np.float32)


def song_pitches(i: int, *, seconds: int = 20) -> np.ndarray:
    return np.random.default_rng(100 + i).integers(55, 80, size=int(seconds / NOTE_S))


@pytest.fixture
def config(tmp_path: Path) -> LibraryConfig:
    return LibraryConfig(name="t", path=str(tmp_path / "qdrant"), calibration_file=str(tmp_path / "cal.json"),
                         summaries_per_song=2, tempo_ratios=(0.8, 1.0, 1.25))


def add_vectors(lib: Library, song_id: str, z: np.ndarray) -> None:
    lib.add_song(SongRecord(song_id, f"Song {song_id}", collection="tests", audio_path=f"/x/{song_id}.wav",
                            tempo_qpm=120.0, key="G major"), z=z, starts_s=[float(i) for i in range(len(z))])


# -- pure aggregation ------------------------------------------------------------------------------
def test_temporal_alignment_finds_offset_and_tempo_ratio() -> None:
    rng = np.random.default_rng(0)
    segs = rng.standard_normal((30, 4))
    q_starts = [0.0, 1.0, 2.0, 3.0, 4.0]
    query = segs[[10, 11, 12, 13, 14]] + 0.01  # recording advances 1 s per query second
    a = temporal_alignment(distances=distance_matrix(query=query, segments=segs), query_starts_s=q_starts,
                           segment_starts_s=np.arange(30.0), ratios=(0.7, 1.0, 1.4))
    assert a.offset_s == 10.0 and a.tempo_ratio == 1.0 and a.cost < 0.05
    slow = segs[[4, 5, 6, 8, 9]]  # hummed faster: 1.25 s of recording per second
    b = temporal_alignment(distances=distance_matrix(query=slow, segments=segs), query_starts_s=q_starts,
                           segment_starts_s=np.arange(30.0), ratios=(0.8, 1.0, 1.25))
    assert b.offset_s == 4.0 and b.tempo_ratio == 1.25 and b.cost < 1e-6


def test_temporal_alignment_agrees_with_the_plain_numpy_search() -> None:
    """Irregular segment grids (a song's last segment, hops that are not 1 s), query starts that are not
    whole seconds (a time-scaled clip), ratios that land exactly on segments, and ties."""
    rng = np.random.default_rng(7)
    for trial in range(200):
        n_q, n_s = int(rng.integers(1, 12)), int(rng.integers(2, 60))
        seg = np.cumsum(rng.choice([0.5, 1.0, 1.0, 1.0, 0.75], size=n_s)) - 0.5
        q_starts = np.cumsum(np.r_[rng.uniform(0, 3), rng.choice([1.0, 0.8, 1.25], size=n_q - 1)])
        ratios = np.array((0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4))
        d = rng.uniform(0.5, 3.0, size=(n_q, n_s)).round(1 if trial % 3 == 0 else 6)  # rounded: many ties
        a = temporal_alignment(distances=d, query_starts_s=q_starts, segment_starts_s=seg, ratios=ratios)
        ref = temporal_alignment_numpy(distances=d, query_starts_s=q_starts, segment_starts_s=seg, ratios=ratios)
        assert a.cost == pytest.approx(ref.cost, rel=1e-12) and (a.offset_s, a.tempo_ratio) == (ref.offset_s, ref.tempo_ratio), trial
    # many songs in one call (as identify makes it), a one-segment song among them: the same per song
    songs = [rng.uniform(0.5, 3.0, size=(6, n)) for n in (40, 1, 2, 33)]
    starts = [np.arange(float(x.shape[1])) for x in songs]
    q = np.arange(6.0) * 1.25
    many = temporal_alignments(distances=songs, query_starts_s=q, segment_starts_s=starts, ratios=(0.8, 1.0, 1.25))
    one = [temporal_alignment_numpy(distances=d, query_starts_s=q, segment_starts_s=st, ratios=(0.8, 1.0, 1.25))
           for d, st in zip(songs, starts)]
    assert [(a.offset_s, a.tempo_ratio) for a in many] == [(b.offset_s, b.tempo_ratio) for b in one]
    assert [a.cost for a in many] == pytest.approx([b.cost for b in one], rel=1e-12)
    assert temporal_alignments(distances=[], query_starts_s=q, segment_starts_s=[], ratios=(1.0,)) == []
    empty = temporal_alignments(distances=[np.zeros((6, 0)), songs[0]], query_starts_s=q,
                                segment_starts_s=[np.zeros(0), starts[0]], ratios=(0.8, 1.0, 1.25))
    assert empty[0].cost == np.inf and empty[1] == many[0]  # a song without segments never matches


def test_calibration_fit_separates_right_from_wrong(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    right = [(float(rng.uniform(0.05, 0.3)), float(rng.uniform(0.4, 0.8))) for _ in range(40)]
    wrong = [(float(rng.uniform(0.0, 0.06)), float(rng.uniform(0.1, 0.5))) for _ in range(40)]
    cal = calibrate(features=right + wrong, correct=[True] * 40 + [False] * 40, out_path=tmp_path / "c.json")
    assert cal.fitted_on == 80 and cal.margin_weight > 0
    assert Calibration.from_dict(json.loads((tmp_path / "c.json").read_text())) == cal
    hi, lo = confidences(scores=[0.7, 0.45], calibration=cal)
    assert hi > 0.8 and lo < 0.2


# -- the local store, end to end -------------------------------------------------------------------
@pytest.mark.integration
def test_right_song_ranks_first_from_audio(config: LibraryConfig, tmp_path: Path) -> None:
    import soundfile as sf

    from music_models.library.indexer import index_paths

    for i in range(6):
        sf.write(tmp_path / f"song{i}.wav", melody(song_pitches(i)), SR)
    with Library.open(config, embedder=FakeEmbedder(), create=True) as lib:
        report = index_paths(lib, [tmp_path], progress=False)
        assert report.indexed == 6 and not report.failed
        excerpt = melody(song_pitches(3)[10:26])  # song 3 from 5 s to 13 s
        noisy = excerpt + np.random.default_rng(0).normal(0, 0.003, excerpt.shape).astype(np.float32)
        stereo_44k = np.repeat(noisy, 2)[:, None].repeat(2, axis=1)  # another rate and two channels
        result = lib.identify(stereo_44k, 32_000, top_k=3)
    assert result.verdict == "match"
    best = result.results[0]
    assert best.title == "song3" and best.offset_s == 5.0 and best.rank == 1
    assert best.confidence > 0.9 and [h.rank for h in result.results] == [1, 2, 3]
    assert result.query_z is not None and result.query_z.shape[1] == 8


@pytest.mark.integration
def test_temporal_aggregation_beats_single_window_voting(config: LibraryConfig) -> None:
    """The decoy holds a near copy of every query window, scattered; the true song holds them in order."""
    rng = np.random.default_rng(7)
    truth = rng.standard_normal((12, 8)) * 2
    query = truth[3:8] + rng.normal(0, 0.5, (5, 8))
    decoy = rng.standard_normal((12, 8)) * 2
    for pos, i in zip((11, 0, 9, 2, 6), range(5)):  # nearer than the truth, but in no usable order
        decoy[pos] = query[i] + rng.normal(0, 0.05, 8)
    audio = melody([60, 62, 64, 65, 67, 69, 71, 72] * 2)
    fake = FakeEmbedder(table={FakeEmbedder.key(audio): query})
    ranked = {}
    for how in ("vote", "temporal"):
        with Library.open(config.replace(aggregation=how), embedder=fake, create=True) as lib:
            for sid, z in (("truth", truth), ("decoy", decoy), *((f"o{k}", rng.standard_normal((12, 8)) * 2)
                                                                 for k in range(4))):
                add_vectors(lib, sid, z)
            ranked[how] = [h.song_id for h in lib.identify(audio, SR, top_k=6).results]
    assert ranked["vote"][0] == "decoy"
    assert ranked["temporal"][0] == "truth"


@pytest.mark.integration
def test_unsure_when_two_songs_fit_equally(config: LibraryConfig) -> None:
    # The fake 8-d space's margins are not the trained model's: use a calibration on this space's scale
    # (the shipped default is fitted on the model's; its tie rule is checked below).
    config = replace(config, calibration=Calibration(margin_weight=40.0, score_weight=3.0, bias=-3.5))
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((10, 8)) * 2, rng.standard_normal((10, 8)) * 2
    audio = melody([64, 66, 68, 69, 71, 73, 74, 76] * 2)
    fake = FakeEmbedder(table={FakeEmbedder.key(audio): (a[2:7] + b[2:7]) / 2})
    with Library.open(config, embedder=fake, create=True) as lib:
        add_vectors(lib, "a", a)
        add_vectors(lib, "b", b)
        result = lib.identify(audio, SR)
    assert result.verdict == "unsure"
    assert {h.song_id for h in result.results} == {"a", "b"} and result.results[0].confidence < 0.5


def test_default_calibration_never_calls_a_tie_a_match() -> None:
    for score in np.linspace(0.0, 1.0, 11):
        assert max(confidences(scores=[score, score], calibration=Calibration())) < 0.5


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["silence", "white_noise", "too_short"])
def test_no_melody_never_names_a_song(config: LibraryConfig, kind: str) -> None:
    rng = np.random.default_rng(5)
    audio = {"silence": np.zeros(8 * SR, np.float32),
             "white_noise": (rng.standard_normal(8 * SR) * 0.05).astype(np.float32),
             "too_short": melody([60, 64, 67])}[kind]
    for beside in (False, True):  # the embedding runs beside the gate, or only after it heard a melody
        fake = FakeEmbedder()
        with Library.open(config.replace(embed_beside_gate=beside), embedder=fake, create=True) as lib:
            add_vectors(lib, "a", rng.standard_normal((10, 8)))
            result = lib.identify(audio, SR)
        assert result.verdict == "no_melody" and result.results == ()
        assert fake.calls == (1 if beside else 0)  # without it, no model work on what is not a melody
    with Library.open(config, embedder=FakeEmbedder(fail_on=1), create=True) as lib:  # beside the gate
        assert lib.identify(audio, SR).verdict == "no_melody"  # its failed, unused embedding is no error


@pytest.mark.integration
def test_json_shape_and_round_trip(config: LibraryConfig) -> None:
    rng = np.random.default_rng(2)
    z = rng.standard_normal((10, 8))
    audio = melody([60, 62, 64, 65, 67, 69, 71, 72] * 2)
    with Library.open(config, embedder=FakeEmbedder(table={FakeEmbedder.key(audio): z[1:6]}), create=True) as lib:
        add_vectors(lib, "a", z)
        add_vectors(lib, "b", rng.standard_normal((10, 8)))
        d = lib.identify(audio, SR, top_k=2, query="hum.wav").to_dict()
    assert list(d) == ["query", "duration_s", "verdict", "results", "timing_ms"]
    assert d["query"] == "hum.wav" and d["verdict"] in ("match", "unsure") and d["duration_s"] == 8.0
    assert [list(r) for r in d["results"]] == [["rank", "song_id", "title", "score", "confidence", "offset_s"]] * 2
    assert list(d["timing_ms"]) == ["load", "features", "embed", "search", "total"]
    assert d["results"][0]["song_id"] == "a" and d["results"][0]["offset_s"] == 1.0
    assert all(0.0 <= r["confidence"] <= 1.0 for r in d["results"])
    assert IdentifyResult.from_dict(json.loads(json.dumps(d))).to_dict() == d
    pair = calibration_pair(result=IdentifyResult.from_dict(d), truth_song_id="a")
    assert pair is not None and pair[1] is True


@pytest.mark.integration
def test_songs_metadata_and_similar(config: LibraryConfig) -> None:
    rng = np.random.default_rng(4)
    with Library.open(config, embedder=FakeEmbedder(), create=True) as lib:
        z = rng.standard_normal((10, 8))
        lib.add_song(SongRecord("j1", "The Kesh Jig", collection="oneills1850", genre="jig", tempo_qpm=140.0,
                                key="G major", audio_path="/a/kesh.wav"), z=z, starts_s=list(range(10)))
        lib.add_song(SongRecord("c1", "Ach Gott, wie manches Herzeleid", collection="bachChorales",
                                genre="chorale", tempo_qpm=72.0, key="A minor"),
                     z=rng.standard_normal((8, 8)) + 5, starts_s=list(range(8)))
    with Library.open(config, embedder=FakeEmbedder()) as lib:  # reopened: everything was persisted
        assert len(lib) == 2 and lib.song("j1").audio_path == "/a/kesh.wav" and lib.song("j1").n_segments == 10
        assert [s.song_id for s in lib.search_metadata(title="kesh jig")] == ["j1"]
        assert [s.song_id for s in lib.search_metadata(collection="jigs")] == ["j1"]
        assert [s.song_id for s in lib.search_metadata(collection="chorales")] == ["c1"]
        assert [s.song_id for s in lib.search_metadata(mood="sad")] == ["c1"]
        assert [s.song_id for s in lib.search_metadata(mood="lively")] == ["j1"]
        assert lib.search_metadata(title="stairway to heaven") == []
        assert lib.similar_to(z[:3], limit=1)[0].song_id == "j1"
        with pytest.raises(LibraryError, match="no song"):
            lib.song("nope")


@pytest.mark.integration
def test_empty_and_missing_library_say_how_to_fix(config: LibraryConfig) -> None:
    with pytest.raises(LibraryError, match="humdinger library build"):
        Library.open(config)  # nothing on disk yet
    with Library.open(config, embedder=FakeEmbedder(), create=True) as lib, \
            pytest.raises(LibraryError, match="is empty"):
        lib.identify(melody([60] * 10), SR)


@pytest.mark.integration
def test_second_process_gets_a_clear_error(config: LibraryConfig) -> None:
    with Library.open(config, embedder=FakeEmbedder(), create=True) as lib:
        add_vectors(lib, "a", np.zeros((3, 8)))
        code = ("import sys\nfrom music_models.library import Library, LibraryConfig\n"
                "from music_models.errors import LibraryError\n"
                f"try:\n    Library.open(LibraryConfig(name='t', path={config.path!r}))\n"
                "except LibraryError as e:\n    print(e)\n    sys.exit(3)\n")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                             check=False)
    assert out.returncode == 3, out.stderr
    assert "open in another process" in out.stdout and "QDRANT_URL" in out.stdout


def test_vote_counts_windows() -> None:
    d = {"a": np.array([[0.1, 5.0], [5.0, 5.0]]), "b": np.array([[1.0], [0.2]])}
    assert vote(distances=d, segment_starts_s={"a": [0.0, 1.0], "b": [7.0]}) == {"a": (0.5, 0.0), "b": (0.5, 7.0)}


@pytest.mark.integration
def test_skills_use_the_library_through_their_protocol(config: LibraryConfig, tmp_path: Path) -> None:
    """identify_song names the hummed song; play_music then plays that song's recording."""
    import soundfile as sf

    from music_models.library.indexer import index_paths
    from skills.base import ConversationState, SkillContext, Utterance
    from skills.identify_song import IdentifySongSkill
    from skills.play_music import PlayMusicSkill

    for i in range(3):
        sf.write(tmp_path / f"song{i}.wav", melody(song_pitches(i)), SR)
    with Library.open(config, embedder=FakeEmbedder(), create=True) as lib:
        index_paths(lib, [tmp_path], progress=False)
        ctx = SkillContext(state=ConversationState(), library=lib)
        reply = IdentifySongSkill().on_audio(melody(song_pitches(2)[4:20]), SR, ctx)
        assert (reply.key, reply.slots) == ("identify.match", {"title": "song2"})
        played = PlayMusicSkill().handle(Utterance("play it", "play_music"), ctx)
        assert played.play_path == str((tmp_path / "song2.wav").resolve())
        silent = IdentifySongSkill().on_audio(np.zeros(5 * SR, np.float32), SR, ctx)
        assert silent.key == "identify.no_melody"


def test_calibration_keeps_a_tie_below_one_half_whatever_the_fit() -> None:
    rng = np.random.default_rng(0)
    # Right answers have big margins, but also LOW scores: an unconstrained fit with the score would
    # learn a negative score weight and call a tie of two weak songs a match.
    right = [(float(m), float(s)) for m, s in zip(rng.uniform(0.05, 0.3, 40), rng.uniform(0.0, 0.2, 40))]
    wrong = [(float(m), float(s)) for m, s in zip(rng.uniform(0.0, 0.04, 40), rng.uniform(0.3, 0.6, 40))]
    for use_score in (False, True):
        cal = calibrate(features=right + wrong, correct=[True] * 40 + [False] * 40, use_score=use_score)
        for score in np.linspace(0.0, 1.0, 11):
            assert max(confidences(scores=[score, score], calibration=cal)) < 0.5, (use_score, cal)


class _Versioned(FakeEmbedder):
    def __init__(self, sha: str) -> None:
        super().__init__()
        self.sha = sha

    def describe(self) -> dict[str, str]:
        return {"sha256": self.sha}


def test_songs_embedded_by_another_checkpoint_are_left_out_and_rebuilt(config: LibraryConfig) -> None:
    rng = np.random.default_rng(7)
    with Library.open(config, embedder=_Versioned("old"), create=True) as lib:
        add_vectors(lib, "a", rng.standard_normal((10, 8)))
        add_vectors(lib, "b", rng.standard_normal((10, 8)))
        assert lib.stale_songs() == set()
    with Library.open(config, embedder=_Versioned("new")) as lib:
        assert lib.stale_songs() == {"a", "b"}
        with pytest.raises(LibraryError, match="another model checkpoint"):
            lib.rank_windows(rng.standard_normal((3, 8)).astype(np.float32), [0.0, 1.0, 2.0], top_k=2)
        z = rng.standard_normal((10, 8))
        add_vectors(lib, "b", z)  # re-embedded with the current checkpoint
        assert lib.stale_songs() == {"a"} and lib.songs["b"].model_sha256 == "new"
        hits = lib.rank_windows(z[2:5].astype(np.float32), [0.0, 1.0, 2.0], top_k=2)
        assert [h.song_id for h in hits] == ["b"]  # "a" is left out of search until re-embedded


def test_songs_with_no_recorded_checkpoint_count_as_stale(config: LibraryConfig) -> None:
    rng = np.random.default_rng(8)
    with Library.open(config, embedder=FakeEmbedder(), create=True) as lib:  # records no checkpoint
        add_vectors(lib, "a", rng.standard_normal((10, 8)))
        assert lib.songs["a"].model_sha256 == "" and lib.stale_songs() == set()
    with Library.open(config, embedder=_Versioned("new")) as lib:
        assert lib.stale_songs() == {"a"}


def test_segment_matrix_is_cached_beside_the_store_and_rebuilt_after_writes(config: LibraryConfig) -> None:
    rng = np.random.default_rng(11)
    za = rng.standard_normal((10, 8))
    with Library.open(config, embedder=FakeEmbedder(), create=True) as lib:
        add_vectors(lib, "a", za)
        assert lib.segment_matrix().song_ids == ("a",)
    assert config.segment_cache_path().is_file()
    with Library.open(config, embedder=FakeEmbedder()) as lib:
        def no_store_reads(*args: object, **kwargs: object) -> None:
            raise AssertionError("the cached matrix should have been used")

        real = lib.store.all_segments
        lib.store.all_segments = no_store_reads  # type: ignore[method-assign]
        hits = lib.rank_windows(za[2:5].astype(np.float32), [0.0, 1.0, 2.0], top_k=1)
        assert [h.song_id for h in hits] == ["a"]
        lib.store.all_segments = real  # type: ignore[method-assign]
        add_vectors(lib, "b", rng.standard_normal((10, 8)))  # a write: the cache no longer matches
        assert lib.segment_matrix().song_ids == ("a", "b")


def test_warm_up_notes_pass_the_melody_gate() -> None:
    """Library.warm() identifies these notes so the first real hum does not pay for compiled-code loading;
    they must pass the melody gate, or the warm-up would stop before the embedding and the re-rank."""
    from music_models.library.config import LibraryConfig
    from music_models.library.library import warm_up_notes
    from music_models.library.melody import analyse_melody

    notes = warm_up_notes(sample_rate_hz=16000)
    assert notes.dtype == np.float32 and len(notes) == 4 * 16000
    melody, _ = analyse_melody(samples=notes, config=LibraryConfig().melody)
    assert melody.is_melody


def test_a_melody_that_only_just_passes_the_gate_is_never_a_match() -> None:
    """clearly_melodic: the gate's pass plus room to spare on both measures (glides, held pitch)."""
    from music_models.library.config import MelodyGateConfig
    from music_models.library.melody import clearly_melodic
    from music_models.library.types import MelodyCheck

    g = MelodyGateConfig()
    ok = MelodyCheck(True, 8.0, g.sure_max_glide_fraction - 0.05, 0.6, -20.0, steady_fraction=g.sure_min_steady_fraction + 0.1)
    assert clearly_melodic(ok, g)
    assert not clearly_melodic(replace(ok, glide_fraction=g.sure_max_glide_fraction + 0.01), g)
    assert not clearly_melodic(replace(ok, steady_fraction=g.sure_min_steady_fraction - 0.01), g)
    assert not clearly_melodic(replace(ok, is_melody=False), g)


class _ScalingEmbedder(FakeEmbedder):
    """At its own tempo the query's windows fit no song; played 1.25x faster they are song "slow"'s
    segments 4-8 (a person hummed it at 0.8x the recording's tempo)."""

    def __init__(self, slow: np.ndarray) -> None:
        super().__init__()
        self.slow = slow
        self.factors: list[tuple[float, ...]] = []

    def embed_time_scaled(self, samples: np.ndarray, factors: tuple[float, ...]) -> list[EmbeddedClip]:
        self.factors.append(tuple(factors))
        rng = np.random.default_rng(3)
        clips = []
        for f in factors:
            z = self.slow[4:9] + 0.01 if f == 1.25 else rng.standard_normal((7, 8)) * 2
            clips.append(EmbeddedClip(np.asarray(z, dtype=np.float32), tuple(float(i) for i in range(len(z))),
                                      4.0, len(samples) / SR / f, {"features": 1.0, "embed": 0.5}))
        return clips


@pytest.mark.integration
def test_a_slow_query_is_found_when_also_embedded_faster(config: LibraryConfig) -> None:
    rng = np.random.default_rng(21)
    slow = rng.standard_normal((12, 8)) * 2
    audio = melody([60, 62, 64, 65, 67, 69, 71, 72] * 2)
    found = {}
    for scales in ((1.0,), (1.0, 1.25)):
        fake = _ScalingEmbedder(slow)
        with Library.open(config.replace(query_time_scales=scales), embedder=fake, create=True) as lib:
            add_vectors(lib, "slow", slow)
            for k in range(5):
                add_vectors(lib, f"o{k}", rng.standard_normal((12, 8)) * 2)
            result = lib.identify(audio, SR, top_k=6)
        found[scales] = result
        if scales == (1.0,):
            assert fake.factors == []  # one tempo: the plain embed path
    best = found[(1.0, 1.25)].results[0]
    assert best.song_id == "slow" and best.offset_s == 4.0 and found[(1.0, 1.25)].verdict == "match"
    assert found[(1.0, 1.25)].query_z.shape == (7, 8)  # the query at its own tempo, for "play something like it"
    assert found[(1.0, 1.25)].timing_ms["embed"] == 1.0  # both clips' embedding time
    assert found[(1.0,)].results[0].score < best.score


def test_query_time_scales_are_checked_and_round_trip(config: LibraryConfig) -> None:
    with pytest.raises(ConfigError, match="query_time_scales"):
        config.replace(query_time_scales=()).validate()
    with pytest.raises(ConfigError, match="query_time_scales"):
        config.replace(query_time_scales=(1.0, 0.0)).validate()
    c = config.replace(query_time_scales=(1.0, 1.2))
    assert LibraryConfig.from_dict(json.loads(json.dumps(c.to_dict()))).query_time_scales == (1.0, 1.2)
