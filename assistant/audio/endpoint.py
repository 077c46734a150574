"""Endpointing: when did the user start and stop talking (or humming)?

:class:`Endpointer` is the stateful, streaming wrapper around the pure functions in
:mod:`assistant.audio.vad`: feed it chunks, it returns ``start``/``end`` events with times in
seconds of the stream. :func:`take_utterance` cuts one utterance (with a little pre-roll) out of
a chunk stream, for a recogniser or a hum query."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from assistant.audio.chunk import SPEECH_SAMPLE_RATE_HZ, AudioChunk
from assistant.audio.errors import SpeechInputError
from assistant.audio.vad import VadConfig, frame_features, melody_activity, speech_activity

__all__ = [
    "END_REASONS",
    "HUM_ENDPOINTER_CONFIG",
    "EndpointEvent",
    "Endpointer",
    "EndpointerConfig",
    "take_utterance",
]

log = logging.getLogger(__name__)

#: Why an utterance ended.
END_REASONS: tuple[str, ...] = ("silence", "max_length", "timeout", "stream_end")


@dataclass(frozen=True)
class EndpointerConfig:
    """Endpointing limits. ``target`` is ``speech`` (a spoken command) or ``melody`` (a hum/whistle/instrument)."""

    vad: VadConfig = field(default_factory=VadConfig)
    target: str = "speech"
    sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ
    min_speech_s: float = 0.2
    trailing_silence_s: float = 0.7
    max_utterance_s: float = 10.0
    start_timeout_s: float = 8.0
    pre_roll_s: float = 0.3

    def __post_init__(self) -> None:
        if self.target not in ("speech", "melody"):
            raise SpeechInputError(f"endpointer target must be 'speech' or 'melody', got {self.target!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EndpointerConfig:
        return cls(**{**d, "vad": VadConfig.from_dict(d["vad"])}) if "vad" in d else cls(**d)


#: Hums have breaths between phrases, so they may pause longer and run longer.
HUM_ENDPOINTER_CONFIG = EndpointerConfig(target="melody", min_speech_s=0.4, trailing_silence_s=1.5,
                                         max_utterance_s=15.0, start_timeout_s=10.0)


@dataclass(frozen=True)
class EndpointEvent:
    """``kind`` is ``start`` or ``end``; ``time_s`` is in stream time; ``reason`` is one of END_REASONS for ends."""

    kind: str
    time_s: float
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EndpointEvent:
        return cls(str(d["kind"]), float(d["time_s"]), str(d.get("reason", "")))


class Endpointer:
    """Streaming start/end detector with an adaptive noise floor and hangover."""

    def __init__(self, config: EndpointerConfig | None = None) -> None:
        self.config = config or EndpointerConfig()
        v = self.config.vad
        sr = self.config.sample_rate_hz
        self._n_frame = int(round(v.frame_s * sr))
        self._n_hop = int(round(v.hop_s * sr))
        self._hangover = int(round(v.hangover_s / v.hop_s))
        self.reset()

    def reset(self) -> None:
        self._buf = np.zeros(0, dtype=np.float32)
        self._buf_start = 0  # sample index of _buf[0] in the stream
        self._stream_start_s: float | None = None
        self._floor = self.config.vad.initial_floor_db
        self._frame_i = 0
        self._run_start: int | None = None  # first active frame of the current candidate run
        self._last_active = -(10**9)
        self._active_frames = 0
        self.in_utterance = False
        self.done = False
        self.utterance_start_s: float | None = None

    @property
    def trailing_silence_s(self) -> float:
        """Inside an utterance: how long it has been quiet since the last active frame (0 while active or
        outside an utterance). The end comes when this reaches ``trailing_silence_s`` of the config."""
        if not self.in_utterance:
            return 0.0
        return max(0, self._frame_i - 1 - self._last_active) * self.config.vad.hop_s

    @property
    def last_active_frame(self) -> int:
        """Index of the last active frame so far (changes when speech resumes after a pause)."""
        return self._last_active

    def _t(self, frame: int) -> float:
        assert self._stream_start_s is not None
        return self._stream_start_s + frame * self.config.vad.hop_s

    def accept(self, chunk: AudioChunk) -> list[EndpointEvent]:
        """Consume one chunk; return the events it caused (at most one start and one end)."""
        if chunk.sample_rate_hz != self.config.sample_rate_hz:
            raise SpeechInputError(f"endpointer expects {self.config.sample_rate_hz} Hz audio, got "
                                   f"{chunk.sample_rate_hz} Hz; resample at the source")
        if self.done:
            return []
        if self._stream_start_s is None:
            self._stream_start_s = chunk.start_s
        self._buf = np.concatenate([self._buf, chunk.float32()])
        n_full = 0 if len(self._buf) < self._n_frame else 1 + (len(self._buf) - self._n_frame) // self._n_hop
        if n_full == 0:
            return []
        used = n_full * self._n_hop
        frames = self._buf[: (n_full - 1) * self._n_hop + self._n_frame]
        self._buf = self._buf[used:]
        return self._decide(frames, n_full)

    def _decide(self, samples: np.ndarray, n: int) -> list[EndpointEvent]:
        cfg, v = self.config, self.config.vad
        feats = frame_features(samples, sample_rate_hz=cfg.sample_rate_hz, frame_s=v.frame_s, hop_s=v.hop_s,
                               f0_min_hz=v.f0_min_hz, f0_max_hz=v.f0_max_hz)
        floors = np.empty(n, dtype=np.float32)
        step = v.floor_rise_db_per_s * v.hop_s
        for i, e in enumerate(feats.energy_db[:n]):
            # Frozen while in an utterance, so a long vowel or hum cannot raise the floor to itself.
            if not self.in_utterance:
                self._floor = min(float(e), self._floor + step)
            floors[i] = self._floor
        activity = melody_activity if cfg.target == "melody" else speech_activity
        active = activity(feats, noise_floor_db=floors, config=v)[:n]
        events: list[EndpointEvent] = []
        min_frames = int(round(cfg.min_speech_s / v.hop_s))
        trail_frames = int(round(cfg.trailing_silence_s / v.hop_s))
        for a in active:
            f = self._frame_i
            self._frame_i += 1
            if a:
                if not self.in_utterance and f - self._last_active > self._hangover:
                    self._run_start, self._active_frames = f, 0
                self._last_active = f
                self._active_frames += 1
                if not self.in_utterance and self._active_frames >= min_frames:
                    self.in_utterance = True
                    self.utterance_start_s = self._t(self._run_start or f)
                    events.append(EndpointEvent("start", self.utterance_start_s))
            if self.in_utterance:
                end_t = self._t(self._last_active + 1) + v.frame_s - v.hop_s
                if f - self._last_active >= trail_frames:
                    return self._end(events, end_t, "silence")
                assert self.utterance_start_s is not None
                if self._t(f) - self.utterance_start_s >= cfg.max_utterance_s:
                    return self._end(events, self._t(f), "max_length")
            elif self._t(f) - (self._stream_start_s or 0.0) >= cfg.start_timeout_s:
                return self._end(events, self._t(f), "timeout")
        return events

    def _end(self, events: list[EndpointEvent], time_s: float, reason: str) -> list[EndpointEvent]:
        self.done = True
        self.in_utterance = False
        log.debug("endpoint: end at %.2f s (%s)", time_s, reason)
        events.append(EndpointEvent("end", time_s, reason))
        return events

    def finish(self) -> list[EndpointEvent]:
        """The stream ended: close an open utterance."""
        if self.in_utterance and not self.done:
            end_t = self._t(self._last_active + 1) + self.config.vad.frame_s - self.config.vad.hop_s
            return self._end([], end_t, "stream_end")
        self.done = True
        return []


def take_utterance(
    chunks: Iterable[AudioChunk], *, config: EndpointerConfig | None = None,
    events: list[EndpointEvent] | None = None, endpointer: Endpointer | None = None,
) -> Iterator[AudioChunk]:
    """Yield the chunks of the first utterance in ``chunks``: from ``pre_roll_s`` before its start
    up to the chunk in which it ends. Nothing is yielded if the stream times out in silence.
    Start/end events are appended to ``events`` when a list is given. ``endpointer`` (fresh or reset; its
    own config is used) lets the caller watch the endpointer's state between chunks."""
    ep = endpointer if endpointer is not None else Endpointer(config)
    pre: deque[AudioChunk] = deque()
    pre_s = ep.config.pre_roll_s
    got: list[EndpointEvent] = [] if events is None else events
    for chunk in chunks:
        new = ep.accept(chunk)
        got.extend(new)
        if ep.utterance_start_s is not None:
            while pre:
                c = pre.popleft()
                if c.end_s > (ep.utterance_start_s or 0.0) - pre_s:
                    yield c
            yield chunk
        elif not ep.done:
            pre.append(chunk)
            while pre and chunk.end_s - pre[0].end_s > pre_s + chunk.duration_s:
                pre.popleft()
        if ep.done:
            return
    got.extend(ep.finish())
