"""Cutting one utterance (a command or a melody) out of a chunk stream, recognising speech while it
streams in, and saying what kind of sound it was (silence, noise, speech, melody)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from assistant.asr.types import Recognizer, Transcript
from assistant.audio.chunk import AudioChunk, AudioClip, concat_chunks
from assistant.audio.endpoint import Background, Endpointer, EndpointerConfig, EndpointEvent, take_utterance
from assistant.audio.vad import classify_segment, frame_features, track_noise_floor

__all__ = ["Captured", "capture_utterance", "sound_kind"]

#: When nothing started, the last this-many seconds say whether it was silence or noise.
_KIND_WINDOW_S = 3.0


@dataclass(frozen=True, eq=False)
class Captured:
    """One endpointed utterance. ``reason`` is the endpointer's end reason, or ``none`` when nothing
    started before the stream ended (``timeout`` when it waited ``start_timeout_s`` in silence).
    ``detected_s`` is the stream time at which the end was known; ``detected_wall_s`` the
    ``time.perf_counter()`` then; ``asr_total_s`` all recogniser time, ``asr_finish_s`` the part after
    the end (the only part a listener waits for when the recogniser keeps up with real time).
    ``background`` is the room as the endpointer heard it (for the next capture on the same stream)."""

    clip: AudioClip
    start_s: float | None
    end_s: float | None
    reason: str
    detected_s: float
    detected_wall_s: float
    kind: str
    transcript: Transcript | None = None
    asr_total_s: float = 0.0
    asr_finish_s: float = 0.0
    background: Background | None = None

    @property
    def found(self) -> bool:
        return self.start_s is not None

    @property
    def endpoint_wait_s(self) -> float:
        return max(0.0, self.detected_s - self.end_s) if self.end_s is not None else 0.0

    def segment(self, what: str) -> dict[str, object]:
        return {"kind": what, "sound": self.kind, "start_s": self.start_s, "end_s": self.end_s, "reason": self.reason}


def sound_kind(clip: AudioClip, *, config: EndpointerConfig) -> str:
    """``silence``, ``noise``, ``speech`` or ``melody`` for a whole clip (VAD features, adaptive floor)."""
    v = config.vad
    if clip.duration_s < v.frame_s:
        return "silence"
    feats = frame_features(clip.samples, sample_rate_hz=clip.sample_rate_hz, frame_s=v.frame_s, hop_s=v.hop_s,
                           f0_min_hz=v.f0_min_hz, f0_max_hz=v.f0_max_hz)
    floor = track_noise_floor(feats.energy_db, hop_s=v.hop_s, rise_db_per_s=v.floor_rise_db_per_s,
                              initial_db=v.initial_floor_db)
    return classify_segment(feats, noise_floor_db=floor, config=v)


def capture_utterance(chunks: Iterator[AudioChunk], *, config: EndpointerConfig,
                      recognizer: Recognizer | None = None, recognise_max_length: bool = False,
                      speculate_after_s: float | None = None, background: Background | None = None) -> Captured:
    """Take the first utterance from ``chunks`` (the iterator is left at the chunk after its end, so the
    rest of a file or stream can go to the next stage). With a ``recognizer`` the chunks are decoded as
    they arrive; an utterance cut at ``max_utterance_s`` is not worth recognising unless
    ``recognise_max_length``. ``speculate_after_s``: once the speaker has been quiet this long (less than
    the endpointer's ``trailing_silence_s``), a recogniser that can (``speculate()``) takes the audio so
    far as the utterance and may start decoding it while the endpointer waits for the rest of the
    silence; if the speaker goes on, ``cancel_speculation()`` undoes that. ``background``: the room as an
    earlier capture of the same stream heard it (:attr:`Captured.background`); the endpointer starts from it."""
    events: list[EndpointEvent] = []
    got: list[AudioChunk] = []
    asr_s = 0.0
    last_end = 0.0
    if recognizer is not None:
        t = time.perf_counter()
        recognizer.start()
        asr_s += time.perf_counter() - t
    heard: deque[AudioChunk] = deque()

    def kept(stream: Iterator[AudioChunk]) -> Iterator[AudioChunk]:  # the last seconds, to say what they were
        for c in stream:
            heard.append(c)
            while heard and c.end_s - heard[0].end_s > _KIND_WINDOW_S:
                heard.popleft()
            yield c

    endpointer = Endpointer(config, background=background)
    speculate = getattr(recognizer, "speculate", None) if speculate_after_s is not None else None
    speculated_at: int | None = None  # the endpointer's last active frame when the decode point was taken
    for chunk in take_utterance(kept(chunks), events=events, endpointer=endpointer):
        got.append(chunk)
        last_end = chunk.end_s
        if recognizer is not None:
            t = time.perf_counter()
            recognizer.accept(chunk)
            if speculate is not None:
                if speculated_at is not None and endpointer.last_active_frame != speculated_at:
                    recognizer.cancel_speculation()  # type: ignore[attr-defined]  # the speaker went on
                    speculated_at = None
                if speculated_at is None and endpointer.trailing_silence_s >= (speculate_after_s or 0.0) > 0:
                    speculated_at = endpointer.last_active_frame
                    speculate()
            asr_s += time.perf_counter() - t
    detected_wall = time.perf_counter()
    start = next((e.time_s for e in events if e.kind == "start"), None)
    end_ev = next((e for e in events if e.kind == "end"), None)
    reason = end_ev.reason if end_ev is not None else "none"
    end = end_ev.time_s if end_ev is not None and start is not None else None
    if start is None and end_ev is not None:
        last_end = end_ev.time_s
    clip = concat_chunks(got) if got else AudioClip(np.zeros(0, dtype=np.float32), config.sample_rate_hz)
    transcript, finish_s = None, 0.0
    if recognizer is not None:
        t = time.perf_counter()
        result = recognizer.finish()  # always: it resets the decoder for the next utterance
        finish_s = time.perf_counter() - t
        asr_s += finish_s
        if start is not None and (reason != "max_length" or recognise_max_length):
            transcript = result
    kind = sound_kind(clip if start is not None else concat_chunks(list(heard)), config=config) \
        if (got or heard) else "silence"
    return Captured(clip, start, end, reason, last_end, detected_wall, kind, transcript, asr_s, finish_s,
                    endpointer.background())
