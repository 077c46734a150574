"""Barge-in over the assistant's own music: spoken commands with and without echo cancellation.

    .venv/bin/python bench/bench_echo.py [--limit 60] [--sers 5,0,-5]   ->  bench/results/echo.json

A smart speaker's microphone hears the music it plays, often louder than the person saying "stop". Each
held-out command (bench/data/heldout_commands.tsv, one drawn espeak-ng speaker each) is said 9 s into
a rendered corpus tune that the assistant is playing (the canceller has heard 9 s of it; the engine's
capture starts 1 s before the voice, as after a push-to-talk press); the tune reaches the microphone through a
simulated echo path (a room impulse response, RT60 0.2-0.6 s, direct-to-reverberant 2-10 dB, 10-60 ms
of playback latency, a soft speaker nonlinearity) at each speech-to-echo ratio (SER: the command's loud
frames over the echo's power), with a -54 dBFS noise floor. The microphone stream goes through the
engine's path (endpointer, PocketSphinx, a real Rasa server) twice: as heard, and after SpeexDSP's echo
canceller with the tune as its reference, taken ``EchoConfig.lead_s`` ahead as the live path takes it
(``assistant.audio.echo``; the lead and the filter absorb the unknown latency). ``--offsets-ms`` adds
runs in which the reference is that much late (positive) or early (negative) against the truth, as a
live clock error would make it: the check on the live alignment's tolerance. Reported per SER: intent accuracy, ERLE (echo
removed over the 4 s before the voice), and the canceller's real-time factor. A simulation:
the live path (assistant/audio/echo.py's EchoReference) also depends on the devices' timing.
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

RESULTS = ROOT / "bench" / "results" / "echo.json"
SR = 16000
LEAD_S, TAIL_S, PRESS_S = 9.0, 2.5, 1.0


def echo_path(music: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, float]]:
    """The tune as the microphone hears it from the speaker (unscaled) and the path's parameters."""
    from music_models.queries.degrade import room_impulse_response

    p = {"rt60_s": float(rng.uniform(0.2, 0.6)), "drr_db": float(rng.uniform(2.0, 10.0)),
         "latency_s": float(rng.uniform(0.01, 0.06))}
    ir = room_impulse_response(rt60_s=p["rt60_s"], drr_db=p["drr_db"], sample_rate_hz=SR, rng=rng)
    driven = np.tanh(1.5 * music) / 1.5  # a small speaker's soft clipping at high volume
    delayed = np.concatenate([np.zeros(int(p["latency_s"] * SR)), driven])
    return np.convolve(delayed, ir)[: len(music)], p


def shifted(x: np.ndarray, seconds: float) -> np.ndarray:
    """``x`` advanced by ``seconds`` (later samples first; negative: delayed), zero-filled at the edge."""
    k = int(round(seconds * SR))
    if k >= 0:
        return np.concatenate([x[k:], np.zeros(k)])
    return np.concatenate([np.zeros(-k), x[:k]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=60, help="held-out commands (an even spread)")
    parser.add_argument("--sers", default="5,0,-5", help="speech-to-echo ratios in dB, comma-separated")
    parser.add_argument("--frame-s", type=float, default=None, help="EchoConfig.frame_s (default: the shipped)")
    parser.add_argument("--filter-s", type=float, default=None, help="EchoConfig.filter_s (default: the shipped)")
    parser.add_argument("--offsets-ms", default="0",
                        help="reference timing errors to run, comma-separated (positive: the reference is late)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    from bench_endpoint import speech_span
    from bench_intent_e2e import load_rows, machine, same_intent, understand
    from speech_corpus import background_pool, loud_power, spoken_variants
    from tqdm import tqdm

    from assistant.audio.echo import EchoConfig, SpeexEchoCanceller
    from assistant.conversation import AssistantConfig, build_assistant

    sers = [float(s) for s in args.sers.split(",")]
    offsets = [float(o) / 1000.0 for o in args.offsets_ms.split(",")]
    rows = load_rows(args.limit)
    tracks = [t for t in background_pool(seed=args.seed).music if len(t) >= (LEAD_S + 4.0) * SR]
    if not tracks:
        print("no rendered music for the echo (FluidSynth and the corpus are needed)", file=sys.stderr)
        return 1
    cfg = AssistantConfig.from_env(use_library=False)
    echo_cfg = EchoConfig()
    echo_cfg = replace(echo_cfg, **{k: v for k, v in (("frame_s", args.frame_s), ("filter_s", args.filter_s))
                                    if v is not None})
    assistant = build_assistant(cfg, progress=True)
    if assistant.nlu is None or assistant.recognizer is None:
        print("cannot run: " + "; ".join(assistant.problems()), file=sys.stderr)
        return 1
    items: list[dict[str, Any]] = []
    erle: dict[str, list[float]] = {}
    aec_s, audio_s = 0.0, 0.0
    t_start = time.perf_counter()
    try:
        for i, r in enumerate(tqdm(rows, desc="commands over the assistant's own music", unit="cmd")):
            rng = np.random.default_rng(args.seed + i)
            (said, spec), = spoken_variants(r["text"], n=1, seed=args.seed + 31 * i)
            a, b = speech_span(said, lead_s=0.0, tail_s=0.0)
            said = said[int(a * SR): int(b * SR)].astype(np.float64)
            voice = np.concatenate([np.zeros(int(LEAD_S * SR)), said, np.zeros(int(TAIL_S * SR))])
            track = tracks[i % len(tracks)]
            start = int(rng.integers(0, len(track) - len(voice))) if len(track) > len(voice) else 0
            music = np.resize(track[start:], len(voice)).astype(np.float64)
            music *= 0.25 / max(np.sqrt(np.mean(music**2)), 1e-9)  # the player's level
            echo, path = echo_path(music, rng)
            floor = rng.normal(0, 0.002, len(voice))
            for ser in sers:
                gain = np.sqrt(loud_power(said) / (np.mean(echo**2) * 10 ** (ser / 10)))
                mic = (voice + gain * echo + floor).astype(np.float32)
                inputs = [("as_heard", mic)]
                for offset in offsets:
                    t0 = time.perf_counter()
                    ec = SpeexEchoCanceller(echo_cfg)
                    ref = shifted(music, echo_cfg.lead_s - offset)
                    cleaned = ec.process(mic, ref)  # the filter runs frame by frame inside
                    ec.close()
                    aec_s += time.perf_counter() - t0
                    audio_s += len(mic) / SR
                    name = "echo_cancelled" if offset == 0 else f"echo_cancelled_ref_{offset * 1000:+g}ms"
                    before = slice(int((LEAD_S - 4.0) * SR), int(LEAD_S * SR))  # the echo alone
                    erle.setdefault(f"{name}|{ser:g}", []).append(
                        float(10 * np.log10(np.mean(mic[before].astype(np.float64) ** 2)
                                            / max(np.mean(cleaned[before].astype(np.float64) ** 2), 1e-12))))
                    inputs.append((name, cleaned))
                press = int((LEAD_S - PRESS_S) * SR)
                for name, audio in inputs:
                    got = understand(assistant, audio[press:])
                    items.append({"said": r["text"], "expected": r["intent"], "voice": spec.name, "ser_db": ser,
                                  "input": name, "path": {k: round(v, 3) for k, v in path.items()},
                                  "heard": got["asr_text"], "intent": got["intent"],
                                  "correct": same_intent(r["intent"], got["intent"]), "found": got["found"]})
    finally:
        assistant.close()
    table: dict[str, Any] = {}
    names = list(dict.fromkeys(x["input"] for x in items))
    for ser in sers:
        for name in names:
            sel = [x for x in items if x["ser_db"] == ser and x["input"] == name]
            table[f"{name}|{ser:g}"] = {"n": len(sel), "intent_accuracy": round(sum(x["correct"] for x in sel) / len(sel), 3),
                                       "found": round(sum(x["found"] for x in sel) / len(sel), 3)}
            if f"{name}|{ser:g}" in erle:
                e = erle[f"{name}|{ser:g}"]
                table[f"{name}|{ser:g}"]["erle_db"] = {"median": round(statistics.median(e), 1),
                                                      "p10": round(float(np.percentile(e, 10)), 1)}
    out = {"benchmark": "echo", "machine": machine(), "elapsed_s": round(time.perf_counter() - t_start, 1),
           "config": {"commands": len(rows), "sers_db": sers, "seed": args.seed, "lead_s": LEAD_S,
                      "reference_offsets_ms": [o * 1000 for o in offsets],
                      "echo_canceller": echo_cfg.to_dict(), "voice": "espeak-ng, one drawn speaker each"},
           "canceller_real_time_factor": round(aec_s / max(audio_s, 1e-9), 4), "results": table, "items": items}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print("intent accuracy (ERLE dB p50) per input and speech-to-echo ratio")
    for name in names:
        cells = [table[f"{name}|{ser:g}"] for ser in sers]
        print(f"{name:34s} " + "  ".join(f"{ser:+g} dB: {c['intent_accuracy']:.3f}"
                                          + (f" ({c['erle_db']['median']:.1f})" if "erle_db" in c else "")
                                          for ser, c in zip(sers, cells, strict=True)))
    print(f"canceller real-time factor {out['canceller_real_time_factor']}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
