"""Waking the assistant: a spoken wake phrase (PocketSphinx keyphrase search, then a second-stage phrase
check) or push-to-talk."""

from assistant.wake.base import PushToTalk, WakeEvent, WakeSource
from assistant.wake.keyphrase import KeyphraseWakeWord, WakeCandidate, WakeWordConfig
from assistant.wake.verify import PhraseScore, PhraseVerifier, VerifierConfig, judge_phrase

__all__ = ["KeyphraseWakeWord", "PhraseScore", "PhraseVerifier", "PushToTalk", "VerifierConfig", "WakeCandidate",
           "WakeEvent", "WakeSource", "WakeWordConfig", "judge_phrase"]
