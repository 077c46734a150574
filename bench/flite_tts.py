"""Speakers for the speech benchmarks from CMU flite: clustergen voices built from recordings of real people
(CMU ARCTIC), a closer proxy for real users than espeak-ng's formant voices.

    >>> from flite_tts import FLITE_CORPUS, FliteTTS
    >>> from speech_corpus import spoken_variants
    >>> variants = spoken_variants("play some jigs", n=4, seed=0, config=FLITE_CORPUS, tts=FliteTTS())

:class:`FliteTTS` has :class:`assistant.tts.EspeakTTS`'s ``speak`` signature, so it drops into
``speech_corpus.spoken_variants``. The espeak-style rate and pitch map onto flite features:
``duration_stretch = 165 / rate_wpm`` and ``f0_shift = 1 + (pitch - 50) / 200``. The ``rms`` voice ignores
``f0_shift`` (measured); ``awb``, ``slt`` and ``kal16`` follow it.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from speech_corpus import SpeechCorpusConfig

from assistant.audio.chunk import SPEECH_SAMPLE_RATE_HZ, AudioClip
from assistant.audio.errors import SpeechEngineError, SpeechInputError
from assistant.audio.file_source import FileSourceConfig, read_audio_file

__all__ = ["FLITE_CORPUS", "FLITE_VOICES", "FliteConfig", "FliteTTS", "flite_voices"]

log = logging.getLogger(__name__)

#: awb (Scottish male), rms (US male), slt (US female): clustergen; kal16: US male diphone.
FLITE_VOICES: tuple[str, ...] = ("awb", "rms", "slt", "kal16")
#: The espeak corpus's rate and pitch ranges, spoken by the flite voices (the babble stays espeak's).
FLITE_CORPUS = SpeechCorpusConfig(voices=FLITE_VOICES)
NEUTRAL_RATE_WPM = 165
NEUTRAL_PITCH = 50


@dataclass(frozen=True)
class FliteConfig:
    """Default voice, speed (words per minute) and pitch (espeak's 0-99 scale), output rate, limits."""

    voice: str = "slt"
    rate_wpm: int = NEUTRAL_RATE_WPM
    pitch: int = NEUTRAL_PITCH
    sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ
    max_chars: int = 2000
    timeout_s: float = 30.0
    executable: str = "flite"


def _exe(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SpeechEngineError(f"{name} is not on PATH; install it with 'apt-get install flite'")
    return path


@functools.cache
def _voices(exe: str, timeout_s: float) -> tuple[str, ...]:
    res = subprocess.run([exe, "-lv"], capture_output=True, text=True, timeout=timeout_s, check=False)
    _, _, names = res.stdout.partition(":")
    return tuple(names.split())


def flite_voices(*, config: FliteConfig | None = None) -> tuple[str, ...]:
    """The voices compiled into flite (``flite -lv``)."""
    cfg = config or FliteConfig()
    return _voices(_exe(cfg.executable), cfg.timeout_s)


class FliteTTS:
    """``speak(text, voice=, rate_wpm=, pitch=) -> AudioClip`` (16 kHz mono float32)."""

    def __init__(self, config: FliteConfig | None = None) -> None:
        self.config = config or FliteConfig()

    def speak(self, text: str, *, voice: str | None = None, rate_wpm: int | None = None,
              pitch: int | None = None) -> AudioClip:
        cfg = self.config
        clean = " ".join(str(text).split())
        if not clean:
            raise SpeechInputError("nothing to say: the text is empty")
        if len(clean) > cfg.max_chars:
            raise SpeechInputError(f"text of {len(clean)} characters is over {cfg.max_chars}; shorten it")
        rate = cfg.rate_wpm if rate_wpm is None else rate_wpm
        p = cfg.pitch if pitch is None else pitch
        if not 80 <= rate <= 450 or not 0 <= p <= 99:
            raise SpeechInputError(f"flite speakers need rate 80-450 wpm and pitch 0-99, got {rate} and {p}")
        name = voice or cfg.voice
        known = flite_voices(config=cfg)
        if name not in known:  # flite silently falls back to its default voice on an unknown name
            raise SpeechEngineError(f"flite has no voice {name!r}; it has {', '.join(known)} ('flite -lv')")
        exe = _exe(cfg.executable)
        with tempfile.TemporaryDirectory(prefix="humdinger-flite-") as tmp:
            src, out = Path(tmp) / "text.txt", Path(tmp) / "speech.wav"
            # Text from a file (-f), so text starting with '-' can never be read as an option.
            src.write_text(clean + "\n", encoding="utf-8")
            cmd = [exe, "-voice", name, "--setf", f"duration_stretch={NEUTRAL_RATE_WPM / rate:.4f}",
                   "--setf", f"f0_shift={1 + (p - NEUTRAL_PITCH) / 200:.4f}", "-f", str(src), "-o", str(out)]
            try:
                res = subprocess.run(cmd, capture_output=True, text=True, timeout=cfg.timeout_s, check=False)
            except subprocess.TimeoutExpired as exc:
                raise SpeechEngineError(f"flite took over {cfg.timeout_s} s; shorten the text") from exc
            if res.returncode != 0 or not out.is_file() or out.stat().st_size <= 44:
                raise SpeechEngineError(f"flite failed (exit {res.returncode}): {res.stderr.strip()[:200]}")
            clip = read_audio_file(out, config=FileSourceConfig(sample_rate_hz=cfg.sample_rate_hz))
        log.debug("flite %s spoke %d chars -> %.2f s", name, len(clean), clip.duration_s)
        return clip
