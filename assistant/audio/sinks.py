"""Audio out to a WAV file: the sink used in file mode and CI, where there is no speaker."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol, Self

from assistant.audio.chunk import SPEECH_SAMPLE_RATE_HZ, AudioChunk, AudioClip, as_int16
from assistant.audio.errors import AudioInputError, SpeechInputError

__all__ = ["AudioSink", "WavFileSink", "play", "write_wav"]

log = logging.getLogger(__name__)


class AudioSink(Protocol):
    def write(self, chunk: AudioChunk) -> None: ...

    def close(self) -> None: ...


class WavFileSink:
    """Appends chunks to a 16-bit mono WAV file; the file is complete after :meth:`close` (or ``with``)."""

    def __init__(self, path: str | Path, *, sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ) -> None:
        self.path = Path(path)
        self.sample_rate_hz = sample_rate_hz
        self._file: Any = None
        self.frames_written = 0

    def write(self, chunk: AudioChunk) -> None:
        if chunk.sample_rate_hz != self.sample_rate_hz:
            raise SpeechInputError(f"{self.path} is written at {self.sample_rate_hz} Hz, chunk is "
                                   f"{chunk.sample_rate_hz} Hz; resample first")
        if self._file is None:
            import soundfile as sf

            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = sf.SoundFile(str(self.path), "w", samplerate=self.sample_rate_hz, channels=1,
                                          subtype="PCM_16", format="WAV")
            except Exception as exc:
                raise AudioInputError(f"cannot write {self.path}: {exc}; check the directory exists and "
                                      "is writable") from exc
        self._file.write(as_int16(chunk.samples))
        self.frames_written += len(chunk.samples)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            log.debug("wrote %s (%d frames)", self.path, self.frames_written)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def play(sink: AudioSink, chunks: Iterable[AudioChunk]) -> None:
    """Write every chunk to ``sink`` (the sink is not closed)."""
    for chunk in chunks:
        sink.write(chunk)


def write_wav(path: str | Path, clip: AudioClip) -> Path:
    """Write a whole clip as a 16-bit mono WAV file."""
    with WavFileSink(path, sample_rate_hz=clip.sample_rate_hz) as sink:
        play(sink, clip.chunks(chunk_s=1.0))
    return Path(path)
