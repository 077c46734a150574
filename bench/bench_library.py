"""Benchmark the song library: identify latency at 1k / 3k / 10k songs in local mode, and indexing speed.

    .venv/bin/python bench/bench_library.py [--sizes 1000,3000,10000] [--queries 30] [--checkpoint PATH]
        ->  bench/results/library.json

Library: synthetic N(0, I) vectors in the real store layout (25 windows per song, segments + k-means
summaries, on-disk local Qdrant in a temporary folder), grown once from the smallest size to the
largest. At each size:

* ``segment_matrix_load_ms`` — reading every segment from Qdrant into the in-memory scan (once per
  process, and again after writes).
* ``search`` (and ``search_qdrant_candidates``, the older Qdrant candidate stage) — :meth:`Library.rank_windows` for 7 query windows (a 10 s query) made from a random
  song's consecutive windows plus N(0, 0.5^2) noise; also top-1 of those (a check of the layout:
  the candidate stage must not lose the song).
* ``identify`` — :meth:`Library.identify` end to end on a 10 s synthetic hum with the REAL model
  (melody gate, features, embedding, search), model loaded, as ``humdinger identify`` runs it.

Indexing: corpus test tunes (synthetic tunes if the corpus is not built) rendered by FluidSynth, then
``index_paths`` on the WAVs with the real model: seconds of audio per second of indexing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "library.json"
WINDOWS_PER_SONG = 25
QUERY_WINDOWS = 7


def _pcts(values: list[float]) -> dict[str, float]:
    import numpy as np

    v = np.asarray(values)
    return {"p50": round(float(np.percentile(v, 50)), 2), "p90": round(float(np.percentile(v, 90)), 2),
            "mean": round(float(v.mean()), 2), "n": int(v.size)}


def _tunes(n: int) -> list[Any]:
    """Test-split tunes when the corpus is built, else small random ones."""
    import numpy as np

    from music_models.types import Key, Meter, Note, Tune

    try:
        from music_models.corpus import load_corpus
        from music_models.render.batch import select_evenly

        tunes = load_corpus(split="test", progress=False)
        if tunes:
            return select_evenly(tunes, limit=n)
    except Exception as exc:  # noqa: BLE001 - the corpus is optional here: any failure means "use synthetic tunes"
        print(f"corpus unavailable ({exc}); using synthetic tunes", file=sys.stderr)
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        notes, t, p = [], 0.0, 67
        while t < 64:
            d = float(rng.choice([0.5, 1.0]))
            p = int(np.clip(p + rng.integers(-3, 4), 60, 79))
            notes.append(Note(p, t, d))
            t += d
        out.append(Tune(f"bench:{i}", f"Bench {i}", "bench", Meter(4, 4), Key(7), 110.0, tuple(notes)))
    return out


def _hum(tune: Any) -> Any:
    from music_models.queries import QueryConfig, synthesise_query

    return synthesise_query(tune, kind="hum", seed=1, config=QueryConfig(target_duration_s=10.0)).samples


def _grow(lib: Any, *, start: int, stop: int, rng: Any) -> float:
    """Add songs ``start..stop-1`` of random vectors; returns seconds taken."""
    from tqdm import tqdm

    from music_models.library.types import SongRecord

    starts = [float(i) for i in range(WINDOWS_PER_SONG)]
    t0 = time.perf_counter()
    for i in tqdm(range(start, stop), desc=f"inserting to {stop}", unit="song"):
        z = rng.standard_normal((WINDOWS_PER_SONG, lib.embedder.dim)).astype("float32")
        lib.add_song(SongRecord(f"s{i:05d}", f"Song {i}", collection="bench", duration_s=28.0), z=z, starts_s=starts)
    return time.perf_counter() - t0


def _search_only(lib: Any, *, n: int, queries: int, rng: Any) -> dict[str, Any]:
    ms, top1 = [], 0
    qstarts = [float(i) for i in range(QUERY_WINDOWS)]
    for _ in range(queries):
        sid = f"s{int(rng.integers(n)):05d}"
        z, _ = lib.store.segments_of([lib.song(sid)])[sid]
        j0 = int(rng.integers(WINDOWS_PER_SONG - QUERY_WINDOWS))
        qz = (z[j0:j0 + QUERY_WINDOWS] + rng.normal(0, 0.5, (QUERY_WINDOWS, z.shape[1]))).astype("float32")
        t0 = time.perf_counter()
        hits = lib.rank_windows(qz, qstarts, top_k=10)
        ms.append((time.perf_counter() - t0) * 1000)
        top1 += bool(hits) and hits[0].song_id == sid
    return {"ms": _pcts(ms), "top1": round(top1 / queries, 3)}


def _identify(lib: Any, hum: Any, *, queries: int) -> dict[str, Any]:
    parts: dict[str, list[float]] = {k: [] for k in ("features", "embed", "search", "total")}
    verdicts = []
    for _ in range(queries):
        r = lib.identify(hum, 16_000, top_k=5)
        verdicts.append(r.verdict)
        for k, values in parts.items():
            values.append(r.timing_ms[k])
    return {k: _pcts(v) for k, v in parts.items()} | {"verdicts": sorted(set(verdicts))}


def _index_speed(embedder: Any, tmp: Path) -> dict[str, Any]:
    from music_models.library import Library, LibraryConfig
    from music_models.library.indexer import index_paths
    from music_models.render.batch import render_tunes

    rendered = render_tunes(_tunes(6), out_dir=tmp / "renders", progress=False)
    cfg = LibraryConfig(name="speed", path=str(tmp / "speed_qdrant"), audio_dir=str(tmp / "audio"))
    with Library.open(cfg, embedder=embedder, create=True) as lib:
        report = index_paths(lib, sorted((tmp / "renders").glob("*.wav")), progress=False)  # not the .mid twins
    return {"files": report.indexed, "audio_s": round(report.audio_s, 1), "elapsed_s": round(report.elapsed_s, 2),
            "index_x_realtime": round(report.realtime_factor, 1),
            "render_x_realtime": round(rendered.audio_s / rendered.render_s, 1) if rendered.render_s else None,
            "failed": [list(f) for f in report.failed]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,3000,10000", help="library sizes in songs, ascending")
    parser.add_argument("--queries", type=int, default=30, help="queries per size and kind of timing")
    parser.add_argument("--checkpoint", default="", help="music-space checkpoint (default: the shipped one)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    import numpy as np

    from music_models.library import Library, LibraryConfig
    from music_models.space.embed import Embedder

    sizes = sorted(int(s) for s in args.sizes.split(","))
    embedder = Embedder(Path(args.checkpoint) if args.checkpoint else None)
    info = embedder.describe()
    hum = _hum(_tunes(1)[0])
    rng = np.random.default_rng(0)
    out: dict[str, Any] = {
        "machine": {"processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
                    "load_avg_at_start": [round(x, 2) for x in os.getloadavg()], "python": platform.python_version()},
        "checkpoint": {"path": info["checkpoint"], "sha256": info["sha256"], "step": info["step"]},
        "model_load_ms": round(embedder.load_ms, 1),
        "layout": {"windows_per_song": WINDOWS_PER_SONG, "query_windows": QUERY_WINDOWS,
                   "config": LibraryConfig().to_dict()},
        "sizes": {},
    }
    with tempfile.TemporaryDirectory(prefix="bench_library_") as tmp_name:
        tmp = Path(tmp_name)
        cfg = LibraryConfig(name="bench", path=str(tmp / "qdrant"))
        lib = Library.open(cfg, embedder=embedder, create=True)
        have = 0
        for n in sizes:
            insert_s = _grow(lib, start=have, stop=n, rng=rng)
            added = n - have
            have = n
            t0 = time.perf_counter()
            lib.segment_matrix()  # the in-memory scan's one-off load after writes (once per process otherwise)
            matrix_load_ms = (time.perf_counter() - t0) * 1000
            row = {"insert_songs_per_s": round(added / insert_s, 1),
                   "insert_points_per_s": round(added * (WINDOWS_PER_SONG + cfg.summaries_per_song) / insert_s),
                   "segment_matrix_load_ms": round(matrix_load_ms, 1),
                   "search": _search_only(lib, n=n, queries=args.queries, rng=rng),
                   "identify": _identify(lib, hum, queries=args.queries)}
            lib.config = replace(cfg, candidate_search="qdrant")  # the Qdrant candidate stage, for comparison
            row["search_qdrant_candidates"] = _search_only(lib, n=n, queries=args.queries, rng=rng)
            lib.config = cfg
            out["sizes"][str(n)] = row
            print(f"{n:>6} songs: matrix load {matrix_load_ms:.0f} ms, search p50 {row['search']['ms']['p50']:.0f} ms "
                  f"(top-1 {row['search']['top1']:.2f}; Qdrant candidates "
                  f"{row['search_qdrant_candidates']['ms']['p50']:.0f} ms), "
                  f"identify p50 {row['identify']['total']['p50']:.0f} ms "
                  f"(features {row['identify']['features']['p50']:.0f}, embed {row['identify']['embed']['p50']:.0f}, "
                  f"search {row['identify']['search']['p50']:.0f})")
        lib.close()
        t0 = time.perf_counter()
        lib = Library.open(cfg, embedder=embedder)
        out["reopen_s_at_largest"] = round(time.perf_counter() - t0, 2)
        lib.close()
        out["indexing"] = _index_speed(embedder, tmp)
        print(f"indexing: {out['indexing']['index_x_realtime']}x real time over {out['indexing']['audio_s']} s of "
              f"audio; reopen at {sizes[-1]} songs: {out['reopen_s_at_largest']} s")
    out["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
