"""pYIN's cost per 10 s query with librosa as shipped and with ``pyin_speedup`` (same output, checked).

    .venv/bin/python bench/bench_pitch.py [--queries 20]   ->  bench/results/pitch.json

Synthetic 10 s queries (moderate degradation, every kind) of val-split tunes, pitch-tracked at the
melody gate's settings (40 ms hops, 1 semitone) and the widened search's (the DTW baseline's: 20 ms hops,
0.25 semitone), alternately with librosa's own ``scipy.stats.boltzmann.pmf`` and with the closed form;
medians per setting, and whether every output was bit-identical.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "pitch.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    import librosa
    import numpy as np
    import scipy
    from librosa.core import pitch

    from music_models.corpus import load_corpus
    from music_models.errors import CorpusError
    from music_models.library.config import LibraryConfig
    from music_models.qbh_baseline import QbhBaselineConfig
    from music_models.qbh_baseline.pyin_speedup import install
    from music_models.queries.config import QUERY_KINDS, QueryConfig
    from music_models.queries.synth import synthesise_query

    gate, base = LibraryConfig().melody, QbhBaselineConfig()
    settings = {
        "gate_40ms_1st": {"fmin": gate.fmin_hz, "fmax": gate.fmax_hz, "frame_length": gate.frame_length,
                          "hop_length": gate.hop_length, "resolution": gate.resolution_semitones},
        "baseline_20ms_quarter_st": {"fmin": base.fmin_hz, "fmax": base.fmax_hz, "frame_length": base.frame_length,
                                     "hop_length": base.hop_length, "resolution": base.pyin_resolution_semitones},
    }
    tunes = [t for t in load_corpus(split="val") if t.notes]
    queries = []
    for i, tune in enumerate(tunes):
        if len(queries) >= args.queries:
            break
        try:
            q = synthesise_query(tune, kind=QUERY_KINDS[i % len(QUERY_KINDS)], seed=i,
                                 config=replace(QueryConfig(), level="moderate", target_duration_s=10.0))
        except CorpusError:  # a tune too short for 10 s: take the next
            continue
        queries.append(q.samples.astype(np.float32))
    assert install(), "pyin_speedup is written for librosa 0.11"
    view = pitch.scipy
    out: dict[str, object] = {"benchmark": "pitch", "queries": len(queries), "librosa": librosa.__version__}
    identical = True
    for name, kw in settings.items():
        plain_ms, fast_ms = [], []
        for y in queries:
            librosa.pyin(y[:16000], sr=16000, **kw)  # warm
            pitch.scipy = scipy
            t0 = time.perf_counter()
            a = librosa.pyin(y, sr=16000, **kw)
            plain_ms.append((time.perf_counter() - t0) * 1e3)
            pitch.scipy = view
            t0 = time.perf_counter()
            b = librosa.pyin(y, sr=16000, **kw)
            fast_ms.append((time.perf_counter() - t0) * 1e3)
            identical &= all(np.array_equal(u, v, equal_nan=True) for u, v in zip(a, b))
        out[name] = {"plain_ms_p50": round(statistics.median(plain_ms), 1),
                     "fast_ms_p50": round(statistics.median(fast_ms), 1)}
        print(name, out[name], flush=True)
    out["bit_identical"] = bool(identical)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    print(f"identical output: {identical}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
