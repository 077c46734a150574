"""Wake word: PocketSphinx keyphrase search + phrase verifier on espeak-spoken phrases; push-to-talk."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant.audio import SpeechInputError, chunks_from_array
from assistant.tts import EspeakConfig, EspeakTTS
from assistant.wake import (
    KeyphraseWakeWord,
    PhraseScore,
    PushToTalk,
    VerifierConfig,
    WakeEvent,
    WakeWordConfig,
    judge_phrase,
)


def _padded(text: str, voice: str, rate_wpm: int = 160) -> np.ndarray:
    rng = np.random.default_rng(0)
    y = EspeakTTS(EspeakConfig(voice=voice, rate_wpm=rate_wpm)).speak(text).samples
    y = y / (np.sqrt(np.mean(y.astype(np.float64) ** 2)) + 1e-9) * 0.1  # -20 dBFS, as the bench speaks
    return np.concatenate([rng.normal(0, 0.002, 8000), y, rng.normal(0, 0.002, 16000)]).astype(np.float32)


@pytest.fixture(scope="module")
def wake_word() -> KeyphraseWakeWord:
    return KeyphraseWakeWord()


@pytest.mark.integration
def test_wake_fires_on_phrase_and_not_on_other_speech(wake_word: KeyphraseWakeWord) -> None:
    # Voices the default catches; the miss rate over voices and noise is bench/bench_wake.py's job.
    for voice in ("en-us+f2", "en-us+f3"):
        audio = _padded("hey humdinger", voice)
        hits = list(wake_word.detect(chunks_from_array(audio, chunk_s=0.1)))
        spoken_end_s = len(audio) / 16000 - 1.0
        assert len(hits) == 1 and hits[0].source == "keyphrase", voice
        assert abs(hits[0].time_s - spoken_end_s) < 0.4, (voice, hits[0].time_s, spoken_end_s)
    for text in ("the weather is nice today and I like music", "those were humdrum days",
                 "can you play the next song please"):
        for voice in ("en-us", "en-us+f2"):
            assert list(wake_word.detect(chunks_from_array(_padded(text, voice), chunk_s=0.1))) == [], (text, voice)


@pytest.mark.integration
def test_verifier_rejects_music_and_accepts_the_phrase() -> None:
    wake_word = KeyphraseWakeWord(WakeWordConfig(verifier=VerifierConfig(enabled=True)))  # its -3.0 threshold
    rng = np.random.default_rng(3)
    t = np.arange(16000 * 12) / 16000
    # a chord with vibrato under noise: nothing phrase-like may get through both stages
    music = sum(0.05 * np.sin(2 * np.pi * f * t * (1 + 0.01 * np.sin(2 * np.pi * 5 * t))) for f in (220, 277, 330))
    audio = (music * (rng.random(len(t)) < 0.999) + rng.normal(0, 0.02, len(t))).astype(np.float32)
    assert list(wake_word.detect(chunks_from_array(audio, chunk_s=0.1))) == []
    phrase = _padded("hey humdinger", "en-us+f2")
    cands = list(wake_word.candidates(chunks_from_array(phrase, chunk_s=0.1)))
    assert cands and wake_word.verifier is not None
    cfg = wake_word.config.verifier
    score = wake_word.verifier.score(cands[0].samples, end_trims_s=cfg.end_trims_s)
    assert score.aligned and judge_phrase(score, config=cfg) == "", score
    assert 0.5 < score.phrase_s < 1.3 and len(score.word_durations_s) == 2
    assert len(cands[0].samples) / 16000 <= cfg.max_window_s + 1e-6


def test_judge_phrase_thresholds() -> None:
    cfg = VerifierConfig()
    good = PhraseScore(True, cfg.min_llr_nats_per_frame + 0.5, 0.2, 0.95, (0.2, 0.55), 0.0)
    assert judge_phrase(good, config=cfg) == ""
    assert judge_phrase(PhraseScore(False), config=cfg) == "not aligned"
    assert judge_phrase(replace(good, llr_nats_per_frame=cfg.min_llr_nats_per_frame - 0.1), config=cfg).startswith("llr")
    assert judge_phrase(replace(good, word_durations_s=(0.03, 0.6)), config=cfg).startswith("word")
    assert judge_phrase(replace(good, longest_pause_s=cfg.max_pause_s + 0.1), config=cfg).startswith("pause")
    assert judge_phrase(replace(good, phrase_end_s=3.0), config=cfg).startswith("phrase")
    assert PhraseScore.from_dict(good.to_dict()) == good


def test_wake_config_round_trip() -> None:
    cfg = WakeWordConfig(verifier=VerifierConfig(min_llr_nats_per_frame=-2.0, end_trims_s=(0.0, 0.1)))
    assert WakeWordConfig.from_dict(cfg.to_dict()) == cfg


def test_push_to_talk() -> None:
    ptt = PushToTalk()
    chunks = chunks_from_array(np.zeros(16000, dtype=np.float32), chunk_s=0.1)
    assert list(ptt.detect(c for c in chunks)) == []
    ptt.press()
    events = list(ptt.detect(chunks_from_array(np.zeros(3200, dtype=np.float32), chunk_s=0.1, start_s=5.0)))
    assert events == [WakeEvent(5.0, "push_to_talk")] and WakeEvent.from_dict(events[0].to_dict()) == events[0]


def test_bad_wake_config() -> None:
    with pytest.raises(SpeechInputError, match="empty"):
        KeyphraseWakeWord(WakeWordConfig(phrase="  "))
    with pytest.raises(SpeechInputError, match="kws_threshold"):
        KeyphraseWakeWord(WakeWordConfig(kws_threshold=2.0))
    with pytest.raises(SpeechInputError, match="max_window_s"):
        VerifierConfig(tail_s=1.0, max_window_s=0.5)
    with pytest.raises(SpeechInputError, match="min_phrase_s"):
        VerifierConfig(min_phrase_s=2.0, max_phrase_s=1.0)
