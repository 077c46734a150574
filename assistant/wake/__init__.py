"""Waking the assistant: a spoken wake phrase (PocketSphinx keyphrase search) or push-to-talk."""

from assistant.wake.base import PushToTalk, WakeEvent, WakeSource
from assistant.wake.keyphrase import KeyphraseWakeWord, WakeWordConfig

__all__ = ["KeyphraseWakeWord", "PushToTalk", "WakeEvent", "WakeSource", "WakeWordConfig"]
