"""Acoustic echo cancellation: take the assistant's own music out of what the microphone hears.

A smart speaker's microphone hears the music it is playing, often louder than the person asking it to
stop. The music is known (it is the reference the player writes to the speaker), so an adaptive filter
can learn the path from speaker to microphone and subtract its estimate of the echo. This uses
SpeexDSP's multi-delay block frequency-domain echo canceller and its residual echo suppressor
(Debian's ``libspeexdsp1``, loaded with ctypes; on every architecture a speaker runs on).

:class:`SpeexEchoCanceller` works on aligned arrays (a test, a benchmark); :class:`EchoReference` holds
what the speaker played, by monotonic time, for the live microphone path; :func:`cancel_echo` applies
the canceller to a chunk stream whose chunks carry their capture time.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from assistant.audio.chunk import SPEECH_SAMPLE_RATE_HZ, AudioChunk, as_float32
from assistant.audio.errors import SpeechEngineError

__all__ = ["EchoConfig", "EchoReference", "SpeexEchoCanceller", "cancel_echo", "load_speexdsp"]

log = logging.getLogger(__name__)

_ECHO_SET_SAMPLING_RATE = 24
_PREPROCESS_SET_DENOISE = 0
_PREPROCESS_SET_NOISE_SUPPRESS = 18
_PREPROCESS_SET_ECHO_SUPPRESS = 20
_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE = 22
_PREPROCESS_SET_ECHO_STATE = 24


@dataclass(frozen=True)
class EchoConfig:
    """``filter_s``: the longest echo path the filter models (room reverberation plus any misalignment of
    the reference; longer adapts more slowly). ``lead_s``: the reference for a microphone chunk is what
    was played from this much after the chunk's capture time on, so that timing error never puts an echo
    before its reference (the filter cannot model a non-causal path; it models the path's delay plus the
    lead). ``residual_suppression``: SpeexDSP's post-filter removes the echo the linear filter leaves (down to ``echo_suppress_db``, or ``echo_suppress_active_db`` while someone
    talks). SpeexDSP applies that suppression through its denoiser's gain, so the denoiser runs, with its
    noise attenuation capped at ``noise_suppress_db`` (the recogniser copes with steady noise itself)."""

    enabled: bool = True
    sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ
    frame_s: float = 0.01
    filter_s: float = 0.3
    lead_s: float = 0.05
    residual_suppression: bool = True
    echo_suppress_db: int = -40
    echo_suppress_active_db: int = -15
    noise_suppress_db: int = -6
    #: Live mode: the reference is kept this long (the microphone path lags the player by less).
    keep_s: float = 5.0

    def __post_init__(self) -> None:
        if self.frame_s <= 0 or self.filter_s < self.frame_s:
            raise SpeechEngineError(f"echo canceller: need 0 < frame_s <= filter_s, got {self.frame_s}, {self.filter_s}")

    @property
    def frame(self) -> int:
        return int(round(self.frame_s * self.sample_rate_hz))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_LIB: Any = None


def load_speexdsp() -> Any:
    """The SpeexDSP shared library, with argument types set; a clear error naming the package when missing."""
    global _LIB
    if _LIB is not None:
        return _LIB
    name = ctypes.util.find_library("speexdsp") or "libspeexdsp.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError as exc:
        raise SpeechEngineError(f"the echo canceller needs SpeexDSP ({name} not loadable: {exc}); "
                                "apt-get install libspeexdsp1 (make setup installs it)") from exc
    vp, i16p = ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16)
    lib.speex_echo_state_init.restype = vp
    lib.speex_echo_state_init.argtypes = [ctypes.c_int, ctypes.c_int]
    lib.speex_echo_state_destroy.argtypes = [vp]
    lib.speex_echo_cancellation.argtypes = [vp, i16p, i16p, i16p]
    lib.speex_echo_ctl.argtypes = [vp, ctypes.c_int, vp]
    lib.speex_echo_state_reset.argtypes = [vp]
    lib.speex_preprocess_state_init.restype = vp
    lib.speex_preprocess_state_init.argtypes = [ctypes.c_int, ctypes.c_int]
    lib.speex_preprocess_state_destroy.argtypes = [vp]
    lib.speex_preprocess_ctl.argtypes = [vp, ctypes.c_int, vp]
    lib.speex_preprocess_run.argtypes = [vp, i16p]
    _LIB = lib
    return lib


def _to_int16(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.clip(np.round(np.asarray(x, np.float64) * 32768.0), -32768, 32767), dtype=np.int16)


class SpeexEchoCanceller:
    """Streaming echo canceller: :meth:`process` takes equally long blocks of microphone audio and of the
    reference (what the speaker played at the same time, float in [-1, 1]) and returns the microphone
    audio with the echo removed. State carries over between calls; a block that is not a whole number of
    frames is zero-padded for the filter and cut back."""

    def __init__(self, config: EchoConfig | None = None) -> None:
        self.config = config or EchoConfig()
        self._lib = load_speexdsp()
        c = self.config
        self._echo = self._lib.speex_echo_state_init(c.frame, int(round(c.filter_s * c.sample_rate_hz)))
        if not self._echo:
            raise SpeechEngineError("SpeexDSP could not create an echo canceller state")
        rate = ctypes.c_int(c.sample_rate_hz)
        self._lib.speex_echo_ctl(self._echo, _ECHO_SET_SAMPLING_RATE, ctypes.byref(rate))
        self._pre = None
        if c.residual_suppression:
            self._pre = self._lib.speex_preprocess_state_init(c.frame, c.sample_rate_hz)
            on, noise = ctypes.c_int(1), ctypes.c_int(c.noise_suppress_db)
            sup, act = ctypes.c_int(c.echo_suppress_db), ctypes.c_int(c.echo_suppress_active_db)
            self._lib.speex_preprocess_ctl(self._pre, _PREPROCESS_SET_DENOISE, ctypes.byref(on))
            self._lib.speex_preprocess_ctl(self._pre, _PREPROCESS_SET_NOISE_SUPPRESS, ctypes.byref(noise))
            self._lib.speex_preprocess_ctl(self._pre, _PREPROCESS_SET_ECHO_SUPPRESS, ctypes.byref(sup))
            self._lib.speex_preprocess_ctl(self._pre, _PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, ctypes.byref(act))
            self._lib.speex_preprocess_ctl(self._pre, _PREPROCESS_SET_ECHO_STATE, ctypes.c_void_p(self._echo))

    def process(self, mic: np.ndarray, reference: np.ndarray) -> np.ndarray:
        if self._echo is None:
            raise SpeechEngineError("the echo canceller is closed")
        m, r = np.asarray(mic), np.asarray(reference)
        if len(m) != len(r):
            raise SpeechEngineError(f"echo canceller: {len(m)} microphone samples but {len(r)} reference samples")
        n, f = len(m), self.config.frame
        pad = (-n) % f
        mi = _to_int16(np.concatenate([m, np.zeros(pad)]) if pad else m)
        ri = _to_int16(np.concatenate([r, np.zeros(pad)]) if pad else r)
        out = np.empty_like(mi)
        i16p = ctypes.POINTER(ctypes.c_int16)
        for k in range(0, len(mi), f):
            a, b, o = mi[k:k + f], ri[k:k + f], out[k:k + f]
            self._lib.speex_echo_cancellation(self._echo, a.ctypes.data_as(i16p), b.ctypes.data_as(i16p),
                                              o.ctypes.data_as(i16p))
            if self._pre is not None:
                self._lib.speex_preprocess_run(self._pre, o.ctypes.data_as(i16p))
        return (out[:n].astype(np.float32) / 32768.0)

    def reset(self) -> None:
        if self._echo is not None:
            self._lib.speex_echo_state_reset(self._echo)

    def close(self) -> None:
        if self._pre is not None:
            self._lib.speex_preprocess_state_destroy(self._pre)
            self._pre = None
        if self._echo is not None:
            self._lib.speex_echo_state_destroy(self._echo)
            self._echo = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown may have unloaded ctypes already
            self.close()


class EchoReference:
    """What the speaker played, by the monotonic time it reached the speaker: the music player writes
    (:meth:`played`), the microphone path reads the stretch that overlaps each chunk (:meth:`take`).
    Thread-safe; keeps ``keep_s``; silence where nothing was played."""

    def __init__(self, sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ, *, keep_s: float = 5.0) -> None:
        self.sample_rate_hz = sample_rate_hz
        self._keep_s = keep_s
        self._blocks: deque[tuple[float, np.ndarray]] = deque()
        self._lock = threading.Lock()

    def played(self, samples: np.ndarray, *, at: float) -> None:
        """``samples`` reach the speaker from monotonic time ``at`` on."""
        block = as_float32(np.asarray(samples)).copy()
        with self._lock:
            self._blocks.append((float(at), block))
            end = at + len(block) / self.sample_rate_hz
            while self._blocks and self._blocks[0][0] + len(self._blocks[0][1]) / self.sample_rate_hz < end - self._keep_s:
                self._blocks.popleft()

    def active(self, start: float, end: float) -> bool:
        """Was anything played between monotonic ``start`` and ``end``?"""
        sr = self.sample_rate_hz
        with self._lock:
            return any(t < end and t + len(b) / sr > start for t, b in self._blocks)

    def take(self, start: float, n: int) -> np.ndarray:
        """``n`` samples of what was played from monotonic time ``start`` on (zeros where nothing was)."""
        sr = self.sample_rate_hz
        out = np.zeros(n, dtype=np.float32)
        with self._lock:
            blocks = list(self._blocks)
        for t, b in blocks:
            off = int(round((t - start) * sr))  # where the block starts inside the output
            lo, hi = max(0, off), min(n, off + len(b))
            if lo < hi:
                out[lo:hi] = b[lo - off: hi - off]
        return out


def cancel_echo(chunks: Iterable[AudioChunk], reference: EchoReference, *, capture_time: Callable[[AudioChunk], float],
                config: EchoConfig | None = None, canceller: SpeexEchoCanceller | None = None) -> Iterator[AudioChunk]:
    """The chunks with the speaker's echo removed while something is being played (untouched otherwise,
    so the filter adapts only to the music and speech passes unchanged when nothing plays).
    ``capture_time(chunk)`` is the monotonic time the chunk's first sample was captured."""
    cfg = config or EchoConfig()
    ec = canceller or SpeexEchoCanceller(cfg)
    idle = True
    for chunk in chunks:
        # the echo of what was played at t is heard after t; taking the reference lead_s later than the
        # capture time keeps it ahead of its echo when the two clocks' estimates are off by up to that much
        t0 = capture_time(chunk) + cfg.lead_s
        if not reference.active(t0 - cfg.filter_s, t0 + chunk.duration_s):
            if not idle:
                ec.reset()  # the next music starts from a fresh filter: the room may have changed
                idle = True
            yield chunk
            continue
        idle = False
        ref = reference.take(t0, len(chunk.samples))
        yield AudioChunk(ec.process(chunk.float32(), ref), chunk.sample_rate_hz, chunk.start_s)
