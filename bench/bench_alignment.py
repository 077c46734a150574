"""What compiling identify's temporal alignment saved: the numba search against the plain numpy one
(``music_models.library.align.temporal_alignment_numpy``, the code before), called per song as before
and for all of a clip's songs at once (``temporal_alignments``, as identify calls it now), on the
shapes one three-tempo identify query gives it, alternating in one process.

    .venv/bin/python bench/bench_alignment.py [--queries 200] [--out bench/results/alignment.json]

Per query: the 100 re-ranked songs x 3 clips (the query's own 10 s, and played 0.8x and 1.3x as fast:
7, 9 and 5 windows, hop 1 s, their starts in each clip's own time), each song 30-60 segments on a 1 s
grid, the 8 shipped tempo ratios; random distances (the search's work does not depend on the values).
Reports the median milliseconds per query of each, and checks that both give the same answers.
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
sys.path.insert(0, str(REPO))


def main() -> None:
    from music_models.library.align import temporal_alignment, temporal_alignment_numpy, temporal_alignments
    from music_models.library.config import LibraryConfig

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--songs", type=int, default=LibraryConfig().rerank_songs)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "alignment.json")
    args = ap.parse_args()
    ratios = LibraryConfig().tempo_ratios
    rng = np.random.default_rng(0)
    clips = [np.arange(n) * 1.0 for n in (7, 9, 5)]
    songs = [np.arange(float(n)) for n in rng.integers(30, 61, size=args.songs)]
    work = [(rng.uniform(0.5, 3.0, size=(len(c), len(s))), c, s) for c in clips for s in songs]
    temporal_alignment(distances=work[0][0], query_starts_s=work[0][1], segment_starts_s=work[0][2], ratios=ratios)
    def per_song(fn):  # one call per (clip, song), as identify did
        return lambda: [fn(distances=d, query_starts_s=c, segment_starts_s=s, ratios=ratios) for d, c, s in work]

    def per_clip():  # one call per clip for all its songs, as identify does now
        return [a for c in clips for a in temporal_alignments(
            distances=[d for d, cc, _ in work if cc is c], query_starts_s=c,
            segment_starts_s=[s for _, cc, s in work if cc is c], ratios=ratios)]

    ways = {"numpy, per song": per_song(temporal_alignment_numpy), "numba, per song": per_song(temporal_alignment),
            "numba, per clip": per_clip}
    times: dict[str, list[float]] = {k: [] for k in ways}
    same = 0
    for _ in range(args.queries):
        outs = {}
        for name, fn in ways.items():
            t0 = time.perf_counter()
            outs[name] = fn()
            times[name].append((time.perf_counter() - t0) * 1000)
        ref = outs["numpy, per song"]
        same += all(a.offset_s == b.offset_s and a.tempo_ratio == b.tempo_ratio and abs(a.cost - b.cost) < 1e-9
                    for out in outs.values() for a, b in zip(ref, out))
    report = {"benchmark": "alignment", "queries": args.queries, "alignments_per_query": len(work),
              "machine": {"cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)},
              "ms_per_query_p50": {k: round(float(np.median(v)), 2) for k, v in times.items()},
              "same_answers": same / args.queries}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
