"""Metrics on known ranks."""

from __future__ import annotations

import math

import pytest

from music_models.evaluation.metrics import mrr, percentiles, rank_of, rate, reciprocal_rank, top_k


def test_rank_of() -> None:
    assert rank_of(truth="b", ranked_ids=["a", "b", "c"]) == 2
    assert rank_of(truth="z", ranked_ids=["a", "b"]) is None
    assert rank_of(truth="a", ranked_ids=[]) is None


def test_mrr_on_known_ranks() -> None:
    assert mrr([1, 2, 4, None]) == pytest.approx((1 + 0.5 + 0.25 + 0) / 4)
    assert mrr([1, 1, 1]) == 1.0
    assert mrr([None, None]) == 0.0
    assert math.isnan(mrr([]))
    with pytest.raises(ValueError):
        reciprocal_rank(0)


def test_top_k_on_known_ranks() -> None:
    ranks = [1, 3, 10, 11, None]
    assert top_k(ranks, 1) == pytest.approx(0.2)
    assert top_k(ranks, 3) == pytest.approx(0.4)
    assert top_k(ranks, 10) == pytest.approx(0.6)
    assert math.isnan(top_k([], 10))
    with pytest.raises(ValueError):
        top_k(ranks, 0)


def test_percentiles_and_rate() -> None:
    p = percentiles(range(1, 101))
    assert p == pytest.approx({"p50": 50.5, "p90": 90.1, "p99": 99.01})
    assert percentiles([7.0]) == {"p50": 7.0, "p90": 7.0, "p99": 7.0}
    assert math.isnan(percentiles([])["p50"])
    assert rate([True, False, False, True]) == 0.5
    assert math.isnan(rate([]))
