"""Benchmark and ear-proxy check of the query synthesiser, per kind: speed (× real time), pitch track, formants.

    .venv/bin/python bench/bench_queries.py [--n 8] [--level moderate]
        -> bench/results/queries.json and docs/query_spectrograms.png

For each kind (hum, whistle, sing, instrument), ``--n`` queries of held-out (test-split) tunes are
synthesised; speed is audio seconds per wall second (one persistent FluidSynth for the instrument
kind). The pitch check runs pYIN on the dry performance and on the degraded recording and reports
the share of voiced frames within 50 cents of the performed note; "harmonic richness" is the energy
of harmonics 2-10 over the fundamental (dB): voices have formants, a whistle is near-sinusoidal.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "queries.json"
FIGURE = ROOT / "docs" / "query_spectrograms.png"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=8, help="queries per kind (default 8)")
    parser.add_argument("--level", default="moderate", help="degradation level (default moderate)")
    parser.add_argument("--duration-s", type=float, default=10.0, help="query length (default 10 s)")
    args = parser.parse_args(argv)

    from music_models.corpus import load_corpus
    from music_models.queries import QUERY_KINDS, QueryConfig, synthesise_query
    from music_models.queries.check import harmonic_richness, pitch_follow
    from music_models.queries.plot import plot_query_spectrograms
    from music_models.render import FluidSynthRenderer

    tunes = [t for t in load_corpus(split="test", progress=False) if t.duration_s >= args.duration_s + 2]
    cfg = QueryConfig(level=args.level, target_duration_s=args.duration_s)
    report: dict[str, Any] = {"benchmark": "queries", "level": args.level, "duration_s": args.duration_s,
                              "n_per_kind": args.n, "kinds": {}}
    examples = []
    with FluidSynthRenderer() as renderer:
        synthesise_query(tunes[0], kind="instrument", seed=0, config=cfg, renderer=renderer)  # warm caches
        for kind in QUERY_KINDS:
            speeds, dry, wet, cents, rich = [], [], [], [], []
            for i in range(args.n):
                tune = tunes[(i * 37 + len(kind)) % len(tunes)]
                t0 = time.perf_counter()
                q = synthesise_query(tune, kind=kind, seed=1000 + i, config=cfg, renderer=renderer)
                speeds.append(q.truth.duration_s / (time.perf_counter() - t0))
                d = pitch_follow(samples=q.source_samples, truth=q.truth)
                w = pitch_follow(samples=q.samples, truth=q.truth)
                dry.append(d.within_ratio)
                wet.append(w.within_ratio)
                cents.append(d.median_abs_cents)
                rich.append(harmonic_richness(samples=q.source_samples, truth=q.truth))
                if i == 0:
                    examples.append((q, (f"{kind} ({args.level}): {tune.title[:40]}, "
                                         f"transposed {q.truth.transposition_semitones:+d}, "
                                         f"tempo x{q.truth.tempo_ratio:.2f}")))
            report["kinds"][kind] = {
                "x_real_time_median": round(statistics.median(speeds), 2),
                "pitch_within_50c_dry_median": round(statistics.median(dry), 3),
                "pitch_within_50c_recorded_median": round(statistics.median(wet), 3),
                "pitch_median_abs_cents_dry": round(statistics.median(cents), 1),
                "harmonic_richness_db_median": round(statistics.median(rich), 1),
            }
            print(f"{kind:10s} {report['kinds'][kind]}", flush=True)
    plot_query_spectrograms(queries=[q for q, _ in examples], titles=[t for _, t in examples], path=FIGURE)
    report["figure"] = str(FIGURE.relative_to(ROOT))
    report["machine"] = {"processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
                         "load_average_1min": round(os.getloadavg()[0], 2)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)} and {FIGURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
