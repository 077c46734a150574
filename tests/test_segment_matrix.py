"""The in-memory candidate stage: exact per-song nearest-window costs, checked against brute force."""

from __future__ import annotations

import numpy as np

from music_models.library.align import distance_matrix
from music_models.library.segment_matrix import SegmentMatrix


def _songs(rng: np.random.Generator, n: int = 6, dim: int = 16) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out = {}
    for k in range(n):
        m = int(rng.integers(1, 9))
        out[f"song{k}"] = (rng.standard_normal((m, dim)).astype(np.float32), np.arange(m, dtype=np.float64))
    return out


def test_distances_and_per_song_minima_match_brute_force() -> None:
    rng = np.random.default_rng(0)
    songs = _songs(rng)
    m = SegmentMatrix.build(songs)
    q = rng.standard_normal((5, 16)).astype(np.float32)
    d = m.distances(q)
    assert d.shape == (5, sum(len(z) for z, _ in songs.values()))
    minima = m.song_window_minima(d)
    for k, sid in enumerate(m.song_ids):
        ref = distance_matrix(query=q, segments=songs[sid][0])
        np.testing.assert_allclose(d[:, m.rows(k)], ref, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(minima[:, k], ref.min(axis=1), rtol=1e-4, atol=1e-4)
        np.testing.assert_array_equal(m.starts_s[m.rows(k)], songs[sid][1])


def test_nearest_songs_ranks_the_song_holding_the_query_first() -> None:
    rng = np.random.default_rng(1)
    songs = _songs(rng, n=40)
    z, _ = songs["song17"]
    m = SegmentMatrix.build(songs)
    q = z[: min(3, len(z))] + 0.01 * rng.standard_normal((min(3, len(z)), 16)).astype(np.float32)
    near = m.nearest_songs(m.distances(q), 5)
    assert m.song_ids[near[0][0]] == "song17"
    assert [c for _, c in near] == sorted(c for _, c in near)
    assert len(m.nearest_songs(m.distances(q), 1000)) == 40


def test_empty_library_has_no_candidates() -> None:
    m = SegmentMatrix.build({"silent": (np.zeros((0, 16), np.float32), np.zeros(0))})
    assert len(m) == 0 and m.nearest_songs(np.zeros((2, 0), np.float32), 3) == []
