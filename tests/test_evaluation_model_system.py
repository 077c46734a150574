"""The model system at the library's interface: eval library built once (FluidSynth + local Qdrant), then cached.

The library's own fake embedder stands in for a trained checkpoint, so this tests the wiring, not the model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_library import FakeEmbedder, melody
from test_qbh_baseline import SR, _tiny_tunes

from music_models.errors import LibraryError, ModelError
from music_models.evaluation import ModelSystem
from music_models.evaluation.systems import eval_library_key


def test_cache_key_depends_on_tunes_and_checkpoint_only() -> None:
    a = eval_library_key(tune_ids=["x", "y"], checkpoint_sha256="s1")
    assert a == eval_library_key(tune_ids=["y", "x"], checkpoint_sha256="s1")
    assert a != eval_library_key(tune_ids=["x"], checkpoint_sha256="s1")
    assert a != eval_library_key(tune_ids=["x", "y"], checkpoint_sha256="s2")


def test_missing_checkpoint_or_library_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="--systems dtw"):
        ModelSystem(checkpoint=tmp_path / "none.pt", cache_dir=tmp_path).prepare(_tiny_tunes(2))
    with pytest.raises(LibraryError, match="prepare"):
        ModelSystem().rank(np.zeros(SR, dtype=np.float32), SR, 10)


@pytest.mark.integration  # FluidSynth rendering and Qdrant local mode
def test_model_system_builds_once_and_ranks(tmp_path: Path) -> None:
    tunes = _tiny_tunes(3, seed=5)
    system = ModelSystem(cache_dir=tmp_path, embedder=FakeEmbedder())
    system.prepare(tunes)
    about = system.describe()
    assert about["songs"] == 3 and about["build"]["indexed"] == 3 and not about["build"]["cached"]
    answer = system.rank(melody([n.pitch for n in tunes[1].notes[:16]]), SR, 10)  # sine tones the gate accepts
    assert answer.verdict in ("match", "unsure") and answer.song_ids
    assert set(answer.song_ids) <= {t.tune_id for t in tunes}
    assert answer.timing_ms["total"] > 0
    again = ModelSystem(cache_dir=tmp_path, embedder=FakeEmbedder())
    again.prepare(tunes)
    assert again.describe()["build"] == {"cached": True, "melodies_added": 0}  # stored when it was built
    assert again.describe()["songs"] == 3
    assert again.rank(np.zeros(5 * SR, dtype=np.float32), SR, 10).verdict == "no_melody"
