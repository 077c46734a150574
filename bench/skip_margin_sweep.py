"""How sure must the model be to skip the melody re-rank? Identify's cascade replayed offline over saved
validation queries, for several ``MelodyMatchConfig.skip_margin`` values.

    .venv/bin/python bench/hum_misses.py --queries 150 --seed 11 --rows-out R11.json ...   # collect
    .venv/bin/python bench/skip_margin_sweep.py R11.json R12.json [--out bench/results/skip_margin_sweep.json]

A model rank 1 that leads rank 2 by at least the margin is answered as it is: no melody alignment, and
(its confidence being high) no widened search either, so a confidently wrong model answer is final.
Lower margins re-rank more queries (~25 ms each) and widen more of them (~0.5-0.9 s each). The replay is
``fusion_sweep.cascade_ranking`` with the shipped weights and the default calibration.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

MARGINS = (0.03, 0.045, 0.06, 0.08, 0.1, 0.15, float("inf"))


def replay(rows: list[dict], *, skip_margin: float) -> dict[str, Any]:
    from fusion_sweep import rank_metrics, shipped_cascade

    rankings, reranked, widened = [], 0, 0
    for row in rows:
        if not row["candidates"]:
            rankings.append(None)
            continue
        reranked += not (len(row["scores"]) < 2 or row["scores"][0] - row["scores"][1] >= skip_margin)
        ranked, wide = shipped_cascade(row, skip_margin=skip_margin)
        widened += wide
        rankings.append(ranked)
    n = max(len(rows), 1)
    return {"skip_margin": skip_margin if np.isfinite(skip_margin) else "never", **rank_metrics(rows, rankings),
            "reranked": round(reranked / n, 3), "widened": round(widened / n, 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rows", type=Path, nargs="+", help="bench/hum_misses.py --rows-out files")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "skip_margin_sweep.json")
    args = ap.parse_args()
    rows = [r for p in args.rows for r in json.loads(p.read_text())]
    report = {"benchmark": "skip_margin_sweep", "inputs": [str(p) for p in args.rows],
              "note": "validation-split queries; the cascade replayed with the default calibration",
              "results": [replay(rows, skip_margin=m) for m in MARGINS]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    for r in report["results"]:
        print(r)


if __name__ == "__main__":
    main()
