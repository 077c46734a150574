"""pYIN's (and YIN's) cost per 10 s query with librosa as shipped and with ``pyin_speedup`` (same output, checked).

    .venv/bin/python bench/bench_pitch.py [--queries 20]   ->  bench/results/pitch.json

Synthetic 10 s queries (moderate degradation, every kind) of val-split tunes, pitch-tracked at the
melody gate's settings (40 ms hops, 1 semitone) and the widened search's (the DTW baseline's: 20 ms hops,
0.25 semitone), alternately with librosa as shipped and with ``pyin_speedup`` installed; at the gate's
setting YIN follows pYIN on the same audio as the gate runs them ("+yin"). Medians per setting; whether
every pitch track, voicing flag and YIN estimate was bit-identical, and the largest difference in pYIN's
voiced probability (rounding: its dot products are summed in other blocks). The speed-up includes the
sparse Viterbi search (``music_models/qbh_baseline/sparse_viterbi.py``), which dominates the fine setting.
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

    from music_models.corpus import load_corpus
    from music_models.errors import CorpusError
    from music_models.library.config import LibraryConfig
    from music_models.qbh_baseline import QbhBaselineConfig
    from music_models.qbh_baseline.pyin_speedup import install, librosa_as_shipped
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
    out: dict[str, object] = {"benchmark": "pitch", "queries": len(queries), "librosa": librosa.__version__}
    identical, prob_diff = True, 0.0

    def track(y: np.ndarray, kw: dict[str, float], with_yin: bool) -> tuple[np.ndarray, ...]:
        f0, voiced, prob = librosa.pyin(y, sr=16000, **kw)
        if not with_yin:
            return f0, voiced, prob, f0
        yin_kw = {k: v for k, v in kw.items() if k != "resolution"}
        return f0, voiced, prob, librosa.yin(y, sr=16000, **yin_kw)

    for name, kw in settings.items():
        with_yin = name.startswith("gate")
        plain_ms, fast_ms = [], []
        for y in queries:
            track(y[:16000], kw, with_yin)  # warm
            with librosa_as_shipped():
                t0 = time.perf_counter()
                a = track(y, kw, with_yin)
                plain_ms.append((time.perf_counter() - t0) * 1e3)
            t0 = time.perf_counter()
            b = track(y, kw, with_yin)
            fast_ms.append((time.perf_counter() - t0) * 1e3)
            identical &= all(np.array_equal(a[i], b[i], equal_nan=True) for i in (0, 1, 3))
            prob_diff = max(prob_diff, float(np.max(np.abs(a[2] - b[2]), initial=0.0)))
        label = name + ("+yin" if with_yin else "")
        out[label] = {"plain_ms_p50": round(statistics.median(plain_ms), 1),
                      "fast_ms_p50": round(statistics.median(fast_ms), 1)}
        print(label, out[label], flush=True)
    out["same_tracks"] = bool(identical)
    out["max_voiced_prob_difference"] = prob_diff
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    print(f"same pitch tracks, voicing and YIN: {identical}; voiced probability within {prob_diff:.1e}; "
          f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
