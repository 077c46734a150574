"""The melody gate's second listen: noise-floor subtraction lets a melody drowned in noise through,
and leaves noise alone refused (music_models.library.denoise, melody.gate_melody)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from music_models.evaluation.nonmelodic import nonmelodic_query
from music_models.library.config import MelodyGateConfig
from music_models.library.denoise import subtract_noise_floor
from music_models.library.melody import analyse_melody, check_melody, gate_melody

SR = 16_000


def _melody() -> np.ndarray:
    """A scale tune of held, harmonic notes (0.4 s each, 9.6 s), unit RMS."""
    t = np.arange(int(0.4 * SR)) / SR
    notes = []
    for m in [60, 62, 64, 65, 67, 65, 64, 62] * 3:
        f = 440.0 * 2 ** ((m - 69) / 12)
        notes.append(sum(np.sin(2 * np.pi * f * k * t) / k for k in (1, 2, 3)))
    y = np.concatenate(notes)
    return (y / np.sqrt(np.mean(y**2))).astype(np.float32)


def _pink(n: int, seed: int = 1) -> np.ndarray:
    x = nonmelodic_query(kind="pink_noise", duration_s=n / SR + 0.1, sample_rate_hz=SR, seed=seed)[:n]
    return (x / np.sqrt(np.mean(np.square(x)))).astype(np.float32)


def test_subtraction_keeps_length_and_lowers_the_noise() -> None:
    y = _melody()
    noise = _pink(len(y))
    cleaned = subtract_noise_floor(0.05 * (y + noise))
    assert cleaned.shape == y.shape and cleaned.dtype == np.float32
    # noise alone loses more than half its level (~8 dB); a tune alone keeps nearly all of it
    def rms(a: np.ndarray) -> float:
        return float(np.sqrt(np.mean(np.square(a))))

    assert rms(subtract_noise_floor(0.05 * noise)) < 0.5 * 0.05
    assert rms(subtract_noise_floor(0.05 * y)) > 0.9 * 0.05
    short = np.ones(100, dtype=np.float32)
    assert np.array_equal(subtract_noise_floor(short), short)


def test_a_melody_in_noise_is_heard_on_the_second_listen() -> None:
    x = 0.05 * (_melody() + _pink(len(_melody())))  # 0 dB SNR pink noise
    first, _ = analyse_melody(samples=x)
    assert not first.is_melody and first.reason.startswith("no pitched sound")
    check, track, heard = gate_melody(samples=x)
    assert check.is_melody and check.denoised and track is not None and check.voiced_s > 5.0
    assert heard.shape == x.shape and not np.array_equal(heard, x)
    assert check_melody(samples=x).is_melody
    off = replace(MelodyGateConfig(), denoise_retry=False)
    assert not gate_melody(samples=x, config=off)[0].is_melody


def test_noise_and_silence_stay_refused() -> None:
    for kind in ("pink_noise", "white_noise", "silence"):
        x = nonmelodic_query(kind=kind, duration_s=10.0, sample_rate_hz=SR, seed=3)
        check, _, heard = gate_melody(samples=x)
        assert not check.is_melody and not check.denoised and heard is not None


def test_a_clear_melody_is_not_listened_to_twice() -> None:
    x = 0.1 * _melody()
    check, _, heard = gate_melody(samples=x)
    assert check.is_melody and not check.denoised and np.array_equal(heard, x)
