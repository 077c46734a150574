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

REPO = Path(__file__).resolve().parents[1]
MELODIC = ("hum", "whistle", "sing", "instrument")


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


def complementarity(outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-kind and overall MRR of each system and of the best-of-both oracle, and the overlap of top-1 hits."""
    by_query: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for o in outcomes:
        if o["kind"] in MELODIC:
            by_query[(o["tune_id"], o["kind"], o["level"])][o["system"]] = o
    rows = [(k, v["model"], v["dtw"]) for k, v in by_query.items() if "model" in v and "dtw" in v]

    def summary(selected: list[tuple[Any, dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
        n = len(selected)
        if n == 0:
            return {"n": 0}
        m = [reciprocal_rank(a["rank"]) for _, a, _ in selected]
        d = [reciprocal_rank(b["rank"]) for _, _, b in selected]
        return {
            "n": n,
            "mrr_model": round(sum(m) / n, 4),
            "mrr_dtw": round(sum(d) / n, 4),
            "mrr_best_of_both_oracle": round(sum(max(x, y) for x, y in zip(m, d)) / n, 4),
            "top1_both": sum(1 for x, y in zip(m, d) if x == 1 and y == 1),
            "top1_model_only": sum(1 for x, y in zip(m, d) if x == 1 and y != 1),
            "top1_dtw_only": sum(1 for x, y in zip(m, d) if x != 1 and y == 1),
            "top1_neither": sum(1 for x, y in zip(m, d) if x != 1 and y != 1),
        }

    return {
        "all": summary(rows),
        "by_kind": {k: summary([r for r in rows if r[0][1] == k]) for k in MELODIC},
        "by_level": {lv: summary([r for r in rows if r[0][2] == lv]) for lv in sorted({r[0][2] for r in rows})},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval", type=Path, default=REPO / "bench" / "results" / "qbh_eval.json")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "qbh_complementarity.json")
    args = ap.parse_args()
    run = json.loads(args.eval.read_text())
    result = {"benchmark": "qbh_complementarity", "source": str(args.eval.relative_to(REPO) if args.eval.is_relative_to(REPO)
                                                                 else args.eval),
              "checkpoint_sha256": run.get("systems", {}).get("model", {}).get("about", {}).get("checkpoint_sha256"),
              **complementarity(run["outcomes"])}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result["all"], indent=1))


if __name__ == "__main__":
    main()
