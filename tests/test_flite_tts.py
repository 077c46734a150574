"""bench/flite_tts.py: the CMU flite voices the spoken-command benchmark can use instead of espeak-ng."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from flite_tts import FLITE_CORPUS, FLITE_VOICES, FliteTTS

from assistant.audio import SpeechEngineError

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(shutil.which("flite") is None,
                                 reason="flite is not installed (apt-get install flite)")]


@pytest.mark.parametrize("voice", FLITE_VOICES)
def test_each_voice_speaks_16k_speech(voice: str) -> None:
    clip = FliteTTS().speak("play some jigs please", voice=voice, rate_wpm=165, pitch=50)
    assert clip.sample_rate_hz == 16000 and clip.samples.ndim == 1 and clip.samples.dtype == np.float32
    assert 0.5 < clip.duration_s < 5.0
    assert float(np.sqrt(np.mean(clip.samples**2))) > 0.0


def test_rate_dash_text_and_unknown_voice() -> None:
    tts = FliteTTS()
    assert tts.speak("play some jigs please", voice="slt", rate_wpm=110).duration_s > \
        tts.speak("play some jigs please", voice="slt", rate_wpm=220).duration_s
    assert tts.speak("--help me", voice="awb").duration_s > 0.3
    with pytest.raises(SpeechEngineError, match="no voice"):
        tts.speak("hello", voice="no-such-voice")
    assert FLITE_CORPUS.voices == FLITE_VOICES
