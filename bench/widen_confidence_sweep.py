"""Should a barely sure "match" get the widened search too? Identify's cascade replayed offline over saved
validation queries, for several ``MelodyMatchConfig.widen_below_confidence`` values.

    .venv/bin/python bench/hum_misses.py --queries 150 --seed 11 --rows-out R11.json ...   # collect
    .venv/bin/python bench/widen_confidence_sweep.py R11.json R12.json \\
        [--out bench/results/time_scales/widen_confidence_sweep.json]

As shipped, only an ``unsure`` answer (confidence under the match threshold, 0.5) is widened: its
contour is aligned with every song's melody and the best of those join the candidates. The largest
group of validation hums that miss the top 10 were confidently wrong matches whose right song the
whole-library alignment had (``bench/hum_misses.py``'s stages: 5 of 13 in seeds 11 and 12). Here answers up to a higher confidence are widened as
well (``fusion_sweep.cascade_ranking`` with ``widen_below``; the rest of the cascade as shipped). A
widened match keeps first place, the widened ranking fills the places below it, and it stays a
``match`` only when the widened search puts the same song first; "matches" counts them and
"matches_right" those right at rank 1. "pooled_never_skip": the same with the melody re-rank on
every query (no skip margin), so that a model answer sure enough to skip it can be widened too. The
widened search costs ~0.5-0.9 s, so "widened" (the fraction of queries) must stay well under half for
identify's median to stay where it is.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 1.01)


def replay(rows: list[dict[str, Any]], *, threshold: float, skip_margin: float | None = None) -> dict[str, Any]:
    from fusion_sweep import rank_metrics, shipped_cascade

    rankings, widened, matches, matches_right = [], 0, 0, 0
    for row in rows:
        if not row["candidates"]:
            rankings.append(None)
            continue
        skip = {} if skip_margin is None else {"skip_margin": skip_margin}
        first, first_widened = shipped_cascade(row, widen_below=0.5, **skip)  # unsure answers only, as before
        ranked, wide = shipped_cascade(row, widen_below=threshold, **skip)
        opinion, _ = shipped_cascade(row, widen_below=threshold, keep_first=False, **skip)
        widened += wide
        match = not first_widened and (not wide or opinion[0] == first[0])
        matches += match
        matches_right += match and ranked[0] == row["tune_id"]
        rankings.append(ranked)
    return {"widen_below_confidence": threshold, "skip_margin": "shipped" if skip_margin is None else skip_margin,
            **rank_metrics(rows, rankings),
            "widened": round(widened / max(len(rows), 1), 3), "matches": matches, "matches_right": matches_right}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rows", type=Path, nargs="+", help="bench/hum_misses.py --rows-out files")
    ap.add_argument("--out", type=Path,
                    default=REPO / "bench" / "results" / "time_scales" / "widen_confidence_sweep.json")
    args = ap.parse_args()
    sets = {p.name: json.loads(p.read_text()) for p in args.rows}
    every = [r for rows in sets.values() for r in rows]
    report = {"benchmark": "widen_confidence_sweep", "inputs": [str(p) for p in args.rows],
              "note": "validation-split queries; the cascade replayed with the default calibration",
              "pooled": [replay(every, threshold=t) for t in THRESHOLDS],
              "pooled_never_skip": [replay(every, threshold=t, skip_margin=float("inf")) for t in THRESHOLDS],
              "per_input": {name: [replay(rows, threshold=t) for t in THRESHOLDS] for name, rows in sets.items()}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    for r in report["pooled"] + report["pooled_never_skip"]:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
