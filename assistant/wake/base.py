"""The wake interface: something that watches a chunk stream and says when to start listening."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from assistant.audio.chunk import AudioChunk

__all__ = ["PushToTalk", "WakeEvent", "WakeSource"]


@dataclass(frozen=True)
class WakeEvent:
    """The assistant was woken at ``time_s`` (stream time) by ``source`` (``keyphrase`` or ``push_to_talk``)."""

    time_s: float
    source: str
    phrase: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WakeEvent:
        return cls(float(d["time_s"]), str(d["source"]), str(d.get("phrase", "")))


class WakeSource(Protocol):
    """Yields a :class:`WakeEvent` each time the assistant should listen; consumes ``chunks`` meanwhile."""

    def detect(self, chunks: Iterable[AudioChunk]) -> Iterator[WakeEvent]: ...


class PushToTalk:
    """Wakes when ``pressed`` is set (by a key handler, a GPIO button, a GUI); the event is then cleared."""

    def __init__(self, pressed: threading.Event | None = None) -> None:
        self.pressed = pressed or threading.Event()

    def press(self) -> None:
        self.pressed.set()

    def detect(self, chunks: Iterable[AudioChunk]) -> Iterator[WakeEvent]:
        for chunk in chunks:
            if self.pressed.is_set():
                self.pressed.clear()
                yield WakeEvent(chunk.start_s, "push_to_talk")
