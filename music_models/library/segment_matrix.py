"""Every segment of a library in one in-memory matrix: the exact candidate stage. Pure numpy.

Qdrant keeps the library (persistence, payloads, a server for deployments); searching it window by
window in local mode is slow (a batch of 7 query windows over 100k points took ~370 ms here) and its
summary points are only an approximation of a song's windows. A library of 3,000 songs has ~75k
segments of 128 floats (38 MB): one matrix product gives the distance of every query window to every
segment in a few milliseconds, a per-song minimum (``np.minimum.reduceat`` over the song's rows) gives
each song's exact best match per window, and the temporal alignment then re-ranks the closest songs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["SegmentMatrix"]


@dataclass(frozen=True)
class SegmentMatrix:
    """Rows of song ``song_ids[k]`` are ``bounds[k]:bounds[k + 1]``, in segment order."""

    z: np.ndarray  # [n_segments, dim] float32
    sq_norms: np.ndarray  # [n_segments] float32
    starts_s: np.ndarray  # [n_segments] float64
    song_ids: tuple[str, ...]
    bounds: np.ndarray  # [n_songs + 1] int64

    @classmethod
    def build(cls, segments: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> SegmentMatrix:
        """From ``song_id -> (z [n, dim], starts_s [n])`` (songs with no segments are left out)."""
        ids = tuple(s for s in sorted(segments) if len(segments[s][0]))
        if not ids:
            return cls(np.zeros((0, 0), np.float32), np.zeros(0, np.float32), np.zeros(0), (), np.zeros(1, np.int64))
        z = np.ascontiguousarray(np.concatenate([segments[s][0] for s in ids]), dtype=np.float32)
        starts = np.concatenate([np.asarray(segments[s][1], dtype=np.float64) for s in ids])
        bounds = np.concatenate([[0], np.cumsum([len(segments[s][0]) for s in ids])]).astype(np.int64)
        return cls(z, (z * z).sum(axis=1), starts, ids, bounds)

    def __len__(self) -> int:
        return len(self.song_ids)

    @property
    def n_segments(self) -> int:
        return int(self.z.shape[0])

    def distances(self, query: np.ndarray) -> np.ndarray:
        """Euclidean distances ``[n_query, n_segments]`` (float32)."""
        q = np.atleast_2d(np.asarray(query, dtype=np.float32))
        d2 = (q * q).sum(axis=1)[:, None] + self.sq_norms[None, :] - 2.0 * (q @ self.z.T)
        return np.sqrt(np.maximum(d2, 0.0, out=d2), out=d2)

    def song_window_minima(self, distances: np.ndarray) -> np.ndarray:
        """``[n_query, n_songs]``: each query window's distance to its nearest segment of each song."""
        return np.minimum.reduceat(distances, self.bounds[:-1], axis=1)

    def nearest_songs(self, distances: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` songs with the smallest mean (over query windows) nearest-segment distance,
        as ``(song index, cost)``, best first."""
        if not len(self):
            return []
        cost = self.song_window_minima(distances).mean(axis=0)
        k = min(limit, len(cost))
        top = np.argpartition(cost, k - 1)[:k]
        top = top[np.lexsort((top, cost[top]))]
        return [(int(i), float(cost[i])) for i in top]

    def rows(self, song_index: int) -> slice:
        return slice(int(self.bounds[song_index]), int(self.bounds[song_index + 1]))

    def save(self, path: Path, *, key: str) -> None:
        """Write the matrix with ``key`` (what it was built from) to ``path`` atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part.npz")
        np.savez(tmp, key=np.array(key), z=self.z, starts_s=self.starts_s, bounds=self.bounds,
                 song_ids=np.array(self.song_ids, dtype=np.str_))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, *, key: str) -> SegmentMatrix | None:
        """The matrix saved at ``path`` if it was built from ``key``; None when absent, stale or unreadable."""
        try:
            with np.load(path, allow_pickle=False) as f:  # a cache of older form (pickled ids) is rebuilt
                if str(f["key"]) != key:
                    return None
                z = np.ascontiguousarray(f["z"], dtype=np.float32)
                return cls(z, (z * z).sum(axis=1), f["starts_s"].astype(np.float64),
                           tuple(str(s) for s in f["song_ids"]), f["bounds"].astype(np.int64))
        except (OSError, KeyError, ValueError, EOFError):
            return None
