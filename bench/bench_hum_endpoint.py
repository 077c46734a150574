"""Benchmark the melody endpointer as a live "what's this song?" uses it: in a room with background.

    .venv/bin/python bench/bench_hum_endpoint.py [--limit N] [--snrs 30,20,10]
        ->  bench/results/hum_endpoint.json

Each trial is one stream, as the microphone hears it: ``--lead-s`` of background, an espeak-ng speaker
saying "hey humdinger, what's this song?", background until the command endpointer has closed the
command; then (the assistant's prompt is not heard: live mode drops its own voice) a gap of 0.2-1.0 s
of background, a clean synthetic melody query of a test-split tune (hum, whistle, sing, instrument in
turn; 4-12 s; never trained on) and ``--tail-s`` of background. The background (pink noise, music +
pink noise, rendered music) runs through the whole stream at each SNR (the melody's loud frames over the
background's power; the command at the melody's level). A quiet room (the -54 dBFS floor only) is the
row that must not get worse. Fed in 0.1 s chunks.

Configurations of the melody endpointer: ``fresh`` (it starts on its own, from the -60 dB floor, as it
did), ``carried`` (it starts from the background the command's endpointer learned), ``relative``
(frames far below the melody's own level are not active), and both. Per configuration, background and
SNR: ``found``, ``clean_end`` (ended by trailing silence, not at the 15 s limit or the end of the
stream), ``on_time`` (start within 0.3 s, end within 0.5 s of the melody's), ``coverage`` (share of the
melody inside the captured span, pre-roll included), start/end errors.

``--identify`` also sends what each configuration captured (the span from its start, less the pre-roll,
to its end, or to the 15 s limit) to identify against the demo library (``make demo`` builds it; the
queries' tunes are then drawn from its 300 held-out tunes), with the melody's true span (plus the
pre-roll) as the reference: top-1 per configuration and room.
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

RESULTS = ROOT / "bench" / "results" / "hum_endpoint.json"
SR = 16000
COMMAND = "hey humdinger, what's this song?"
KINDS = ("hum", "whistle", "sing", "instrument")


def command_background(stream: np.ndarray) -> tuple[Any, float]:
    """Run the speech endpointer over the command part; its learned background and where it stopped."""
    from bench_endpoint import feed

    from assistant.audio import Endpointer

    ep = Endpointer()
    events = feed(ep, stream)
    end = next((e.time_s for e in events if e.kind == "end"), len(stream) / SR)
    return ep.background(), end


#: The configurations whose captures --identify sends to the library: the old behaviour and the shipped one.
IDENTIFIED = ("fresh", "shipped")


def open_library() -> Any:
    from music_models.library import Library, LibraryConfig

    library = Library.open(LibraryConfig())
    library.warm()
    return library


def named(library: Any, stream: np.ndarray, row: dict[str, Any], config: Any, tune_id: str) -> bool:
    """Did identify name ``tune_id`` first from the span the endpointer captured (what the skill gets)?"""
    if row["start_s"] is None:
        return False
    end = row["end_s"] if row["end_s"] is not None else len(stream) / SR
    clip = stream[int(max(0.0, row["start_s"] - config.pre_roll_s) * SR): int(end * SR)]
    result = library.identify(clip, SR, top_k=1)
    return bool(result.results) and result.results[0].song_id == tune_id


def summarise(rows: list[dict[str, Any]], pre_roll_s: float) -> dict[str, Any]:
    found = [r for r in rows if r["start_s"] is not None]
    clean = [r for r in found if r["reason"] == "silence"]
    on_time = [r for r in clean if abs(r["start_s"] - r["true_start_s"]) <= 0.3
               and abs(r["end_s"] - r["true_end_s"]) <= 0.5]

    def coverage(r: dict[str, Any]) -> float:
        if r["start_s"] is None or r["end_s"] is None:
            return 0.0
        lo, hi = max(r["start_s"] - pre_roll_s, r["true_start_s"]), min(r["end_s"], r["true_end_s"])
        return max(0.0, hi - lo) / (r["true_end_s"] - r["true_start_s"])

    med = (lambda xs: round(statistics.median(xs), 3) if xs else None)
    return {"n": len(rows), "found": round(len(found) / len(rows), 3), "clean_end": round(len(clean) / len(rows), 3),
            "on_time": round(len(on_time) / len(rows), 3),
            "coverage_mean": round(float(np.mean([coverage(r) for r in rows])), 3),
            "full_coverage": round(float(np.mean([coverage(r) >= 0.95 for r in rows])), 3),
            "start_error_s_p50": med([r["start_s"] - r["true_start_s"] for r in found]),
            "end_error_s_p50": med([r["end_s"] - r["true_end_s"] for r in found if r["end_s"] is not None]),
            "reasons": {k: sum(r["reason"] == k for r in rows) for k in sorted({r["reason"] for r in rows})},
            **{k: round(float(np.mean([r[k] for r in rows])), 3) for k in ("named", "named_true_span") if k in rows[0]}}


def configurations(relative_db: float) -> dict[str, tuple[Any, bool]]:
    """name -> (melody endpointer config, start from the command's background?)."""
    from assistant.audio import HUM_ENDPOINTER_CONFIG

    rel = replace(HUM_ENDPOINTER_CONFIG, relative_floor_db=relative_db)
    return {"fresh": (replace(HUM_ENDPOINTER_CONFIG, relative_floor_db=0.0), False),
            "carried": (replace(HUM_ENDPOINTER_CONFIG, relative_floor_db=0.0), True),
            "relative": (rel, False), "carried+relative": (rel, True),
            "shipped": (HUM_ENDPOINTER_CONFIG, True)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=40, help="melody queries (test-split tunes)")
    parser.add_argument("--lead-s", type=float, default=2.0, help="background before the command")
    parser.add_argument("--tail-s", type=float, default=4.0, help="background after the melody")
    parser.add_argument("--snrs", default="30,20,10", help="SNRs in dB, comma-separated")
    parser.add_argument("--backgrounds", default="pink,music+noise,music")
    parser.add_argument("--relative-db", type=float, default=9.0, help="relative_floor_db of the 'relative' rows")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--identify", action="store_true",
                        help="identify each captured melody against the demo library (make demo builds it)")
    parser.add_argument("--library-limit", type=int, default=300, help="the demo library's held-out tunes")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    from bench_endpoint import run_one, speech_span
    from bench_intent_e2e import machine
    from speech_corpus import (
        SpeechCorpusConfig,
        background_pool,
        loud_power,
        make_background,
        spoken_variants,
    )
    from tqdm import tqdm

    from music_models.corpus import load_corpus
    from music_models.queries import QueryConfig
    from music_models.queries.synth import synthesise_query
    from music_models.render.batch import select_evenly

    configs = configurations(args.relative_db)
    snrs = [float(s) for s in args.snrs.split(",")]
    backgrounds = args.backgrounds.split(",")
    corpus = SpeechCorpusConfig()
    pool = background_pool(seed=args.seed)
    tunes = select_evenly(load_corpus(split="test", progress=False), limit=args.library_limit if args.identify else 0)
    tunes = select_evenly(tunes, limit=args.limit)
    library = open_library() if args.identify else None
    qcfg = QueryConfig(level="clean")
    pre_roll_s = configs["fresh"][0].pre_roll_s
    results: dict[str, list[dict[str, Any]]] = {}
    t0 = time.perf_counter()
    for i, tune in enumerate(tqdm(tunes, desc="endpointing melodies in background", unit="query")):
        rng = np.random.default_rng(args.seed + i)
        melody = synthesise_query(tune, kind=KINDS[i % len(KINDS)], seed=args.seed + i, config=qcfg).samples
        m0, m1 = speech_span(melody, lead_s=0.0, tail_s=0.0)
        melody = melody[int(m0 * SR): int(m1 * SR)].astype(np.float64)
        said, _ = spoken_variants(COMMAND, n=1, seed=args.seed + 100 * i)[0]
        c0, c1 = speech_span(said, lead_s=0.0, tail_s=0.0)
        said = said[int(c0 * SR): int(c1 * SR)].astype(np.float64)
        said *= np.sqrt(loud_power(melody) / loud_power(said))
        command = np.concatenate([np.zeros(int(args.lead_s * SR)), said, np.zeros(int(1.5 * SR))])
        gap = float(rng.uniform(0.2, 1.0))
        tail = np.concatenate([np.zeros(int(gap * SR)), melody, np.zeros(int(args.tail_s * SR))])
        truth = {"true_start_s": gap, "true_end_s": gap + len(melody) / SR}
        floor = rng.normal(0, corpus.floor_rms, len(command) + len(tail))
        rooms: list[tuple[str, np.ndarray]] = [("quiet|-", floor)]
        for bg in backgrounds:
            noise = make_background(bg, len(floor), pool=pool, seed=args.seed + i).astype(np.float64)
            for snr in snrs:
                gain = np.sqrt(loud_power(melody) / (np.mean(noise**2) * 10 ** (snr / 10)))
                rooms.append((f"{bg}|{snr:g}", floor + gain * noise))
        for room, behind in rooms:
            cmd_stream = (command + behind[: len(command)]).astype(np.float32)
            background, cmd_end = command_background(cmd_stream)
            # the melody's stream starts where the command's endpointer stopped (+ the prompt, not heard)
            start = min(int((cmd_end + 1.0) * SR), len(command))
            rest = behind[start: start + len(tail)]
            mel_stream = (tail[: len(rest)] + rest).astype(np.float32)
            for name, (cfg, carry) in configs.items():
                row = {**truth, "background_known": background is not None,
                       **run_one(mel_stream, cfg, background if carry else None)}
                if library is not None and name in IDENTIFIED:
                    row["named"] = named(library, mel_stream, row, cfg, tune.tune_id)
                    if name == "fresh":
                        row["named_true_span"] = named(library, mel_stream, {**row, "start_s": gap,
                                                                              "end_s": truth["true_end_s"]},
                                                       cfg, tune.tune_id)
                results.setdefault(f"{name}|{room}", []).append(row)
    if library is not None:
        library.close()
    table = {key: summarise(v, pre_roll_s) for key, v in results.items()}
    out = {"benchmark": "hum_endpoint", "machine": machine(),
           "config": {"queries": len(tunes), "kinds": list(KINDS), "lead_s": args.lead_s, "tail_s": args.tail_s,
                      "snrs_db": snrs, "backgrounds": backgrounds, "seed": args.seed, "command": COMMAND,
                      "endpointer": {k: {"config": c.to_dict(), "carried_background": carry}
                                     for k, (c, carry) in configs.items()}},
           "elapsed_s": round(time.perf_counter() - t0, 1), "results": table,
           "identified": {"configurations": list(IDENTIFIED), "library": "the demo library (local Qdrant)"}
           if args.identify else None}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    names = list(configs)
    print(f"{'room':16s} " + " ".join(f"{n:>18s}" for n in names) + "   (clean end / on time / coverage)")
    for room in ["quiet|-", *(f"{bg}|{snr:g}" for bg in backgrounds for snr in snrs)]:
        cells = [table[f"{n}|{room}"] for n in names]
        print(f"{room:16s} " + " ".join(f"{c['clean_end']:5.2f}/{c['on_time']:4.2f}/{c['coverage_mean']:4.2f}  "
                                        for c in cells))
    if args.identify:
        print(f"\n{'room':16s} {'named top-1: true span':>24s} " + " ".join(f"{n:>10s}" for n in IDENTIFIED))
        for room in ["quiet|-", *(f"{bg}|{snr:g}" for bg in backgrounds for snr in snrs)]:
            print(f"{room:16s} {table[f'fresh|{room}']['named_true_span']:24.2f} "
                  + " ".join(f"{table[f'{n}|{room}']['named']:10.2f}" for n in IDENTIFIED))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
