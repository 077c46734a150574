"""Benchmark rendering: arrange + render ~20 tunes with ONE persistent FluidSynth; × real time.

    .venv/bin/python bench/bench_render.py [--n 20] [--source auto|corpus|synthetic]  ->  bench/results/render.json

``auto`` uses test-split tunes when the corpus cache is built, else tiny synthetic tunes (16 bars of
4/4, 3/4, 6/8, 2/4 at folk tempi). Nothing is written but the JSON.
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

RESULTS = ROOT / "bench" / "results" / "render.json"


def _synthetic_tunes(n: int) -> list[Any]:
    import numpy as np

    from music_models.types import Key, Meter, Note, Tune

    rng = np.random.default_rng(0)
    shapes = [(Meter(4, 4), 110.0), (Meter(3, 4), 120.0), (Meter(6, 8), 180.0), (Meter(2, 4), 100.0)]
    tunes = []
    for i in range(n):
        meter, tempo = shapes[i % len(shapes)]
        key = Key(int(rng.choice([2, 7, 9, 0])), str(rng.choice(["major", "dorian", "minor"])))
        scale = sorted({62 + (pc - 2) % 12 + octave for pc in key.scale_pcs for octave in (0, 12)})
        end, t, idx, notes = 16 * meter.bar_beats, 0.0, len(scale) // 2, []
        step = 0.5
        while t < end - 1e-9:
            d = min(float(rng.choice([step, step, 2 * step])), end - t)
            idx = int(np.clip(idx + rng.integers(-2, 3), 0, len(scale) - 1))
            notes.append(Note(scale[idx], t, d))
            t += d
        tunes.append(Tune(f"synthetic:{i}", f"Synthetic {i}", "synthetic", meter, key, tempo, tuple(notes)))
    return tunes


def _corpus_ready() -> bool:
    try:
        from music_models.corpus.cache import collection_path, read_meta
    except ImportError:
        return False
    names = list(read_meta().get("collections", {}))
    return bool(names) and all(collection_path(n).is_file() for n in names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="tunes to render (default 20)")
    parser.add_argument("--source", choices=("auto", "corpus", "synthetic"), default="auto")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--synth-rate", type=int, default=None,
                        help="override RenderConfig.synth_sample_rate_hz (e.g. 16000 to skip resampling)")
    args = parser.parse_args(argv)

    from music_models.arrange import arrange
    from music_models.render import FluidSynthRenderer, RenderConfig
    from music_models.render.batch import rendering_seed, select_evenly

    source = args.source
    if source == "auto":
        source = "corpus" if _corpus_ready() else "synthetic"
    if source == "corpus":
        from music_models.corpus import load_corpus

        tunes = select_evenly(load_corpus(split="test", progress=False), limit=args.n)
    else:
        tunes = _synthetic_tunes(args.n)

    cfg = RenderConfig()
    if args.synth_rate:
        from dataclasses import replace

        cfg = replace(cfg, synth_sample_rate_hz=args.synth_rate)
    t0 = time.perf_counter()
    renderer = FluidSynthRenderer(cfg)
    load_s = time.perf_counter() - t0
    per_file: list[dict[str, Any]] = []
    try:
        for tune in tunes:
            seed = rendering_seed(base_seed=args.seed, tune_id=tune.tune_id, index=0)
            t1, c1 = time.perf_counter(), time.process_time()
            arr = arrange(tune, seed=seed)
            t2 = time.perf_counter()
            audio = renderer.render_arrangement(arr)
            t3, c3 = time.perf_counter(), time.process_time()
            per_file.append({"tune_id": tune.tune_id, "meter": tune.meter.name, "audio_s": round(audio.duration_s, 3),
                             "arrange_s": round(t2 - t1, 4), "render_s": round(t3 - t2, 4),
                             "cpu_s": round(c3 - c1, 4),
                             "x_real_time": round(audio.duration_s / (t3 - t1), 1),
                             "voices": sum(len(t.notes) for t in arr.tracks),
                             "styles": {t.role: t.style for t in arr.tracks}})
    finally:
        renderer.close()
    audio_total = sum(f["audio_s"] for f in per_file)
    work_total = sum(f["arrange_s"] + f["render_s"] for f in per_file)
    result = {
        "benchmark": "render",
        "source": source,
        "n_files": len(per_file),
        "audio_total_s": round(audio_total, 2),
        "x_real_time_median": statistics.median(f["x_real_time"] for f in per_file),
        "x_real_time_overall": round(audio_total / work_total, 1),
        "x_real_time_per_cpu_second": round(audio_total / sum(f["cpu_s"] for f in per_file), 1),
        "x_real_time_overall_with_soundfont_load": round(audio_total / (work_total + load_s), 1),
        "soundfont_load_s": round(load_s, 3),
        "arrange_ms_median": round(1000 * statistics.median(f["arrange_s"] for f in per_file), 2),
        "config": cfg.to_dict(),
        "machine": {"processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
                    "python": platform.python_version(), "load_avg_1m": round(os.getloadavg()[0], 2)},
        "files": per_file,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"render: {len(per_file)} {source} tunes, {audio_total:.0f} s of audio; "
          f"x real time median {result['x_real_time_median']:.0f}, overall {result['x_real_time_overall']:.0f} "
          f"({result['x_real_time_overall_with_soundfont_load']:.0f} with the {load_s:.2f} s soundfont load), "
          f"{result['x_real_time_per_cpu_second']:.0f} per CPU-second; "
          f"{result['machine']['processor']}, {os.cpu_count()} CPUs, load {result['machine']['load_avg_1m']}")
    print(f"-> {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
