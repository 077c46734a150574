"""Pure metric functions for the music space: retrieval ranks, Gaussianity of z, decoder accuracy."""

from __future__ import annotations

import numpy as np

__all__ = ["gaussianity", "mmd_rbf", "mrr", "song_ranks_by_min_distance", "top_k"]


def mrr(ranks: list[int] | np.ndarray) -> float:
    """Mean reciprocal rank; ranks are 1-based, 0 (or negative) means 'not returned'."""
    r = np.asarray(ranks, dtype=float)
    if r.size == 0:
        return 0.0
    return float(np.mean(np.where(r > 0, 1.0 / np.maximum(r, 1), 0.0)))


def top_k(ranks: list[int] | np.ndarray, k: int) -> float:
    r = np.asarray(ranks)
    return float(np.mean((r > 0) & (r <= k))) if r.size else 0.0


def mmd_rbf(x: np.ndarray, y: np.ndarray, *, bandwidth: float | None = None) -> float:
    """Unbiased squared maximum mean discrepancy with an RBF kernel (median heuristic bandwidth)."""
    xy = np.concatenate([x, y])
    d2 = ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)
    if bandwidth is None:
        bandwidth = float(np.sqrt(0.5 * np.median(d2[d2 > 0])))
    k = np.exp(-d2 / (2 * bandwidth**2))
    n, m = len(x), len(y)
    kxx, kyy, kxy = k[:n, :n], k[n:, n:], k[:n, n:]
    return float((kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
                 - 2 * kxy.mean())


def gaussianity(z: np.ndarray, *, seed: int = 0, max_points: int = 1000) -> dict[str, float]:
    """How close the aggregate of z is to N(0, I): per-dimension mean/std, mean KS statistic, MMD."""
    from scipy import stats

    rng = np.random.default_rng(seed)
    if len(z) > max_points:
        z = z[rng.choice(len(z), max_points, replace=False)]
    means, stds = z.mean(0), z.std(0)
    ks = [stats.kstest(z[:, d], "norm").statistic for d in range(z.shape[1])]
    ref = rng.standard_normal(z.shape)
    ref2 = rng.standard_normal(z.shape)
    return {
        "dim_mean_abs_avg": float(np.abs(means).mean()),
        "dim_std_avg": float(stds.mean()),
        "dim_std_min": float(stds.min()),
        "dim_std_max": float(stds.max()),
        "ks_mean": float(np.mean(ks)),
        "mmd": mmd_rbf(z, ref),
        "mmd_reference_two_gaussian_samples": mmd_rbf(ref2, ref),
    }


def song_ranks_by_min_distance(
    query_z: list[np.ndarray], true_songs: list[str], song_z: dict[str, np.ndarray]
) -> list[int]:
    """Rank of the true song for each query: score = mean over query windows of the min sq. distance."""
    names = list(song_z)
    ranks = []
    for qz, truth in zip(query_z, true_songs):
        scores = np.empty(len(names))
        for j, s in enumerate(names):
            d = ((qz[:, None, :] - song_z[s][None, :, :]) ** 2).sum(-1)
            scores[j] = d.min(1).mean()
        order = np.argsort(scores)
        pos = np.nonzero(np.array(names)[order] == truth)[0]
        ranks.append(int(pos[0]) + 1 if pos.size else 0)
    return ranks
