"""Retrieval metrics as pure functions (MIREX query-by-singing/humming conventions).

A *rank* is the 1-based position of the correct song in a system's returned list, or ``None`` when
the correct song is not in the list (including an empty list after a ``no_melody`` verdict). The
reciprocal rank of an absent song is 0, so MRR depends on the list length: the harness says which.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["mrr", "percentiles", "rank_of", "rate", "reciprocal_rank", "top_k"]


def rank_of(*, truth: str, ranked_ids: Sequence[str]) -> int | None:
    """1-based rank of ``truth`` in ``ranked_ids``; None when it is absent."""
    for i, sid in enumerate(ranked_ids):
        if sid == truth:
            return i + 1
    return None


def reciprocal_rank(rank: int | None) -> float:
    """1/rank, 0 for None. Ranks start at 1."""
    if rank is None:
        return 0.0
    if rank < 1:
        raise ValueError(f"ranks start at 1, got {rank}")
    return 1.0 / rank


def mrr(ranks: Iterable[int | None]) -> float:
    """Mean reciprocal rank; NaN for no queries (so an empty cell is never mistaken for 0)."""
    rr = [reciprocal_rank(r) for r in ranks]
    return float(np.mean(rr)) if rr else float("nan")


def top_k(ranks: Iterable[int | None], k: int) -> float:
    """Fraction of queries whose correct song is ranked k or better; NaN for no queries."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    hits = [r is not None and r <= k for r in ranks]
    return float(np.mean(hits)) if hits else float("nan")


def percentiles(values: Iterable[float], qs: Sequence[float] = (50.0, 90.0, 99.0)) -> dict[str, float]:
    """``{"p50": ..., "p90": ..., "p99": ...}`` (linear interpolation); NaN for no values."""
    v = np.asarray(list(values), dtype=np.float64)
    out = {}
    for q in qs:
        if not 0 <= q <= 100:
            raise ValueError(f"percentiles lie in [0, 100], got {q}")
        out[f"p{q:g}"] = float(np.percentile(v, q)) if v.size else float("nan")
    return out


def rate(flags: Iterable[bool]) -> float:
    """Fraction of true flags (e.g. ``verdict == "match"`` on non-melodic queries); NaN for none."""
    f = [bool(x) for x in flags]
    return float(np.mean(f)) if f else float("nan")
