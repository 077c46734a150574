"""Where replies and music go: WAV files (file mode, CI) or the speaker (live mode).

Both keep track of the item that is playing so that "stop" (barge-in), "pause" and "resume" act on it.
In file mode time is the conversation's stream time: an item started at ``t`` with duration ``d`` is
still playing at ``now_s < t + d``, and a stop then cancels it (recorded with how much was heard)."""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from assistant.audio.chunk import AudioClip
from assistant.audio.devices import DeviceConfig, SoundDeviceSink
from assistant.audio.echo import EchoReference
from assistant.audio.sinks import write_wav

__all__ = ["DeviceOutput", "FileOutput", "NowPlaying", "Output"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NowPlaying:
    name: str
    path: str | None
    start_s: float
    duration_s: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Output(Protocol):
    def say(self, clip: AudioClip, *, name: str) -> str | None: ...

    def play(self, clip: AudioClip, *, name: str, now_s: float) -> str | None: ...

    def stop(self, *, now_s: float) -> dict[str, Any] | None: ...

    def pause(self, *, now_s: float) -> None: ...

    def resume(self, *, now_s: float) -> None: ...

    def close(self) -> None: ...


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "audio"


class FileOutput:
    """Writes each reply to ``out_dir/<name>.wav`` and each played song to ``out_dir/<name>.wav``."""

    def __init__(self, out_dir: str | Path) -> None:
        self.out_dir = Path(out_dir)
        self.now_playing: NowPlaying | None = None
        self._paused_at: float | None = None

    def _write(self, clip: AudioClip, name: str) -> str:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        return str(write_wav(self.out_dir / f"{_safe(name)}.wav", clip))

    def say(self, clip: AudioClip, *, name: str) -> str | None:
        return self._write(clip, name)

    def play(self, clip: AudioClip, *, name: str, now_s: float) -> str | None:
        path = self._write(clip, name)
        self.now_playing = NowPlaying(name, path, now_s, clip.duration_s)
        self._paused_at = None
        return path

    def _playing_at(self, now_s: float) -> bool:
        np_ = self.now_playing
        return np_ is not None and (self._paused_at is not None or now_s < np_.start_s + np_.duration_s)

    def stop(self, *, now_s: float) -> dict[str, Any] | None:
        np_, self.now_playing = self.now_playing, None
        if np_ is None or not (self._paused_at is not None or now_s < np_.start_s + np_.duration_s):
            return None
        heard = (self._paused_at if self._paused_at is not None else now_s) - np_.start_s
        self._paused_at = None
        return {**np_.to_dict(), "heard_s": round(max(0.0, heard), 3)}

    def pause(self, *, now_s: float) -> None:
        if self._playing_at(now_s) and self._paused_at is None:
            self._paused_at = now_s

    def resume(self, *, now_s: float) -> None:
        np_ = self.now_playing
        if np_ is not None and self._paused_at is not None:  # the rest plays from now on
            self.now_playing = NowPlaying(np_.name, np_.path, now_s - (self._paused_at - np_.start_s), np_.duration_s)
            self._paused_at = None

    def close(self) -> None:
        self.now_playing = None


class DeviceOutput:
    """Speech is played on the speaker before the next turn; music plays in a background thread that
    a stop (barge-in) or pause interrupts between 0.1 s chunks. Devices open on first use."""

    def __init__(self, config: DeviceConfig | None = None, *, echo_reference: EchoReference | None = None) -> None:
        """``echo_reference``: the music written to the speaker is also recorded there, by the time it is
        heard, for the microphone's echo canceller (:func:`assistant.audio.echo.cancel_echo`)."""
        self.config = config or DeviceConfig()
        self._reference = echo_reference
        self._speech = SoundDeviceSink(self.config)
        self._stop = threading.Event()
        self._resume = threading.Event()
        self._thread: threading.Thread | None = None
        self._playing: NowPlaying | None = None

    def say(self, clip: AudioClip, *, name: str) -> str | None:
        for chunk in clip.chunks(chunk_s=self.config.chunk_s):
            self._speech.write(chunk)
        return None

    def _run(self, clip: AudioClip) -> None:
        sink = SoundDeviceSink(self.config)
        heard_until = 0.0  # when the last chunk written will have been played (monotonic)
        try:
            for chunk in clip.chunks(chunk_s=self.config.chunk_s):
                self._resume.wait()
                if self._stop.is_set():
                    break
                sink.write(chunk)
                if self._reference is not None:  # a blocking write returns once the chunk is queued
                    at = max(heard_until, time.monotonic() + sink.latency_s - chunk.duration_s)
                    self._reference.played(chunk.samples, at=at)
                    heard_until = at + chunk.duration_s
        except Exception as exc:  # noqa: BLE001 - the player thread must report, not die silently
            log.error("music playback failed: %s", exc)
        finally:
            sink.close()

    def play(self, clip: AudioClip, *, name: str, now_s: float) -> str | None:
        self.stop(now_s=now_s)
        self._stop.clear()
        self._resume.set()
        self._playing = NowPlaying(name, None, now_s, clip.duration_s)
        self._thread = threading.Thread(target=self._run, args=(clip,), name="humdinger-music", daemon=True)
        self._thread.start()
        return None

    def stop(self, *, now_s: float) -> dict[str, Any] | None:
        thread, playing = self._thread, self._playing
        self._thread = self._playing = None
        if thread is None or playing is None:
            return None
        alive = thread.is_alive()
        self._stop.set()
        self._resume.set()
        thread.join(timeout=2.0)
        return {**playing.to_dict(), "heard_s": round(now_s - playing.start_s, 3)} if alive else None

    def pause(self, *, now_s: float) -> None:
        self._resume.clear()

    def resume(self, *, now_s: float) -> None:
        self._resume.set()

    def close(self) -> None:
        self.stop(now_s=0.0)
        self._speech.close()
