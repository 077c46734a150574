"""The shipped music-space checkpoint: a transposed or time-stretched segment stays near the original."""

from __future__ import annotations

import numpy as np
import pytest

from music_models.paths import soundfont_path
from music_models.space.checkpoint import default_checkpoint_path
from music_models.training.batches import shift_pitch, stretch
from music_models.types import Key, Meter, Note, Tune

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(soundfont_path() is None, reason="needs fluid-soundfont-gm (apt-get install fluid-soundfont-gm)"),
]


def _tune(tune_id: str, pitches: list[int]) -> Tune:
    notes = tuple(Note(p, 0.5 * i, 0.5) for i, p in enumerate(pitches))
    return Tune(tune_id, tune_id, "test", Meter(4, 4), Key(0), 120.0, notes)


def test_transposed_and_stretched_segments_stay_near_the_original() -> None:
    from music_models.arrange import arrange
    from music_models.render import FluidSynthRenderer
    from music_models.space.embed import Embedder

    assert default_checkpoint_path().is_file(), "the shipped checkpoint is committed with the repository"
    rng = np.random.default_rng(0)
    melodies = [[60 + int(x) for x in np.cumsum(rng.integers(-3, 4, 48)).clip(-7, 12)] for _ in range(4)]
    with FluidSynthRenderer() as renderer:
        audio = [renderer.render_arrangement(arrange(_tune(f"t{i}", m), seed=i)).samples for i, m in enumerate(melodies)]
    embedder = Embedder()
    feats = [embedder.features(a) for a in audio]
    base, _ = embedder.embed_features(feats[0])
    shifted, _ = embedder.embed_features(shift_pitch(feats[0], bins=4))  # up 2 semitones
    slower = stretch(feats[0], factor=1.15)
    stretched, _ = embedder.embed_features(slower)
    others = np.concatenate([embedder.embed_features(f)[0] for f in feats[1:]])

    def nearest(z: np.ndarray, pool: np.ndarray) -> np.ndarray:
        return np.sqrt(((z[:, None, :] - pool[None, :, :]) ** 2).sum(-1)).min(1)

    to_other = nearest(base, others).mean()
    assert nearest(shifted, base).mean() < 0.7 * to_other
    assert nearest(stretched, base).mean() < 0.7 * to_other
