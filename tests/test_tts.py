"""espeak-ng TTS: 16 kHz mono output, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.audio import SpeechEngineError, SpeechInputError
from assistant.tts import EspeakConfig, EspeakTTS


@pytest.mark.integration
def test_speak_gives_16k_mono_speech() -> None:
    clip = EspeakTTS().speak("I think that was Greensleeves.")
    assert clip.sample_rate_hz == 16000 and clip.samples.ndim == 1 and clip.samples.dtype == np.float32
    assert 1.0 < clip.duration_s < 4.0
    assert np.sqrt(np.mean(clip.samples**2)) > 0.01
    slow = EspeakTTS(EspeakConfig(rate_wpm=100)).speak("I think that was Greensleeves.")
    assert slow.duration_s > clip.duration_s


@pytest.mark.integration
def test_text_starting_with_dash_is_spoken_not_parsed() -> None:
    assert EspeakTTS().speak("--help me").duration_s > 0.3


def test_bad_input_and_missing_binary() -> None:
    with pytest.raises(SpeechInputError, match="empty"):
        EspeakTTS().speak("   ")
    with pytest.raises(SpeechInputError, match="rate"):
        EspeakTTS().speak("hi", rate_wpm=5)
    with pytest.raises(SpeechEngineError, match="apt-get install espeak-ng"):
        EspeakTTS(EspeakConfig(executable="espeak-ng-not-installed")).speak("hello")
