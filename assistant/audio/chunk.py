"""The audio values that cross boundaries: :class:`AudioChunk` (a piece of a stream) and
:class:`AudioClip` (a whole buffer). Inside Humdinger speech audio is 16 kHz mono float32 in
[-1, 1]; int16 is accepted at the edges and converted with :func:`as_float32`."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.audio.errors import SpeechInputError

__all__ = [
    "SPEECH_SAMPLE_RATE_HZ",
    "AudioChunk",
    "AudioClip",
    "as_float32",
    "as_int16",
    "chunks_from_array",
    "concat_chunks",
    "to_pcm16_bytes",
]

#: The sample rate of every stage of the spoken path (ASR, VAD, wake word, TTS output).
SPEECH_SAMPLE_RATE_HZ = 16000


def as_float32(samples: np.ndarray) -> np.ndarray:
    """Mono samples as float32 in [-1, 1]; int16 is scaled by 1/32768, floats are passed through."""
    a = np.asarray(samples)
    if a.ndim != 1:
        raise SpeechInputError(f"audio must be mono (1-D), got shape {a.shape}; mix down to mono first")
    if a.dtype == np.int16:
        return a.astype(np.float32) / 32768.0
    if np.issubdtype(a.dtype, np.floating):
        return a.astype(np.float32, copy=False)
    raise SpeechInputError(f"audio samples must be int16 or float, got {a.dtype}")


def as_int16(samples: np.ndarray) -> np.ndarray:
    """Mono samples as int16 (floats are clipped to [-1, 1] first)."""
    a = np.asarray(samples)
    if a.dtype == np.int16:
        return a
    f = np.clip(as_float32(a), -1.0, 32767.0 / 32768.0)
    return np.round(f * 32768.0).astype(np.int16)


def to_pcm16_bytes(samples: np.ndarray) -> bytes:
    """Little-endian signed 16-bit PCM, the format PocketSphinx and Vosk take."""
    return as_int16(samples).astype("<i2", copy=False).tobytes()


def _encode(samples: np.ndarray) -> str:
    return base64.b64encode(to_pcm16_bytes(samples)).decode("ascii")


def _decode(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<i2").astype(np.int16)


@dataclass(frozen=True, eq=False)
class AudioChunk:
    """A piece of a mono audio stream: ``samples`` (int16 or float32), its rate, and where it starts."""

    samples: np.ndarray
    sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ
    start_s: float = 0.0

    @property
    def duration_s(self) -> float:
        return len(self.samples) / float(self.sample_rate_hz)

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s

    def float32(self) -> np.ndarray:
        return as_float32(self.samples)

    def to_dict(self) -> dict[str, Any]:
        return {"pcm16_b64": _encode(self.samples), "sample_rate_hz": self.sample_rate_hz, "start_s": self.start_s}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AudioChunk:
        return cls(_decode(d["pcm16_b64"]), int(d["sample_rate_hz"]), float(d.get("start_s", 0.0)))


@dataclass(frozen=True, eq=False)
class AudioClip:
    """A whole mono buffer (a decoded file, a spoken reply): float32 samples and their rate."""

    samples: np.ndarray
    sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ

    @property
    def duration_s(self) -> float:
        return len(self.samples) / float(self.sample_rate_hz)

    def chunks(self, *, chunk_s: float = 0.1, start_s: float = 0.0) -> Iterator[AudioChunk]:
        return chunks_from_array(self.samples, sample_rate_hz=self.sample_rate_hz, chunk_s=chunk_s, start_s=start_s)

    def to_dict(self) -> dict[str, Any]:
        return {"pcm16_b64": _encode(self.samples), "sample_rate_hz": self.sample_rate_hz}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AudioClip:
        return cls(as_float32(_decode(d["pcm16_b64"])), int(d["sample_rate_hz"]))


def chunks_from_array(
    samples: np.ndarray, *, sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ, chunk_s: float = 0.1, start_s: float = 0.0
) -> Iterator[AudioChunk]:
    """Cut a mono array into consecutive chunks of ``chunk_s`` (the last may be shorter)."""
    if chunk_s <= 0:
        raise SpeechInputError(f"chunk_s must be > 0, got {chunk_s}")
    a = as_float32(samples)
    step = max(1, int(round(chunk_s * sample_rate_hz)))
    for i in range(0, len(a), step):
        yield AudioChunk(a[i : i + step], sample_rate_hz, start_s + i / float(sample_rate_hz))


def concat_chunks(chunks: list[AudioChunk]) -> AudioClip:
    """Join chunks of one stream (all at the same rate) into a clip."""
    if not chunks:
        return AudioClip(np.zeros(0, dtype=np.float32))
    rates = {c.sample_rate_hz for c in chunks}
    if len(rates) != 1:
        raise SpeechInputError(f"cannot join chunks with different sample rates {sorted(rates)}")
    return AudioClip(np.concatenate([c.float32() for c in chunks]), rates.pop())
