"""Errors of the speech and audio edge. Each message says how to fix the problem."""

from __future__ import annotations

from music_models.errors import AudioInputError, HumdingerError, ModelError

__all__ = [
    "AudioInputError",
    "NoAudioDeviceError",
    "SpeechEngineError",
    "SpeechInputError",
    "SpeechModelError",
]

FILE_MODES_HINT = (
    "without a microphone or speaker use the file modes: pass an audio file (e.g. 'humdinger identify FILE') "
    "and write replies to a WAV file"
)


class NoAudioDeviceError(HumdingerError):
    """No usable microphone or speaker (PortAudio missing, no device, or disabled)."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"no audio {what} available ({reason}); {FILE_MODES_HINT}")
        self.what = what
        self.reason = reason


class SpeechEngineError(HumdingerError):
    """A speech engine (espeak-ng, PocketSphinx, Vosk) is missing or failed."""


class SpeechInputError(HumdingerError):
    """Input to a speech component is unusable (empty text, wrong sample rate, bad phrase list)."""


class SpeechModelError(ModelError):
    """A speech model (Vosk model directory, PocketSphinx model files) is missing or broken."""
