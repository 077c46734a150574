"""What recognisers return, and the one streaming interface every back-end implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from assistant.audio.chunk import AudioChunk

__all__ = ["Alternative", "Recognizer", "Transcript", "Word"]


@dataclass(frozen=True)
class Word:
    """One recognised word with its time span in the utterance and a confidence in [0, 1]."""

    text: str
    start_s: float
    end_s: float
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start_s": self.start_s, "end_s": self.end_s, "confidence": self.confidence}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Word:
        return cls(str(d["text"]), float(d["start_s"]), float(d["end_s"]), float(d.get("confidence", 1.0)))


@dataclass(frozen=True)
class Alternative:
    """One of the recogniser's N best word sequences for an utterance. ``log_score`` is the path's score in
    the back-end's own log units: only differences between alternatives of one utterance mean anything."""

    text: str
    log_score: float

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "log_score": self.log_score}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Alternative:
        return cls(str(d["text"]), float(d["log_score"]))


@dataclass(frozen=True)
class Transcript:
    """The final result of one utterance. ``elapsed_s`` is the recogniser's own processing time."""

    text: str
    confidence: float
    words: tuple[Word, ...] = field(default_factory=tuple)
    duration_s: float = 0.0
    elapsed_s: float = 0.0
    backend: str = ""
    #: How much better the recognised words explain the audio than a free phone loop does, in nats per
    #: frame (<= 0; near 0 = the words fit). None when the back-end does not compute it.
    acoustic_fit: float | None = None
    #: The N best distinct word sequences, best first (the first is ``text``); empty when the back-end
    #: was not asked for them.
    alternatives: tuple[Alternative, ...] = ()

    @property
    def real_time_factor(self) -> float:
        return self.elapsed_s / self.duration_s if self.duration_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "confidence": self.confidence, "words": [w.to_dict() for w in self.words],
                "duration_s": self.duration_s, "elapsed_s": self.elapsed_s, "backend": self.backend,
                "acoustic_fit": self.acoustic_fit, "alternatives": [a.to_dict() for a in self.alternatives]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Transcript:
        return cls(str(d["text"]), float(d["confidence"]), tuple(Word.from_dict(w) for w in d.get("words", [])),
                   float(d.get("duration_s", 0.0)), float(d.get("elapsed_s", 0.0)), str(d.get("backend", "")),
                   None if d.get("acoustic_fit") is None else float(d["acoustic_fit"]),
                   tuple(Alternative.from_dict(a) for a in d.get("alternatives", [])))


@runtime_checkable
class Recognizer(Protocol):
    """Streaming speech recogniser: ``start()`` an utterance, ``accept()`` 16 kHz mono chunks (returns the
    partial text so far), ``finish()`` returns the :class:`Transcript`. Reusable for the next utterance."""

    def start(self) -> None: ...

    def accept(self, chunk: AudioChunk) -> str: ...

    def finish(self) -> Transcript: ...
