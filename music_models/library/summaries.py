"""A song's few summary vectors for the candidate collection: k-means centroids of its window embeddings."""

from __future__ import annotations

import numpy as np

__all__ = ["song_summaries"]


def song_summaries(*, z: np.ndarray, k: int, iterations: int = 20) -> np.ndarray:
    """``[min(k, n), dim]`` centroids of the rows of ``z`` (deterministic: seeded by farthest-point picks).

    Every part of a song (A part, B part, chorus) should lie near one of them, so a query window
    finds the song among the candidates without searching every segment.
    """
    x = np.asarray(z, dtype=np.float64)
    n = len(x)
    if n == 0:
        raise ValueError("a song needs at least one window embedding")
    k = min(k, n)
    centres = [x.mean(axis=0)]
    while len(centres) < k:  # farthest point from the current centres
        d = ((x[:, None, :] - np.asarray(centres)[None]) ** 2).sum(-1).min(1)
        centres.append(x[int(d.argmax())])
    c = np.asarray(centres)
    for _ in range(iterations):
        labels = ((x[:, None, :] - c[None]) ** 2).sum(-1).argmin(1)
        new = np.stack([x[labels == j].mean(0) if np.any(labels == j) else c[j] for j in range(k)])
        if np.allclose(new, c):
            break
        c = new
    return c.astype(np.float32)
