"""Microphone and speaker through sounddevice (PortAudio). Nothing is opened until used: the
microphone opens when its chunks are iterated, the speaker on the first write.

``HUMDINGER_AUDIO=none`` disables devices (CI, servers); a missing PortAudio library, no device,
or that setting raise :class:`NoAudioDeviceError`, whose message names the file-based modes."""

from __future__ import annotations

import logging
import os
import queue
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any, Self

import numpy as np

from assistant.audio.chunk import SPEECH_SAMPLE_RATE_HZ, AudioChunk, as_float32
from assistant.audio.errors import NoAudioDeviceError, SpeechInputError

__all__ = ["AUDIO_ENV", "DeviceConfig", "MicrophoneSource", "SoundDeviceSink", "find_device"]

log = logging.getLogger(__name__)

#: Set to ``none`` to forbid opening audio devices.
AUDIO_ENV = "HUMDINGER_AUDIO"

QueryDevices = Callable[[], Any]


@dataclass(frozen=True)
class DeviceConfig:
    """Device selection and stream shape. ``device`` is a sounddevice index or name substring; None = default."""

    device: int | str | None = None
    sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ
    chunk_s: float = 0.1
    read_timeout_s: float = 2.0
    max_queued_chunks: int = 100

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DeviceConfig:
        return cls(**d)


def _default_query() -> Any:
    try:
        import sounddevice as sd
    except OSError as exc:  # the PortAudio shared library is missing
        raise NoAudioDeviceError("device", f"PortAudio not loadable: {exc}; apt-get install libportaudio2") from exc
    return sd.query_devices()


def find_device(kind: str, *, config: DeviceConfig, query_devices: QueryDevices | None = None) -> int:
    """The index of an input (``kind='input'``) or output device, or :class:`NoAudioDeviceError`."""
    what = "microphone" if kind == "input" else "speaker"
    if os.environ.get(AUDIO_ENV, "").lower() == "none":
        raise NoAudioDeviceError(what, f"{AUDIO_ENV}=none")
    try:
        devices = list((query_devices or _default_query)())
    except NoAudioDeviceError:
        raise
    except Exception as exc:  # PortAudio errors have no stable type
        raise NoAudioDeviceError(what, f"PortAudio error: {exc}") from exc
    key = "max_input_channels" if kind == "input" else "max_output_channels"
    usable = [i for i, d in enumerate(devices) if int(d.get(key, 0)) > 0]
    if not usable:
        raise NoAudioDeviceError(what, f"PortAudio lists {len(devices)} device(s), none with {kind} channels")
    want = config.device
    if want is None:
        return usable[0]
    for i in usable:
        if want == i or (isinstance(want, str) and want.lower() in str(devices[i].get("name", "")).lower()):
            return i
    names = ", ".join(f"{i}: {devices[i].get('name')}" for i in usable)
    raise NoAudioDeviceError(what, f"device {want!r} not found; {kind} devices are {names}")


class MicrophoneSource:
    """Chunks from the microphone. The stream is opened when iteration starts and closed when it stops."""

    def __init__(self, config: DeviceConfig | None = None, *, query_devices: QueryDevices | None = None) -> None:
        self.config = config or DeviceConfig()
        self._query = query_devices
        self._anchor = (0.0, 0.0)  # (stream time, monotonic time) of the latest block's first sample

    def capture_time(self, chunk: AudioChunk) -> float:
        """The monotonic time at which ``chunk``'s first sample was captured (for the echo canceller):
        re-anchored at every block, so the sound card's clock cannot drift away from it."""
        stream_s, mono = self._anchor
        return mono + (chunk.start_s - stream_s)

    def __iter__(self) -> Iterator[AudioChunk]:
        cfg = self.config
        index = find_device("input", config=cfg, query_devices=self._query)
        import sounddevice as sd

        q: queue.Queue[tuple[np.ndarray, float]] = queue.Queue(maxsize=cfg.max_queued_chunks)
        blocksize = int(round(cfg.chunk_s * cfg.sample_rate_hz))

        def callback(indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            if status:
                log.warning("microphone: %s", status)
            try:  # the block's first sample was captured about its length (and the input latency) ago
                q.put_nowait((indata[:, 0].copy(), time.monotonic() - frames / cfg.sample_rate_hz - latency[0]))
            except queue.Full:
                log.warning("microphone: consumer too slow, dropped %d samples", frames)

        n = 0
        latency = [0.0]
        with sd.InputStream(device=index, channels=1, samplerate=cfg.sample_rate_hz, dtype="int16",
                            blocksize=blocksize, callback=callback) as stream:
            latency[0] = float(stream.latency)
            log.info("microphone %d open at %d Hz", index, cfg.sample_rate_hz)
            while True:
                try:
                    block, captured = q.get(timeout=cfg.read_timeout_s)
                except queue.Empty as exc:
                    raise NoAudioDeviceError("microphone", f"no audio arrived within {cfg.read_timeout_s} s") from exc
                self._anchor = (n / cfg.sample_rate_hz, captured)
                yield AudioChunk(block, cfg.sample_rate_hz, n / cfg.sample_rate_hz)
                n += len(block)


class SoundDeviceSink:
    """Plays chunks on the speaker; opened on first write, closed by :meth:`close` (or ``with``)."""

    def __init__(self, config: DeviceConfig | None = None, *, query_devices: QueryDevices | None = None) -> None:
        self.config = config or DeviceConfig()
        self._query = query_devices
        self._stream: Any = None

    @property
    def latency_s(self) -> float:
        """The output stream's latency (0 before it opens): a written chunk is heard about this much later."""
        return float(self._stream.latency) if self._stream is not None else 0.0

    def write(self, chunk: AudioChunk) -> None:
        if chunk.sample_rate_hz != self.config.sample_rate_hz:
            raise SpeechInputError(f"speaker runs at {self.config.sample_rate_hz} Hz, chunk is "
                                   f"{chunk.sample_rate_hz} Hz; resample first")
        if self._stream is None:
            index = find_device("output", config=self.config, query_devices=self._query)
            import sounddevice as sd

            self._stream = sd.OutputStream(device=index, channels=1, samplerate=self.config.sample_rate_hz,
                                           dtype="float32")
            self._stream.start()
        self._stream.write(as_float32(chunk.samples).reshape(-1, 1))

    def close(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
