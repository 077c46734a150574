"""Reading the library's inputs: audio files (WAV, FLAC, OGG, MP3; any rate, any channels) to 16 kHz
mono float32, their title/artist tags, and MIDI files rendered through the FluidSynth pipeline.

Every unusable file raises :class:`AudioInputError` saying what is wrong and what to do; the header
is checked before any samples are decoded, so a file claiming ten hours costs nothing to refuse.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from music_models.errors import AudioInputError, RenderError
from music_models.library.config import AUDIO_SUFFIXES, MIDI_SUFFIXES

if TYPE_CHECKING:
    from music_models.render.synth import FluidSynthRenderer

__all__ = ["MIN_RATE_HZ", "AudioFile", "load_audio", "read_audio_file", "render_midi_file", "to_mono_16k"]

logger = logging.getLogger(__name__)

MIN_RATE_HZ = 4_000  # below this no melody survives; above MAX_RATE_HZ is not audio we know
MAX_RATE_HZ = 384_000


@dataclass(frozen=True)
class AudioFile:
    """A decoded file: mono float32 ``samples`` at ``sample_rate_hz`` plus the tags it carried."""

    path: str
    samples: np.ndarray
    sample_rate_hz: int
    title: str = ""
    artist: str = ""

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate_hz


def to_mono_16k(*, samples: np.ndarray, sample_rate_hz: int, target_rate_hz: int = 16_000) -> np.ndarray:
    """Any (n,), (n, channels) or (channels, n) float/int array at any rate -> mono float32 at the target."""
    x = np.asarray(samples)
    if x.dtype.kind in "iu":
        x = x.astype(np.float32) / float(np.iinfo(x.dtype).max)
    x = x.astype(np.float32, copy=False)
    if x.ndim == 2:
        x = x.mean(axis=1 if x.shape[0] >= x.shape[1] else 0, dtype=np.float32)
    if x.ndim != 1:
        raise AudioInputError(f"expected mono or multi-channel samples, got an array of shape {x.shape}")
    if not MIN_RATE_HZ <= sample_rate_hz <= MAX_RATE_HZ:
        raise AudioInputError(f"unsupported sample rate {sample_rate_hz} Hz; use {MIN_RATE_HZ}-{MAX_RATE_HZ} Hz "
                              "(e.g. sox in.wav -r 16000 out.wav)")
    if x.size and not np.all(np.isfinite(x)):
        raise AudioInputError("the audio holds NaN or infinite samples; pass finite samples in [-1, 1]")
    if sample_rate_hz != target_rate_hz and x.size:
        import soxr

        x = soxr.resample(x, sample_rate_hz, target_rate_hz).astype(np.float32, copy=False)
    return x


def _header(path: Path) -> tuple[int, float, dict[str, str]]:
    """(rate, duration_s, tags) from the header; librosa/ffmpeg for what libsndfile cannot open."""
    import soundfile as sf

    try:
        with sf.SoundFile(str(path)) as f:
            tags = {"title": f.title or "", "artist": f.artist or ""}
            return int(f.samplerate), f.frames / f.samplerate if f.samplerate else 0.0, tags
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        if path.suffix.lower() != ".mp3":
            raise AudioInputError(f"{path}: not a readable audio file ({exc}); use WAV, FLAC, OGG or MP3") from exc
        logger.debug("libsndfile cannot open %s (%s); trying ffmpeg", path, exc)
    import warnings

    import librosa

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # librosa's audioread deprecation notice
            rate = int(librosa.get_samplerate(str(path)))
            return rate, float(librosa.get_duration(path=str(path))), {}
    except Exception as exc:  # audioread raises its own NoBackendError/DecodeError family
        raise AudioInputError(f"{path}: not a readable audio file ({_why(exc)}); re-export it as WAV or FLAC") from exc


def _why(exc: BaseException) -> str:
    return str(exc) or f"{type(exc).__name__}: no decodable audio found"


def read_audio_file(path: str | Path, *, max_duration_s: float = 3600.0, target_rate_hz: int = 16_000) -> AudioFile:
    """Decode ``path`` to mono float32 at ``target_rate_hz``.

    Raises :class:`AudioInputError` for a missing, empty, non-audio, corrupt, silent-length, over-long
    or oddly-sampled file.
    """
    import soundfile as sf

    p = Path(path)
    if not p.is_file():
        raise AudioInputError(f"{p}: no such file; check the path")
    if p.stat().st_size == 0:
        raise AudioInputError(f"{p}: the file is empty (0 bytes); export it again")
    rate, duration_s, tags = _header(p)
    if not MIN_RATE_HZ <= rate <= MAX_RATE_HZ:
        raise AudioInputError(f"{p}: unsupported sample rate {rate} Hz; convert it to 16-48 kHz "
                              "(e.g. sox in.wav -r 16000 out.wav)")
    if duration_s > max_duration_s:
        raise AudioInputError(f"{p}: {duration_s / 60:.0f} min is longer than the {max_duration_s / 60:.0f} min "
                              "limit; split it into songs (e.g. sox in.wav out.wav trim 0 600)")
    try:
        data, rate = sf.read(str(p), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        if p.suffix.lower() != ".mp3":
            raise AudioInputError(f"{p}: the audio data is corrupt or truncated ({exc}); export it again") from exc
        data, rate = _decode_with_ffmpeg(p)
    if data.shape[0] == 0:
        raise AudioInputError(f"{p}: the file holds no audio samples; export it again")
    samples = to_mono_16k(samples=data, sample_rate_hz=int(rate), target_rate_hz=target_rate_hz)
    return AudioFile(str(p), samples, target_rate_hz, tags.get("title", "").strip(), tags.get("artist", "").strip())


def _decode_with_ffmpeg(path: Path) -> tuple[np.ndarray, int]:
    import warnings

    import librosa

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            y, rate = librosa.load(str(path), sr=None, mono=True)
    except Exception as exc:  # audioread/ffmpeg failures come in many types
        raise AudioInputError(f"{path}: the audio data is corrupt or truncated ({_why(exc)}); export it again") from exc
    return y[:, None], int(rate)


def render_midi_file(path: str | Path, *, renderer: FluidSynthRenderer, max_duration_s: float = 3600.0) -> AudioFile:
    """Render a MIDI file with the project's FluidSynth renderer (General MIDI programs as written)."""
    import pretty_midi

    p = Path(path)
    if not p.is_file() or p.stat().st_size == 0:
        raise AudioInputError(f"{p}: missing or empty MIDI file; export it again")
    try:
        midi = pretty_midi.PrettyMIDI(str(p))
    except Exception as exc:  # mido/pretty_midi raise OSError, EOFError, KeyError, ValueError on bad files
        raise AudioInputError(f"{p}: not a readable MIDI file ({exc}); export it again as standard MIDI") from exc
    end_s = midi.get_end_time()
    if end_s <= 0 or not any(inst.notes for inst in midi.instruments):
        raise AudioInputError(f"{p}: the MIDI file has no notes; nothing to index")
    if end_s > max_duration_s:
        raise AudioInputError(f"{p}: {end_s / 60:.0f} min of MIDI is longer than the "
                              f"{max_duration_s / 60:.0f} min limit; split it")
    try:
        samples = renderer.render(midi)
    except RenderError as exc:
        raise AudioInputError(f"{p}: cannot be rendered ({exc})") from exc
    title = _midi_title(midi)
    return AudioFile(str(p), samples, renderer.config.sample_rate_hz, title)


def _midi_title(midi: Any) -> str:
    """The track name of the first named track, if any (many MIDI files carry the song title there)."""
    for inst in midi.instruments:
        name = (inst.name or "").strip()
        if name and not name.lower().startswith(("track", "untitled", "piano", "melody")):
            return name
    return ""


def load_audio(path: str | Path, *, renderer_factory: Any, max_duration_s: float,
               target_rate_hz: int = 16_000) -> AudioFile:
    """Audio or MIDI by suffix; ``renderer_factory()`` gives a FluidSynth renderer when MIDI needs one."""
    suffix = Path(path).suffix.lower()
    if suffix in MIDI_SUFFIXES:
        return render_midi_file(path, renderer=renderer_factory(), max_duration_s=max_duration_s)
    if suffix not in AUDIO_SUFFIXES:
        raise AudioInputError(f"{path}: unsupported file type {suffix or '(none)'}; use "
                              f"{', '.join(AUDIO_SUFFIXES + MIDI_SUFFIXES)}")
    return read_audio_file(path, max_duration_s=max_duration_s, target_rate_hz=target_rate_hz)
