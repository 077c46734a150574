"""Which queries does identify lose? An eval run's melodic outcomes joined with each query's ground truth
(tempo ratio, notes in the clip), binned.

    .venv/bin/python bench/misses_by_tempo.py bench/results/qbh_eval_hum_moderate_seed2.json \\
        [bench/results/qbh_eval_hum_moderate_seed2_ts.json ...] [--out bench/results/misses_by_tempo.json]

The truth comes from the eval's query cache (``$HUMDINGER_DATA/eval/queries/*/manifest.jsonl``), the one
whose queries are the run's, in order; a run whose cache is gone is reported as such.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def find_manifest(tune_ids: list[str], queries_dir: Path) -> list[dict[str, Any]] | None:
    for m in sorted(queries_dir.glob("*/manifest.jsonl")):
        truths = [json.loads(line)["truth"] for line in m.read_text().splitlines() if line.strip()]
        if [t["tune_id"] for t in truths] == tune_ids:
            return truths
    return None


def analyse(run: Path, queries_dir: Path) -> dict[str, Any]:
    d = json.loads(run.read_text())
    out: dict[str, Any] = {"run": run.name}
    for system in d["systems"]:
        rows = [o for o in d["outcomes"] if o["system"] == system and o["tune_id"]]
        truths = find_manifest([o["tune_id"] for o in rows], queries_dir)
        if truths is None:
            return out | {"error": f"no query cache under {queries_dir} matches this run's queries"}
        tempo: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        notes = {"found": [], "missed": []}
        for o, t in zip(rows, truths):
            found = bool(o["rank"] and o["rank"] <= d["list_length"])
            ratio = t["tempo_ratio"]
            key = "0.70-0.85" if ratio < 0.85 else "0.85-1.15" if ratio < 1.15 else "1.15-1.40"
            tempo[key][0] += 1
            tempo[key][1] += found
            notes["found" if found else "missed"].append(len(t["notes"]))
        out[system] = {
            "queries": len(rows),
            "top10_by_tempo_ratio": {k: {"n": n, "found": f, "top10": round(f / n, 3)}
                                     for k, (n, f) in sorted(tempo.items())},
            "median_notes": {k: statistics.median(v) if v else None for k, v in notes.items()},
        }
    return out


def main() -> None:
    from music_models.paths import data_dir

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runs", type=Path, nargs="+", help="humdinger eval qbh JSON reports")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "misses_by_tempo.json")
    args = ap.parse_args()
    report = {"benchmark": "misses_by_tempo", "runs": [analyse(r, data_dir() / "eval" / "queries") for r in args.runs]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
