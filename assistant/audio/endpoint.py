"""Endpointing: when did the user start and stop talking (or humming)?

:class:`Endpointer` is the stateful, streaming wrapper around the pure functions in
:mod:`assistant.audio.vad`: feed it chunks, it returns ``start``/``end`` events with times in
seconds of the stream. :func:`take_utterance` cuts one utterance (with a little pre-roll) out of
a chunk stream, for a recogniser or a hum query."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from assistant.audio.chunk import SPEECH_SAMPLE_RATE_HZ, AudioChunk
from assistant.audio.errors import SpeechInputError
from assistant.audio.vad import VadConfig, frame_features, melody_activity, speech_activity

__all__ = [
    "END_REASONS",
    "HUM_ENDPOINTER_CONFIG",
    "Background",
    "EndpointEvent",
    "Endpointer",
    "EndpointerConfig",
    "take_utterance",
]

log = logging.getLogger(__name__)

#: Frames of background (10 ms hops) whose spread sets the adaptive threshold, and the fewest that do.
_SPREAD_FRAMES = 100
_MIN_SPREAD_FRAMES = 30

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
    #: The noise floor starts at the quietest frame of the stream's first ``floor_lookahead_s`` (no decision
    #: is taken before that much is heard, or the stream ends) instead of at ``vad.initial_floor_db``: a
    #: steady background that is there from the start (a fan, music in the room, a noisy microphone) is not
    #: taken for the start of an utterance, and a command that starts at once still has its pauses.
    floor_from_stream: bool = True
    floor_lookahead_s: float = 1.0
    #: Over a steady background the activity threshold comes down from ``vad.threshold_db`` to
    #: ``spread_factor`` times the spread (90th - 10th percentile of frame energy, last second before the
    #: utterance) of that background, but never below ``min_threshold_db``: a command 10 dB above a fan
    #: or pink noise is heard; over music, whose energy swings, the threshold stays high. 0 turns it off.
    min_threshold_db: float = 3.0
    spread_factor: float = 2.0
    #: The floor is at least this percentile of the background's frame energies (last second before the
    #: utterance), not only its quietest moments: music's gaps between notes do not pull it down so far
    #: that every note looks like a voice. 0 keeps the minimum-following floor alone.
    floor_percentile: float = 10.0
    #: Energy is averaged over this long (power, trailing window) before the tests above: the average of a
    #: steady background wavers less than its 32 ms frames, so a quieter voice stands out of it. 0 = off.
    energy_smoothing_s: float = 0.08
    #: Inside an utterance, when no frame of the last this-many seconds came within ``threshold_db`` of
    #: the floor, the floor is stale (the background got louder, or voices were there from the start) and
    #: moves up to the 10th percentile of those frames, so the utterance can end. 0 turns it off
    #: (a melody's held notes are not background).
    stale_floor_s: float = 2.0
    #: Inside an utterance, a frame more than this many dB below the utterance's own typical level (the
    #: median of its active frames so far) is not active: a hum ends over music in the room that is well
    #: below it, although that music is pitched and above the noise floor. 0 turns it off.
    relative_floor_db: float = 0.0

    def __post_init__(self) -> None:
        if self.target not in ("speech", "melody"):
            raise SpeechInputError(f"endpointer target must be 'speech' or 'melody', got {self.target!r}")
        if self.stale_floor_s < 0:
            raise SpeechInputError(f"stale_floor_s must be >= 0 (0 = off), got {self.stale_floor_s}")
        if self.relative_floor_db < 0:
            raise SpeechInputError(f"relative_floor_db must be >= 0 (0 = off), got {self.relative_floor_db}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EndpointerConfig:
        return cls(**{**d, "vad": VadConfig.from_dict(d["vad"])}) if "vad" in d else cls(**d)


#: Hums have breaths between phrases, so they may pause longer and run longer. A hum is one continuous
#: sound that often starts the moment the prompt ends, so its first second may hold no quiet to take the
#: floor from, and a held note is not a stale floor: the floor starts low, as before, and stays put,
#: unless the conversation hands over the room its command was heard in (``Endpointer(background=...)``).
#: Music in the room is pitched too: frames 9 dB below the melody's own level do not keep it going.
HUM_ENDPOINTER_CONFIG = EndpointerConfig(target="melody", min_speech_s=0.4, trailing_silence_s=1.5,
                                         max_utterance_s=15.0, start_timeout_s=10.0, floor_from_stream=False,
                                         stale_floor_s=0.0, energy_smoothing_s=0.0, relative_floor_db=9.0)


@dataclass(frozen=True)
class Background:
    """What one endpointer learned about the room before its utterance: the noise floor it ended with and
    the frame energies (dB) of the quiet around the utterance. Handed to the next endpointer of the same
    stream (the hum that follows "what's this song?"), which then starts from it instead of guessing."""

    floor_db: float
    energies_db: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"floor_db": self.floor_db, "energies_db": list(self.energies_db)}


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

    def __init__(self, config: EndpointerConfig | None = None, *, background: Background | None = None) -> None:
        """``background``: the room as an earlier endpointer of the same stream heard it (see
        :meth:`background`); the floor, threshold and background level start from it."""
        self.config = config or EndpointerConfig()
        self._prior = background
        v = self.config.vad
        sr = self.config.sample_rate_hz
        self._n_frame = int(round(v.frame_s * sr))
        self._n_hop = int(round(v.hop_s * sr))
        self._hangover = int(round(v.hangover_s / v.hop_s))
        self._stale_frames = int(round(self.config.stale_floor_s / v.hop_s))
        self._smooth_frames = max(1, int(round(self.config.energy_smoothing_s / v.hop_s)))
        self.reset()

    def reset(self) -> None:
        self._buf = np.zeros(0, dtype=np.float32)
        self._buf_start = 0  # sample index of _buf[0] in the stream
        self._stream_start_s: float | None = None
        self._floor = float("inf") if self.config.floor_from_stream else self.config.vad.initial_floor_db
        self._recent_db: deque[float] = deque(maxlen=max(1, self._stale_frames))  # energies inside the utterance
        self._background_db: deque[float] = deque(maxlen=_SPREAD_FRAMES)  # energies before it
        self._threshold = self.config.vad.threshold_db
        self._floor_level = -np.inf  # the background percentile under the floor (floor_percentile)
        self._power_tail = np.zeros(0)  # the last frames' powers, for the smoothing window across chunks
        self.floor_resets = 0
        self._utterance_db: list[float] = []  # energies of the utterance's active frames (relative_floor_db)
        self._frame_i = 0
        self._run_start: int | None = None  # first active frame of the current candidate run
        self._last_active = -(10**9)
        self._active_frames = 0
        self.in_utterance = False
        self.done = False
        self.utterance_start_s: float | None = None
        if self._prior is not None:
            self._floor = float(self._prior.floor_db)
            self._background_db.extend(self._prior.energies_db)
            self._threshold = self._adapted_threshold()
            self._floor_level = self._background_level()

    def background(self) -> Background | None:
        """The room as heard so far (None before the floor is known or with too little quiet heard): for
        the next endpointer on the same stream."""
        if self._learning_floor or len(self._background_db) < _MIN_SPREAD_FRAMES:
            return None
        return Background(float(max(self._floor, self._floor_level)), tuple(self._background_db))

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

    @property
    def _learning_floor(self) -> bool:
        """``floor_from_stream`` and the look-ahead not yet decided on: no floor yet."""
        return self._floor == float("inf")

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
        if self._learning_floor and len(self._buf) < self.config.floor_lookahead_s * self.config.sample_rate_hz:
            return []  # still listening for the floor
        return self._consume()

    def _consume(self) -> list[EndpointEvent]:
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
        if self._smooth_frames > 1:
            feats = replace(feats, energy_db=self._smoothed(feats.energy_db[:n]))
        floors = np.empty(n, dtype=np.float32)
        step = v.floor_rise_db_per_s * v.hop_s
        self._check_stale_floor()
        if self._learning_floor and n:  # the stream's first frames: start from their quietest
            self._seed_background(feats.energy_db[:n])
        for i, e in enumerate(feats.energy_db[:n]):
            # Frozen while in an utterance, so a long vowel or hum cannot raise the floor to itself.
            if not self.in_utterance:
                self._floor = min(float(e), self._floor + step)
            floors[i] = self._floor
        # the activity functions test energy > floor + vad.threshold_db: shift the floor by the adaptation
        floors = np.maximum(floors, np.float32(self._floor_level)) + np.float32(self._threshold - v.threshold_db)
        activity = melody_activity if cfg.target == "melody" else speech_activity
        active = activity(feats, noise_floor_db=floors, config=v)[:n]
        energy = feats.energy_db[:n]
        events: list[EndpointEvent] = []
        min_frames = int(round(cfg.min_speech_s / v.hop_s))
        trail_frames = int(round(cfg.trailing_silence_s / v.hop_s))
        for k, a in enumerate(active):
            f = self._frame_i
            self._frame_i += 1
            if a and self.in_utterance and cfg.relative_floor_db > 0:
                a = bool(energy[k] >= self._utterance_level() - cfg.relative_floor_db)
            if a:
                if not self.in_utterance and f - self._last_active > self._hangover:
                    self._run_start, self._active_frames = f, 0
                    self._utterance_db = []
                self._utterance_db.append(float(energy[k]))
                self._last_active = f
                self._active_frames += 1
                if not self.in_utterance and self._active_frames >= min_frames:
                    self.in_utterance = True
                    self.utterance_start_s = self._t(self._run_start or f)
                    events.append(EndpointEvent("start", self.utterance_start_s))
            elif not self.in_utterance and f - self._last_active > self._hangover:
                self._background_db.append(float(feats.energy_db[k]))  # quiet between utterances
            if self.in_utterance:
                if self._stale_frames:
                    self._recent_db.append(float(feats.energy_db[k]))
                end_t = self._t(self._last_active + 1) + v.frame_s - v.hop_s
                if f - self._last_active >= trail_frames:
                    return self._end(events, end_t, "silence")
                assert self.utterance_start_s is not None
                if self._t(f) - self.utterance_start_s >= cfg.max_utterance_s:
                    return self._end(events, self._t(f), "max_length")
            elif self._t(f) - (self._stream_start_s or 0.0) >= cfg.start_timeout_s:
                return self._end(events, self._t(f), "timeout")
        if not self.in_utterance:
            self._threshold = self._adapted_threshold()
            self._floor_level = self._background_level()
        return events

    def _utterance_level(self) -> float:
        """The utterance's typical level: the median energy of its active frames so far."""
        return float(np.median(self._utterance_db)) if self._utterance_db else -np.inf

    def _smoothed(self, energy_db: np.ndarray) -> np.ndarray:
        """Trailing moving average of frame power over ``energy_smoothing_s``, in dB (state across chunks)."""
        power = np.concatenate([self._power_tail, 10.0 ** (np.asarray(energy_db, np.float64) / 10.0)])
        k = self._smooth_frames
        csum = np.concatenate([[0.0], np.cumsum(power)])
        idx = np.arange(len(self._power_tail), len(power))
        lo = np.maximum(0, idx + 1 - k)
        mean = (csum[idx + 1] - csum[lo]) / (idx + 1 - lo)
        self._power_tail = power[-(k - 1):] if k > 1 else np.zeros(0)
        return (10.0 * np.log10(mean + 1e-10)).astype(np.float32)

    def _seed_background(self, energy_db: np.ndarray) -> None:
        """The floor and, from the frames near it (not the voice in them), the background's spread and level,
        before anything in the look-ahead is decided."""
        self._floor = float(np.min(energy_db))
        near = self.config.min_threshold_db if self.config.min_threshold_db > 0 else self.config.vad.threshold_db
        self._background_db.extend(float(e) for e in energy_db[energy_db <= self._floor + near])
        self._threshold = self._adapted_threshold()
        self._floor_level = self._background_level()

    def _adapted_threshold(self) -> float:
        """The activity threshold over the background heard so far (``min_threshold_db``'s comment)."""
        cfg, bg = self.config, self._background_db
        if cfg.min_threshold_db <= 0 or len(bg) < _MIN_SPREAD_FRAMES:
            return cfg.vad.threshold_db
        p10, p90 = np.percentile(np.fromiter(bg, dtype=np.float64), [10, 90])
        return float(np.clip(cfg.spread_factor * (p90 - p10), cfg.min_threshold_db, cfg.vad.threshold_db))

    def _background_level(self) -> float:
        """The ``floor_percentile`` of the background heard so far (-inf when off or too little heard)."""
        cfg, bg = self.config, self._background_db
        if cfg.floor_percentile <= 0 or len(bg) < _MIN_SPREAD_FRAMES:
            return -np.inf
        return float(np.percentile(np.fromiter(bg, dtype=np.float64), cfg.floor_percentile))

    def _check_stale_floor(self) -> None:
        """Move a stale floor up (see ``EndpointerConfig.stale_floor_s``); checked once per chunk."""
        recent = self._recent_db
        if not self.in_utterance or not self._stale_frames or len(recent) < self._stale_frames:
            return
        if min(recent) > max(self._floor, self._floor_level) + self._threshold:
            new = float(np.percentile(np.fromiter(recent, dtype=np.float64), 10))
            log.debug("endpoint: stale noise floor %.1f dB -> %.1f dB", self._floor, new)
            self._floor = new
            self.floor_resets += 1
            recent.clear()

    def _end(self, events: list[EndpointEvent], time_s: float, reason: str) -> list[EndpointEvent]:
        self.done = True
        self.in_utterance = False
        log.debug("endpoint: end at %.2f s (%s)", time_s, reason)
        events.append(EndpointEvent("end", time_s, reason))
        return events

    def finish(self) -> list[EndpointEvent]:
        """The stream ended: decide on what is still held back for the floor, close an open utterance."""
        events: list[EndpointEvent] = []
        if self._learning_floor and not self.done and self._stream_start_s is not None:
            events = self._consume()
        if self.done:
            return events
        if self.in_utterance:
            end_t = self._t(self._last_active + 1) + self.config.vad.frame_s - self.config.vad.hop_s
            return self._end(events, end_t, "stream_end")
        self.done = True
        return events


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
            # the floor's look-ahead can put the start up to that far back
            keep_s = pre_s + chunk.duration_s + (ep.config.floor_lookahead_s if ep.config.floor_from_stream else 0.0)
            while pre and chunk.end_s - pre[0].end_s > keep_s:
                pre.popleft()
        if ep.done:
            return
    got.extend(ep.finish())
