"""Benchmark the conversation engine's latency: end of speech -> start of the spoken reply (excluding
any hum capture), with Rasa and the models warm; ASR real-time factor; cold start of the engine.

    .venv/bin/python bench/bench_latency.py [--limit N] [--tail-s 1.5]   ->  bench/results/latency.json

Each held-out command (bench/data/heldout_commands.tsv) is spoken by an espeak-ng speaker, followed by
``--tail-s`` of quiet room so the endpointer ends the utterance on silence as it would live, and run
through ``Conversation.audio_turn`` (file output), its chunks delivered at the pace a microphone delivers
them (each when its last sample would have been recorded; ``--no-realtime``: as fast as they are read,
as before session 8). ``end_of_speech_to_reply`` = the trailing silence the endpointer waited for (stream
time) + wall time from that decision to the reply's audio being ready (ASR finish, Rasa, router/skill,
espeak-ng). Paced, work the recogniser does while the endpointer still waits (its background re-decode)
is hidden as it is live; unpaced, it is not. Cold start = building the assistant (PocketSphinx grammar,
Rasa server start with a cached model, library open + model load when a library exists).
Target: p50 <= 1.0 s; ASR RTF <= 0.3.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_intent_e2e import load_rows, machine

RESULTS = ROOT / "bench" / "results" / "latency.json"
TARGETS = {"end_of_speech_to_reply_ms_p50": 1000.0, "asr_rtf_p50": 0.3}


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, round(q * (len(s) - 1)))], 1) if s else float("nan")


def paced(chunks: Iterable[Any]) -> Iterator[Any]:
    """Yield each chunk when a microphone would have finished recording it (from the first chunk's start)."""
    t0 = None
    for c in chunks:
        if t0 is None:
            t0 = time.perf_counter() - c.start_s
        wait = t0 + c.end_s - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        yield c


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=40, help="held-out commands to time (0 = all)")
    parser.add_argument("--warmup", type=int, default=3, help="turns before timing starts")
    parser.add_argument("--tail-s", type=float, default=1.5, help="quiet room after each command")
    parser.add_argument("--no-library", action="store_true", help="cold start without the song library")
    parser.add_argument("--no-realtime", dest="realtime", action="store_false",
                        help="feed the chunks as fast as they are read instead of at the microphone's pace")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    import numpy as np
    from speech_corpus import pad_with_noise, spoken_variants
    from tqdm import tqdm

    from assistant.audio.chunk import AudioClip
    from assistant.conversation import AssistantConfig, Conversation, FileOutput, build_assistant
    from assistant.nlu import NluConfig, find_model

    rows = load_rows(args.limit)
    cfg = AssistantConfig.from_env(use_library=not args.no_library)
    trained = cfg.nlu.rasa_url is not None or find_model(config=NluConfig.from_env()) is not None
    t0 = time.perf_counter()
    assistant = build_assistant(cfg, progress=True)
    cold_s = time.perf_counter() - t0
    if assistant.nlu is None or assistant.recognizer is None:
        print("cannot run: " + "; ".join(assistant.problems()), file=sys.stderr)
        return 1
    audio = []
    for i, r in enumerate(rows):
        (y, spec), = spoken_variants(r["text"], n=1, seed=args.seed + i)
        audio.append((r, spec, pad_with_noise(y, lead_s=0.0, tail_s=args.tail_s, floor_rms=0.002, seed=i)))
    items: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="humdinger-latency-") as tmp:
        conv = Conversation(assistant, FileOutput(tmp))
        warm = [audio[i % len(audio)] for i in range(args.warmup)]
        for n, (r, spec, y) in enumerate(tqdm(warm + audio, desc="conversation turns", unit="turn")):
            conv.router.awaiting = None  # each command on its own: no pending hum, no follow-up
            conv.router.state.active_skill = None
            chunks = AudioClip(np.asarray(y)).chunks()
            rec = conv.audio_turn(paced(chunks) if args.realtime else chunks)
            if n < len(warm) or not rec.replies or rec.replies[0].trigger != "speech":
                continue
            t = rec.replies[0].timings_ms
            asr = rec.asr or {}
            items.append({"text": r["text"], "voice": spec.name, "reply": rec.replies[0].key, **t,
                          "asr_rtf": asr.get("real_time_factor"), "asr_duration_s": asr.get("duration_s")})
    assistant.close()
    keys = ("end_of_speech_to_reply", "endpoint_wait", "processing", "asr", "asr_total", "nlu", "skill", "tts")
    lat = {k: {"p50": _pct([x[k] for x in items if k in x], 0.5), "p90": _pct([x[k] for x in items if k in x], 0.9)}
           for k in keys}
    rtf = [x["asr_rtf"] for x in items if x.get("asr_rtf") is not None]
    result = {"benchmark": "latency", "machine": machine(),
              "config": {"commands": len(rows), "timed_turns": len(items), "tail_s": args.tail_s,
                         "realtime": args.realtime,
                         "speculate_after_s": cfg.conversation.speculate_after_s,
                         "background_redecode": cfg.asr.pocketsphinx.background_redecode,
                         "trailing_silence_s": cfg.conversation.speech.trailing_silence_s,
                         "asr_backend": cfg.asr.resolved_backend(), "asr_mode": cfg.asr.pocketsphinx.mode},
              "targets": TARGETS, "latency_ms": lat,
              "asr_rtf": {"p50": round(statistics.median(rtf), 3) if rtf else None,
                          "p90": round(sorted(rtf)[int(0.9 * (len(rtf) - 1))], 3) if rtf else None},
              "cold_start_s": {"total": round(cold_s, 2), **assistant.startup_s, "nlu_model_was_cached": trained,
                               "library_status": "none" if args.no_library else (
                                   assistant.library_problem.reason if assistant.library_problem else "opened")},
              "turns": items}
    result["meets_targets"] = {"latency": lat["end_of_speech_to_reply"]["p50"] <= TARGETS["end_of_speech_to_reply_ms_p50"],
                               "asr_rtf": bool(rtf) and result["asr_rtf"]["p50"] <= TARGETS["asr_rtf_p50"]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    e = lat["end_of_speech_to_reply"]
    print(f"end of speech -> reply over {len(items)} turns on {result['machine']['processor']} x{os.cpu_count()} "
          f"(load {result['machine']['load_avg_1m']}): p50 {e['p50']} ms, p90 {e['p90']} ms "
          f"(endpoint wait p50 {lat['endpoint_wait']['p50']} ms, processing p50 {lat['processing']['p50']} ms: "
          f"asr {lat['asr']['p50']}, nlu {lat['nlu']['p50']}, skill {lat['skill']['p50']}, tts {lat['tts']['p50']})")
    print(f"ASR real-time factor p50 {result['asr_rtf']['p50']}; cold start {cold_s:.1f} s {assistant.startup_s}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
