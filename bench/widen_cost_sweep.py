"""Must a "match" also fit the hum's melody? Identify's cascade replayed offline over saved validation
queries, for several ``MelodyMatchConfig.widen_above_cost_semitones`` values.

    .venv/bin/python bench/hum_misses.py --queries 150 --seed 11 --rows-out R11.json ...   # collect
    .venv/bin/python bench/widen_cost_sweep.py R11.json R12.json [--out bench/results/time_scales/widen_cost_sweep.json]

An answer the calibration is sure of is a ``match`` and is never widened, so a confidently wrong answer
is final. Here an answer whose melody (the re-ranked best song's alignment with the gate's contour) fits
worse than the threshold is treated as unsure and widened like any other (``fusion_sweep.cascade_ranking``
with ``widen_above_cost``; the rest of the cascade as shipped). "kept" counts the answers given without
widening (the matches, and answers with no contour to widen with) and "kept_right" those right at rank 1.
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

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0, float("inf"))


def replay(rows: list[dict[str, Any]], *, threshold: float) -> dict[str, Any]:
    from fusion_sweep import rank_metrics, shipped_cascade

    rankings, widened, kept, kept_right = [], 0, 0, 0
    for row in rows:
        if not row["candidates"]:
            rankings.append(None)
            continue
        ranked, wide = shipped_cascade(row, widen_above_cost=threshold)
        widened += wide
        kept += not wide
        kept_right += (not wide) and ranked[0] == row["tune_id"]
        rankings.append(ranked)
    return {"widen_above_cost_semitones": threshold if np.isfinite(threshold) else "never (confidence alone)",
            **rank_metrics(rows, rankings), "widened": round(widened / max(len(rows), 1), 3),
            "kept": kept, "kept_right": kept_right}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rows", type=Path, nargs="+", help="bench/hum_misses.py --rows-out files")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "time_scales" / "widen_cost_sweep.json")
    args = ap.parse_args()
    sets = {p.name: json.loads(p.read_text()) for p in args.rows}
    every = [r for rows in sets.values() for r in rows]
    report = {"benchmark": "widen_cost_sweep", "inputs": [str(p) for p in args.rows],
              "pooled": [replay(every, threshold=t) for t in THRESHOLDS],
              "per_input": {name: [replay(rows, threshold=t) for t in THRESHOLDS] for name, rows in sets.items()}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    for r in report["pooled"]:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
