"""The wake-word mechanism on REAL voices: PocketSphinx keyphrase search + the phrase verifier, set to spot
"computer" (or "jarvis"), on the Picovoice wake-word benchmark's recordings of many people saying it
(/work/shared/data/real-speech/picovoice_wakeword/; no one has recorded "hey humdinger", so the product's
own phrase cannot be measured on real voices). Negatives: the other keyword's recordings, the spoken
coffee orders (picovoice_s2i) and the other real-speech files.

    .venv/bin/python bench/bench_wake_real.py [--keyword computer] [--out bench/results/wake_real.json]

Each recording is padded with 0.5 s of faint noise on both sides and streamed in 0.1 s chunks, as
``bench_wake.py`` does. The first stage runs at the tuned ``bench/results/wake.json`` setting (1e-10, the
product's default since this bench) and at 1e-1 (the default before it); the verifier's threshold is swept over the stored scores (duration gates as configured).
Negatives are few minutes, so false accepts are counted per recording, not per hour.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

REAL = Path(os.environ.get("HUMDINGER_REAL_SPEECH", ROOT.parent / "shared" / "data" / "real-speech"))
SR = 16000
LLR_GRID = tuple(round(float(x), 2) for x in np.arange(-3.4, -0.95, 0.2))


def _read(path: Path) -> np.ndarray:
    import librosa
    import soundfile as sf

    y, sr = sf.read(str(path), dtype="float32", always_2d=False)
    if y.ndim > 1:
        y = y.mean(axis=1)
    if sr != SR:
        y = librosa.resample(y, orig_sr=sr, target_sr=SR)
    return y


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keyword", default="computer", choices=("computer", "jarvis"))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "wake_real.json")
    args = parser.parse_args(argv)
    folder = REAL / "picovoice_wakeword"
    if not folder.is_dir():
        print(f"no real-speech recordings at {folder}; set HUMDINGER_REAL_SPEECH", file=sys.stderr)
        return 2

    from bench_wake import _count, _scan
    from speech_corpus import pad_with_noise

    from assistant.wake import KeyphraseWakeWord, WakeWordConfig

    other = "jarvis" if args.keyword == "computer" else "computer"
    pos_files = sorted((folder / args.keyword).glob("*.wav"))
    neg_files = (sorted((folder / other).glob("*.wav")) + sorted((REAL / "picovoice_s2i").glob("*.wav"))
                 + sorted(REAL.glob("*.wav")))

    def load(files: list[Path], seed: int) -> list[np.ndarray]:
        return [pad_with_noise(_read(f), lead_s=0.5, tail_s=0.5, floor_rms=0.002, seed=seed + i)
                for i, f in enumerate(files)]

    pos, neg = load(pos_files, 0), load(neg_files, 10_000)
    tuned = json.loads((ROOT / "bench" / "results" / "wake.json").read_text())["chosen"]
    base = WakeWordConfig(phrase=args.keyword)
    report: dict[str, Any] = {
        "benchmark": "wake_real", "keyword": args.keyword, "positives": len(pos), "negatives": len(neg),
        "positive_s": round(sum(len(y) for y in pos) / SR, 1), "negative_s": round(sum(len(y) for y in neg) / SR, 1),
        "negative_sources": {"other_keyword": other, "files": [f.relative_to(REAL).as_posix() for f in neg_files]},
        "first_stages": {},
    }
    for name, (kws, plp) in {"tuned": (tuned["kws_threshold"], tuned["kws_plp"]),
                             "first_stage_1e-1": (1e-1, 1e-15)}.items():
        cfg = replace(base, kws_threshold=kws, kws_plp=plp, verifier=replace(base.verifier, enabled=True))
        ww = KeyphraseWakeWord(cfg)
        t0 = time.process_time()
        pos_c = [_scan(ww, y)[0] for y in pos]
        neg_c = [_scan(ww, y)[0] for y in neg]
        cpu_s = time.process_time() - t0
        off = replace(cfg.verifier, enabled=False)
        rows = {"first_stage_only": {
            "detected": round(float(np.mean([_count(c, off, cfg.refractory_s) > 0 for c in pos_c])), 4),
            "negatives_accepted": int(sum(_count(c, off, cfg.refractory_s) > 0 for c in neg_c))}}
        for llr in LLR_GRID:
            v = replace(cfg.verifier, min_llr_nats_per_frame=llr)
            rows[f"verifier_llr_{llr}"] = {
                "detected": round(float(np.mean([_count(c, v, cfg.refractory_s) > 0 for c in pos_c])), 4),
                "negatives_accepted": int(sum(_count(c, v, cfg.refractory_s) > 0 for c in neg_c))}
        report["first_stages"][name] = {"kws_threshold": kws, "kws_plp": plp, "cpu_s": round(cpu_s, 1), "rows": rows}
        print(name, json.dumps(rows), flush=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
