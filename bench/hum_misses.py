"""Where do moderately degraded hums get lost? Each stage of identify, per query, on validation-split tunes.

    .venv/bin/python bench/hum_misses.py [--queries 80] [--seed 7] [--kind hum] [--level moderate]
        ->  bench/results/hum_misses.json

The library and its songs are ``humdinger eval qbh``'s (3,000 songs); the queries are synthetic
``--kind``/``--level`` queries of validation-split tunes (in the library as distractors, never trained
on, never the test queries). For every query, with ``bench/fusion_sweep.py``'s collection: the model's
rank of the right song among its 100 best, the rank the shipped cascade gives it (melody re-rank of the
best 30; when the answer is not a ``match``, the widened search with the baseline's pYIN contour over the
gate contour's range; weights and skip margin as shipped; the default calibration), and its rank in the
whole-library melody alignment from that contour. A miss (not in the top 10) is put in one of: the
model and the whole-library alignment both lack it; the alignment has it but the search was not widened
(the model was sure, or confidently wrong); widened but still outranked; the model has it but the
re-rank pushed it out.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))


def classify(row: dict[str, Any]) -> dict[str, Any]:
    """The right song's rank at each stage and, for a miss, why."""
    from fusion_sweep import shipped_cascade

    t = row["tune_id"]
    if not row["candidates"]:
        return {"tune_id": t, "stage": "refused (no_melody)", "top10": False}
    model = row["candidates"].index(t) + 1 if t in row["candidates"] else None
    ranked, widened = shipped_cascade(row)
    final = ranked.index(t) + 1 if t in ranked[:10] else None
    wide = row.get("full_ranged_ids", [])
    aligned = wide.index(t) + 1 if t in wide else None
    out = {"tune_id": t, "model_rank_of_100": model, "final_rank": final, "whole_library_alignment_rank": aligned,
           "widened": widened, "top10": final is not None}
    if final is not None:
        out["stage"] = "found"
    elif model is None and aligned is None:
        out["stage"] = "missed by the model (top 100) and by the whole-library alignment (top 30)"
    elif aligned is not None and not widened:
        out["stage"] = "the alignment had it, but the search was not widened (the first answer was a match)"
    elif aligned is not None:
        out["stage"] = "widened and the alignment had it, but it was outranked"
    else:
        out["stage"] = "the model had it, but the re-rank left it out of the top 10"
    return out


def main() -> None:
    from fusion_sweep import collect, open_candidate_library

    from music_models.corpus import load_corpus
    from music_models.evaluation.config import EvalConfig
    from music_models.evaluation.harness import melodic_queries
    from music_models.library.melody_match import melody_index
    from music_models.paths import data_dir

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--queries", type=int, default=80)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--kind", default="hum")
    ap.add_argument("--level", default="moderate")
    ap.add_argument("--time-scales", type=float, nargs="+", default=None, metavar="F",
                    help="the library's query_time_scales (default: as shipped)")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "hum_misses.json")
    ap.add_argument("--rows-out", type=Path, default=None,
                    help="also write every query's raw stage data (candidates, scores, melody costs) here, "
                         "for offline sweeps of the cascade (bench/skip_margin_sweep.py)")
    args = ap.parse_args()

    config = EvalConfig()
    library, query_tunes, lib, mm, contours = open_candidate_library(config)
    if args.time_scales:
        lib.config = replace(lib.config, query_time_scales=tuple(args.time_scales))
    full = melody_index(melodies=contours, config=mm, refine=30)
    val_ids = {t.tune_id for t in load_corpus(split=config.calibration_split)} - {t.tune_id for t in query_tunes}
    val_tunes = [t for t in library if t.tune_id in val_ids and t.notes]
    qcfg = replace(config, queries=args.queries, kinds=(args.kind,), levels=(args.level,), seed=args.seed)
    entries = melodic_queries(tunes=val_tunes, config=qcfg, work_dir=data_dir() / "eval", progress=True)
    rows = collect(entries, library=lib, contours=contours, n_candidates=100, split="val", fine=True,
                   melody_match=mm, full_index=full, clip_scores=args.rows_out is not None)
    per_query = [classify(r) for r in rows]
    n = len(per_query)
    report = {"benchmark": "hum_misses", "split": "val", "kind": args.kind, "level": args.level, "seed": args.seed,
              "query_time_scales": list(lib.config.query_time_scales),
              "queries": n, "top10": round(sum(q["top10"] for q in per_query) / max(n, 1), 4),
              "model_top30": round(sum(bool(q["model_rank_of_100"]) and q["model_rank_of_100"] <= 30
                                       for q in per_query) / max(n, 1), 4),
              "identify_ms_p50": round(float(np.median([r["identify_ms"] for r in rows])), 1),
              "stages": dict(Counter(q["stage"] for q in per_query).most_common()),
              "note": "the shipped cascade simulated offline with the default calibration (the eval fits its own)",
              "per_query": per_query}
    if args.rows_out:
        args.rows_out.parent.mkdir(parents=True, exist_ok=True)
        args.rows_out.write_text(json.dumps(rows) + "\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "per_query"}, indent=1))


if __name__ == "__main__":
    main()
