"""Spoken replies with espeak-ng (a subprocess writing a WAV file), resampled to 16 kHz mono."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.audio.chunk import SPEECH_SAMPLE_RATE_HZ, AudioClip
from assistant.audio.errors import SpeechEngineError, SpeechInputError
from assistant.audio.file_source import FileSourceConfig, read_audio_file

__all__ = ["EspeakConfig", "EspeakTTS", "list_voices"]

log = logging.getLogger(__name__)

_INSTALL = "install it with 'apt-get install espeak-ng'"


@dataclass(frozen=True)
class EspeakConfig:
    """Voice (``espeak-ng --voices``), speed in words per minute, pitch 0-99, output rate."""

    voice: str = "en-us"
    rate_wpm: int = 165
    pitch: int = 50
    sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ
    max_chars: int = 2000
    timeout_s: float = 30.0
    executable: str = "espeak-ng"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EspeakConfig:
        return cls(**d)


def _exe(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SpeechEngineError(f"{name} is not on PATH; {_INSTALL}")
    return path


def list_voices(*, config: EspeakConfig | None = None, language: str = "en") -> list[str]:
    """Voice names espeak-ng knows for ``language``."""
    cfg = config or EspeakConfig()
    res = subprocess.run([_exe(cfg.executable), f"--voices={language}"], capture_output=True, text=True,
                         timeout=cfg.timeout_s, check=False)
    return [ln.split()[1] for ln in res.stdout.splitlines()[1:] if len(ln.split()) > 1]


class EspeakTTS:
    """``speak(text) -> AudioClip`` (16 kHz mono float32)."""

    def __init__(self, config: EspeakConfig | None = None) -> None:
        self.config = config or EspeakConfig()

    def speak(self, text: str, *, voice: str | None = None, rate_wpm: int | None = None,
              pitch: int | None = None) -> AudioClip:
        cfg = self.config
        clean = " ".join(str(text).split())
        if not clean:
            raise SpeechInputError("nothing to say: the reply text is empty")
        if len(clean) > cfg.max_chars:
            raise SpeechInputError(f"reply of {len(clean)} characters is longer than {cfg.max_chars}; shorten it")
        rate = cfg.rate_wpm if rate_wpm is None else rate_wpm
        p = cfg.pitch if pitch is None else pitch
        if not 80 <= rate <= 450 or not 0 <= p <= 99:
            raise SpeechInputError(f"espeak-ng needs rate 80-450 wpm and pitch 0-99, got {rate} and {p}")
        exe = _exe(cfg.executable)
        with tempfile.TemporaryDirectory(prefix="humdinger-tts-") as tmp:
            out = Path(tmp) / "reply.wav"
            # Text on stdin, so a reply starting with '-' can never be read as an option.
            cmd = [exe, "-v", voice or cfg.voice, "-s", str(rate), "-p", str(p), "-w", str(out), "--stdin"]
            try:
                res = subprocess.run(cmd, input=clean, capture_output=True, text=True, timeout=cfg.timeout_s,
                                     check=False)
            except subprocess.TimeoutExpired as exc:
                raise SpeechEngineError(f"espeak-ng took longer than {cfg.timeout_s} s; shorten the reply") from exc
            if res.returncode != 0 or not out.is_file() or out.stat().st_size <= 44:
                raise SpeechEngineError(f"espeak-ng failed (exit {res.returncode}): {res.stderr.strip()[:200]}; "
                                        f"check the voice name with 'espeak-ng --voices=en'")
            clip = read_audio_file(out, config=FileSourceConfig(sample_rate_hz=cfg.sample_rate_hz))
        log.debug("spoke %d chars -> %.2f s", len(clean), clip.duration_s)
        return clip
