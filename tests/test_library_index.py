"""Indexing: idempotent ids, resume after an interruption, bad files skipped and counted, MIDI rendered."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from test_library import SR, FakeEmbedder, melody, song_pitches

from music_models.errors import AudioInputError
from music_models.library import Library, LibraryConfig
from music_models.library.audio_files import read_audio_file
from music_models.library.indexer import file_song_id, index_paths
from music_models.library.store import LibraryStore

pytestmark = pytest.mark.integration  # the real local Qdrant store


@pytest.fixture
def config(tmp_path: Path) -> LibraryConfig:
    return LibraryConfig(name="idx", path=str(tmp_path / "qdrant"), audio_dir=str(tmp_path / "audio"))


@pytest.fixture
def music(tmp_path: Path) -> Path:
    folder = tmp_path / "music"
    (folder / "sub").mkdir(parents=True)
    sf.write(folder / "a.wav", melody(song_pitches(0, seconds=8)), SR)
    sf.write(folder / "sub" / "b.flac", melody(song_pitches(1, seconds=10)), SR)
    with sf.SoundFile(folder / "c.ogg", "w", 22_050, 2, format="OGG") as f:  # other rate, stereo, tagged
        f.title = "Tagged Title"
        f.artist = "Someone"
        y = melody(song_pitches(2, seconds=6))
        import soxr

        y = soxr.resample(y, SR, 22_050)
        f.write(np.stack([y, y], axis=1))
    (folder / "notes.txt").write_text("not music, ignored inside folders")
    return folder


def _counts(lib: Library) -> tuple[int, int]:
    return len(lib.store.songs()), lib.store.count_segments()


def test_reindexing_adds_nothing(config: LibraryConfig, music: Path) -> None:
    with Library.open(config, embedder=FakeEmbedder(), create=True) as lib:
        first = index_paths(lib, [music], progress=False)
        assert (first.indexed, first.already_present, first.failed) == (3, 0, ())
        counts = _counts(lib)
        assert counts == (3, first.segments_added) and first.segments_added == 5 + 7 + 3
        again = index_paths(lib, [music, music / "a.wav"], progress=False)
        assert (again.indexed, again.already_present, again.segments_added) == (0, 3, 0)
        assert _counts(lib) == counts
        c = lib.song(file_song_id(music / "c.ogg"))
        assert (c.title, c.artist, c.collection) == ("Tagged Title", "Someone", "user")
        assert lib.song(file_song_id(music / "a.wav")).title == "a"
        assert Path(c.audio_path).is_file() and c.key and c.duration_s == pytest.approx(6.0, abs=0.01)
        lib.clear()  # --rebuild
        assert _counts(lib) == (0, 0) and len(lib) == 0
        assert index_paths(lib, [music], progress=False).indexed == 3


def test_interrupted_run_resumes(config: LibraryConfig, music: Path) -> None:
    with Library.open(config, embedder=FakeEmbedder(fail_on=2), create=True) as lib:
        with pytest.raises(RuntimeError, match="injected"):
            index_paths(lib, [music], progress=False)
        assert _counts(lib)[0] == 1  # the first file was committed before the crash
    with Library.open(config, embedder=FakeEmbedder()) as lib:
        report = index_paths(lib, [music], progress=False)
        assert (report.indexed, report.already_present) == (2, 1)
        assert _counts(lib) == (3, 15)


def test_crash_between_segments_and_commit_leaves_no_half_song(
    config: LibraryConfig, music: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_commit = LibraryStore.commit_song
    calls = {"n": 0}

    def dying_commit(self: LibraryStore, song, *, summaries):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # killed after the segments of the 2nd song were written
        return real_commit(self, song, summaries=summaries)

    monkeypatch.setattr(LibraryStore, "commit_song", dying_commit)
    with Library.open(config, embedder=FakeEmbedder(), create=True) as lib:
        with pytest.raises(KeyboardInterrupt):
            index_paths(lib, [music], progress=False)
        songs, segments = _counts(lib)
        assert songs == 1 and segments > 5  # the half-written song's segments are there, uncommitted
        monkeypatch.setattr(LibraryStore, "commit_song", real_commit)
        report = index_paths(lib, [music], progress=False)
        assert (report.indexed, report.already_present) == (2, 1)
        assert _counts(lib) == (3, 15)  # deterministic ids: the re-written segments replaced, not duplicated


def _long_flac(path: Path, seconds: int) -> None:
    """A 1 s FLAC whose header claims ``seconds`` (the reader must refuse it before decoding)."""
    sf.write(path, np.zeros(SR, dtype=np.float32), SR)
    b = bytearray(path.read_bytes())
    v = int.from_bytes(b[18:26], "big")
    b[18:26] = ((v & ~((1 << 36) - 1)) | seconds * SR).to_bytes(8, "big")
    path.write_bytes(bytes(b))


def _low_rate_wav(path: Path) -> None:
    n = 4000
    hdr = (b"RIFF" + struct.pack("<I", 36 + 2 * n) + b"WAVE" + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 2000, 4000, 2, 16)
           + b"data" + struct.pack("<I", 2 * n))
    path.write_bytes(hdr + b"\x01\x00" * n)


@pytest.mark.parametrize(("name", "make", "message"), [
    ("corrupt.wav", lambda p: p.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunk" + bytes(range(200))), "not a readable"),
    ("empty.flac", lambda p: p.write_bytes(b""), "empty"),
    ("text.mp3", lambda p: p.write_text("this is a text file, not audio\n" * 20), "not a readable"),
    ("hour.flac", lambda p: _long_flac(p, 3700), "longer than the 60 min limit"),
    ("lowrate.wav", _low_rate_wav, "unsupported sample rate 2000 Hz"),
    ("silence.wav", lambda p: sf.write(p, np.zeros(SR // 2, np.float32), SR), "too short to index"),
])
def test_bad_files_are_skipped_and_counted(config: LibraryConfig, music: Path, tmp_path: Path, name: str,
                                           make, message: str) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / name
    make(bad)
    if message != "too short to index":
        with pytest.raises(AudioInputError, match=message):
            read_audio_file(bad)
    with Library.open(config, embedder=FakeEmbedder(), create=True) as lib:
        index_paths(lib, [music / "a.wav"], progress=False)
        report = index_paths(lib, [bad, music], progress=False)
        assert report.indexed == 2 and report.already_present == 1
        assert len(report.failed) == 1 and report.failed[0][0] == str(bad) and message in report.failed[0][1]
        assert _counts(lib)[0] == 3  # nothing already indexed was lost


def test_missing_and_unsupported_paths_are_reported(config: LibraryConfig, tmp_path: Path) -> None:
    other = tmp_path / "cover.jpg"
    other.write_bytes(b"\xff\xd8\xff")
    with Library.open(config, embedder=FakeEmbedder(), create=True) as lib:
        report = index_paths(lib, [tmp_path / "nope.wav", other], progress=False)
    reasons = dict(report.failed)
    assert report.indexed == 0 and "no such file" in reasons[str(tmp_path / "nope.wav")]
    assert "unsupported file type .jpg" in reasons[str(other)]


def test_midi_is_rendered_and_kept_for_playback(config: LibraryConfig, tmp_path: Path) -> None:
    import pretty_midi

    midi = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(program=73, name="Lark in the Morning")
    for i, p in enumerate(song_pitches(5, seconds=8)):
        inst.notes.append(pretty_midi.Note(velocity=90, pitch=int(p), start=i * 0.5, end=i * 0.5 + 0.45))
    inst_path = tmp_path / "lark.mid"
    midi.instruments.append(inst)
    midi.write(str(inst_path))
    with Library.open(config, embedder=FakeEmbedder(), create=True) as lib:
        report = index_paths(lib, [inst_path], progress=False)
        assert report.indexed == 1, report.failed
        song = lib.song(file_song_id(inst_path))
        melody = lib.melodies.load([song.song_id])[song.song_id]  # its notes, for identify's melody re-rank
    assert song.title == "Lark in the Morning" and song.source_path == str(inst_path.resolve())
    assert melody.size >= 75 and set(np.round(melody).astype(int)) <= {int(p) for p in song_pitches(5, seconds=8)}
    assert Path(song.audio_path).is_file() and Path(song.audio_path).parent == Path(config.audio_dir) / "midi"
    assert sf.info(song.audio_path).samplerate == SR and song.n_segments >= 5


def test_audio_files_get_an_estimated_melody_only_when_asked(config: LibraryConfig, music: Path) -> None:
    from dataclasses import replace

    song_id = file_song_id(music / "a.wav")
    with Library.open(config, embedder=FakeEmbedder(), create=True) as lib:
        index_paths(lib, [music / "a.wav"], progress=False)
        assert not lib.melodies.has(song_id)  # the default: no notes, no melody, the model alone ranks it
    asked = config.replace(audio_melody=replace(config.audio_melody, enabled=True))
    with Library.open(asked, embedder=FakeEmbedder(), create=True) as lib:
        again = index_paths(lib, [music / "a.wav"], progress=False)  # a song indexed without one gets one
        assert (again.indexed, again.already_present) == (0, 1)
        backfilled = lib.melodies.load([song_id])[song_id]
        lib.clear()
        assert index_paths(lib, [music / "a.wav"], progress=False).indexed == 1
        lib.melodies = type(lib.melodies)(lib.melodies.folder)  # read it back from disk
        fresh = lib.melodies.load([song_id])[song_id]
    truth = np.repeat(song_pitches(0, seconds=8), 5)  # 0.5 s notes at 10 Hz
    n = min(fresh.size, truth.size)
    assert abs(fresh.size - truth.size) <= 2
    assert np.mean(np.abs(fresh[:n] - truth[:n]) <= 0.5) >= 0.8
    np.testing.assert_array_equal(backfilled, fresh)
