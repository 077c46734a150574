"""What one conversation turn produced, as written to the ``converse`` JSON transcript."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["ReplyRecord", "TurnRecord"]


@dataclass
class ReplyRecord:
    """One spoken answer: what triggered it (``speech``, ``text``, ``melody``, ``silence``, ``error``), who
    answered, the reply, the files written, and timings in milliseconds.

    ``timings_ms`` keys: ``asr`` (recogniser time after the end of speech), ``asr_total`` (all recogniser
    time, streaming included), ``nlu``, ``skill``, ``tts``, ``endpoint_wait`` (trailing silence the
    endpointer waited for, stream time), ``processing`` (end detected -> reply audio ready, wall time) and
    ``end_of_speech_to_reply`` (= endpoint_wait + processing)."""

    trigger: str
    skill: str
    key: str
    text: str
    action: str | None = None
    speech_wav: str | None = None
    music_wav: str | None = None
    cancelled: dict[str, Any] | None = None
    error: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ReplyRecord:
        return cls(**d)


@dataclass
class TurnRecord:
    """One turn of a script or of a live session: the input, what was heard and understood, the replies.

    ``segments`` lists the parts of the input audio the endpointers found (``kind``, ``start_s``,
    ``end_s``, ``reason``); ``ignored_s`` is audio after the last part that nobody asked for."""

    index: int
    input: dict[str, Any]
    wake: str | None = None
    asr: dict[str, Any] | None = None
    nlu: dict[str, Any] | None = None
    segments: list[dict[str, Any]] = field(default_factory=list)
    replies: list[ReplyRecord] = field(default_factory=list)
    ignored_s: float = 0.0
    error: str | None = None

    @property
    def reply_text(self) -> str:
        return " ".join(r.text for r in self.replies)

    @property
    def skill(self) -> str | None:
        return self.replies[-1].skill if self.replies else None

    def files(self) -> dict[str, list[str]]:
        return {"reply_speech": [r.speech_wav for r in self.replies if r.speech_wav],
                "music": [r.music_wav for r in self.replies if r.music_wav]}

    def timings_ms(self) -> dict[str, float]:
        """The first reply's timings (the answer to what was said), with the hum's answer as ``melody_*``."""
        out: dict[str, float] = {}
        for r in self.replies:
            prefix = "melody_" if r.trigger == "melody" else ""
            for k, v in r.timings_ms.items():
                out.setdefault(prefix + k, v)
        return out

    def to_dict(self) -> dict[str, Any]:
        nlu = self.nlu or {}
        return {"index": self.index, "input": self.input, "wake": self.wake,
                "asr_text": (self.asr or {}).get("text"), "intent": nlu.get("intent"),
                "confidence": nlu.get("confidence"), "entities": nlu.get("entities", []),
                "skill": self.skill, "reply_text": self.reply_text, "files": self.files(),
                "timings_ms": self.timings_ms(), "asr": self.asr, "nlu": self.nlu, "segments": self.segments,
                "replies": [r.to_dict() for r in self.replies], "ignored_s": self.ignored_s, "error": self.error}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TurnRecord:
        return cls(index=int(d["index"]), input=dict(d["input"]), wake=d.get("wake"), asr=d.get("asr"),
                   nlu=d.get("nlu"), segments=list(d.get("segments", [])),
                   replies=[ReplyRecord.from_dict(r) for r in d.get("replies", [])],
                   ignored_s=float(d.get("ignored_s", 0.0)), error=d.get("error"))
