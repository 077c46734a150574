"""bench/compare_hum_misses.py: two systems' runs on the same validation queries, compared query by query."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from bench_scripts import load_bench_script


@pytest.fixture(scope="module")
def module() -> ModuleType:
    return load_bench_script("compare_hum_misses")


def _row(tune: str, top10: bool, model_rank: int | None) -> dict[str, Any]:
    return {"tune_id": tune, "top10": top10, "model_rank_of_100": model_rank}


def test_pairs_queries_and_counts_who_found_what(module: ModuleType) -> None:
    a = [_row("t1", True, 1), _row("t2", False, None), _row("t3", True, 40), _row("t4", False, 31)]
    b = [_row("t1", True, 2), _row("t2", True, 30), _row("t3", False, 12), _row("t4", True, 3)]
    got = module.paired(a, b, resamples=2000)
    assert (got["top10_a"], got["top10_b"]) == (0.5, 0.75)
    assert (got["only_a_found"], got["only_b_found"]) == (1, 2)
    assert (got["model_top30_a"], got["model_top30_b"]) == (0.25, 1.0)
    assert got["top10_difference"] == 0.25
    lo, hi = got["top10_difference_ci95"]
    assert lo < 0.25 < hi


def test_refuses_different_query_sets(module: ModuleType) -> None:
    with pytest.raises(SystemExit, match="not the same queries"):
        module.paired([_row("t1", True, 1)], [_row("t2", True, 1)])
