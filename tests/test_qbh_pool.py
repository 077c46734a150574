"""bench/qbh_pool.py: several eval runs pooled into one estimate per kind and level."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from bench_scripts import load_bench_script


@pytest.fixture(scope="module")
def module() -> ModuleType:
    return load_bench_script("qbh_pool")


def _report(ranks: list[tuple[str, str, int | None]], *, seed: int = 0, size: int = 3000) -> dict[str, Any]:
    outcomes = [{"system": "model", "kind": k, "level": lv, "tune_id": f"t{i}", "rank": r, "verdict": "match"}
                for i, (k, lv, r) in enumerate(ranks)]
    outcomes += [{"system": "dtw", "kind": "hum", "level": "clean", "tune_id": "t0", "rank": 1, "verdict": "match"},
                 {"system": "model", "kind": "speech", "level": "", "tune_id": "", "rank": None,
                  "verdict": "no_melody"}]
    return {"config": {"library_size": size, "duration_s": 10.0, "top_k": 10, "query_split": "test",
                       "queries": len(ranks), "kinds": ["hum"], "levels": ["moderate"], "seed": seed},
            "outcomes": outcomes}


def test_pools_runs_and_scores_like_mirex(module: ModuleType, tmp_path: Path) -> None:
    a = _report([("hum", "moderate", 1), ("hum", "moderate", 2), ("hum", "moderate", None)])
    b = _report([("hum", "moderate", 11), ("hum", "heavy", 1)], seed=1)  # rank 11 is off a list of 10
    paths = []
    for name, rep in (("a.json", a), ("b.json", b)):
        (tmp_path / name).write_text(json.dumps(rep))
        paths.append(str(tmp_path / name))
    out = tmp_path / "pooled.json"
    assert module.main([*paths, "--out", str(out)]) == 0
    res = json.loads(out.read_text())
    hm = res["pooled"]["by_kind_level"]["hum"]["moderate"]
    assert hm["n"] == 4 and hm["mrr"] == pytest.approx((1 + 0.5) / 4, abs=1e-4)
    assert hm["top1"] == 0.25 and hm["top10"] == 0.5 and hm["distinct_tunes"] == 3
    assert hm["mrr_ci95"][0] <= hm["mrr"] <= hm["mrr_ci95"][1]
    assert res["pooled"]["by_kind"]["hum"]["n"] == 5 and [r["seed"] for r in res["runs"]] == [0, 1]
    assert res["meets_targets"]["hum_moderate_mrr"] is False


def test_refuses_runs_that_do_not_match(module: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(_report([("hum", "moderate", 1)])))
    (tmp_path / "b.json").write_text(json.dumps(_report([("hum", "moderate", 1)], size=1000)))
    assert module.main([str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--out", str(tmp_path / "o.json")]) == 2
    assert not (tmp_path / "o.json").exists()


def test_levels_weigh_alike_for_a_kind(module: ModuleType) -> None:
    # 3 moderate hits and 1 heavy miss: pooled MRR 0.75, levels alike (1 + 0) / 2 = 0.5
    rep = _report([("hum", "moderate", 1)] * 3 + [("hum", "heavy", None)])
    pooled = module.pool([rep], system="model")
    assert pooled["by_kind"]["hum"]["mrr"] == 0.75
    b = pooled["by_kind_levels_balanced"]["hum"]
    assert b["mrr"] == 0.5 and b["levels"] == 2 and b["n"] == 4 and b["mrr_ci95"] == [0.5, 0.5]
