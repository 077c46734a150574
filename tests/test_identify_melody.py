"""The melody gate that decides ``no_melody`` before any search: real synthetic hums and whistles
pass; silence, noise and espeak-ng speech do not."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from music_models.library.melody import check_melody, median_run_s
from music_models.types import Key, Meter, Note, Tune

SR = 16_000


def _tune(seed: int) -> Tune:
    rng = np.random.default_rng(seed)
    notes, t, p = [], 0.0, 67
    for _ in range(64):
        d = float(rng.choice([0.5, 0.5, 1.0, 1.0, 2.0]))
        p = int(np.clip(p + rng.integers(-4, 5), 58, 79))
        notes.append(Note(p, t, d))
        t += d
    return Tune(f"m{seed}", f"Melody {seed}", "tests", Meter(4, 4), Key(7), 100.0 + 20 * seed, tuple(notes))


@pytest.mark.parametrize(("kind", "seed"), [("hum", 0), ("hum", 1), ("whistle", 2), ("sing", 3), ("hum", 4), ("whistle", 5)])
def test_performed_melodies_pass(kind: str, seed: int) -> None:  # seeds 4, 5: fast tunes (180, 200 qpm)
    from music_models.queries import QueryConfig, synthesise_query

    q = synthesise_query(_tune(seed), kind=kind, seed=seed, config=QueryConfig(target_duration_s=8.0))
    check = check_melody(samples=q.samples)
    assert check.is_melody, check
    assert check.voiced_s >= 2.0 and check.reason == ""


@pytest.mark.parametrize("kind", ["silence", "white_noise", "pink_noise"])
def test_silence_and_noise_are_not_melody(kind: str) -> None:
    from music_models.evaluation.nonmelodic import nonmelodic_query

    check = check_melody(samples=nonmelodic_query(kind=kind, duration_s=8.0, sample_rate_hz=SR, seed=1))
    assert not check.is_melody and check.reason


def test_digital_silence_and_empty_input() -> None:
    assert check_melody(samples=np.zeros(SR * 5, np.float32)).reason == "silence"
    assert check_melody(samples=np.zeros(0, np.float32)).reason == "empty"


def test_too_short_a_melody() -> None:
    t = np.arange(int(1.5 * SR)) / SR
    check = check_melody(samples=(0.1 * np.sin(2 * np.pi * 330 * t)).astype(np.float32))
    assert not check.is_melody and "too little melody" in check.reason


@pytest.mark.integration
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (make setup)")
@pytest.mark.parametrize("seed", [10, 13, 14, 15])
def test_speech_is_not_melody(seed: int) -> None:
    from music_models.evaluation.nonmelodic import nonmelodic_query

    check = check_melody(samples=nonmelodic_query(kind="speech", duration_s=8.0, sample_rate_hz=SR, seed=seed))
    assert not check.is_melody, check


def test_median_run_length() -> None:
    v = np.array([1, 1, 1, 0, 1, 0, 0, 1, 1], dtype=bool)
    assert median_run_s(voiced=v, frame_s=0.04) == pytest.approx(0.08)
    assert median_run_s(voiced=np.zeros(5, bool), frame_s=0.04) == 0.0
