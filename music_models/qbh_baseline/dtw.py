"""Subsequence DTW of a query contour against many melody contours at once.

The references of all tunes are concatenated, separated by two NaN frames that no path can cross
(the largest step skips one reference frame). Steps (1,1), (1,2) and (2,1) bound the local tempo
ratio to [0.5, 2]; every query frame contributes exactly one cell cost, so the end cost divided by the
query length is the mean per-frame error in semitones. A path may start and end anywhere in a tune.

Key normalisation: the query minus its mean is compared with the reference minus its centred running
mean over a window as long as the query (first pass); the best candidates are then re-matched against
their raw contour with the query moved to the matched span's mean plus a small shift grid (second pass).
The numba kernel is compiled on first use, never at import time.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["SEPARATOR_FRAMES", "concatenate_references", "frame_bounds", "running_mean", "subsequence_dtw"]

logger = logging.getLogger(__name__)

#: NaN frames between two tunes in a concatenated reference.
SEPARATOR_FRAMES = 2


def concatenate_references(*, contours: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One array of all contours with NaN separators; returns (reference, starts, lengths)."""
    lengths = np.array([c.size for c in contours], dtype=np.int64)
    starts = np.zeros(len(contours), dtype=np.int64)
    if len(contours) > 1:
        starts[1:] = np.cumsum(lengths[:-1] + SEPARATOR_FRAMES)
    total = int(lengths.sum() + SEPARATOR_FRAMES * len(contours))
    ref = np.full(total, np.nan, dtype=np.float64)
    for s, c in zip(starts, contours):
        ref[s : s + c.size] = c
    return ref, starts, lengths


def frame_bounds(*, starts: np.ndarray, lengths: np.ndarray, total: int) -> tuple[np.ndarray, np.ndarray]:
    """Per frame of a concatenated reference: its tune's first frame and one past its last (-1 on separators)."""
    lo = np.full(total, -1, dtype=np.int64)
    hi = np.full(total, -1, dtype=np.int64)
    for s, n in zip(starts, lengths):
        lo[s : s + n] = s
        hi[s : s + n] = s + n
    return lo, hi


def running_mean(*, reference: np.ndarray, tune_lo: np.ndarray, tune_hi: np.ndarray, window: int) -> np.ndarray:
    """Centred running mean of each tune's frames over ``window`` frames, clipped at the tune's ends.

    ``tune_lo``/``tune_hi`` come from :func:`frame_bounds`; separator frames get NaN.
    """
    out = np.full(reference.shape, np.nan, dtype=np.float64)
    j = np.nonzero(tune_lo >= 0)[0]
    if j.size == 0:
        return out
    half = max(int(window) // 2, 1)
    lo = np.maximum(j - half, tune_lo[j])
    hi = np.minimum(j + half + 1, tune_hi[j])
    csum = np.concatenate([[0.0], np.cumsum(np.nan_to_num(reference).astype(np.float64))])
    out[j] = (csum[hi] - csum[lo]) / (hi - lo)
    return out


@functools.lru_cache(maxsize=1)
def _kernel() -> Callable[..., Any]:
    import numba

    @numba.njit(cache=True, fastmath=False, nogil=True)
    def kernel(q: np.ndarray, r: np.ndarray, clip: float) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
        m = q.size
        n = r.size
        inf = np.inf
        prev2 = np.full(n, inf)
        prev = np.full(n, inf)
        cur = np.full(n, inf)
        cprev = np.full(n, inf)
        ccur = np.full(n, inf)
        sprev2 = np.zeros(n, dtype=np.int64)
        sprev = np.zeros(n, dtype=np.int64)
        scur = np.zeros(n, dtype=np.int64)
        for j in range(n):  # row 0: a path may start at any reference frame
            rj = r[j]
            if np.isnan(rj):
                c = inf
            else:
                c = min(abs(q[0] - rj), clip)
            ccur[j] = c
            cur[j] = c
            scur[j] = j
        for i in range(1, m):
            prev2, prev, cur = prev, cur, prev2
            sprev2, sprev, scur = sprev, scur, sprev2
            cprev, ccur = ccur, cprev
            qi = q[i]
            for j in range(n):
                rj = r[j]
                if np.isnan(rj):
                    ccur[j] = inf
                    cur[j] = inf
                    scur[j] = 0
                    continue
                c = min(abs(qi - rj), clip)
                ccur[j] = c
                best = inf
                s = 0
                if j >= 1:
                    d = prev[j - 1]
                    if d < best:
                        best = d
                        s = sprev[j - 1]
                    if i >= 2:
                        d = prev2[j - 1] + cprev[j]
                        if d < best:
                            best = d
                            s = sprev2[j - 1]
                if j >= 2:
                    d = prev[j - 2]
                    if d < best:
                        best = d
                        s = sprev[j - 2]
                cur[j] = best + c
                scur[j] = s
        return cur, scur

    return kernel


def subsequence_dtw(*, query: np.ndarray, reference: np.ndarray, clip: float,
                    cuts: Sequence[int] | np.ndarray = (), workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Per reference frame j: the mean cost of the best path ending at j and the frame where it starts.

    ``reference`` may hold NaN separators (no path crosses two of them). Costs are inf where no path ends.
    With ``workers`` > 1 the reference is searched in up to ``workers`` pieces at once, cut at frames of
    ``cuts`` (each the first frame of a tune after a separator: no path crosses them, so the result is
    the same to the last bit; the kernel releases the GIL).
    """
    q = np.ascontiguousarray(query, dtype=np.float64)
    r = np.ascontiguousarray(reference, dtype=np.float64)
    if q.size == 0 or r.size == 0:
        return np.full(r.size, np.inf), np.zeros(r.size, dtype=np.int64)
    bounds = _pieces(cuts=np.asarray(cuts, dtype=np.int64), total=r.size, workers=workers)
    if len(bounds) <= 2:
        cost, start = _kernel()(q, r, float(clip))
        return cost / q.size, start
    from concurrent.futures import ThreadPoolExecutor

    def run(k: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = int(bounds[k]), int(bounds[k + 1])
        cost, start = _kernel()(q, r[lo:hi], float(clip))
        start += lo  # frames of the whole reference; after the first row, frames no path reaches start at 0
        if q.size > 1:
            start[np.isinf(cost)] = 0
        return cost, start

    with ThreadPoolExecutor(max_workers=len(bounds) - 1) as pool:
        parts = list(pool.map(run, range(len(bounds) - 1)))
    return np.concatenate([c for c, _ in parts]) / q.size, np.concatenate([s for _, s in parts])


def _pieces(*, cuts: np.ndarray, total: int, workers: int) -> np.ndarray:
    """Piece boundaries ``[0, ..., total]``: up to ``workers`` pieces of about equal length, cut only at
    ``cuts`` (frames inside ``(0, total)``)."""
    inner = np.unique(cuts[(cuts > 0) & (cuts < total)])
    if workers < 2 or not inner.size:
        return np.array([0, total], dtype=np.int64)
    wanted = np.arange(1, workers) * (total / workers)
    chosen = inner[np.clip(np.searchsorted(inner, wanted), 0, inner.size - 1)]
    return np.unique(np.concatenate([[0], chosen, [total]])).astype(np.int64)
