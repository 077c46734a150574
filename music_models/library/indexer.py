"""Adding music to a library: a user's files (``humdinger index``) and the bundled corpus
(``humdinger library build``).

Ids are idempotent: a file's song id is the hash of its content, a corpus tune's is its tune id, and
segment point ids derive from (song id, window index). A song is committed (its summaries written)
only after all its segments are in, so an interrupted run resumes where it stopped and re-indexing
adds nothing. A bad file is skipped with its reason and counted; the run goes on.

Songs with notes (corpus tunes, MIDI files' top line) also get their melody contour stored
(:class:`~music_models.library.melodies.MelodyFiles`) for identify's melody re-rank. An audio file has no
notes; with ``LibraryConfig.audio_melody.enabled`` (``humdinger index --estimate-melody``) it gets the
predominant melody estimated from the recording (:mod:`~music_models.library.audio_melody`), also when it
was indexed before without one.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from music_models.errors import AudioInputError, RenderError
from music_models.library.config import AUDIO_SUFFIXES, MIDI_SUFFIXES
from music_models.library.library import Library
from music_models.library.types import IndexReport, SongRecord
from music_models.types import Tune

__all__ = ["MIN_SONG_S", "audio_file_melody", "build_from_tunes", "discover", "file_song_id", "index_paths",
           "index_recording", "midi_file_melody", "store_tune_melodies"]

logger = logging.getLogger(__name__)

MIN_SONG_S = 2.0  # shorter recordings hold too little to match a query against


def file_song_id(path: str | Path) -> str:
    """The first 20 hex digits of the file's SHA-256: the same content always gets the same id."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:20]


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to index (folders searched recursively for known suffixes) and named paths that cannot be."""
    suffixes = AUDIO_SUFFIXES + MIDI_SUFFIXES
    files: list[Path] = []
    bad: list[tuple[str, str]] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in suffixes))
        elif p.is_file():
            if p.suffix.lower() in suffixes:
                files.append(p)
            else:
                bad.append((str(p), f"unsupported file type {p.suffix or '(none)'}; use {', '.join(suffixes)}"))
        else:
            bad.append((str(p), "no such file or folder; check the path"))
    unique: dict[Path, Path] = {}
    for f in files:
        unique.setdefault(f.resolve(), f)
    return list(unique.values()), bad


def index_recording(library: Library, record: SongRecord, samples: np.ndarray) -> int:
    """Embed 16 kHz mono ``samples`` and commit them as ``record``; returns the number of segments."""
    sr = library.embedder.sample_rate_hz
    if len(samples) < MIN_SONG_S * sr:
        raise AudioInputError(f"{record.source_path}: {len(samples) / sr:.1f} s is too short to index; "
                              f"songs need at least {MIN_SONG_S:.0f} s")
    z, starts = library.embed_recording(samples)
    library.add_song(record, z=z, starts_s=starts)
    return len(z)


def store_tune_melodies(library: Library, tunes: Iterable[Tune]) -> int:
    """Store the melody contour of every tune that has notes and no stored melody yet; returns how many."""
    from music_models.library.melody_match import song_melody

    written = 0
    for t in tunes:
        if t.notes and t.tempo_qpm and not library.melodies.has(t.tune_id):
            library.melodies.save(t.tune_id, song_melody(notes=t.notes, tempo_qpm=t.tempo_qpm,
                                                         config=library.config.melody_match))
            written += 1
    return written


def midi_file_melody(path: Path, library: Library) -> np.ndarray:
    """The top line of a MIDI file as a melody contour (empty when the file has no usable notes)."""
    import pretty_midi

    from music_models.library.melodies import skyline_notes
    from music_models.library.melody_match import song_melody
    from music_models.types import Note

    try:
        midi = pretty_midi.PrettyMIDI(str(path))
    except Exception:  # noqa: BLE001 -- mido/pretty_midi raise many types; an unreadable melody = no re-rank
        return np.zeros(0, dtype=np.float32)
    notes = [Note(p, on, dur) for p, on, dur in skyline_notes(midi) if dur > 0]
    return song_melody(notes=notes, tempo_qpm=60.0, config=library.config.melody_match) if notes else (
        np.zeros(0, dtype=np.float32))  # at 60 qpm a beat is a second


def audio_file_melody(samples: np.ndarray, sample_rate_hz: int, library: Library) -> np.ndarray:
    """The predominant melody of a recording, at the stored melodies' rate (empty when there is none)."""
    from music_models.library.audio_melody import melody_of_recording

    return melody_of_recording(samples=samples, sample_rate_hz=sample_rate_hz, config=library.config.audio_melody,
                               contour_rate_hz=library.config.melody_match.contour_rate_hz)


def index_paths(
    library: Library, paths: Iterable[str | Path], *, collection: str = "user", progress: bool = True,
    renderer_factory: Callable[[], Any] | None = None,
) -> IndexReport:
    """Index audio and MIDI files (folders recursively) into ``library``; see the module docstring."""
    from tqdm import tqdm

    from music_models.library.audio_files import load_audio
    from music_models.library.metadata import estimate_key_tempo

    t0 = time.perf_counter()
    files, failed = discover(paths)
    for path, reason in failed:
        logger.warning("skipped %s: %s", path, reason)
    renderer: list[Any] = []

    def get_renderer() -> Any:
        if not renderer:
            from music_models.render.synth import FluidSynthRenderer

            renderer.append((renderer_factory or FluidSynthRenderer)())
        return renderer[0]

    indexed = present = segments = 0
    audio_s = 0.0
    stale = library.stale_songs()
    try:
        with tqdm(files, unit="file", desc="indexing", disable=not progress) as bar:
            for f in bar:
                song_id = file_song_id(f)
                if song_id in library.songs and song_id not in stale:
                    present += 1
                    if (library.config.audio_melody.enabled and f.suffix.lower() not in MIDI_SUFFIXES
                            and not library.melodies.has(song_id)):
                        _add_missing_melody(library, song_id, f)
                    continue
                try:
                    audio = load_audio(f, renderer_factory=get_renderer, max_duration_s=library.config.max_duration_s,
                                       target_rate_hz=library.embedder.sample_rate_hz)
                    playable = f
                    if f.suffix.lower() in MIDI_SUFFIXES:
                        playable = _keep_rendering(library, song_id, audio.samples, audio.sample_rate_hz)
                        library.melodies.save(song_id, midi_file_melody(f, library))
                    elif library.config.audio_melody.enabled:
                        library.melodies.save(song_id, audio_file_melody(audio.samples, audio.sample_rate_hz, library))
                    key, tempo = estimate_key_tempo(samples=audio.samples, sample_rate_hz=audio.sample_rate_hz)
                    record = SongRecord(song_id, audio.title or f.stem.replace("_", " "), audio.artist, collection,
                                        "", str(f.resolve()), str(Path(playable).resolve()),
                                        round(audio.duration_s, 3), key, tempo)
                    segments += index_recording(library, record, audio.samples)
                except (AudioInputError, RenderError) as exc:
                    logger.warning("skipped %s: %s", f, exc)
                    failed.append((str(f), str(exc)))
                    continue
                indexed += 1
                audio_s += audio.duration_s
                bar.set_postfix(songs=indexed, bad=len(failed))
    finally:
        if renderer:
            renderer[0].close()
    return IndexReport(indexed, present, tuple(failed), segments, audio_s, time.perf_counter() - t0)


def _add_missing_melody(library: Library, song_id: str, path: Path) -> None:
    """Estimate the melody of an audio file indexed before melodies were (its vectors stay as they are)."""
    from music_models.library.audio_files import read_audio_file

    try:
        audio = read_audio_file(path, max_duration_s=library.config.max_duration_s)
    except AudioInputError as exc:
        logger.warning("could not read %s for its melody: %s", path, exc)
        return
    library.melodies.save(song_id, audio_file_melody(audio.samples, audio.sample_rate_hz, library))


def _keep_rendering(library: Library, song_id: str, samples: np.ndarray, sample_rate_hz: int) -> Path:
    """Write a MIDI file's rendering under the audio folder so "play it" has something to play."""
    from music_models.render.audio import write_wav

    out = library.config.audio_path() / "midi" / f"{song_id}.wav"
    out.parent.mkdir(parents=True, exist_ok=True)
    if not out.is_file():
        write_wav(out, samples=samples, sample_rate_hz=sample_rate_hz)
    return out


def build_from_tunes(
    library: Library, tunes: Sequence[Tune], *, base_seed: int = 0, progress: bool = True,
    renderer_factory: Callable[..., Any] | None = None,
) -> IndexReport:
    """Render each tune once (arrangement + FluidSynth, seed from the tune id) and index it (song id = tune id).

    Renderings are deterministic in (tune id, ``base_seed``), so they are kept in one shared folder,
    ``$HUMDINGER_DATA/renders/seed-<base_seed>``: the demo library, the eval library and "play it" all
    use the same files, and a new checkpoint re-embeds without re-rendering. Both steps skip what is done.
    """
    from tqdm import tqdm

    from music_models.library.audio_files import read_audio_file
    from music_models.paths import data_dir
    from music_models.render.batch import render_tunes

    t0 = time.perf_counter()
    store_tune_melodies(library, tunes)  # cheap; also fills in libraries built before melodies were stored
    stale = library.stale_songs()  # embedded by another checkpoint: embed again (the renderings are kept)
    todo = [t for t in tunes if t.tune_id not in library.songs or t.tune_id in stale]
    present = len(tunes) - len(todo)
    out_dir = data_dir() / "renders" / f"seed-{base_seed}"
    kw: dict[str, Any] = {} if renderer_factory is None else {"renderer_factory": renderer_factory}
    rendered = render_tunes(todo, out_dir=out_dir, base_seed=base_seed, renderings=1, progress=progress, **kw)
    failed = [(rid, f"rendering failed: {reason}") for rid, reason in rendered.failures]
    by_id = {t.tune_id: t for t in todo}
    indexed = segments = 0
    audio_s = 0.0
    for entry in tqdm(rendered.entries, unit="tune", desc="indexing", disable=not progress):
        wav = out_dir / entry.wav
        tune = by_id.get(entry.tune_id)
        if tune is None or (entry.tune_id in library.songs and entry.tune_id not in stale):
            continue
        try:
            audio = read_audio_file(wav, max_duration_s=library.config.max_duration_s,
                                    target_rate_hz=library.embedder.sample_rate_hz)
            record = SongRecord(tune.tune_id, tune.title, "", tune.collection, str(tune.extra.get("tune_type", "")),
                                str(wav), str(wav), round(audio.duration_s, 3), entry.key, entry.tempo_qpm)
            segments += index_recording(library, record, audio.samples)
        except AudioInputError as exc:
            logger.warning("skipped %s: %s", entry.tune_id, exc)
            failed.append((entry.tune_id, str(exc)))
            continue
        indexed += 1
        audio_s += audio.duration_s
    return IndexReport(indexed, present, tuple(failed), segments, audio_s, time.perf_counter() - t0)
