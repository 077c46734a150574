"""Live mode: the engine on an endless chunk stream (a microphone, or any iterator in tests).

Idle, the stream goes to the wake source (the wake phrase, or push-to-talk); after a wake the next
utterance is a command. While a skill waits for a melody, or a follow-up is due, the engine listens
without the wake word; an unused follow-up window ends quietly and the wake source takes over again.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from assistant.audio.chunk import AudioChunk
from assistant.conversation.engine import Conversation
from assistant.conversation.types import TurnRecord
from assistant.wake.base import WakeEvent, WakeSource

__all__ = ["run_live"]

log = logging.getLogger(__name__)

#: Audio kept from before a wake event, so a command said right after the phrase is not clipped.
PRE_ROLL_S = 0.3


class _Rewindable:
    """An iterator that remembers its last chunks and can put those after ``time_s`` back in front."""

    def __init__(self, chunks: Iterable[AudioChunk], *, keep_s: float) -> None:
        self._it = iter(chunks)
        self._recent: deque[AudioChunk] = deque()
        self._front: deque[AudioChunk] = deque()
        self._keep_s = keep_s

    def __iter__(self) -> Iterator[AudioChunk]:
        return self

    def __next__(self) -> AudioChunk:
        chunk = self._front.popleft() if self._front else next(self._it)
        self._recent.append(chunk)
        while self._recent and chunk.end_s - self._recent[0].end_s > self._keep_s:
            self._recent.popleft()
        return chunk

    def rewind_to(self, time_s: float) -> None:
        back = [c for c in self._recent if c.end_s > time_s]
        self._recent.clear()
        self._front.extendleft(reversed(back))


def _wait_for_wake(wake: WakeSource, stream: _Rewindable) -> WakeEvent | None:
    for event in wake.detect(stream):
        return event
    return None


def run_live(conversation: Conversation, chunks: Iterable[AudioChunk], *, wake: WakeSource,
             on_turn: Callable[[TurnRecord], None] | None = None, max_turns: int | None = None,
             on_listening: Callable[[str], None] | None = None) -> list[TurnRecord]:
    """Run until the stream ends (or ``max_turns``). Returns the turns (also passed to ``on_turn``)."""
    stream = _Rewindable(chunks, keep_s=1.0)
    records: list[TurnRecord] = []
    while max_turns is None or len(records) < max_turns:
        if conversation.expecting_input():
            quiet = conversation.router.awaiting is None  # an unanswered follow-up window is no error
            rec = conversation.audio_turn(stream, relative_time=False, woken_by="follow_up", drain=False,
                                          quiet_if_silent=quiet, info={"kind": "live", "mode": "follow_up"})
            if quiet and not rec.replies and not rec.asr:
                conversation.router.state.active_skill = None  # the window passed
                continue
        else:
            if on_listening is not None:
                on_listening("waiting for the wake word")
            event = _wait_for_wake(wake, stream)
            if event is None:
                break  # the stream ended
            log.info("woken at %.2f s by %s", event.time_s, event.source)
            stream.rewind_to(event.time_s - PRE_ROLL_S)
            rec = conversation.audio_turn(stream, relative_time=False, woken_by=event.source, drain=False,
                                          info={"kind": "live", "mode": "wake", "wake_s": round(event.time_s, 2)})
        records.append(rec)
        if on_turn is not None:
            on_turn(rec)
    return records
