"""What the pitch speed-ups (``music_models/qbh_baseline/pyin_speedup.py``) save in identify as shipped.

    .venv/bin/python bench/bench_identify_pitch.py [--queries 120] [--rounds 2]
        ->  bench/results/identify_pitch.json

One process, the eval's 3,000-song library, the first ``--queries`` moderate hums of the first cached
eval query set, identify exactly as shipped (melody re-rank and widened search on). Each query is
identified twice in turn, with librosa's pitch module as shipped and with the speed-ups, so a change
in the machine's speed hits both alike. Reports the wall-time p50 / p90 of all queries and the p50 of
those whose answer was widened (the fine pitch track and the whole-library melody alignment), and
whether both ways gave every query the same ranking and verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))


def main() -> None:
    from fusion_sweep import shipped_library_with_hums

    from music_models.evaluation.config import EvalConfig
    from music_models.qbh_baseline.pyin_speedup import install, librosa_as_shipped

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--queries", type=int, default=120)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "identify_pitch.json")
    args = ap.parse_args()

    lib, query_set, queries = shipped_library_with_hums(EvalConfig(), limit=args.queries)
    assert install(), "pyin_speedup is written for librosa 0.11"
    lib.warm()
    widened_calls = [0]
    widen = lib.widen_by_melody

    def counting_widen(*a, **k):  # type: ignore[no-untyped-def]
        widened_calls[0] += 1
        return widen(*a, **k)

    lib.widen_by_melody = counting_widen
    walls: dict[str, list[float]] = {"shipped_librosa": [], "speedup": []}
    widened: dict[str, list[bool]] = {k: [] for k in walls}
    answers: dict[str, list[tuple]] = {k: [] for k in walls}
    for _ in range(args.rounds):
        for q in queries:
            for name, wall_list in walls.items():
                before = widened_calls[0]
                if name == "shipped_librosa":
                    with librosa_as_shipped():
                        t0 = time.perf_counter()
                        r = lib.identify(q.samples, q.sample_rate_hz, 10)
                        wall = (time.perf_counter() - t0) * 1000
                else:
                    t0 = time.perf_counter()
                    r = lib.identify(q.samples, q.sample_rate_hz, 10)
                    wall = (time.perf_counter() - t0) * 1000
                wall_list.append(wall)
                widened[name].append(widened_calls[0] > before)
                answers[name].append((r.verdict, tuple(h.song_id for h in r.results)))

    def summary(name: str) -> dict[str, float | int]:
        w, wid = np.array(walls[name]), np.array(widened[name])
        return {"p50_ms": round(float(np.median(w)), 1), "p90_ms": round(float(np.percentile(w, 90)), 1),
                "widened_p50_ms": round(float(np.median(w[wid])), 1) if wid.any() else None,
                "widened_runs": int(wid.sum())}

    report = {
        "benchmark": "identify_pitch", "queries": len(queries), "rounds": args.rounds, "query_set": query_set,
        "library_songs": len(lib.songs),
        "machine": {"cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)},
        "same_answers": answers["shipped_librosa"] == answers["speedup"],
        **{name: summary(name) for name in walls},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
