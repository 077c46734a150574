"""Per-song aggregation of window matches. Pure functions over numpy arrays.

A query is several windows (4 s, hop 1 s). When the query is song S, consecutive query windows match
consecutive segments of S, advancing through the recording at a roughly constant tempo ratio (the
person hums at 0.7-1.4x the recording's tempo). :func:`temporal_alignment` scores every straight line
through the query-window x segment distance matrix (start segment x tempo ratio), taking the nearer
of the two segments around each predicted time, and keeps the best; a song whose segments are
individually close but scattered (a decoy) cannot line up and scores badly. :func:`vote` is plain
single-window voting, kept for comparison (``LibraryConfig.aggregation = "vote"``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Alignment", "distance_matrix", "similarity", "temporal_alignment", "temporal_alignment_numpy",
           "temporal_alignments", "vote"]


@dataclass(frozen=True)
class Alignment:
    """The best line: mean window distance along it, where the query starts in the song, the ratio."""

    cost: float
    offset_s: float
    tempo_ratio: float


def distance_matrix(*, query: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Euclidean distances ``[n_query, n_segments]`` between two sets of row vectors."""
    q = np.asarray(query, dtype=np.float64)
    s = np.asarray(segments, dtype=np.float64)
    d2 = (q * q).sum(1)[:, None] + (s * s).sum(1)[None, :] - 2.0 * q @ s.T
    return np.sqrt(np.maximum(d2, 0.0))


def similarity(*, cost: float, dim: int) -> float:
    """1 - cost / sqrt(2 dim): ~0 for two independent N(0, I) points, 1 for identical ones."""
    return float(1.0 - cost / np.sqrt(2.0 * dim))


def temporal_alignment(
    *, distances: np.ndarray, query_starts_s: Sequence[float] | np.ndarray,
    segment_starts_s: Sequence[float] | np.ndarray, ratios: Sequence[float],
) -> Alignment:
    """The best constant-ratio alignment of the query windows to one song's segments.

    For each start segment ``j0`` and ratio ``r``, query window ``i`` (starting ``t_i`` s after the
    first) is expected at recording time ``start(j0) + r * t_i``; its cost is the smaller distance to
    the segments on either side of that time (the one segment when it falls on one). Times past the
    song's end clamp to its last segment. Ties go to the first ratio, then the first start segment.
    """
    return temporal_alignments(distances=[distances], query_starts_s=query_starts_s,
                               segment_starts_s=[segment_starts_s], ratios=ratios)[0]


def temporal_alignments(
    *, distances: Sequence[np.ndarray], query_starts_s: Sequence[float] | np.ndarray,
    segment_starts_s: Sequence[Sequence[float] | np.ndarray], ratios: Sequence[float],
) -> list[Alignment]:
    """:func:`temporal_alignment` of one query with many songs (``distances[k]``: the query windows x
    song k's segments, ``segment_starts_s[k]`` its segments' starts) in one compiled call."""
    if not len(distances):
        return []
    d = np.ascontiguousarray(np.concatenate([np.asarray(x) for x in distances], axis=1), dtype=np.float64)
    seg = np.ascontiguousarray(np.concatenate([np.asarray(x, dtype=np.float64) for x in segment_starts_s]))
    sizes = np.array([np.asarray(x).shape[1] for x in distances], dtype=np.int64)
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    q_rel = np.asarray(query_starts_s, dtype=np.float64)
    q_rel = np.ascontiguousarray(q_rel - q_rel[0])
    r = np.ascontiguousarray(ratios, dtype=np.float64)
    costs, ks, js = _alignment_kernel()(d, seg, bounds, q_rel, r)
    out = []
    for k in range(len(sizes)):
        lo = int(bounds[k])
        if sizes[k] == 0:  # no segments: nothing matches
            out.append(Alignment(float("inf"), 0.0, 1.0))
        elif sizes[k] == 1:  # one segment: nothing to line up
            out.append(Alignment(float(d[:, lo].mean()), float(seg[lo]), 1.0))
        else:
            out.append(Alignment(float(costs[k]), float(seg[lo + js[k]]), float(r[ks[k]])))
    return out


def temporal_alignment_numpy(
    *, distances: np.ndarray, query_starts_s: Sequence[float] | np.ndarray,
    segment_starts_s: Sequence[float] | np.ndarray, ratios: Sequence[float],
) -> Alignment:
    """:func:`temporal_alignment` written plainly in numpy (its first form): the reference the compiled
    search is tested against, and the "before" of ``bench/bench_alignment.py``."""
    d = np.asarray(distances, dtype=np.float64)
    n_q, n_s = d.shape
    seg = np.asarray(segment_starts_s, dtype=np.float64)
    q_rel = np.asarray(query_starts_s, dtype=np.float64)
    q_rel = q_rel - q_rel[0]
    r = np.asarray(ratios, dtype=np.float64)
    if n_s == 1:
        return Alignment(float(d[:, 0].mean()), float(seg[0]), 1.0)
    times = seg[None, :, None] + r[:, None, None] * q_rel[None, None, :]  # [ratios, anchors, windows]
    frac = np.interp(times, seg, np.arange(n_s, dtype=np.float64))
    lo = np.floor(frac).astype(np.int64)
    hi = np.ceil(frac).astype(np.int64)
    rows = np.arange(n_q)[None, None, :]
    cost = np.minimum(d[rows, lo], d[rows, hi]).mean(axis=2)  # [ratios, anchors]
    k_r, j0 = np.unravel_index(int(np.argmin(cost)), cost.shape)
    return Alignment(float(cost[k_r, j0]), float(seg[j0]), float(r[k_r]))


@functools.lru_cache(maxsize=1)
def _alignment_kernel() -> Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The compiled search over (ratio, start segment) of each song; compiled on first use, never at
    import time. Positions between segments are interpolated as ``np.interp(t, seg, arange(n_s))`` does."""
    import numba

    @numba.njit(cache=True, fastmath=False, nogil=True)
    def kernel(d: np.ndarray, all_seg: np.ndarray, bounds: np.ndarray, q_rel: np.ndarray, r: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover (compiled)
        n_q = d.shape[0]
        n_songs = bounds.size - 1
        costs = np.full(n_songs, np.inf)
        ks = np.zeros(n_songs, dtype=np.int64)
        js = np.zeros(n_songs, dtype=np.int64)
        for song in range(n_songs):
            base = bounds[song]
            n_s = bounds[song + 1] - base
            if n_s < 2:
                continue
            seg = all_seg[base : base + n_s]
            best, best_k, best_j = np.inf, 0, 0
            for k in range(r.size):
                for j0 in range(n_s):
                    total = 0.0
                    for i in range(n_q):
                        t = seg[j0] + r[k] * q_rel[i]
                        if t <= seg[0]:
                            frac = 0.0
                        elif t >= seg[n_s - 1]:
                            frac = float(n_s - 1)
                        else:
                            lo, hi = 0, n_s - 1  # the last lo with seg[lo] <= t
                            while hi - lo > 1:
                                mid = (lo + hi) // 2
                                if seg[mid] <= t:
                                    lo = mid
                                else:
                                    hi = mid
                            if seg[lo] == t:
                                frac = float(lo)
                            else:
                                frac = (1.0 / (seg[lo + 1] - seg[lo])) * (t - seg[lo]) + lo
                        a = int(np.floor(frac))
                        b = int(np.ceil(frac))
                        total += min(d[i, base + a], d[i, base + b])
                    cost = total / n_q
                    if cost < best:
                        best, best_k, best_j = cost, k, j0
            costs[song], ks[song], js[song] = best, best_k, best_j
        return costs, ks, js

    return kernel


def vote(
    *, distances: Mapping[str, np.ndarray], segment_starts_s: Mapping[str, Sequence[float] | np.ndarray],
) -> dict[str, tuple[float, float]]:
    """Single-window voting: each query window votes for the song of its nearest segment.

    Returns ``song -> (fraction of votes, offset_s of its first voting window's segment)`` for songs with votes.
    """
    songs = list(distances)
    if not songs:
        return {}
    n_q = next(iter(distances.values())).shape[0]
    best = np.stack([distances[s].min(axis=1) for s in songs])  # [songs, windows]
    winner = best.argmin(axis=0)
    out: dict[str, tuple[float, float]] = {}
    for i, k in enumerate(winner):
        song = songs[int(k)]
        if song not in out:
            j = int(distances[song][i].argmin())
            out[song] = (0.0, float(segment_starts_s[song][j]))
        out[song] = (out[song][0] + 1.0 / n_q, out[song][1])
    return out
