"""How complementary are the model and the DTW baseline? Reads an eval run's per-query outcomes.

    .venv/bin/python bench/qbh_complementarity.py [--eval bench/results/qbh_eval.json]
        ->  bench/results/qbh_complementarity.json

For every melodic test query answered by both systems, the reciprocal rank of the true song under each
system and under an oracle that takes the better of the two. The oracle is an upper bound on what fusing
the two rankings could reach, not a system: it knows which one was right. It says whether a fusion (the
model for recall, melody alignment for precision) is worth building; it is not quoted as accuracy.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from music_models.evaluation.metrics import mrr
from music_models.queries.config import QUERY_KINDS

REPO = Path(__file__).resolve().parents[1]


def complementarity(outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-kind and overall MRR of each system and of the best-of-both oracle, and the overlap of top-1 hits."""
    by_query: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for o in outcomes:
        if o["kind"] in QUERY_KINDS:
            by_query[(o["tune_id"], o["kind"], o["level"])][o["system"]] = o
    rows = [(k, v["model"], v["dtw"]) for k, v in by_query.items() if "model" in v and "dtw" in v]

    def summary(selected: list[tuple[Any, dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
        n = len(selected)
        if n == 0:
            return {"n": 0}
        model = [a["rank"] for _, a, _ in selected]
        dtw = [b["rank"] for _, _, b in selected]
        best = [min((r for r in pair if r), default=None) for pair in zip(model, dtw)]
        hits = [(x == 1, y == 1) for x, y in zip(model, dtw)]
        return {
            "n": n,
            "mrr_model": round(mrr(model), 4),
            "mrr_dtw": round(mrr(dtw), 4),
            "mrr_best_of_both_oracle": round(mrr(best), 4),
            "top1_both": hits.count((True, True)),
            "top1_model_only": hits.count((True, False)),
            "top1_dtw_only": hits.count((False, True)),
            "top1_neither": hits.count((False, False)),
        }

    return {
        "all": summary(rows),
        "by_kind": {k: summary([r for r in rows if r[0][1] == k]) for k in QUERY_KINDS},
        "by_level": {lv: summary([r for r in rows if r[0][2] == lv]) for lv in sorted({r[0][2] for r in rows})},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval", type=Path, default=REPO / "bench" / "results" / "qbh_eval.json")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "qbh_complementarity.json")
    args = ap.parse_args()
    run = json.loads(args.eval.read_text())
    source = args.eval.relative_to(REPO) if args.eval.is_relative_to(REPO) else args.eval
    result = {"benchmark": "qbh_complementarity", "source": str(source),
              "checkpoint_sha256": run.get("systems", {}).get("model", {}).get("about", {}).get("checkpoint_sha256"),
              **complementarity(run["outcomes"])}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result["all"], indent=1))


if __name__ == "__main__":
    main()
