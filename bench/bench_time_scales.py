"""What identify's extra query tempos cost: one process, the eval's 3,000-song library, the same queries
identified under each ``query_time_scales`` setting (with and without ``embed_beside_gate``, and with one
or two torch threads) in turn (alternating, so a change in the machine's
speed hits every setting alike), the widened search off (it runs on unsure answers only, alike).

    .venv/bin/python bench/bench_time_scales.py [--queries 40] [--rounds 2] [--out bench/results/time_scales/latency.json]

Queries: the first ``--queries`` moderate hums of the first (by name) cached eval query set that has
them. Reports p50 per stage (identify's own ``timing_ms``) and of the wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

#: (query_time_scales, embed_beside_gate, torch threads): with the embedding beside the gate, torch's two
#: threads and the gate's pYIN share two cores
SETTINGS = (((1.0,), False, 2), ((0.8, 1.0, 1.3), False, 2), ((1.0,), True, 2), ((0.8, 1.0, 1.3), True, 2),
            ((0.8, 1.0, 1.3), True, 1))


def main() -> None:
    from fusion_sweep import shipped_library_with_hums

    from music_models.evaluation.config import EvalConfig

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--queries", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "time_scales" / "latency.json")
    args = ap.parse_args()

    lib, query_set, queries = shipped_library_with_hums(EvalConfig(), limit=args.queries)
    lib.warm()
    import torch

    times: dict[tuple[tuple[float, ...], bool, int], list[dict[str, float]]] = {s: [] for s in SETTINGS}
    for _ in range(args.rounds):
        for setting in SETTINGS:
            lib.config = replace(lib.config, query_time_scales=setting[0], embed_beside_gate=setting[1])
            torch.set_num_threads(setting[2])
            for q in queries:
                t0 = time.perf_counter()
                r = lib.identify(q.samples, q.sample_rate_hz, 10, widen=False)
                times[setting].append(r.timing_ms | {"wall": (time.perf_counter() - t0) * 1000})
    report = {
        "benchmark": "time_scales_latency", "queries": len(queries), "rounds": args.rounds,
        "query_set": query_set, "library_songs": len(lib.songs),
        "machine": {"cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)},
        "p50_ms": {",".join(str(f) for f in s) + (" beside the gate" if beside else "") + ("" if n == 2 else f", {n} torch thread"):
                   {k: round(float(np.median([t[k] for t in v])), 1) for k in v[0]} for (s, beside, n), v in times.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
