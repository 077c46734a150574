"""Benchmark query by humming: the side-by-side evaluation, the DTW baseline's cost vs library size, a figure.

    .venv/bin/python bench/bench_qbh.py eval [humdinger eval qbh options]   -> bench/results/qbh_eval.json
    .venv/bin/python bench/bench_qbh.py scaling [--sizes 1000,3000,12000] [--queries 8]
                                                                            -> bench/results/qbh_dtw_scaling.json
    .venv/bin/python bench/bench_qbh.py figure [--out docs/qbh_example.png] [--library-size 3000]

``scaling`` times the full (unpruned) DTW baseline on the same hummed queries (moderate degradation, 10 s)
over growing libraries of corpus tunes: seconds per query is why embeddings win.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCALING = ROOT / "bench" / "results" / "qbh_dtw_scaling.json"


def _hums(tunes: list, n: int, level: str, seed: int) -> list:  # type: ignore[type-arg]
    from dataclasses import replace

    from music_models.errors import CorpusError
    from music_models.queries import QueryConfig, synthesise_query

    cfg = replace(QueryConfig(), level=level, target_duration_s=10.0)
    out, i = [], 0
    while len(out) < n and i < 20 * n:
        try:
            out.append(synthesise_query(tunes[i % len(tunes)], kind="hum", seed=seed + i, config=cfg))
        except CorpusError:
            pass
        i += 1
    return out


def _scaling(args: argparse.Namespace) -> int:
    import numpy as np

    from music_models.evaluation import select_library
    from music_models.evaluation.harness import load_pools
    from music_models.qbh_baseline import QbhIndex

    query_pool, others = load_pools(split="test")
    sizes = [int(s) for s in args.sizes.split(",")]
    rng = np.random.default_rng(args.seed)
    chosen = [query_pool[i] for i in rng.choice(len(query_pool), size=args.queries, replace=False)]
    hums = _hums(chosen, args.queries, "moderate", args.seed)
    rows = []
    for size in sizes:
        library, _ = select_library(query_pool=query_pool, distractor_pool=others, size=size, seed=args.seed)
        ids = {t.tune_id for t in library}
        lib = library + [t for t in chosen if t.tune_id not in ids]  # the hummed tunes are always in
        index = QbhIndex.from_tunes(lib)
        index.identify(hums[0].samples, hums[0].sample_rate_hz)  # compile the kernel
        pitch, search, hits = [], [], 0
        for q in hums:
            r = index.identify(q.samples, q.sample_rate_hz)
            pitch.append(r.timing_ms["pitch"])
            search.append(r.timing_ms.get("search", 0.0))
            hits += bool(r.results) and r.results[0].song_id == q.truth.tune_id
        rows.append({"songs": len(index), "reference_frames": index.reference_frames,
                     "pitch_ms_median": round(statistics.median(pitch), 1),
                     "search_ms_median": round(statistics.median(search), 1), "top1": hits / len(hums)})
        print(f"{len(index):6d} songs: pYIN {rows[-1]['pitch_ms_median']:7.0f} ms, DTW search "
              f"{rows[-1]['search_ms_median']:7.0f} ms per query (median of {len(hums)}), top-1 {rows[-1]['top1']:.2f}")
    result = {"what": "full subsequence DTW over every tune, 10 s moderate hums", "queries": len(hums),
              "rows": rows, "machine": {"processor": platform.processor() or platform.machine(),
                                        "cpu_count": os.cpu_count()}}
    SCALING.parent.mkdir(parents=True, exist_ok=True)
    SCALING.write_text(json.dumps(result, indent=1))
    print(f"wrote {SCALING}")
    return 0


def _figure(args: argparse.Namespace) -> int:
    from music_models.evaluation import select_library
    from music_models.evaluation.harness import load_pools
    from music_models.qbh_baseline import QbhIndex
    from music_models.qbh_baseline.plot import plot_match

    query_pool, others = load_pools(split="test")
    library, _ = select_library(query_pool=query_pool, distractor_pool=others, size=args.library_size, seed=0)
    index = QbhIndex.from_tunes(library)
    by_id = {t.tune_id: t for t in library}
    for q in _hums(query_pool[args.tune_index:], 12, "moderate", args.seed):
        track = index.analyse(samples=q.samples, sample_rate_hz=q.sample_rate_hz)
        result = index.identify(q.samples, q.sample_rate_hz)
        if result.results and result.results[0].song_id == q.truth.tune_id:
            tune = by_id[q.truth.tune_id]
            title = (f"10 s hum (moderate degradation) of a held-out tune, sung {q.truth.transposition_semitones:+.0f} "
                     f"semitones at {q.truth.tempo_ratio:.2f}x tempo; found at rank 1 of {len(index)} songs")
            path = plot_match(tune=tune, track=track, match=result.results[0], path=Path(args.out), title=title)
            print(f"wrote {path} ({tune.tune_id})")
            return 0
    print("no query in the first 12 was found at rank 1; try another --seed", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("eval", help="run 'humdinger eval qbh' (remaining options are passed on)", add_help=False)
    p = sub.add_parser("scaling", help="DTW seconds per query vs library size")
    p.add_argument("--sizes", default="1000,3000,12000")
    p.add_argument("--queries", type=int, default=8)
    p.add_argument("--seed", type=int, default=0)
    p = sub.add_parser("figure", help="a query's pitch track over the matched melody")
    p.add_argument("--out", default=str(ROOT / "docs" / "qbh_example.png"))
    p.add_argument("--library-size", type=int, default=3000)
    p.add_argument("--tune-index", type=int, default=0)
    p.add_argument("--seed", type=int, default=3)
    args, rest = parser.parse_known_args(argv)
    if args.what == "eval":
        from assistant.cli.main import main as humdinger

        return humdinger(["eval", "qbh", *rest])
    if rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    return _scaling(args) if args.what == "scaling" else _figure(args)


if __name__ == "__main__":
    sys.exit(main())
