"""Audio files in: WAV/FLAC/OGG/MP3 (and headerless 16-bit ``.raw``/``.pcm``) at any rate or channel
count, decoded to 16 kHz mono float32. Unusable files raise :class:`AudioInputError` saying why."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.audio.chunk import SPEECH_SAMPLE_RATE_HZ, AudioChunk, AudioClip
from assistant.audio.errors import AudioInputError

__all__ = ["FileSourceConfig", "file_chunks", "read_audio_file", "resample", "to_mono"]

log = logging.getLogger(__name__)

RAW_SUFFIXES: tuple[str, ...] = (".raw", ".pcm")


@dataclass(frozen=True)
class FileSourceConfig:
    """How files are decoded: target rate, the longest file accepted, chunk size, rate of raw PCM."""

    sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ
    max_duration_s: float = 600.0
    chunk_s: float = 0.1
    raw_sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FileSourceConfig:
        return cls(**d)


def to_mono(samples: np.ndarray) -> np.ndarray:
    """Average the channels of a (frames, channels) array; 1-D input is returned as is."""
    a = np.asarray(samples, dtype=np.float32)
    return a if a.ndim == 1 else a.mean(axis=1, dtype=np.float32)


def resample(samples: np.ndarray, *, from_hz: int, to_hz: int) -> np.ndarray:
    """High-quality resampling of mono float32 audio (libsoxr)."""
    if from_hz == to_hz:
        return np.asarray(samples, dtype=np.float32)
    if from_hz <= 0 or to_hz <= 0:
        raise AudioInputError(f"sample rates must be positive, got {from_hz} -> {to_hz}")
    import soxr

    return soxr.resample(np.asarray(samples, dtype=np.float32), from_hz, to_hz).astype(np.float32, copy=False)


def _read_raw(path: Path, config: FileSourceConfig) -> tuple[np.ndarray, int]:
    data = path.read_bytes()
    if len(data) % 2:
        data = data[:-1]
    limit = int(config.max_duration_s * config.raw_sample_rate_hz)
    if len(data) // 2 > limit:
        raise AudioInputError(f"{path}: {len(data) / 2 / config.raw_sample_rate_hz:.0f} s of audio is longer than "
                              f"the {config.max_duration_s:.0f} s limit; trim it (e.g. sox in.raw out.raw trim 0 60)")
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0, config.raw_sample_rate_hz


def _read_soundfile(path: Path, config: FileSourceConfig) -> tuple[np.ndarray, int]:
    import soundfile as sf

    try:
        info = sf.info(str(path))
    except Exception as exc:  # libsndfile raises its own error types for unknown/corrupt headers
        raise AudioInputError(f"{path}: not a readable audio file ({exc}); use WAV, FLAC, OGG or MP3") from exc
    if info.samplerate > 0 and info.frames > 0 and info.frames / info.samplerate > config.max_duration_s:
        raise AudioInputError(f"{path}: {info.frames / info.samplerate:.0f} s of audio is longer than the "
                              f"{config.max_duration_s:.0f} s limit; trim it (e.g. sox in.wav out.wav trim 0 60)")
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception as exc:
        raise AudioInputError(f"{path}: audio data is corrupt or truncated ({exc}); re-export the file") from exc
    return to_mono(data), int(rate)


def read_audio_file(path: str | Path, *, config: FileSourceConfig | None = None) -> AudioClip:
    """Decode a file to mono float32 at ``config.sample_rate_hz``.

    Raises :class:`AudioInputError` for a missing, empty, corrupt, silent-by-construction or over-long file.
    """
    cfg = config or FileSourceConfig()
    p = Path(path)
    if not p.is_file():
        raise AudioInputError(f"{p}: no such audio file; check the path")
    if p.stat().st_size == 0:
        raise AudioInputError(f"{p}: the file is empty (0 bytes); record or export it again")
    if p.suffix.lower() in RAW_SUFFIXES:
        samples, rate = _read_raw(p, cfg)
    else:
        samples, rate = _read_soundfile(p, cfg)
    if samples.size == 0:
        raise AudioInputError(f"{p}: the file holds no audio samples; record or export it again")
    if not np.all(np.isfinite(samples)):
        raise AudioInputError(f"{p}: the file holds NaN/inf samples; re-export it as 16-bit PCM")
    out = resample(samples, from_hz=rate, to_hz=cfg.sample_rate_hz)
    log.debug("read %s: %d Hz -> %d Hz, %.2f s", p, rate, cfg.sample_rate_hz, len(out) / cfg.sample_rate_hz)
    return AudioClip(out, cfg.sample_rate_hz)


def file_chunks(path: str | Path, *, config: FileSourceConfig | None = None) -> Iterator[AudioChunk]:
    """A file as a stream of 16 kHz mono chunks (the same interface a microphone gives)."""
    cfg = config or FileSourceConfig()
    clip = read_audio_file(path, config=cfg)  # decoded now, so a bad file fails here and not mid-stream
    return clip.chunks(chunk_s=cfg.chunk_s)
