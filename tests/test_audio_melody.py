"""The melody of a plain recording (salience + Viterbi), for songs indexed from audio files."""

from __future__ import annotations

import numpy as np
import pytest

from music_models.errors import ConfigError
from music_models.library.audio_melody import AudioMelodyConfig, melody_of_recording, melody_track

SR = 16_000


def tone(midi: float, seconds: float, *, amp: float = 0.2, partials: int = 6) -> np.ndarray:
    """A harmonic tone (partials falling off as 1/h)."""
    t = np.arange(int(seconds * SR)) / SR
    f0 = 440.0 * 2 ** ((midi - 69) / 12)
    return sum(amp / h * np.sin(2 * np.pi * f0 * h * t) for h in range(1, partials + 1) if f0 * h < SR / 2)


def tune_over_chords() -> tuple[np.ndarray, list[int]]:
    """A stepwise tune (one note per 0.5 s) over held three-note chords and a bass an octave below."""
    tune = [72, 74, 76, 77, 79, 77, 76, 74, 72, 71, 72, 74]
    chords = [(60, 64, 67), (57, 60, 64), (53, 57, 60)]
    out = []
    for i, m in enumerate(tune):
        chord = chords[(i // 4) % 3]
        acc = sum(tone(c, 0.5, amp=0.08) for c in chord) + tone(chord[0] - 12, 0.5, amp=0.1)
        out.append(tone(m, 0.5) + acc)
    return np.concatenate(out).astype(np.float32), tune


def test_follows_the_tune_not_the_chords_under_it() -> None:
    x, tune = tune_over_chords()
    contour = melody_of_recording(samples=x, sample_rate_hz=SR)
    assert contour.dtype == np.float32
    assert abs(contour.size - 60) <= 1  # 6 s at 10 Hz
    want = np.repeat(tune, 5)[:contour.size]
    inner = np.ones(contour.size, dtype=bool)
    inner[::5] = False  # the first block of each note may straddle the change
    assert np.mean(np.abs(contour[inner] - want[inner]) <= 0.5) >= 0.9


def test_any_rate_and_stereo_give_the_same_melody() -> None:
    import librosa

    x, _ = tune_over_chords()
    ref = melody_of_recording(samples=x, sample_rate_hz=SR)
    y = librosa.resample(x, orig_sr=SR, target_sr=44_100)
    stereo = np.stack([y, y], axis=1)
    other = melody_of_recording(samples=stereo, sample_rate_hz=44_100)
    n = min(ref.size, other.size)
    assert abs(ref.size - other.size) <= 1
    assert np.mean(np.abs(ref[:n] - other[:n]) <= 0.5) >= 0.9


def test_rests_hold_the_last_note_and_quiet_ends_are_cut() -> None:
    gap = np.zeros(SR, dtype=np.float32)
    x = np.concatenate([gap, tone(69, 1.0), gap, tone(71, 1.0), gap]).astype(np.float32)
    track = melody_track(samples=x, sample_rate_hz=SR)
    assert np.isnan(track[:40]).all() and np.isnan(track[-40:]).all()
    contour = melody_of_recording(samples=x, sample_rate_hz=SR)
    assert 28 <= contour.size <= 32  # note, rest, note: 3 s
    assert np.all(np.abs(contour[12:18] - 69) <= 0.5)  # the rest holds the first note


def test_silence_and_slivers_have_no_melody() -> None:
    assert melody_of_recording(samples=np.zeros(3 * SR, dtype=np.float32), sample_rate_hz=SR).size == 0
    assert melody_of_recording(samples=np.zeros(100, dtype=np.float32), sample_rate_hz=SR).size == 0
    assert melody_track(samples=np.zeros(100, dtype=np.float32), sample_rate_hz=SR).size == 0


@pytest.mark.parametrize("change", [{"low_midi": 90.0, "high_midi": 80.0}, {"harmonic_decay": 0.0},
                                    {"jump_cost": -1.0}, {"tilt_per_octave": 0.0}, {"n_fft": 64}])
def test_bad_settings_are_named(change: dict) -> None:
    from dataclasses import replace

    with pytest.raises(ConfigError):
        replace(AudioMelodyConfig(), **change).validate()
