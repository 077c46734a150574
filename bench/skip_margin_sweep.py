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

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

MARGINS = (0.03, 0.045, 0.06, 0.08, 0.1, 0.15, float("inf"))


def replay(rows: list[dict], *, skip_margin: float) -> dict[str, float]:
    from fusion_sweep import cascade_ranking

    from music_models.library.config import MelodyMatchConfig

    mm = MelodyMatchConfig()
    ranks, reranked, widened = [], 0, 0
    for row in rows:
        if not row["candidates"]:
            ranks.append(None)
            continue
        sure = len(row["scores"]) < 2 or row["scores"][0] - row["scores"][1] >= skip_margin
        ranked, wide = cascade_ranking(row, k=mm.candidates, w=mm.weight, w_wide=mm.wide_weight,
                                       clip=mm.cost_clip_semitones, skip_margin=skip_margin, wide_track="ranged",
                                       widen_above_cost=mm.widen_above_cost_semitones)
        reranked += not sure
        widened += wide
        t = row["tune_id"]
        ranks.append(ranked.index(t) + 1 if t in ranked[:10] else None)
    n = len(rows)
    return {"skip_margin": skip_margin if np.isfinite(skip_margin) else "never", "queries": n,
            "mrr": round(sum(1 / r for r in ranks if r) / n, 4), "top1": round(sum(r == 1 for r in ranks) / n, 4),
            "top10": round(sum(r is not None for r in ranks) / n, 4),
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
