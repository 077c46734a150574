"""Should a song found only at an extra query tempo count less? Identify's cascade replayed offline over
saved validation queries, for several penalties (measured offline only; identify has no such setting).

    .venv/bin/python bench/hum_misses.py --queries 150 --seed 11 --rows-out R11.json ...   # collect
    .venv/bin/python bench/tempo_penalty_sweep.py R11.json R12.json [--factors 0.8 1.0 1.3]
        [--out bench/results/time_scales/tempo_penalty_sweep.json]

Identify embeds the query at its own tempo and at the extra ``query_time_scales``, and each song keeps
its best score. A decoy that fits the query only when played faster or slower can then beat the right
song with a confident ``match`` that is never widened. ``--factors`` also replays every subset of the
run's extra tempos (no penalty), to see which of them earn their embedding and search time. Here each candidate's merged score is rebuilt
from the rows' per-tempo scores (``clip_scores``) as max(own tempo, best extra tempo - penalty), the
candidates are re-sorted, and the shipped cascade (``fusion_sweep.cascade_ranking``: melody re-rank,
skip margin, calibrated widening) runs on them. The candidates are the 100 the run kept (penalty 0), so a
song a penalty would have pulled in from outside them is missed: the replay is exact at penalty 0 only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

PENALTIES = (0.0, 0.005, 0.01, 0.02, 0.03, 0.05, float("inf"))
ALIGNED = ("cost_gate", "cost_fine", "cost_ranged")  # per-candidate lists that follow the candidates' order


def rescore(row: dict[str, Any], *, penalty: float, extra_tempos: tuple[int, ...] | None = None) -> dict[str, Any]:
    """``row`` with its candidates re-scored and re-sorted for ``penalty``, keeping only the extra tempos
    ``extra_tempos`` (indices into the run's extra factors; None = all). Rows without per-tempo scores,
    and refused queries, are returned as they are."""
    per = row.get("clip_scores")
    if not row["candidates"] or not per:
        return row
    own, extra = per[0], [c for k, c in enumerate(per[1:]) if extra_tempos is None or k in extra_tempos]
    scores = []
    for j in range(len(row["candidates"])):
        best_extra = max((c[j] for c in extra if c[j] is not None), default=None)
        opts = [s for s in (own[j], None if best_extra is None or not np.isfinite(penalty) else best_extra - penalty)
                if s is not None]
        scores.append(max(opts) if opts else -np.inf)
    order = sorted(range(len(scores)), key=lambda j: (-scores[j], row["candidates"][j]))
    out = dict(row)
    out["candidates"] = [row["candidates"][j] for j in order]
    out["scores"] = [float(scores[j]) for j in order]
    for key in ALIGNED:
        if key in row:
            out[key] = [row[key][j] for j in order]
    return out


def replay(rows: list[dict[str, Any]], *, penalty: float, extra_tempos: tuple[int, ...] | None = None
           ) -> dict[str, Any]:
    from fusion_sweep import rank_metrics, shipped_cascade

    rankings, widened = [], 0
    for raw in rows:
        row = rescore(raw, penalty=penalty, extra_tempos=extra_tempos)
        if not row["candidates"]:
            rankings.append(None)
            continue
        ranked, wide = shipped_cascade(row)
        widened += wide
        rankings.append(ranked)
    return {"penalty": penalty if np.isfinite(penalty) else "own tempo only", **rank_metrics(rows, rankings),
            "widened": round(widened / max(len(rows), 1), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rows", type=Path, nargs="+", help="bench/hum_misses.py --rows-out files")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "time_scales" / "tempo_penalty_sweep.json")
    ap.add_argument("--factors", type=float, nargs="+", default=None, metavar="F",
                    help="the --time-scales the rows were collected with: also replay every subset of them")
    args = ap.parse_args()
    sets = {p.name: json.loads(p.read_text()) for p in args.rows}
    missing = [name for name, rows in sets.items() if not any("clip_scores" in r for r in rows)]
    if missing:
        raise SystemExit(f"no per-tempo scores in {missing}: collect with a hum_misses.py of this version "
                         "(--rows-out, more than one --time-scales factor)")
    every = [r for rows in sets.values() for r in rows]
    report = {"benchmark": "tempo_penalty_sweep", "inputs": [str(p) for p in args.rows],
              "pooled": [replay(every, penalty=p) for p in PENALTIES],
              "per_input": {name: [replay(rows, penalty=p) for p in PENALTIES] for name, rows in sets.items()}}
    if args.factors:  # which of the run's tempos earn their time: every subset of the extra ones, no penalty
        extra = [f for f in args.factors if f != 1.0]
        subsets = [c for n in range(len(extra) + 1) for c in itertools.combinations(range(len(extra)), n)]
        report["tempo_subsets"] = [{"query_time_scales": sorted([1.0, *(extra[k] for k in c)]),
                                    **{k: v for k, v in replay(every, penalty=0.0, extra_tempos=c).items() if k != "penalty"},
                                    "per_input_top10": [replay(rows, penalty=0.0, extra_tempos=c)["top10"]
                                                        for rows in sets.values()]}
                                   for c in subsets]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    for r in report["pooled"] + report.get("tempo_subsets", []):
        print(json.dumps(r))


if __name__ == "__main__":
    main()
