"""bench/qbh_complementarity.py: per-query best-of-both over an eval run's outcomes."""

from __future__ import annotations

import pytest
from bench_scripts import load_bench_script


@pytest.fixture(scope="module")
def module():
    return load_bench_script("qbh_complementarity")


def _o(system: str, tune: str, kind: str, rank: int | None, level: str = "clean") -> dict:
    return {"system": system, "tune_id": tune, "kind": kind, "level": level, "rank": rank}


def test_oracle_takes_the_better_rank_per_query_and_counts_top1_overlap(module) -> None:
    outcomes = [
        _o("model", "a", "hum", 1), _o("dtw", "a", "hum", 2),
        _o("model", "b", "hum", None), _o("dtw", "b", "hum", 1),
        _o("model", "c", "whistle", 4), _o("dtw", "c", "whistle", None),
        _o("model", "s", "speech", None), _o("dtw", "s", "speech", 1),  # not melodic: left out
        _o("model", "d", "sing", 1),  # answered by one system only: left out
    ]
    got = module.complementarity(outcomes)["all"]
    assert got["n"] == 3
    assert got["mrr_model"] == pytest.approx((1 + 0 + 0.25) / 3, abs=1e-4)
    assert got["mrr_dtw"] == pytest.approx((0.5 + 1 + 0) / 3, abs=1e-4)
    assert got["mrr_best_of_both_oracle"] == pytest.approx((1 + 1 + 0.25) / 3, abs=1e-4)
    assert (got["top1_both"], got["top1_model_only"], got["top1_dtw_only"], got["top1_neither"]) == (0, 1, 1, 1)
    assert module.complementarity(outcomes)["by_kind"]["sing"] == {"n": 0}
