"""Text to speech: espeak-ng to 16 kHz mono clips."""

from assistant.tts.espeak import EspeakConfig, EspeakTTS, list_voices

__all__ = ["EspeakConfig", "EspeakTTS", "list_voices"]
