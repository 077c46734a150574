"""Two systems' ``bench/hum_misses.py`` runs on the same validation queries, compared query by query.

    .venv/bin/python bench/compare_hum_misses.py --a A11.json A12.json --b B11.json B12.json \\
        [--names shipped candidate] [--out bench/results/compare_hum_misses.json]

The files pair up in order (the same ``--seed`` and ``--queries`` on both sides, so the same queries): for
each system the pooled top-10 and the model's top-30 recall, and for the pair the queries only one of them
found (top 10) and a 95% paired-bootstrap interval of the top-10 difference (b - a). Meant for judging a
model or cascade change on more than one seed before any test run.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np


def paired(a_rows: list[dict[str, Any]], b_rows: list[dict[str, Any]], *, seed: int = 0,
           resamples: int = 10_000) -> dict[str, Any]:
    """Pooled top-10 of both, the queries only one found, and a paired-bootstrap interval of b - a."""
    if len(a_rows) != len(b_rows) or any(x["tune_id"] != y["tune_id"] for x, y in zip(a_rows, b_rows, strict=True)):
        raise SystemExit("the two sides are not the same queries: pass runs with the same --seed and --queries, "
                         "in the same order")
    a = np.array([bool(r["top10"]) for r in a_rows])
    b = np.array([bool(r["top10"]) for r in b_rows])
    diff = b.astype(float) - a.astype(float)
    rng = np.random.default_rng(seed)
    boots = diff[rng.integers(0, diff.size, size=(resamples, diff.size))].mean(axis=1)
    lo, hi = np.percentile(boots, [2.5, 97.5])

    def recall(rows: list[dict[str, Any]]) -> float:
        return float(np.mean([r["model_rank_of_100"] is not None and r["model_rank_of_100"] <= 30 for r in rows]))

    return {"queries": int(a.size), "top10_a": round(float(a.mean()), 4), "top10_b": round(float(b.mean()), 4),
            "model_top30_a": round(recall(a_rows), 4), "model_top30_b": round(recall(b_rows), 4),
            "only_a_found": int(np.sum(a & ~b)), "only_b_found": int(np.sum(b & ~a)),
            "top10_difference": round(float(diff.mean()), 4),
            "top10_difference_ci95": [round(float(lo), 4), round(float(hi), 4)]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--a", type=Path, nargs="+", required=True, help="hum_misses JSONs of the first system")
    p.add_argument("--b", type=Path, nargs="+", required=True, help="the second system's, same seeds, same order")
    p.add_argument("--names", nargs=2, default=("a", "b"), help="names of the two systems for the report")
    p.add_argument("--out", type=Path, default=Path("bench/results/compare_hum_misses.json"))
    args = p.parse_args()
    if len(args.a) != len(args.b):
        raise SystemExit("--a and --b need the same number of files")
    a_rows, b_rows, seeds = [], [], []
    for fa, fb in zip(args.a, args.b, strict=True):
        da, db = json.loads(fa.read_text()), json.loads(fb.read_text())
        if (da["seed"], da["queries"]) != (db["seed"], db["queries"]):
            raise SystemExit(f"{fa} and {fb} are different query sets (seed/queries differ)")
        seeds.append(da["seed"])
        a_rows += da["per_query"]
        b_rows += db["per_query"]
    report = {"benchmark": "compare_hum_misses", "names": list(args.names), "seeds": seeds,
              "a": [str(f) for f in args.a], "b": [str(f) for f in args.b], **paired(a_rows, b_rows)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
