"""Benchmark the endpointer on continuous streams: background that is there before, during and after a
spoken command, as in a room with a fan or music on.

    .venv/bin/python bench/bench_endpoint.py [--limit N] [--lead-s 3] [--tail-s 4]
        ->  bench/results/endpoint.json

Each held-out command (bench/data/heldout_commands.tsv) is spoken by one drawn espeak-ng speaker, put
``--lead-s`` seconds into a stream and followed by ``--tail-s`` seconds, with a background (pink noise,
music + pink noise, rendered music, babble of other voices) mixed in at each SNR over the whole stream.
The stream is fed to the endpointer in 0.1 s chunks, as the microphone does, once with the shipped
configuration and once with the three floor rules switched off (the endpointer before them: floor from
-60 dB, fixed 9 dB threshold, no stale-floor rule). Per configuration, background and SNR:
A quiet room (the recordings' own -54 dBFS floor, no background) is the row that must not get worse.
``found`` (an utterance started), ``clean_end`` (it ended by trailing silence, not at max_length or the
end of the stream), ``on_time`` (start within 0.3 s of the command's, end within 0.5 s), and the start
and end errors. No ASR: this is the endpointer alone; bench_intent_e2e.py measures the words.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

RESULTS = ROOT / "bench" / "results" / "endpoint.json"
SR = 16000


def speech_span(y: np.ndarray, *, lead_s: float, tail_s: float) -> tuple[float, float]:
    """Where the voice is inside a padded espeak-ng utterance: frames within 30 dB of its loudest."""
    body = y[int(lead_s * SR): len(y) - int(tail_s * SR)]
    fr = body[: len(body) // 160 * 160].reshape(-1, 160).astype(np.float64)
    e = 10 * np.log10((fr**2).mean(axis=1) + 1e-12)
    on = np.flatnonzero(e > e.max() - 30)
    return lead_s + on[0] * 0.01, lead_s + (on[-1] + 1) * 0.01


def feed(ep: Any, stream: np.ndarray) -> list[Any]:
    """The endpointer's events over ``stream`` fed in 0.1 s chunks, as the microphone does."""
    from assistant.audio import chunks_from_array

    events = []
    for c in chunks_from_array(stream, chunk_s=0.1):
        events += ep.accept(c)
        if ep.done:
            return events
    return events + ep.finish()


def run_one(stream: np.ndarray, config: Any, background: Any = None) -> dict[str, Any]:
    """Where a fresh endpointer (started from ``background`` when given) put the utterance's start and end."""
    from assistant.audio import Endpointer

    events = feed(Endpointer(config, background=background), stream)
    start = next((e.time_s for e in events if e.kind == "start"), None)
    end = next((e for e in events if e.kind == "end"), None)
    return {"start_s": start, "end_s": end.time_s if end else None, "reason": end.reason if end else "none"}


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    found = [r for r in rows if r["start_s"] is not None]
    clean = [r for r in found if r["reason"] == "silence"]
    on_time = [r for r in clean if abs(r["start_s"] - r["true_start_s"]) <= 0.3
               and abs(r["end_s"] - r["true_end_s"]) <= 0.5]
    med = (lambda xs: round(statistics.median(xs), 3) if xs else None)
    return {"n": len(rows), "found": round(len(found) / len(rows), 3), "clean_end": round(len(clean) / len(rows), 3),
            "on_time": round(len(on_time) / len(rows), 3),
            "start_error_s_p50": med([abs(r["start_s"] - r["true_start_s"]) for r in clean]),
            "end_error_s_p50": med([r["end_s"] - r["true_end_s"] for r in clean]),
            "reasons": {k: sum(r["reason"] == k for r in rows) for k in sorted({r["reason"] for r in rows})}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=60, help="held-out commands (0 = all)")
    parser.add_argument("--lead-s", type=float, default=3.0, help="background before the command")
    parser.add_argument("--tail-s", type=float, default=4.0, help="background after it")
    parser.add_argument("--snrs", default="30,20,10", help="SNRs in dB, comma-separated")
    parser.add_argument("--backgrounds", default="pink,music+noise,music,babble")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    from bench_intent_e2e import load_rows, machine
    from speech_corpus import (
        SpeechCorpusConfig,
        background_pool,
        make_background,
        mix_at_snr,
        spoken_variants,
    )
    from tqdm import tqdm

    from assistant.audio import EndpointerConfig

    configs = {"shipped": EndpointerConfig(),
               "before": replace(EndpointerConfig(), floor_from_stream=False, min_threshold_db=0.0, stale_floor_s=0.0,
                                 floor_percentile=0.0, energy_smoothing_s=0.0)}
    snrs = [float(s) for s in args.snrs.split(",")]
    backgrounds = args.backgrounds.split(",")
    rows = load_rows(args.limit)
    corpus = SpeechCorpusConfig()
    pool = background_pool(seed=args.seed)
    results: dict[str, list[dict[str, Any]]] = {}
    t0 = time.perf_counter()
    for i, r in enumerate(tqdm(rows, desc="endpointing commands in background", unit="cmd")):
        y, _ = spoken_variants(r["text"], n=1, seed=args.seed + 100 * i)[0]
        s0, s1 = speech_span(y, lead_s=corpus.lead_s, tail_s=corpus.tail_s)
        pad = int((args.lead_s - corpus.lead_s) * SR), int((args.tail_s - corpus.tail_s) * SR)
        y = np.concatenate([np.zeros(pad[0], np.float32), y, np.zeros(pad[1], np.float32)])
        truth = {"true_start_s": s0 + pad[0] / SR, "true_end_s": s1 + pad[0] / SR}
        quiet = (y + np.random.default_rng(args.seed + i).normal(0, corpus.floor_rms, len(y))).astype(np.float32)
        for name, cfg in configs.items():  # a quiet room: the recordings' own floor only
            results.setdefault(f"{name}|quiet|-", []).append({**truth, **run_one(quiet, cfg)})
        for bg in backgrounds:
            noise = make_background(bg, len(y), pool=pool, seed=args.seed + i)
            for snr in snrs:
                stream = mix_at_snr(y, noise, snr_db=snr, seed=args.seed + i)
                for name, cfg in configs.items():
                    results.setdefault(f"{name}|{bg}|{snr:g}", []).append({**truth, **run_one(stream, cfg)})
    table = {key: summarise(v) for key, v in results.items()}
    out = {"benchmark": "endpoint", "machine": machine(),
           "config": {"commands": len(rows), "lead_s": args.lead_s, "tail_s": args.tail_s, "snrs_db": snrs,
                      "backgrounds": backgrounds, "seed": args.seed, "voice": "espeak-ng, one drawn speaker each",
                      "endpointer": {k: c.to_dict() for k, c in configs.items()}},
           "elapsed_s": round(time.perf_counter() - t0, 1), "results": table}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(f"{'background':12s} {'SNR':>4s}  {'clean end (before -> now)':>26s}  {'on time (before -> now)':>24s}")
    for bg, snr_s in [("quiet", "-"), *((bg, f"{snr:g}") for bg in backgrounds for snr in snrs)]:
        b, s = table[f"before|{bg}|{snr_s}"], table[f"shipped|{bg}|{snr_s}"]
        print(f"{bg:12s} {snr_s:>4s}  {b['clean_end']:12.2f} -> {s['clean_end']:5.2f}        "
              f"{b['on_time']:10.2f} -> {s['on_time']:5.2f}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
